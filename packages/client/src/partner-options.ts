/**
 * `PartnerClientOptions` in, a frozen resolved state out (STYLE.md habit 3):
 * every option is checked once, here, and caller mistakes are `TypeError`s.
 */
import { type Clock, type Sleep, systemClock, systemSleep } from "./clock.js";
import { type CloudOptions, type CloudProfile, resolveCloud } from "./clouds.js";
import { type CredentialInput, type PartnerCredential, toPartnerCredential } from "./auth/credentials.js";
import type { AssertionAlgorithm } from "./auth/grants/certificate-assertion.js";
import { checkLogger, type Logger } from "./logger.js";
import type { ApiResource } from "./permissions/planner.js";
import type { FetchLike } from "./network.js";
import { GRAPH_BUDGETS } from "./graph/operations.js";
import { BUDGETS } from "./mde/operations.js";
import type { BudgetLimits } from "./pipeline/rate-budget.js";
import type { RateBudgetStore } from "./pipeline/rate-budget-store.js";
import { DEFAULT_MAX_RESPONSE_BYTES } from "./pipeline/fetch-sink.js";
import { type RetryOptions, resolveRetryOptions } from "./pipeline/retry-policy.js";
import { CLIENT_VERSION } from "./version.js";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface PartnerClientOptions {
  /** Application (client) id of the partner's multi-tenant app. */
  clientId: string;
  /** Client secret, certificate, client-assertion callback or Azure `TokenCredential`. */
  credential: CredentialInput;
  /** `public` (default), `gcc`, `gcc-high`, `dod`, or a custom cloud ({ name: "custom", loginUrl, apiUrl, ca }). */
  cloud?: CloudOptions;
  /** `v2` (default): `/oauth2/v2.0/token` with `scope=`; `v1`: `/oauth2/token` with `resource=` (mde-api.md §1.3/§1.4). */
  tokenVersion?: "v2" | "v1";
  /** How v2 tokens are obtained: through MSAL (default) or a direct form POST. */
  tokenExchange?: "msal" | "direct";
  /** Your product, e.g. `MdePartner-Contoso-ContosoCognito/1.0.0` (the form Microsoft asks partners to send). */
  userAgent?: string;
  /** fetch to use for every request (token endpoint, discovery, API). Default: undici trusting the cloud's CA. */
  fetch?: FetchLike;
  clock?: Clock;
  sleep?: Sleep;
  /** Random source for backoff jitter, 0 ≤ x < 1. */
  random?: () => number;
  /** pino-compatible logger. Default: silent. */
  logger?: Logger;
  /** Allow plain http to a loopback host (the emulator with `insecureHttp`). Never for real clouds. */
  allowInsecureRequests?: boolean;
  /** Per-attempt time limit of an API call, ms. Default 120 s (hunting may run up to 200 s: raise it there). */
  timeoutMs?: number;
  /** Time limit of a token request, ms. Default 30 s. */
  tokenTimeoutMs?: number;
  /**
   * The most one API answer's body may hold, in bytes after content decoding. Default 256 MiB: a
   * larger answer fails its call with ERR_MDE_INVALID_RESPONSE, unread, rather than being held in
   * memory (a customer tenant's answer is not trusted to be the size the API documents).
   */
  maxResponseBytes?: number;
  retry?: RetryOptions;
  /** Per app+tenant budgets by name (default: the documented limits, mde-api.md §7), or `false` to send without waiting. */
  rateBudgets?: Readonly<Record<string, BudgetLimits>> | false;
  /**
   * Where the budgets are counted when several processes share the app's limits
   * (e.g. `createPostgresBudgetStore` of @mde-partner/sync, or `createMemoryBudgetStore`).
   * Default: this client counts on its own, in memory.
   */
  budgetStore?: RateBudgetStore;
  /** Token refresh windows (ms before expiry). Defaults: should 5 min, must 30 s. */
  tokenRefresh?: { refreshWindowMs?: number; mustRefreshWindowMs?: number };
  /** Signing algorithm of certificate assertions sent directly (v1). Default PS256 + x5t#S256. */
  assertionAlgorithm?: AssertionAlgorithm;
  /** Redirect URI registered on the app: consent links in errors then use the tenant-specific v2 admin-consent form. */
  consentRedirectUri?: string;
  /**
   * Resources the v2 consent link asks for, one `/.default` scope each. Default both: the MDE API
   * and Microsoft Graph (an app that holds permissions on both must be consented for both).
   */
  consentResources?: readonly ApiResource[];
}

