/*
 * Public record and input types of the store. Inputs are structural so the
 * client's typed entities (Alert, Machine, MachineAction) fit without the store
 * depending on their exact declarations.
 */

/**
 * Onboarding state of a customer tenant: `pending_consent` → `consented` (admin
 * consent seen) → `verified` (token and API probe succeeded), or `degraded`
 * (consent revoked, permission missing, secret expired, throttled, failing —
 * the reason is in the transition) / `failed` (the tenant cannot be reached at
 * all, e.g. it does not exist in the cloud).
 */
export type TenantState = "pending_consent" | "consented" | "verified" | "degraded" | "failed";

/**
 * Where a tenant's alerts are synced from: `mde` — the MDE API's `/api/alerts`
 * (the default) — or `graph` — Microsoft Graph `alerts_v2` plus incidents
 * (graph-security.md §4, §5). Either way the store holds one alert model keyed
 * by the MDE alert id.
 */
export type AlertSource = "mde" | "graph";

/** Fields to create or update a tenant; omitted fields keep their stored value. */
export interface TenantInput {
  readonly id: string;
  readonly name: string;
  /** Cloud of the tenant (e.g. `commercial`, `gcc`, `gcc-high`, `dod`); default `commercial`. */
  readonly cloud?: string;
  readonly region?: string | null;
  /** `WindowsDefenderATP` (and Graph) roles the customer actually granted. */
  readonly grantedRoles?: readonly string[];
  /** Microsoft Graph roles the customer granted (`null`: not read yet). */
  readonly graphRoles?: readonly string[] | null;
  readonly lastError?: string | null;
  readonly lastSyncAt?: string | null;
  /** State of a newly created tenant (default `pending_consent`); ignored on update — use `setTenantState`. */
  readonly initialState?: TenantState;
}

