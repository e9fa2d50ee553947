/**
 * `ConsoleOptions` in, a frozen resolved state inside (STYLE.md habit 3):
 * validated once, here.
 */
import { checkRedirectUri, type Clock, isLoopbackHost, type PartnerClient, type PartnerTenant } from "@mde-partner/client";
import type { Notifier, Store } from "@mde-partner/sync";
import type { LoginGuardOptions } from "./login-guard.js";
import type { ApiMetrics } from "./metrics.js";
import type { SessionStoreOptions } from "./sessions.js";
import { type ResolvedSsoOptions, resolveSsoOptions, type SsoOptions } from "./sso/sso-options.js";

/** The console's clock is the client's (`now()` in ms since the epoch; injectable so expiry is tested with a fake clock). */
export type { Clock };

/** A certificate and its private key, PEM. */
export interface TlsPem {
  readonly certPem: string;
  readonly keyPem: string;
}

/** Options of {@link createConsole}. */
export interface ConsoleOptions {
  readonly store: Store;
  readonly partner: PartnerClient<PartnerTenant>;
  /** `WindowsDefenderATP` (and Graph) application permissions every customer should grant; the tenants page shows drift against them. */
  readonly requiredPermissions: readonly string[];
  /** The console's own `/consent/callback` URL, registered as a redirect URI on the partner app. */
  readonly consentRedirectUri: string;
  /** JSON file of operator accounts (mode 0600); see `addUser`. */
  readonly usersFile: string;
  /** Listen address (default 127.0.0.1). */
  readonly host?: string;
  /** Listen port (default 8443 with TLS, 8080 without; 0 picks a free one). */
  readonly port?: number;
  /**
   * HTTPS with the given certificate, or a generated self-signed one (default).
   * `false` serves plain HTTP, which only a loopback `host` may do.
   */
  readonly tls?: TlsPem | "self-signed" | false;
  readonly clock?: Clock;
  /**
   * `/.default` scopes the consent link asks for. Default: the MDE API's and Microsoft Graph's, in
   * one admin consent (hunting, alerts_v2 and incidents are Graph's; graph-security.md §2).
   */
  readonly consentScopes?: readonly string[];
  /** How long a consent link stays valid (default 7 days: customers do not click at once). */
  readonly consentTtlMs?: number;
  readonly sessions?: SessionStoreOptions;
  readonly login?: LoginGuardOptions;
  /** Counters fed by the partner client's logger (see `createApiMetrics`); shown on /metrics. */
  readonly metrics?: ApiMetrics;
  /** A bearer token that may read /metrics without a session (for a Prometheus scraper). */
  readonly metricsToken?: string;
  /** Four-eyes approval of destructive or wide actions (see services/approvals.ts). */
  readonly approvals?: ApprovalOptions;
  /** Operators sign in with Entra ID (OpenID Connect); local accounts stay as break-glass unless `sso.localAccounts` is false. */
  readonly sso?: SsoOptions;
  /** Sends a rule's test messages (the Notifications page's test button); the caller resolves its secret references. */
  readonly notifier?: Pick<Notifier, "test">;
}

/** When an action waits for a second person's approval, and for how long. */
export interface ApprovalOptions {
  /** Isolating or restricting more machines than this at once needs approval (default 10). */
  readonly wideActionThreshold?: number;
  /** How long a request waits for its approval (default 24 hours). */
  readonly ttlMs?: number;
}

export interface ResolvedConsoleOptions {
  readonly store: Store;
  readonly partner: PartnerClient<PartnerTenant>;
  readonly requiredPermissions: readonly string[];
  readonly consentRedirectUri: string;
  readonly usersFile: string;
  readonly host: string;
  readonly port: number;
  readonly tls: TlsPem | "self-signed" | false;
  /** Cookies carry `Secure` (everything but plain-http loopback). */
  readonly secureCookies: boolean;
  readonly clock: Clock;
  readonly consentScope: string;
  readonly consentTtlMs: number;
  readonly sessions: SessionStoreOptions;
  readonly login: LoginGuardOptions;
  readonly metrics: ApiMetrics | undefined;
  readonly metricsToken: string | undefined;
  readonly approvals: Required<ApprovalOptions>;
  readonly sso: ResolvedSsoOptions | undefined;
  /** The users file's accounts may sign in with a password (always without `sso`). */
  readonly localAccounts: boolean;
  readonly notifier: Pick<Notifier, "test"> | undefined;
}


