import type { ColumnType, Generated } from "kysely";

/*
 * Row shapes of the store's tables as Kysely sees them. One schema for both
 * dialects (see migrations.ts). Conventions:
 * - JSON values (payloads, role lists, id lists) are TEXT holding JSON: the same
 *   bytes on both dialects and the API's payload kept exactly as received.
 * - API times are TEXT as the API sent them (`*_time`), plus a sortable
 *   7-digit UTC "time key" (`*_key`, see time.ts) used by indexes, ranges and
 *   comparisons; `""` when the API sent none.
 * - Our own times (`created_at`, `at`, …) are ISO-8601 UTC with milliseconds.
 */

export interface StoreSchemaTable {
  id: number;
  version: number;
  updated_at: string;
}

export interface StoreMigrationsTable {
  version: number;
  name: string;
  applied_at: string;
}

export interface TenantsTable {
  id: string;
  name: string;
  cloud: string;
  region: string | null;
  state: string;
  granted_roles: string;
  last_error: string | null;
  last_sync_at: string | null;
  created_at: string;
  updated_at: string;
  /** Where the tenant's alerts come from: `mde` (/api/alerts) or `graph` (alerts_v2 + incidents). Schema v3. */
  alert_source: ColumnType<string, string | undefined, string>;
  /** JSON list of the Microsoft Graph roles the tenant granted; null until a verification read them. Schema v3. */
  graph_roles: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface TenantStateTransitionsTable {
  id: Generated<number>;
  tenant_id: string;
  from_state: string | null;
  to_state: string;
  reason: string | null;
  at: string;
}

export interface ConsentRequestsTable {
  id: string;
  state_hash: string;
  tenant_hint: string | null;
  redirect_uri: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

/** A tenant's small integer key, used by the alert rows and their indexes (schema v6). */
export interface TenantKeysTable {
  key: Generated<number>;
  tenant_id: string;
}

/**
 * One alert (schema v6, migrations.ts `compactAlerts`): the tenant by its integer key, API times as
 * integers (time.ts `timeKeyParts`), the payload in alert-payload.ts's form; the API's own time
 * texts, title and severity are read from the payload.
 */
export interface AlertsTable {
  seq: Generated<number>;
  tenant_key: number;
  id: string;
  payload: string;
  title_lc: string;
  severity: string | null;
  severity_rank: number;
  status: string | null;
  classification: string | null;
  assigned_to: string | null;
  machine_id: string | null;
  /** alertCreationTime in microseconds since the epoch (`NO_TIME_US` when absent). */
  created_us: number;
  /** lastUpdateTime in microseconds since the epoch, and its seventh fractional digit. */
  updated_us: number;
  updated_sub: number;
  /** When this version was written (our clock), in microseconds. */
  ingested_us: number;
  /** Which API the stored version came from (`mde` or `graph`). */
  source: ColumnType<string, string | undefined, string>;
  /** The alert's Microsoft Graph id (alerts_v2 `id`), once seen through Graph; `id` stays the MDE id. */
  graph_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** The alert's incident id as text (MDE's number or Graph's string). */
  incident_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** The alerts_v2 object as received, when the stored version came from Graph. */
  graph_payload: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface AlertHistoryTable {
  id: Generated<number>;
  tenant_id: string;
  alert_id: string;
  field: string;
  old_value: string | null;
  new_value: string | null;
  changed_at: string | null;
  recorded_at: string;
}

export interface MachinesTable {
  tenant_id: string;
  id: string;
  payload: string;
  computer_dns_name: string | null;
  dns_name_lc: string;
  health_status: string | null;
  risk_score: string | null;
  os_platform: string | null;
  last_seen: string | null;
  last_seen_key: string;
  updated_at: string;
}

export interface MachineActionsTable {
  tenant_id: string;
  id: string;
  machine_id: string | null;
  type: string | null;
  status: string | null;
  requestor: string | null;
  comment: string | null;
  payload: string;
  creation_time: string | null;
  creation_key: string;
  last_update_time: string | null;
  last_update_key: string;
  updated_at: string;
}

export interface SyncCursorsTable {
  tenant_id: string;
  stream: string;
  cursor_value: string | null;
  seen_ids: string;
  updated_at: string;
}

export interface SyncRunsTable {
  id: Generated<number>;
  tenant_id: string;
  stream: string;
  started_at: string;
  finished_at: string | null;
  status: string;
  pages: number;
  items: number;
  error: string | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  actor: string;
  action: string;
  tenant_id: string | null;
  target: string | null;
  comment: string | null;
  request: string | null;
  result: string | null;
  phase: string;
  correlation_id: string | null;
}

export interface WebhookDeliveriesTable {
  /** Name of the forwarder (one row per target, tenant and alert). */
  target: string;
  tenant_id: string;
  alert_id: string;
  /** Time key of the alert version last delivered. */
  last_update_key: string;
  /** The same time as integers, compared with the alert row's (schema v6). */
  updated_us: ColumnType<number, number | undefined, number>;
  updated_sub: ColumnType<number, number | undefined, number>;
  delivered_at: string;
}

/** Microsoft Graph incidents (graph-security.md §5) of tenants whose alert source is `graph`. Schema v3. */
export interface IncidentsTable {
  tenant_id: string;
  /** Graph incident id (numeric text). */
  id: string;
  status: string | null;
  severity: string | null;
  severity_rank: number;
  classification: string | null;
  determination: string | null;
  assigned_to: string | null;
  display_name: string | null;
  display_name_lc: string;
  created_date_time: string | null;
  created_key: string;
  last_update_date_time: string | null;
  last_update_key: string;
  /** JSON list of the incident's alert ids (MDE ids, as the alerts table keys them). */
  alert_ids: string;
  /** The incident as received, without its expanded `alerts`. */
  payload: string;
  ingested_at: string;
}

/** Hunts and bulk response actions run by the workers (schema v4). */
export interface BatchesTable {
  id: string;
  kind: string;
  actor: string;
  /** JSON of what to run. */
  request: string;
  state: string;
  created_at: string;
  finished_at: string | null;
  total: number;
}

/** One tenant (hunt) or machine (response action) of a batch (schema v4). */
export interface BatchItemsTable {
  batch_id: string;
  item_key: string;
  tenant_id: string;
  machine_id: string | null;
  state: string;
  attempts: number;
  worker_id: string | null;
  started_at: string | null;
  finished_at: string | null;
  /** JSON: hunt rows and schema, or the response action's outcome. */
  result: string | null;
  error_code: string | null;
  error_message: string | null;
}

/** One tenant's vulnerability-management snapshot: when it was taken, its scores and sizes, and the last attempt (schema v5). */
export interface TvmSnapshotsTable {
  tenant_id: string;
  /** When the last good snapshot was taken (our clock); null before the first. */
  taken_at: string | null;
  exposure_score: number | null;
  /** The score's `time` as the API sent it. */
  exposure_time: string | null;
  secure_score: number | null;
  secure_score_time: string | null;
  machines: number;
  vulnerabilities: number;
  software: number;
  recommendations: number;
  /** JSON list of the permissions whose parts the snapshot lacks (403), or null. */
  missing_permissions: string | null;
  /** JSON list of the parts cut at their bound, or null. */
  truncated: string | null;
  /** The last attempt, good or not. */
  attempted_at: string | null;
  /** Why the last attempt failed (the last good snapshot stays), or null. */
  last_error: string | null;
  last_error_code: string | null;
}

/** A machine × CVE × product row of `vulnerabilities/machinesVulnerabilities` (schema v5). */
export interface TvmMachineVulnerabilitiesTable {
  tenant_id: string;
  machine_id: string;
  cve_id: string;
  /** Product, version and fixing KB: what makes the row unique on its machine. */
  row_key: string;
  product_vendor: string | null;
  product_name: string | null;
  product_version: string | null;
  fixing_kb_id: string | null;
  severity: string | null;
  severity_rank: number;
}

/** A CVE of a tenant's catalog, with how many of its machines have it (schema v5). */
export interface TvmVulnerabilitiesTable {
  tenant_id: string;
  cve_id: string;
  name: string | null;
  severity: string | null;
  severity_rank: number;
  cvss_v3: number | null;
  published_on: string | null;
  updated_on: string | null;
  /** Bounded (store/tvm.ts). */
  description: string | null;
  /** JSON list. */
  exploit_types: string | null;
  public_exploit: number;
  exploit_verified: number;
  exploit_in_kit: number;
  /** `exposedMachines` as the API sent it. */
  exposed_machines: number;
  /** Machines of the snapshot's machine rows that have the CVE. */
  machines: number;
}

/** A software product installed on a machine (schema v5). */
export interface TvmSoftwareTable {
  tenant_id: string;
  machine_id: string;
  /** `{vendor}-_-{product}` (mde-api.md §3.7). */
  software_id: string;
  version: string;
  name: string | null;
  vendor: string | null;
  end_of_support: string | null;
  weaknesses: number;
}

/** A security recommendation of a tenant (schema v5). */
export interface TvmRecommendationsTable {
  tenant_id: string;
  id: string;
  /** The product a `va-_-{vendor}-_-{product}` recommendation is about, as a software id; null otherwise. */
  software_id: string | null;
  name: string | null;
  product_name: string | null;
  vendor: string | null;
  category: string | null;
  remediation_type: string | null;
  status: string | null;
  recommended_version: string | null;
  severity_score: number | null;
  exposure_impact: number | null;
  config_score_impact: number | null;
  exposed_machines: number;
  weaknesses: number;
  public_exploit: number;
  active_alert: number;
}

/** A customer group (schema v7). */
export interface CustomerGroupsTable {
  name: string;
  created_at: string;
  created_by: string | null;
}

/** One tenant in one customer group (schema v7). */
export interface CustomerGroupMembersTable {
  group_name: string;
  tenant_id: string;
  added_at: string;
}

/** A role for a user or an Entra group on a customer group; `group_name` `""` is every tenant (schema v7). */
export interface AccessGrantsTable {
  principal_kind: string;
  principal: string;
  group_name: string;
  role: string;
  granted_at: string;
  granted_by: string | null;
}

/** An API token: only the SHA-256 of its text is kept (schema v7). */
export interface ApiTokensTable {
  id: string;
  name: string;
  token_hash: string;
  role: string;
  group_name: string | null;
  created_at: string;
  created_by: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
  revoked_by: string | null;
}

/** A four-eyes approval request; id lists, params and result are JSON (schema v7). */
export interface ApprovalRequestsTable {
  id: string;
  action: string;
  tenant_ids: string;
  params: string;
  summary: string;
  requested_by: string;
  requested_at: string;
  expires_at: string;
  status: string;
  decided_by: string | null;
  decided_at: string | null;
  result: string | null;
}

/** A notification rule (schema v9); `definition` is its JSON (engine/notify/rule.ts). */
export interface NotifyRulesTable {
  name: string;
  definition: string;
  created_at: string;
  /** Creation time in µs: the rule looks only at alerts written at or after it. */
  created_us: number;
  created_by: string | null;
}

/** The alert version (and status) a rule last evaluated. */
export interface NotifySeenTable {
  rule: string;
  tenant_id: string;
  alert_id: string;
  status: string | null;
  updated_us: ColumnType<number, number | undefined, number>;
  updated_sub: ColumnType<number, number | undefined, number>;
}

/** A matched alert version for one destination of a rule; `message_id` 0 until a message carries it. */
export interface NotifyEventsTable {
  id: Generated<number>;
  rule: string;
  destination: string;
  dedupe_key: string;
  summary: string;
  created_us: number;
  message_id: ColumnType<number, number | undefined, number>;
}

/** A message to one destination: the outbox and the delivery log. */
export interface NotifyMessagesTable {
  id: Generated<number>;
  rule: string;
  destination: string;
  dedupe_key: string;
  /** `alert`, `digest` or `test`. */
  kind: string;
  body: string;
  /** `pending`, `delivered` or `failed`. */
  status: string;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_us: ColumnType<number, number | undefined, number>;
  last_error: string | null;
  created_at: string;
  created_us: number;
  delivered_at: string | null;
}

/** The last applied document of a baseline (schema v10). */
export interface BaselinesTable {
  name: string;
  revision: string;
  document: string;
  updated_at: string;
  updated_by: string | null;
}

/** One `baseline apply` (schema v10); `state` running | done | partial | failed | superseded. */
export interface BaselineRunsTable {
  id: string;
  baseline_name: string;
  revision: string;
  actor: string;
  state: string;
  started_at: string;
  finished_at: string | null;
}

/** A tenant of an apply run: pending | running | done | failed, with its progress in calls. */
export interface BaselineRunTenantsTable {
  run_id: string;
  tenant_id: string;
  state: string;
  done: number;
  total: number;
  result: string | null;
  error: string | null;
  updated_at: string;
}

/** A tenant's drift state against a baseline: in_sync | drifted | failed (schema v10). */
export interface BaselineTenantsTable {
  baseline_name: string;
  tenant_id: string;
  revision: string;
  state: string;
  checked_at: string;
  difference: string | null;
  error: string | null;
}

/** The store's database as Kysely sees it. */
/** A tenant's scores of one UTC day (the day's last TVM snapshot), for trends. */
export interface TvmScoreHistoryTable {
  tenant_id: string;
  /** `YYYY-MM-DD` (UTC) of `taken_at`. */
  day: string;
  /** When the snapshot was taken (our clock). */
  taken_at: string;
  exposure_score: number | null;
  exposure_time: string | null;
  secure_score: number | null;
  secure_score_time: string | null;
}

export interface StoreDatabase {
  store_schema: StoreSchemaTable;
  store_migrations: StoreMigrationsTable;
  tenants: TenantsTable;
  tenant_state_transitions: TenantStateTransitionsTable;
  consent_requests: ConsentRequestsTable;
  tenant_keys: TenantKeysTable;
  alerts: AlertsTable;
  alert_history: AlertHistoryTable;
  machines: MachinesTable;
  machine_actions: MachineActionsTable;
  sync_cursors: SyncCursorsTable;
  sync_runs: SyncRunsTable;
  audit_log: AuditLogTable;
  webhook_deliveries: WebhookDeliveriesTable;
  incidents: IncidentsTable;
  batches: BatchesTable;
  batch_items: BatchItemsTable;
  tvm_snapshots: TvmSnapshotsTable;
  tvm_machine_vulnerabilities: TvmMachineVulnerabilitiesTable;
  tvm_vulnerabilities: TvmVulnerabilitiesTable;
  tvm_software: TvmSoftwareTable;
  tvm_recommendations: TvmRecommendationsTable;
  tvm_score_history: TvmScoreHistoryTable;
  customer_groups: CustomerGroupsTable;
  customer_group_members: CustomerGroupMembersTable;
  access_grants: AccessGrantsTable;
  api_tokens: ApiTokensTable;
  approval_requests: ApprovalRequestsTable;
  notify_rules: NotifyRulesTable;
  notify_seen: NotifySeenTable;
  notify_events: NotifyEventsTable;
  notify_messages: NotifyMessagesTable;
  baselines: BaselinesTable;
  baseline_runs: BaselineRunsTable;
  baseline_run_tenants: BaselineRunTenantsTable;
  baseline_tenants: BaselineTenantsTable;
}
