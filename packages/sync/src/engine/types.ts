/**
 * The engine's public contract: what the CLI, the console and the workers call.
 * Implementations live beside this file (sync-tenant.ts, sync-all.ts, hunt.ts,
 * response-actions.ts, export.ts, verify-tenant.ts, webhook.ts).
 */
import type { Clock, PartnerClient, PartnerTenant } from "@mde-partner/client";
import type { Store, TenantState } from "../store/index.js";

/** Onboarding states of a customer tenant (pending consent → consented → verified, or degraded/failed); the store's `TenantState`. */
export type TenantOnboardingState = TenantState;

/**
 * Who writes, and through what: the store the write is recorded in (audit log, stored copies) and
 * the partner client it goes out through. `actor` is the operator the audit log names
 * (`cli:<account>`, a console user).
 */
export interface OperatorContext {
  readonly store: Store;
  readonly partner: PartnerClient<PartnerTenant>;
  readonly actor: string;
}

/** Per-tenant progress for progress bars (CLI) and live views (console). */
export type SyncProgressEvent =
  | { type: "tenant-start"; tenantId: string; stream: "alerts" | "incidents" | "machines" | "tvm" }
  | { type: "page"; tenantId: string; stream: "alerts" | "incidents" | "machines" | "tvm"; page: number; items: number; total: number }
  | { type: "tenant-done"; tenantId: string; result: TenantSyncResult }
  | { type: "backoff"; tenantId: string; retryAt: number; reason: string };

export interface TenantSyncResult {
  tenantId: string;
  /** ok: complete; partial: stopped early (signal/budget) with the cursor kept; failed: nothing committed this run. */
  status: "ok" | "partial" | "failed";
  /** Onboarding state after the run (degraded with a reason when consent/permissions/secret fail). */
  state: TenantOnboardingState;
  /** `updated`: stored versions that changed; `unchanged`: re-read with the same time and content (the overlap window), or older than stored. */
  alerts: { fetched: number; inserted: number; updated: number; unchanged?: number };
  machines: { fetched: number };
  /** `graph` when the tenant's alerts came from Microsoft Graph (absent: the MDE API). */
  source?: "graph";
  /** Incidents read and written (Graph source only). */
  incidents?: { fetched: number; inserted: number; updated: number; unchanged?: number };
  pages: number;
  durationMs: number;
  /** Stable error code (`ERR_MDE_CONSENT_REQUIRED`, `ERR_MDE_RATE_LIMITED`, …) and a one-line message. */
  error?: { code: string; message: string; consentUrl?: string; missingPermissions?: string[]; retryAfterMs?: number };
  /** Cursor value committed by this run (the `lastUpdateTime` the next run reads from, minus the overlap). */
  cursor?: string | null;
  /** The tenant's vulnerability-management snapshot (on its own interval; absent when TVM sync is off or the run failed before it). */
  tvm?: TvmSyncResult;
}

/**
 * What a run did about the tenant's TVM snapshot (engine/tvm-sync.ts): `ok` — a new snapshot
 * was stored (`missingPermissions` names parts the tenant did not grant); `not-due` — the last
 * one is younger than the interval; `failed` — nothing was stored, the last good snapshot stays.
 */
export interface TvmSyncResult {
  status: "ok" | "not-due" | "failed";
  /** When the stored snapshot was taken (null: there is none yet). */
  takenAt?: string | null;
  machines?: number;
  vulnerabilities?: number;
  machineVulnerabilities?: number;
  software?: number;
  recommendations?: number;
  missingPermissions?: string[];
  /** Parts cut at the store's row limits. */
  truncated?: string[];
  error?: { code: string; message: string };
}

export interface SyncReport {
  startedAt: string;
  finishedAt: string;
  tenants: TenantSyncResult[];
  /** Tenants a default run (no `tenantIds`) left out, and why (e.g. consent not given yet); empty when tenants were named. */
  skipped?: SkippedTenant[];
  /** true when every tenant finished ok. */
  ok: boolean;
}