export interface TenantRecord {
  readonly id: string;
  readonly name: string;
  readonly cloud: string;
  readonly region: string | null;
  readonly state: TenantState;
  readonly grantedRoles: readonly string[];
  /** Microsoft Graph roles the tenant granted, as its Graph token carries them; `null` until a verification read them. */
  readonly graphRoles: readonly string[] | null;
  /** Which API the tenant's alerts are synced from (default `mde`). */
  readonly alertSource: AlertSource;
  readonly lastError: string | null;
  readonly lastSyncAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface TenantTransition {
  readonly tenantId: string;
  readonly from: TenantState | null;
  readonly to: TenantState;
  readonly reason: string | null;
  readonly at: string;
}

export interface ConsentRequestInput {
  /** Where the consent flow returns (must be one of the app's redirect URIs). */
  readonly redirectUri: string;
  /** Tenant id or domain the operator expects to consent, if known. */
  readonly tenantHint?: string | null;
  /** Lifetime of the state token (default 15 minutes). */
  readonly ttlMs?: number;
}

export interface ConsentRequestRecord {
  readonly id: string;
  readonly tenantHint: string | null;
  readonly redirectUri: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly usedAt: string | null;
}

/** A created consent request with its state token — the only time the token is visible; the store keeps its hash. */
export interface CreatedConsentRequest extends ConsentRequestRecord {
  readonly state: string;
}

/** The alert fields the store indexes (mde-api.md §6.1); the whole object is kept as payload. */
export interface AlertInput {
  readonly id: string;
  readonly title?: string | null;
  readonly severity?: string | null;
  readonly status?: string | null;
  readonly classification?: string | null;
  readonly assignedTo?: string | null;
  readonly machineId?: string | null;
  readonly alertCreationTime?: string | null;
  readonly lastUpdateTime?: string | null;
  /** MDE: a number; Graph: numeric text. Stored as text. */
  readonly incidentId?: number | string | null;
}

/** An alert as stored: indexed fields plus the API's payload, parsed. */
export interface StoredAlert {
  readonly tenantId: string;
  readonly id: string;
  readonly title: string | null;
  readonly severity: string | null;
  readonly status: string | null;
  readonly classification: string | null;
  readonly assignedTo: string | null;
  readonly machineId: string | null;
  readonly alertCreationTime: string | null;
  readonly lastUpdateTime: string | null;
  readonly ingestedAt: string;
  /** The incident the alert belongs to (text), when known. */
  readonly incidentId: string | null;
  /** Which API the stored version came from. */
  readonly source: AlertSource;
  /** The alert's Microsoft Graph id, once it was read through Graph (in the real service it may differ from `id`). */
  readonly graphId: string | null;
  /** The alert in the MDE API's shape (a Graph version is normalised to it; graph-alert-model.ts). */
  readonly payload: AlertInput & { readonly [key: string]: unknown };
  /** The alerts_v2 object as received, when `source` is `graph`. */
  readonly graphPayload: Readonly<Record<string, unknown>> | null;
}

/** A Graph alert ready for the store: its MDE-shaped form, its Graph id and the object as received. */
export interface GraphAlertInput {
  /** The alert in the MDE API's shape; `alert.id` is the MDE alert id (alerts_v2 `providerAlertId`). */
  readonly alert: AlertInput & { readonly [key: string]: unknown };
  /** alerts_v2 `id`. */
  readonly graphId: string;
  /** The alerts_v2 object as received. */
  readonly original: unknown;
}

/** A Microsoft Graph incident ready for the store (graph-security.md §5). */
export interface IncidentInput {
  readonly id: string;
  readonly status?: string | null;
  readonly severity?: string | null;
  readonly classification?: string | null;
  readonly determination?: string | null;
  readonly assignedTo?: string | null;
  readonly displayName?: string | null;
  readonly createdDateTime?: string | null;
  readonly lastUpdateDateTime?: string | null;
  /** Ids of the incident's alerts as the alerts table keys them (MDE ids). */
  readonly alertIds: readonly string[];
  /** The incident as received (its expanded `alerts` left out). */
  readonly payload: unknown;
}

export interface StoredIncident {
  readonly tenantId: string;
  readonly id: string;
  readonly status: string | null;
  readonly severity: string | null;
  readonly classification: string | null;
  readonly determination: string | null;
  readonly assignedTo: string | null;
  readonly displayName: string | null;
  readonly createdDateTime: string | null;
  readonly lastUpdateDateTime: string | null;
  readonly alertIds: readonly string[];
  readonly ingestedAt: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

/** What one `applyIncidentPage` changed. */
export interface ApplyIncidentPageResult {
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly cursor: SyncCursor;
}

/** One recorded change of an alert's status, assignment or classification. */
export interface AlertChange {
  readonly tenantId: string;
  readonly alertId: string;
  readonly field: "status" | "assignedTo" | "classification";
  readonly oldValue: string | null;
  readonly newValue: string | null;
  /** The alert's lastUpdateTime carrying the change, as the API sent it. */
  readonly changedAt: string | null;
  readonly recordedAt: string;
}

/** Position of an incremental stream: the last timestamp as the API sent it, and the ids already seen at exactly that time. */
export interface CursorPosition {
  readonly value: string | null;
  readonly seenIds: readonly string[];
}

export interface SyncCursor extends CursorPosition {
  readonly tenantId: string;
  readonly stream: string;
  readonly updatedAt: string;
}

/** What one `applyAlertPage` changed. */
export interface ApplyPageResult {
  readonly inserted: number;
  readonly updated: number;
  /** Alerts whose stored version was newer, or the same version with the same content (a re-read, not a change). */
  readonly unchanged: number;
  readonly cursor: SyncCursor;
}

export interface MachineInput {
  readonly id: string;
  readonly computerDnsName?: string | null;
  readonly healthStatus?: string | null;
  readonly riskScore?: string | null;
  readonly osPlatform?: string | null;
  readonly lastSeen?: string | null;
}

export interface StoredMachine {
  readonly tenantId: string;
  readonly id: string;
  readonly computerDnsName: string | null;
  readonly healthStatus: string | null;
  readonly riskScore: string | null;
  readonly osPlatform: string | null;
  readonly lastSeen: string | null;
  readonly updatedAt: string;
  readonly payload: MachineInput & { readonly [key: string]: unknown };
}

/** mde-api.md §6.3. The last-update property has two spellings (DOC-CONFLICT); both are read. */
export interface MachineActionInput {
  readonly id: string;
  readonly type?: string | null;
  readonly status?: string | null;
  readonly machineId?: string | null;
  readonly requestor?: string | null;
  readonly requestorComment?: string | null;
  readonly creationDateTimeUtc?: string | null;
  readonly lastUpdateDateTimeUtc?: string | null;
  readonly lastUpdateTimeUtc?: string | null;
}

export interface StoredMachineAction {
  readonly tenantId: string;
  readonly id: string;
  readonly machineId: string | null;
  readonly type: string | null;
  readonly status: string | null;
  readonly requestor: string | null;
  readonly comment: string | null;
  readonly creationTime: string | null;
  readonly lastUpdateTime: string | null;
  readonly updatedAt: string;
  /** The operator who asked for the action through this product (MDE's `requestor` is the app), when known. */
  readonly operator: string | null;
  readonly payload: MachineActionInput & { readonly [key: string]: unknown };
}

export type AuditPhase = "requested" | "completed" | "failed";

export interface AuditInput {
  readonly actor: string;
  readonly action: string;
  readonly phase: AuditPhase;
  readonly tenantId?: string | null;
  readonly target?: string | null;
  readonly comment?: string | null;
  /** The request as sent (JSON-serialisable; secrets must not be in it). */
  readonly request?: unknown;
  readonly result?: string | null;
  /** Ties the `requested` entry to its `completed`/`failed` one. */
  readonly correlationId?: string | null;
}

export interface AuditEntry {
  readonly id: number;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly phase: AuditPhase;
  readonly tenantId: string | null;
  readonly target: string | null;
  readonly comment: string | null;
  readonly request: unknown;
  readonly result: string | null;
  readonly correlationId: string | null;
}

export interface AuditQuery {
  readonly tenantId?: string;
  /**
   * What an operator scoped to some tenants may read: entries of these
   * tenants, and `actor`'s own entries that name no tenant.
   */
  readonly visibleTo?: { readonly tenantIds: readonly string[]; readonly actor: string };
  readonly actor?: string;
  readonly action?: string;
  readonly correlationId?: string;
  /** Only entries of these phases (e.g. `["failed"]` for what went wrong). */
  readonly phases?: readonly AuditPhase[];
  /** Inclusive lower bound on `at`. */
  readonly since?: string | Date;
  /** Exclusive upper bound on `at`. */
  readonly until?: string | Date;
  /** Entries with a smaller id only (keyset paging, newest first). */
  readonly beforeId?: number;
  readonly limit?: number;
}

export type SyncRunStatus = "running" | "succeeded" | "failed" | "partial";

export interface SyncRunRecord {
  readonly id: number;
  readonly tenantId: string;
  readonly stream: string;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly status: SyncRunStatus;
  readonly pages: number;
  readonly items: number;
  readonly error: string | null;
}

export interface SyncRunFinish {
  readonly status: Exclude<SyncRunStatus, "running">;
  readonly pages?: number;
  readonly items?: number;
  readonly error?: string | null;
}

/** An alert the webhook forwarder has not yet delivered in its current version. */
export interface PendingDelivery {
  readonly alert: StoredAlert;
  /** `ingested_at` of the row: the forwarder's watermark advances over it. */
  readonly ingestedAt: string;
}

/** What a batch runs on its items: one hunting query per tenant, or one response action per machine. */
/** `baseline`: a fleet baseline applied as one job per tenant (engine/baseline). */
export type BatchKind = "hunt" | "response-action" | "baseline";
/** `running` until every item is final, then `done`. */
export type BatchState = "running" | "done";
/** `queued` → `running` (a worker holds it) → `done` or `failed`; a retried item goes back through `running`. */
export type BatchItemState = "queued" | "running" | "done" | "failed";

export interface BatchInput {
  readonly kind: BatchKind;
  /** Who asked (for the batch list and the audit log). */
  readonly actor: string;
  /** What to run, as the worker needs it (JSON-serialisable; no secrets). */
  readonly request: Record<string, unknown>;
  /** One item per tenant (hunt) or per tenant and machine (response action); duplicates are dropped. */
  readonly items: ReadonlyArray<{ readonly tenantId: string; readonly machineId?: string }>;
}

export interface BatchItemCounts {
  readonly queued: number;
  readonly running: number;
  readonly done: number;
  readonly failed: number;
}

export interface BatchRecord {
  readonly id: string;
  readonly kind: BatchKind;
  readonly actor: string;
  readonly request: Record<string, unknown>;
  readonly state: BatchState;
  readonly createdAt: string;
  readonly finishedAt: string | null;
  readonly total: number;
  readonly counts: BatchItemCounts;
}

export interface BatchItemRecord {
  readonly batchId: string;
  /** The tenant id, or `tenantId/machineId`. */
  readonly key: string;
  readonly tenantId: string;
  readonly machineId: string | null;
  readonly state: BatchItemState;
  /** How many times a worker took the item. */
  readonly attempts: number;
  readonly workerId: string | null;
  /** When a worker first took it (a retried response action looks for what the first attempt created from here). */
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly result: unknown;
  readonly error: { readonly code: string; readonly message: string } | null;
}

export interface BatchItemFinish {
  readonly state: "done" | "failed";
  readonly result?: unknown;
  readonly error?: { readonly code: string; readonly message: string } | null;
}
