import type Database from "better-sqlite3";
import type { Clock } from "./clock.js";
import type { FaultController } from "./faults.js";
import type { Journal } from "./journal.js";
import type { RateLimiter } from "./rate-limit.js";
import type { SignInState } from "./sign-in-state.js";
import type { SigningKeyRing } from "./signing-keys.js";

/** A client secret of an app registration. The value is what clients send. */
export interface AppSecret {
  id: string;
  /** First characters shown in the portal (`abc~…`); used in error hints. */
  hint: string;
  value: string;
  /** Epoch ms after which the secret is refused with AADSTS7000222. */
  expiresAt: number;
}

/** A certificate credential (manifest `keyCredentials`). */
export interface AppCertificate {
  keyId: string;
  certPem: string;
  /** base64url SHA-1 thumbprint (`x5t`). */
  x5t: string;
  /** base64url SHA-256 thumbprint (`x5t#S256`). */
  x5tS256: string;
  expiresAt: number;
}

/** A multi-tenant app registration living in the partner's home tenant. */
export interface PartnerApp {
  clientId: string;
  displayName: string;
  homeTenantId: string;
  secrets: AppSecret[];
  certificates: AppCertificate[];
  /** WindowsDefenderATP application permissions the app requests (role values). */
  requiredRoles: string[];
  /** Microsoft Graph application permissions the app requests (role values). */
  requiredGraphRoles: string[];
  redirectUris: string[];
  /** Disabled apps are refused with AADSTS7000112. */
  enabled: boolean;
  /**
   * "Assignment required?" on the app's enterprise application in the home tenant:
   * users with no app role assigned are refused at sign-in with AADSTS50105.
   */
  appRoleAssignmentRequired: boolean;
}

/** What one customer tenant granted one app (its service principal's app-role assignments). */
export interface Consent {
  /** MDE (WindowsDefenderATP) roles granted. */
  roles: string[];
  /** Microsoft Graph roles granted. */
  graphRoles: string[];
  grantedAt: number;
  /** Object id of the app's service principal in this tenant (the token's `oid`/`sub`). */
  servicePrincipalId: string;
}

export interface Tenant {
  id: string;
  name: string;
  /** Verified domain names (`contoso.onmicrosoft.com`), usable in place of the GUID. */
  domains: string[];
  /** Data region: us, eu, uk, au, swa, ina. */
  region: string;
  /** false → WindowsDefenderATP is not provisioned here (AADSTS500011). */
  mdeProvisioned: boolean;
  /** Consents per client id. */
  consents: Map<string, Consent>;
  /** Generated data carries the hostile markers (data/hostile.ts). */
  hostile: boolean;
  createdAt: number;
}

/** The emulator's mutable world. One instance per emulator; no module-level state. */
export interface EmulatorState {
  readonly options: ResolvedEmulatorOptions;
  readonly clock: Clock;
  readonly keys: SigningKeyRing;
  readonly apps: Map<string, PartnerApp>;
  readonly tenants: Map<string, Tenant>;
  readonly db: Database.Database;
  readonly journal: Journal;
  readonly limiter: RateLimiter;
  readonly faults: FaultController;
  /** Base URL clients use to reach this emulator (set once listening). */
  baseUrl: string;
  /** Client-assertion `jti` values already seen (replay protection), with expiry. */
  readonly seenAssertionIds: Map<string, number>;
  /** Per-request correlation of consent flows (`/consent` page sessions). */
  readonly consentSessions: Map<string, unknown>;
  /** Home-tenant users, sign-in pages, SSO sessions, authorization codes, refresh tokens. */
  readonly signIn: SignInState;
}

export type TokenVersion = "1.0" | "2.0";

export interface ResolvedEmulatorOptions {
  readonly seed: string;
  readonly host: string;
  /** Bearer token the control API requires; undefined only on a loopback host. */
  readonly controlToken: string | undefined;
  readonly port: number;
  /** Plain HTTP instead of HTTPS (explicit opt-in). */
  readonly insecureHttp: boolean;
  readonly stateDir: string;
  /** Access-token lifetime in seconds (the real default is ~3599). */
  readonly tokenLifetimeSec: number;
  /** Access-token format for the MDE resource (DOC-SILENT, mde-api.md §1.9). */
  readonly mdeTokenVersion: TokenVersion;
  /** Template for the v1 issuer; `{tenantid}` is replaced. */
  readonly v1Issuer: string;
  /** HTTP status for token errors per AADSTS code (DOC-SILENT, mde-api.md §8.4); default 400 (401 for invalid_client). */
  readonly tokenErrorStatus: Readonly<Record<string, number>>;
  /** Emit `@odata.nextLink` on alerts/machines when the client sent no `$top` (mde-api.md §3.6). */
  readonly nextLinkWithoutTop: boolean;
  /** Milliseconds a machine action stays Pending, then InProgress, before it succeeds. */
  readonly actionPendingMs: number;
  readonly actionInProgressMs: number;
  /** Live response sessions on Inactive machines stay queued (3 days, then TimeOut). */
  readonly liveResponseQueuesOnInactive: boolean;
  /** Clock skew the API tolerates on `nbf`/`exp` (seconds). */
  readonly clockSkewSec: number;
  /** Enforce the documented per app+tenant rate limits. */
  readonly rateLimits: boolean;
  /** Custom detection rules a tenant may hold (Graph `/security/rules/detectionRules`). */
  readonly detectionRulesPerTenant: number;
  /** `amr` and `auth_time` in sign-in ID tokens (optional claims in real Entra). */
  readonly idTokenAuthClaims: boolean;
}