/** A tenant a default sync did not run, with its state and the reason. */
export interface SkippedTenant {
  tenantId: string;
  name: string;
  state: string;
  reason: string;
}

export interface SyncOptions {
  store: Store;
  partner: PartnerClient<PartnerTenant>;
  /** Tenants to sync; default: every tenant in the store that is consented/verified/degraded. */
  tenantIds?: readonly string[];
  /** Only tenants of these customer groups (with `tenantIds`: those of them in the groups). */
  groups?: readonly string[] | undefined;
  /** Tenants synced at once (default 16, `DEFAULT_SYNC_CONCURRENCY`). */
  concurrency?: number;
  /** First sync of a tenant only backfills alerts updated at or after this ISO time. */
  since?: string;
  /** Re-read this many ms before the cursor (clock skew, equal timestamps); default 5 min. */
  overlapMs?: number;
  /** Also refresh machines (full refresh; default true). */
  machines?: boolean;
  /** Also take each tenant's vulnerability-management snapshot when it is due (default true). */
  tvm?: boolean;
  /** Time between two TVM snapshots of a tenant (default 6 h); `0` takes one on every run. */
  tvmIntervalMs?: number;
  onProgress?: (event: SyncProgressEvent) => void;
  /** Graceful stop: the current page's transaction finishes, then the run ends. */
  signal?: AbortSignal;
  /** Alerts per request (`$top`; default and maximum 10,000). */
  pageSize?: number;
  /** Our clock (cursor caps, durations). Default: the system clock. */
  clock?: Clock;
}

export interface WatchOptions extends SyncOptions {
  intervalMs: number;
  onReport?: (report: SyncReport) => void;
  /** First backoff of a failing tenant (doubles per consecutive failure; default intervalMs). */
  backoffBaseMs?: number;
  /** Longest backoff (default 30 min). */
  maxBackoffMs?: number;
}

export interface HuntOptions {
  partner: PartnerClient<PartnerTenant>;
  store?: Store;
  tenantIds: readonly string[];
  query: string;
  /** `graph` (default): Microsoft Graph runHuntingQuery; `legacy`: the MDE endpoint retiring 2027-02-01. */
  backend?: "graph" | "legacy";
  concurrency?: number;
  signal?: AbortSignal;
}

/** One tenant's share of a hunt. */
export interface HuntTenantOutcome {
  tenantId: string;
  tenantName?: string;
  rows: number;
  durationMs: number;
  error?: { code: string; message: string };
}

export interface HuntResult {
  /** Union of the tenants' columns plus `TenantId` and `TenantName` first. */
  schema: Array<{ name: string; type: string }>;
  rows: Array<Record<string, unknown>>;
  /** One entry per tenant that failed (syntax error, throttled, permission missing), beside the rows. */
  errors: Array<{ tenantId: string; tenantName?: string; code: string; message: string }>;
  /** Per tenant: rows returned or the error. */
  tenants?: HuntTenantOutcome[];
}

export type ResponseActionKind =
  | "isolate"
  | "unisolate"
  | "restrict"
  | "unrestrict"
  | "scan"
  | "collect"
  | "quarantine"
  | "tag-add"
  | "tag-remove"
  | "offboard"
  | "live-response";

