/**
 * The partner client: one multi-tenant app, every customer tenant
 * (DESIGN.md "The data path"). It owns, per instance: the token cache, the
 * rate budgets, the JWKS cache and the HTTP agent; `.tenant(id)` hands out one
 * customer's {@link PartnerTenant} (partner-tenant.ts).
 */
import { apiUrlFor, type CloudProfile, isLoopback, loginHost } from "./clouds.js";
import { adminConsentUrl, legacyConsentUrl } from "./auth/consent.js";
import { type ForEachTenantOptions, forEachTenant, type TenantResult } from "./fan-out.js";
import type { TokenSource } from "./auth/grants/token-source.js";
import { inspectToken, type TokenInspection } from "./auth/inspect-token.js";
import { createLegacyHuntingWarning } from "./mde/legacy-hunting.js";
import { createDiscoveryKeySource, type KeySource } from "./auth/jwks-source.js";
import { createDefaultFetch, type FetchLike } from "./network.js";
import { FALLBACK_BUDGET, type PartnerClientOptions, type ResolvedPartnerOptions, resolvePartnerOptions } from "./partner-options.js";
import { createPartnerTenant, type InspectOptions, type PartnerTenant, type TokenRequestOptions } from "./partner-tenant.js";
import type { Clock } from "./clock.js";
import type { ApiResource } from "./permissions/planner.js";
import { resolveTenantDomain } from "./auth/tenant-domain.js";
import { createPipeline } from "./pipeline/pipeline.js";
import { createRateBudgets } from "./pipeline/rate-budget.js";
import { createMemoryBudgetStore } from "./pipeline/rate-budget-store.js";
import { normalizeTenantId } from "./tenant-id.js";
import { createTokenCache, tokenCacheKey } from "./auth/token-cache.js";
import { createTokenSource } from "./auth/token-sources.js";
import type { MdeTransport } from "./pipeline/transport.js";

const INSPECT = Symbol.for("nodejs.util.inspect.custom");

export type { PartnerClientOptions } from "./partner-options.js";
export type { InspectOptions, PartnerTenant, TenantHandle, TokenRequestOptions } from "./partner-tenant.js";

export interface TenantOptions {
  /** Data region of the tenant (`us`, `eu`, `uk`, `au`, `swa`, `ina`, or old-style `api-eu`, …); default the global host. */
  region?: string;
}

/**
 * The partner client. (`TTenant` is always {@link PartnerTenant}; the parameter only keeps
 * `PartnerClient<PartnerTenant>` compiling.)
 */
