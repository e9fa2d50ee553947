/*
 * Public record types of the team layer: customer groups, access grants, API
 * tokens and four-eyes approval requests (schema v7, migrations.ts `teamLayer`).
 */

/** A console or API role, weakest first: `viewer` reads, `responder` also acts on machines and alerts, `admin` also manages. */
export type Role = "viewer" | "responder" | "admin";

/** A named set of customer tenants (`mde-partner groups …`). */
export interface CustomerGroup {
  /** Matches /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/. */
  readonly name: string;
  /** Member tenant ids, sorted. */
  readonly tenantIds: readonly string[];
  readonly createdAt: string;
}

/** Who a grant is for: a local or SSO user by name/UPN, or an Entra group by object id. */
export type PrincipalKind = "user" | "entra-group";

/** A role on a customer group, or on every tenant (`group: null`). */
export interface Grant {
  readonly principalKind: PrincipalKind;
  readonly principal: string;
  readonly role: Role;
  /** The customer group the role applies to; `null`: every tenant. */
  readonly group: string | null;
}

/** Which grants {@link Grant} `listGrants` returns; omitted fields do not filter. */
export interface GrantFilter {
  readonly principalKind?: PrincipalKind;
  readonly principal?: string;
  /** Any of these principals (e.g. a user's UPN and its Entra group ids, with `principalKind` unset). */
  readonly principals?: readonly string[];
}

/** Which grant `removeGrant` removes. */
export interface GrantKey {
  readonly principalKind: PrincipalKind;
  readonly principal: string;
  readonly group: string | null;
}

/** What `createApiToken` needs. */
export interface ApiTokenInput {
  /** Unique among tokens that are not revoked. */
  readonly name: string;
  readonly role: Role;
  /** The customer group the token is limited to; `null`: every tenant. */
  readonly group: string | null;
  /** ISO time after which the token is refused; `null`: never. */
  readonly expiresAt: string | null;
  readonly createdBy: string;
}

/** An API token as stored: everything but the token, of which only a SHA-256 hash is kept. */
export interface ApiTokenRecord {
  /** Short public id (safe to show and log). */
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly group: string | null;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly expiresAt: string | null;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

/** A created token: the only time its text exists outside the caller's hands. */
export interface CreatedApiToken {
  readonly record: ApiTokenRecord;
  /** `mdep_` and 43 base64url characters (32 random bytes). */
  readonly token: string;
}

export type ApprovalStatus = "pending" | "approved" | "rejected" | "expired" | "executed" | "failed";

/** An action waiting for (or past) a second person's approval. */
export interface ApprovalRequest {
  readonly id: string;
  /** What to run once approved (e.g. `tenant.offboard`, `machines.isolate`). */
  readonly action: string;
  readonly tenantIds: readonly string[];
  /** The action's parameters as the executor needs them (JSON; no secrets). */
  readonly params: unknown;
  /** One line for the approver. */
  readonly summary: string;
  readonly requestedBy: string;
  readonly requestedAt: string;
  readonly expiresAt: string;
  /** A pending request past its expiry reads as `expired`. */
  readonly status: ApprovalStatus;
  readonly decidedBy: string | null;
  readonly decidedAt: string | null;
  /** What the execution returned (JSON), once finished. */
  readonly result: unknown;
}

export interface ApprovalInput {
  readonly action: string;
  readonly tenantIds: readonly string[];
  readonly params: unknown;
  readonly summary: string;
  readonly requestedBy: string;
  readonly expiresAt: string;
}

export interface ApprovalDecision {
  readonly by: string;
  readonly decision: "approve" | "reject";
  /** When the decision is made (ISO); a request that expired by then is marked expired and refused. */
  readonly at: string;
}

export interface ApprovalFinish {
  readonly status: "executed" | "failed";
  readonly result: unknown;
}