export function resolveConsoleOptions(options: ConsoleOptions): ResolvedConsoleOptions {
  if (!options || typeof options !== "object") throw new TypeError("createConsole needs options");
  const { store, partner } = options;
  if (!store || typeof store.queryAlerts !== "function") throw new TypeError("store must be an opened store (openStore)");
  if (!partner || typeof partner.tenant !== "function") throw new TypeError("partner must be a partner client (createPartnerClient)");
  if (!Array.isArray(options.requiredPermissions) || options.requiredPermissions.some((p) => typeof p !== "string")) {
    throw new TypeError("requiredPermissions must be an array of permission names");
  }
  let callback: URL;
  try {
    callback = new URL(options.consentRedirectUri);
  } catch {
    throw new TypeError("consentRedirectUri must be the absolute URL of the console's /consent/callback");
  }
  if (callback.pathname !== "/consent/callback") throw new TypeError("consentRedirectUri must end in /consent/callback");
  // The client's redirect URI rule (https; http only to localhost/loopback), the one the CLI's links use too.
  checkRedirectUri(options.consentRedirectUri);
  if (typeof options.usersFile !== "string" || options.usersFile === "") throw new TypeError("usersFile is required");
  const host = options.host ?? "127.0.0.1";
  const tls = options.tls ?? "self-signed";
  if (tls === false && !isLoopbackHost(host)) {
    throw new TypeError(`plain HTTP is only allowed on a loopback address; ${host} needs tls (a certificate or "self-signed")`);
  }
  if (tls !== false && tls !== "self-signed" && (typeof tls?.certPem !== "string" || typeof tls.keyPem !== "string")) {
    throw new TypeError('tls must be {certPem, keyPem}, "self-signed" or false');
  }
  const port = options.port ?? (tls === false ? 8080 : 8443);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new TypeError(`port must be an integer 0-65535, got ${port}`);
  const scopes = options.consentScopes ?? [partner.cloud.scope, partner.cloud.graphScope];
  if (scopes.length === 0 || scopes.some((s) => typeof s !== "string" || !s.endsWith("/.default"))) {
    throw new TypeError("consentScopes must be '/.default' scopes");
  }
  if (options.metricsToken !== undefined && (typeof options.metricsToken !== "string" || options.metricsToken.length < 16)) {
    throw new TypeError("metricsToken must be a string of at least 16 characters");
  }
  const wideActionThreshold = options.approvals?.wideActionThreshold ?? 10;
  if (!Number.isInteger(wideActionThreshold) || wideActionThreshold < 0)
    throw new TypeError(`approvals.wideActionThreshold must be an integer of at least 0, got ${wideActionThreshold}`);
  const approvalTtlMs = options.approvals?.ttlMs ?? 24 * 60 * 60_000;
  if (!Number.isFinite(approvalTtlMs) || approvalTtlMs < 60_000) throw new TypeError(`approvals.ttlMs must be at least 60000 (a minute), got ${approvalTtlMs}`);
  const sso = options.sso === undefined ? undefined : resolveSsoOptions(options.sso, partner.cloud.ca);
  return Object.freeze({
    store,
    partner,
    requiredPermissions: Object.freeze([...options.requiredPermissions]),
    consentRedirectUri: callback.toString(),
    usersFile: options.usersFile,
    host,
    port,
    tls,
    secureCookies: tls !== false,
    clock: options.clock ?? { now: () => Date.now() },
    consentScope: scopes.join(" "),
    consentTtlMs: options.consentTtlMs ?? 7 * 24 * 60 * 60_000,
    sessions: options.sessions ?? {},
    login: options.login ?? {},
    metrics: options.metrics,
    metricsToken: options.metricsToken,
    approvals: Object.freeze({ wideActionThreshold, ttlMs: approvalTtlMs }),
    sso,
    localAccounts: options.sso?.localAccounts ?? true,
    notifier: options.notifier,
  });
}