export interface ResponseActionRequest {
  store: Store;
  partner: PartnerClient<PartnerTenant>;
  /** Who asks (operator name / "cli:<user>"); recorded in the audit log. */
  actor: string;
  tenantId: string;
  machineId: string;
  action: ResponseActionKind;
  /** Required; recorded with the action and in the audit log. */
  comment: string;
  /** isolate: Full|Selective|UnManagedDevice; scan: Quick|Full; quarantine: sha1; tag-*: tag value. */
  isolationType?: string;
  scanType?: string;
  sha1?: string;
  tag?: string;
  /** live-response: the commands (PutFile, RunScript, GetFile in that order; mde-api.md §5.3). */
  commands?: ReadonlyArray<{ type: string; params: ReadonlyArray<{ key: string; value: string }> }>;
  /** Wait until the MachineAction is final. */
  wait?: boolean;
  waitTimeoutMs?: number;
  /** Poll interval while waiting (default 5 s). */
  pollIntervalMs?: number;
  /**
   * A retry of a request whose first attempt's outcome is unknown (a worker
   * died, or stopped while waiting): an action of the same type with the same
   * comment on the machine, created since this ISO time (less 2 minutes for
   * clock skew), is taken as this request's instead of sending a second one.
   */
  adoptSince?: string;
  /** Called once the MachineAction exists (created, found in progress or adopted), before any wait. */
  onAction?: (action: { id: string; status: string; type: string }) => void;
  signal?: AbortSignal;
}

export interface ResponseActionOutcome {
  tenantId: string;
  machineId: string;
  action: ResponseActionKind;
  /** The MachineAction (id, status, …) when the API created or already had one. */
  machineAction?: { id: string; status: string; type: string } & Record<string, unknown>;
  /** "already in progress" is an outcome, not a failure to retry. */
  result: "created" | "already-in-progress" | "succeeded" | "failed" | "tagged";
  /** With `adoptSince`: the action was found created by an earlier attempt, not sent again. */
  adopted?: boolean;
  error?: {
    code: string;
    message: string;
    /** The API's own `error.code` when it sent one (`ActiveRequestAlreadyExists`, `TooManyRequests`, …). */
    apiCode?: string;
    /** The service's wait after a 429, when it said. */
    retryAfterMs?: number;
  };
  auditIds: string[];
}

export interface ExportOptions {
  store: Store;
  format: "ndjson" | "csv";
  tenantIds?: readonly string[];
  severity?: readonly string[];
  status?: readonly string[];
  /** lastUpdateTime ≥ since (ISO). */
  since?: string;
  until?: string;
  out: NodeJS.WritableStream;
  signal?: AbortSignal;
}

/** What a verification found on one resource (the MDE API or Microsoft Graph). */
export interface ResourceVerification {
  /** Permissions the integration needs on this resource. */
  needed: string[];
  /** Roles the tenant's token for this resource carries; null when no token could be read. */
  roles: string[] | null;
  /** Needed permissions the roles do not cover (a ReadWrite covers its Read). */
  missing: string[];
}

/** One capability of a verified tenant: can it do it, and if not, which permission on which resource it lacks. */
export interface CapabilityVerification {
  /** The capability (`hunting:run`, `sync`, …) as configured; `sync` of a Graph-source tenant is checked as `sync:graph`. */
  capability: string;
  /** Whether the integration requires it (a missing required capability degrades the tenant). */
  required: boolean;
  /** `ok`, `missing`, or `unknown` when a resource's token could not be read. */
  status: "ok" | "missing" | "unknown";
  ok: boolean;
  /** The least-privileged permissions it lacks, each with its resource (`mde` = WindowsDefenderATP, `graph` = Microsoft Graph). */
  missing: Array<{ permission: string; resource: "mde" | "graph" }>;
}

export interface VerifyResult {
  tenantId: string;
  state: TenantOnboardingState;
  checks: Array<{ name: string; ok: boolean; detail: string }>;
  /** Roles of the MDE token (see `resources` for both). */
  roles: string[];
  /** Every missing permission, MDE's then Graph's. */
  missingPermissions: string[];
  /** Each resource on its own: what is needed, what the token carries, what is missing. */
  resources?: { mde: ResourceVerification; graph: ResourceVerification };
  /** Permission drift per resource (`["graph"]` for a tenant that consented before Graph permissions were added). */
  drift?: { drifted: boolean; resources: Array<"mde" | "graph"> };
  /** What the tenant can and cannot do, per capability, from the roles its tokens carry. */
  capabilities?: CapabilityVerification[];
  consentUrl?: string;
  error?: { code: string; message: string };
  /** What the operator should do next (one line), when something is wrong. */
  action?: string;
}