export interface PartnerClient<TTenant extends PartnerTenant = PartnerTenant> {
  readonly clientId: string;
  readonly cloud: CloudProfile;
  /** The v1 resource or v2 scope MDE tokens are requested for. */
  readonly audience: string;
  /** The v1 resource or v2 scope Microsoft Graph tokens are requested for. */
  readonly graphAudience: string;
  /**
   * The client of one customer tenant. `tenantId` is a GUID or a verified domain;
   * anything else is a `TypeError` before it reaches a URL.
   */
  tenant(tenantId: string, options?: TenantOptions): TTenant;
  /** A valid access token for a tenant (see `PartnerTenant.getToken`; `resource: "graph"` for Graph). */
  getToken(tenantId: string, options?: TokenRequestOptions): Promise<string>;
  /** Inspects any token offline against this cloud's published keys. */
  inspectToken(token: string, options?: InspectOptions): Promise<TokenInspection>;
  /**
   * The consent link for a customer's admin: with a `state` and `consentRedirectUri`, the
   * tenant-specific v2 form asking for both resources (`consentResources`); otherwise the legacy
   * form (which consents to every permission configured on the app), as a link without a state could
   * not be matched by the callback it would land on.
   */
  consentUrl(tenantId?: string, options?: { state?: string }): string;
  /**
   * The tenant id of a verified domain (a GUID comes back as it is), from the tenant's OpenID
   * metadata on the cloud's login host (see `resolveTenantDomain`).
   */
  resolveTenant(tenant: string): Promise<string>;
  /** Runs `fn` for each tenant with bounded concurrency; every tenant gets a result. */
  forEachTenant<T>(
    tenants: Iterable<string>,
    fn: (tenant: TTenant) => Promise<T> | T,
    options?: ForEachTenantOptions,
  ): Promise<TenantResult<T>[]>;
  /** Closes pooled connections. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * A link without a `state` (the one errors, drift reports and hints carry) is the MDE partner
 * documentation's legacy link: a v2 link sending the admin to our consent callback without a state
 * the callback issued must be refused there ("nothing was recorded", although Entra recorded the
 * consent). The legacy link names no redirect URI (Entra ends it on the app's registered reply URL;
 * the partner pages register https://portal.azure.com) and consents to every permission configured
 * on the app, on both resources. A tenant-specific v2 link is made only with a state the caller's
 * callback can match (`consent link --v2`, the console's onboarding).
 */
function consentLink(state: ResolvedPartnerOptions, tenantId: string | undefined, consentState?: string): string {
  if (state.consentRedirectUri === undefined || consentState === undefined) return legacyConsentUrl(state.cloud.loginUrl, state.clientId);
  return adminConsentUrl({
    loginUrl: state.cloud.loginUrl,
    clientId: state.clientId,
    redirectUri: state.consentRedirectUri,
    scopes: state.consentResources.map((r) => (r === "graph" ? state.cloud.graphScope : state.cloud.scope)),
    ...(tenantId === undefined ? {} : { tenant: tenantId }),
    ...(consentState === undefined ? {} : { state: consentState }),
  });
}

/**
 * Creates the partner client.
 *
 * @example
 * const partner = createPartnerClient({
 *   clientId: "11111111-2222-3333-4444-555555555555",
 *   credential: { clientSecret: process.env.MDE_CLIENT_SECRET! },
 *   userAgent: "MdePartner-Contoso-ContosoCognito/1.0.0",
 * });
 * const contoso = partner.tenant("contoso.onmicrosoft.com", { region: "eu" });
 * const token = await contoso.getToken();
 */
export function createPartnerClient(options: PartnerClientOptions): PartnerClient {
  const state = resolvePartnerOptions(options);
  const { cloud, clock, logger } = state;
  const ownFetch = state.fetch === undefined ? createDefaultFetch({ ca: cloud.ca }) : undefined;
  const fetch: FetchLike = state.fetch ?? (ownFetch as NonNullable<typeof ownFetch>).fetch;
  // One token source per resource; their audiences differ, so their cache keys never collide.
  const sources: Record<ApiResource, TokenSource> = {
    mde: createTokenSource(state, fetch, "mde", (t) => consentLink(state, t)),
    graph: createTokenSource(state, fetch, "graph", (t) => consentLink(state, t)),
  };
  const legacyHunting = createLegacyHuntingWarning(logger);
  const cache = createTokenCache({ clock, logger, refreshWindowMs: state.refreshWindowMs, mustRefreshWindowMs: state.mustRefreshWindowMs });
  // One algorithm: the counts live in the shared store when one is given, else in this client's memory.
  const budgets =
    state.rateBudgets === false
      ? undefined
      : createRateBudgets({
          clock,
          sleep: state.sleep,
          budgets: state.rateBudgets,
          fallback: FALLBACK_BUDGET,
          store: state.budgetStore ?? createMemoryBudgetStore(),
        });
  const authority = loginHost(cloud);
  let keySource: KeySource | undefined;
  const tenants = new Map<string, PartnerTenant>();
  let closed = false;

  // Each token source repeats its own transient failures with the API's retry policy (grants/token-retry.ts).
  const acquireWithRetry = (source: TokenSource, tenantId: string, signal: AbortSignal | undefined) => source.acquire(tenantId, { signal });

  const sourceOf = (resource: ApiResource | undefined): TokenSource => {
    if (resource === undefined || resource === "mde") return sources.mde;
    if (resource === "graph") return sources.graph;
    throw new TypeError("resource must be 'mde' or 'graph'");
  };
  // STYLE.md habit 4: the key holds the audience, so an MDE and a Graph token never share an entry.
  const keyOf = (tenantId: string, source: TokenSource) =>
    tokenCacheKey({ authorityHost: authority, tenantId, clientId: state.clientId, audience: source.audience });

  const getToken = (tenantId: string, opts: TokenRequestOptions = {}): Promise<string> => {
    if (closed) return Promise.reject(new TypeError("the partner client is closed"));
    let source: TokenSource;
    try {
      source = sourceOf(opts.resource);
    } catch (error) {
      return Promise.reject(error);
    }
    return cache.get(keyOf(tenantId, source), () => acquireWithRetry(source, tenantId, undefined), {
      forceRefresh: opts.forceRefresh === true,
      signal: opts.signal,
    });
  };

  const evict = (tenantId: string, resource: ApiResource, token: string) => {
    cache.evict(keyOf(tenantId, sourceOf(resource)), token);
  };

  const inspect = (token: string, opts: InspectOptions = {}) => {
    keySource ??= createDiscoveryKeySource({ loginUrl: cloud.loginUrl, fetch, clock });
    const { keySource: ks, audiences, clock: c, ...rest } = opts;
    return inspectToken(token, { ...rest, keySource: ks ?? keySource, audiences: audiences ?? cloud.audiences, clock: c ?? clock });
  };

  const checkHttp = (url: string, what: string) => {
    if (new URL(url).protocol === "http:" && !(state.allowInsecureRequests && isLoopback(new URL(url)))) {
      throw new TypeError(`the ${what} URL uses plain http; only a loopback host with allowInsecureRequests may`);
    }
  };

  const createTransport = (tenantId: string, resource: ApiResource, baseUrl: string): MdeTransport =>
    createPipeline({
      tenantId,
      resource,
      baseUrl,
      options: state,
      fetch,
      budgets,
      tokens: { getToken: (o) => getToken(tenantId, { ...o, resource }), evict: (token) => evict(tenantId, resource, token) },
    });

  const clockWithSleep: Clock = { now: () => clock.now(), sleep: state.sleep };
  const tenant = (tenantId: string, opts: TenantOptions = {}): PartnerTenant => {
    const id = normalizeTenantId(tenantId);
    if (opts.region !== undefined && typeof opts.region !== "string") throw new TypeError("region must be a string");
    const region = opts.region?.toLowerCase();
    const memo = `${id}|${region ?? ""}`;
    let made = tenants.get(memo);
    if (!made) {
      const baseUrl = apiUrlFor(cloud, region);
      checkHttp(baseUrl, "API");
      checkHttp(cloud.graphUrl, "Graph");
      made = createPartnerTenant({
        tenantId: id,
        region,
        baseUrl,
        graphUrl: cloud.graphUrl,
        mdeTransport: createTransport(id, "mde", baseUrl),
        graphTransport: createTransport(id, "graph", cloud.graphUrl),
        clock: clockWithSleep,
        onLegacyHunting: legacyHunting,
        getToken: (o) => getToken(id, o),
        inspect: (token, resource, o) => inspect(token, { audiences: resource === "graph" ? cloud.graphAudiences : cloud.audiences, ...o }),
        consentUrl: () => consentLink(state, id),
      });
      tenants.set(memo, made);
    }
    return made;
  };

  const client: PartnerClient = {
    clientId: state.clientId,
    cloud,
    audience: sources.mde.audience,
    graphAudience: sources.graph.audience,
    tenant,
    getToken: (tenantId, o) => getToken(normalizeTenantId(tenantId), o),
    inspectToken: inspect,
    consentUrl: (tenantId, o = {}) => consentLink(state, tenantId === undefined ? undefined : normalizeTenantId(tenantId), o.state),
    resolveTenant: (value) => resolveTenantDomain(value, { loginUrl: cloud.loginUrl, fetch, timeoutMs: Math.min(state.timeoutMs, 15_000) }),
    forEachTenant: (list, fn, o) => forEachTenant(list, (id) => fn(tenant(id)), o),
    async close() {
      if (closed) return;
      closed = true;
      cache.clear();
      await sources.mde.close?.();
      await sources.graph.close?.();
      await ownFetch?.close();
    },
  };
  Object.defineProperties(client, {
    toJSON: { value: () => ({ clientId: state.clientId, cloud: cloud.name, credential: state.credential.toJSON() }) },
    [INSPECT]: {
      value: () =>
        `PartnerClient { clientId: ${JSON.stringify(state.clientId)}, cloud: ${JSON.stringify(cloud.name)}, credential: ${state.credential.kind} }`,
    },
  });
  return Object.freeze(client);
}