export interface ResolvedPartnerOptions {
  readonly clientId: string;
  readonly credential: PartnerCredential;
  readonly cloud: CloudProfile;
  readonly tokenVersion: "v2" | "v1";
  readonly tokenExchange: "msal" | "direct";
  readonly userAgent: string;
  readonly fetch: FetchLike | undefined;
  readonly clock: Clock;
  readonly sleep: Sleep;
  readonly random: () => number;
  readonly logger: Logger;
  readonly allowInsecureRequests: boolean;
  readonly timeoutMs: number;
  readonly tokenTimeoutMs: number;
  readonly maxResponseBytes: number;
  readonly retry: Required<RetryOptions>;
  readonly rateBudgets: Readonly<Record<string, BudgetLimits>> | false;
  readonly budgetStore: RateBudgetStore | undefined;
  readonly refreshWindowMs: number;
  readonly mustRefreshWindowMs: number;
  readonly assertionAlgorithm: AssertionAlgorithm;
  readonly consentRedirectUri: string | undefined;
  readonly consentResources: readonly ApiResource[];
}

/** The limits a budget gets when the docs give none (DOC-SILENT families): the common 100/min, 1,500/h. */
export const FALLBACK_BUDGET: BudgetLimits = Object.freeze({ perMinute: 100, perHour: 1500 });

function positive(value: unknown, what: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0)
    throw new TypeError(`${what} must be a positive number of milliseconds`);
  return value;
}

function byteCount(value: unknown, what: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) throw new TypeError(`${what} must be a positive whole number of bytes`);
  return value;
}

function checkBudgets(budgets: unknown): Readonly<Record<string, BudgetLimits>> | false {
  if (budgets === false) return false;
  const table: Record<string, BudgetLimits> = {
    ...(BUDGETS as Record<string, BudgetLimits>),
    ...(GRAPH_BUDGETS as Record<string, BudgetLimits>),
  };
  if (budgets === undefined) return Object.freeze(table);
  if (!budgets || typeof budgets !== "object")
    throw new TypeError("rateBudgets must be an object of { perSecond?, perMinute?, perHour? } or false");
  for (const [name, limits] of Object.entries(budgets as Record<string, BudgetLimits>)) {
    for (const k of ["perSecond", "perMinute", "perHour"] as const) {
      const v = limits?.[k];
      if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new TypeError(`rateBudgets.${name}.${k} must be a positive integer`);
    }
    table[name] = Object.freeze({ ...limits });
  }
  return Object.freeze(table);
}

