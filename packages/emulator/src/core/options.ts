import { tmpdir } from "node:os";
import { join } from "node:path";
import { isLoopbackHost, MIN_CONTROL_TOKEN_LENGTH } from "../control/control-auth.js";
import type { Clock } from "./clock.js";
import type { ResolvedEmulatorOptions, TokenVersion } from "./state.js";

/** A customer tenant to create at start (everything optional; the seed fills the rest). */
export interface TenantSpec {
  id?: string;
  name?: string;
  domain?: string;
  region?: string;
  /** Has the customer's admin consented to the partner app? Default true. */
  consented?: boolean;
  /** MDE roles granted when consented; default: everything the app requests. */
  roles?: string[];
  /** Graph roles granted when consented; default: everything the app requests. */
  graphRoles?: string[];
  mdeProvisioned?: boolean;
  alerts?: number;
  machines?: number;
  /**
   * A hostile tenant: its generated data carries terminal escapes, HTML, CSV
   * formulas, `javascript:` URLs and a 2,000,000-character title
   * (`HOSTILE_STRINGS`) in every free-text field, in valid API shapes. Default false.
   */
  hostile?: boolean;
}

export interface LiveModeOptions {
  /** How often live mode ticks (ms). */
  intervalMs: number;
  /** New alerts per tenant per tick. */
  newAlerts: number;
  /** Updated existing alerts per tenant per tick. */
  updatedAlerts: number;
}

export interface EmulatorOptions {
  seed?: number | string;
  /**
   * Address to listen on; default 127.0.0.1. Anything but a loopback address
   * needs `controlToken` (the control API hands out the partner app's secret).
   */
  host?: string;
  /**
   * Bearer token every `/_control` request must then carry (`Authorization:
   * Bearer <token>`); at least 16 characters. Required when `host` is not loopback.
   */
  controlToken?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Serve plain HTTP (explicit opt-in; MSAL and @azure/identity refuse it). */
  insecureHttp?: boolean;
  /** Folder for the CA, server certificate and partner-app credential files. */
  stateDir?: string;
  /** Number of customer tenants, or their specs. Default 3. */
  tenants?: number | TenantSpec[];
  alertsPerTenant?: number;
  machinesPerTenant?: number;
  clock?: Clock;
  tokenLifetimeSec?: number;
  mdeTokenVersion?: TokenVersion;
  v1Issuer?: string;
  tokenErrorStatus?: Record<string, number>;
  nextLinkWithoutTop?: boolean;
  actionPendingMs?: number;
  actionInProgressMs?: number;
  /** Queue live response sessions on Inactive machines (up to 3 days, then TimeOut) instead of running them. Default false. */
  liveResponseQueuesOnInactive?: boolean;
  clockSkewSec?: number;
  rateLimits?: boolean;
  /** Custom detection rules a tenant may hold (Graph `/security/rules/detectionRules`). DOC-SILENT; default 1,000. */
  detectionRulesPerTenant?: number;
  /** Redirect URIs registered on the partner app (consent callbacks). */
  redirectUris?: string[];
  /** MDE roles the partner app requests. */
  requestedRoles?: string[];
  /** Graph roles the partner app requests. */
  requestedGraphRoles?: string[];
  /**
   * Where generated data lives: `memory` (default for small worlds) or a SQLite
   * file in the state folder, removed on stop (default above 200,000 alerts in
   * total, so a million alerts do not need gigabytes of RAM).
   */
  storage?: "memory" | "file";
  /** New and changed alerts over time; off by default. */
  liveMode?: LiveModeOptions | false;
  /**
   * `amr` and `auth_time` in the ID tokens of user sign-ins. Real v2.0 ID tokens carry
   * neither unless the app registration asks for them as optional claims (DOC-CONFLICT:
   * id-token-claims-reference.md lists no `amr`; testers report v2.0 ID tokens without it),
   * so `false` shows a client the tokens of an app without those optional claims. Default true.
   */
  idTokenAuthClaims?: boolean;
}

export function resolveOptions(options: EmulatorOptions): ResolvedEmulatorOptions {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`port must be an integer 0-65535, got ${port}`);
  const lifetime = options.tokenLifetimeSec ?? 3599;
  if (!(lifetime > 0)) throw new TypeError("tokenLifetimeSec must be positive");
  const host = options.host ?? "127.0.0.1";
  const controlToken = options.controlToken;
  if (controlToken !== undefined && (typeof controlToken !== "string" || controlToken.length < MIN_CONTROL_TOKEN_LENGTH || /\s/.test(controlToken))) {
    throw new TypeError(`controlToken must be at least ${MIN_CONTROL_TOKEN_LENGTH} characters without whitespace`);
  }
  if (!isLoopbackHost(host) && controlToken === undefined) {
    throw new TypeError(`host ${host} is not a loopback address: set controlToken, or anyone who reaches the control API gets the partner app's secret`);
  }
  return Object.freeze({
    seed: String(options.seed ?? 1),
    host,
    controlToken,
    port,
    insecureHttp: options.insecureHttp ?? false,
    stateDir: options.stateDir ?? join(tmpdir(), "mde-partner-emulator"),
    tokenLifetimeSec: lifetime,
    mdeTokenVersion: options.mdeTokenVersion ?? "1.0",
    v1Issuer: options.v1Issuer ?? "https://sts.windows.net/{tenantid}/",
    tokenErrorStatus: Object.freeze({ ...(options.tokenErrorStatus ?? {}) }),
    nextLinkWithoutTop: options.nextLinkWithoutTop ?? true,
    actionPendingMs: options.actionPendingMs ?? 2000,
    actionInProgressMs: options.actionInProgressMs ?? 3000,
    liveResponseQueuesOnInactive: options.liveResponseQueuesOnInactive ?? false,
    clockSkewSec: options.clockSkewSec ?? 300,
    rateLimits: options.rateLimits ?? true,
    detectionRulesPerTenant: positiveInt("detectionRulesPerTenant", options.detectionRulesPerTenant ?? 1000),
    idTokenAuthClaims: options.idTokenAuthClaims ?? true,
  });
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`${name} must be a positive integer`);
  return value;
}