export function resolvePartnerOptions(options: PartnerClientOptions): ResolvedPartnerOptions {
  if (!options || typeof options !== "object") throw new TypeError("createPartnerClient needs an options object");
  if (typeof options.clientId !== "string" || !GUID.test(options.clientId)) {
    throw new TypeError("clientId must be the partner app's application (client) id, a GUID");
  }
  const allowInsecureRequests = options.allowInsecureRequests === true;
  const cloud = resolveCloud(options.cloud, allowInsecureRequests);
  const credential = toPartnerCredential(options.credential);
  const tokenVersion = options.tokenVersion ?? "v2";
  if (tokenVersion !== "v2" && tokenVersion !== "v1") throw new TypeError("tokenVersion must be 'v2' or 'v1'");
  if (tokenVersion === "v1" && credential.kind === "token-credential") {
    throw new TypeError("tokenVersion 'v1' needs a secret, certificate or assertion credential: a TokenCredential only speaks v2 scopes");
  }
  const tokenExchange = options.tokenExchange ?? "msal";
  if (tokenExchange !== "msal" && tokenExchange !== "direct") throw new TypeError("tokenExchange must be 'msal' or 'direct'");
  if (options.userAgent !== undefined && (typeof options.userAgent !== "string" || !/^[\x21-\x7e][\x20-\x7e]*$/.test(options.userAgent))) {
    throw new TypeError("userAgent must be printable ASCII, e.g. MdePartner-Contoso-ContosoCognito/1.0.0");
  }
  const ours = `mde-partner-client/${CLIENT_VERSION}`;
  const userAgent = options.userAgent ? `${options.userAgent} ${ours}` : ours;
  if (options.fetch !== undefined && typeof options.fetch !== "function")
    throw new TypeError("fetch must be a function with fetch's signature");
  if (options.clock !== undefined && typeof options.clock?.now !== "function") throw new TypeError("clock must have a now() method");
  if (options.sleep !== undefined && typeof options.sleep !== "function") throw new TypeError("sleep must be a function");
  if (options.random !== undefined && typeof options.random !== "function") throw new TypeError("random must be a function");
  const assertionAlgorithm = options.assertionAlgorithm ?? "PS256";
  if (assertionAlgorithm !== "PS256" && assertionAlgorithm !== "RS256")
    throw new TypeError("assertionAlgorithm must be 'PS256' or 'RS256'");
  const budgetStore = options.budgetStore;
  if (budgetStore !== undefined) {
    if (!budgetStore || typeof budgetStore.take !== "function" || typeof budgetStore.pause !== "function")
      throw new TypeError("budgetStore must have take() and pause() methods (a RateBudgetStore)");
    if (options.rateBudgets === false) throw new TypeError("budgetStore counts rate budgets: do not combine it with rateBudgets: false");
  }
  let consentRedirectUri: string | undefined;
  if (options.consentRedirectUri !== undefined) {
    try {
      consentRedirectUri = new URL(options.consentRedirectUri).toString();
    } catch {
      throw new TypeError("consentRedirectUri must be an absolute URL");
    }
  }
  const consentResources = options.consentResources ?? ["mde", "graph"];
  if (
    !Array.isArray(consentResources) ||
    consentResources.length === 0 ||
    consentResources.some((r) => r !== "mde" && r !== "graph")
  ) {
    throw new TypeError("consentResources must list 'mde' and/or 'graph'");
  }
  return Object.freeze({
    clientId: options.clientId.toLowerCase(),
    credential,
    cloud,
    tokenVersion,
    tokenExchange,
    userAgent,
    fetch: options.fetch,
    clock: options.clock ?? systemClock,
    sleep: options.sleep ?? systemSleep,
    random: options.random ?? Math.random,
    logger: checkLogger(options.logger),
    allowInsecureRequests,
    timeoutMs: positive(options.timeoutMs, "timeoutMs", 120_000),
    tokenTimeoutMs: positive(options.tokenTimeoutMs, "tokenTimeoutMs", 30_000),
    maxResponseBytes: byteCount(options.maxResponseBytes, "maxResponseBytes", DEFAULT_MAX_RESPONSE_BYTES),
    retry: resolveRetryOptions(options.retry),
    rateBudgets: checkBudgets(options.rateBudgets),
    budgetStore,
    refreshWindowMs: positive(options.tokenRefresh?.refreshWindowMs, "tokenRefresh.refreshWindowMs", 5 * 60_000),
    mustRefreshWindowMs: positive(options.tokenRefresh?.mustRefreshWindowMs, "tokenRefresh.mustRefreshWindowMs", 30_000),
    assertionAlgorithm,
    consentRedirectUri,
    consentResources: Object.freeze([...new Set(consentResources)]),
  });
}
