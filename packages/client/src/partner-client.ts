/**
 * The partner client: one multi-tenant app, every customer tenant
 * (DESIGN.md "The data path"). It owns, per instance: the token cache, the
 * rate budgets, the JWKS cache and the HTTP agent; `.tenant(id)` hands out a
 * transport (and the typed API) for one customer.
 */
import { apiUrlFor, type CloudProfile, isLoopback, loginHost } from "./clouds.js";
import { adminConsentUrl, legacyConsentUrl } from "./consent.js";
import { MdeAuthError, MdeNetworkError } from "./errors.js";
import { type ForEachTenantOptions, forEachTenant, type TenantResult } from "./fan-out.js";
import { createTokenCredentialSource } from "./grants/azure-token-credential.js";
import { createClientCredentialsGrant } from "./grants/client-credentials.js";
import { createMsalGrant } from "./grants/msal-client-credentials.js";
import type { TokenSource } from "./grants/token-source.js";
import { type InspectTokenOptions, inspectToken, type TokenInspection } from "./inspect-token.js";
import { createDiscoveryKeySource, type KeySource } from "./jwks-source.js";
import { createDefaultFetch, type FetchLike } from "./network.js";
import { FALLBACK_BUDGET, type PartnerClientOptions, type ResolvedPartnerOptions, resolvePartnerOptions } from "./partner-options.js";
import { authPolicy } from "./pipeline/auth-policy.js";
import { fetchSink } from "./pipeline/fetch-sink.js";
import { logPolicy } from "./pipeline/log-policy.js";
import { composePipeline, type PipelinePolicy } from "./pipeline/policy.js";
import { createRateBudgets } from "./pipeline/rate-budget.js";
import { rateBudgetPolicy } from "./pipeline/rate-budget-policy.js";
import { requestIdPolicy } from "./pipeline/request-id-policy.js";
import { retryPolicy } from "./pipeline/retry-policy.js";
import { createTenantTransport } from "./pipeline/tenant-transport.js";
import { userAgentPolicy } from "./pipeline/user-agent-policy.js";
import type { StsErrorContext } from "./sts-errors.js";
import { createTenantClient, type TenantClient } from "./tenant-client.js";
import { normalizeTenantId } from "./tenant-id.js";
import { createTokenCache, tokenCacheKey } from "./token-cache.js";
import type { MdeTransport } from "./transport.js";

const INSPECT = Symbol.for("nodejs.util.inspect.custom");

export type { PartnerClientOptions } from "./partner-options.js";

export interface TokenRequestOptions {
  /** Skip the cached token (it joins a refresh already in flight). */
  forceRefresh?: boolean | undefined;
  signal?: AbortSignal | undefined;
}

/** What `partner.tenant(id)` returns before the typed API is attached. */
export interface TenantHandle {
  readonly tenantId: string;
  readonly region: string | undefined;
  /** The authenticated request pipeline of this tenant. */
  readonly transport: MdeTransport;
  /** A valid access token for this tenant (cached; refreshed before expiry). */
  getToken(options?: TokenRequestOptions): Promise<string>;
  /** Checks this tenant's current token (signature, audience, tid, roles, …) offline. */
  inspectToken(options?: Omit<InspectOptions, "expectedTenantId">): Promise<TokenInspection>;
}

export interface TenantOptions {
  /** Data region of the tenant (`us`, `eu`, `uk`, `au`, `swa`, `ina`, or old-style `api-eu`, …); default the global host. */
  region?: string;
}

/** A customer tenant: its token, its transport and the typed MDE API. */
export type PartnerTenant = TenantHandle & TenantClient;

export type InspectOptions = Partial<Omit<InspectTokenOptions, "keySource">> & { keySource?: KeySource };

export interface PartnerClient<TTenant extends TenantHandle = TenantHandle> {
  readonly clientId: string;
  readonly cloud: CloudProfile;
  /** The v1 resource or v2 scope tokens are requested for. */
  readonly audience: string;
  /**
   * The client of one customer tenant. `tenantId` is a GUID or a verified domain;
   * anything else is a `TypeError` before it reaches a URL.
   */
  tenant(tenantId: string, options?: TenantOptions): TTenant;
  /** A valid access token for a tenant (see `TenantHandle.getToken`). */
  getToken(tenantId: string, options?: TokenRequestOptions): Promise<string>;
  /** Inspects any token offline against this cloud's published keys. */
  inspectToken(token: string, options?: InspectOptions): Promise<TokenInspection>;
  /** The consent link for a customer's admin (tenant-specific v2 form when `consentRedirectUri` is set). */
  consentUrl(tenantId?: string, options?: { state?: string }): string;
  /** Runs `fn` for each tenant with bounded concurrency; every tenant gets a result. */
  forEachTenant<T>(
    tenants: Iterable<string>,
    fn: (tenant: TTenant) => Promise<T> | T,
    options?: ForEachTenantOptions,
  ): Promise<TenantResult<T>[]>;
  /** Closes pooled connections. Safe to call twice. */
  close(): Promise<void>;
}

function createTokenSource(state: ResolvedPartnerOptions, fetch: FetchLike): TokenSource {
  const { cloud, credential, clientId } = state;
  const audience = state.tokenVersion === "v1" ? cloud.resource : cloud.scope;
  const errorContext = (tenantId: string, status: number | undefined): StsErrorContext => ({
    tenantId,
    clientId,
    cloudName: cloud.name,
    audience,
    credentialKind: credential.kind,
    credentialHint: credential.hint,
    consentUrl: consentLink(state, tenantId),
    status,
  });
  if (credential.kind === "token-credential") {
    return createTokenCredentialSource({ credential, scope: cloud.scope, clock: state.clock, errorContext });
  }
  // MSAL refuses http authorities, so the (explicitly allowed) plain-http loopback goes direct.
  const msal = state.tokenVersion === "v2" && state.tokenExchange === "msal" && new URL(cloud.loginUrl).protocol === "https:";
  if (msal) {
    return createMsalGrant({
      fetch,
      clock: state.clock,
      cloud,
      clientId,
      scope: cloud.scope,
      credential,
      timeoutMs: state.tokenTimeoutMs,
      userAgent: state.userAgent,
      logger: state.logger,
      errorContext,
    });
  }
  return createClientCredentialsGrant({
    fetch,
    clock: state.clock,
    loginUrl: cloud.loginUrl,
    clientId,
    version: state.tokenVersion,
    audience,
    credential,
    assertionAlgorithm: state.assertionAlgorithm,
    timeoutMs: state.tokenTimeoutMs,
    userAgent: state.userAgent,
    errorContext,
  });
}

function consentLink(state: ResolvedPartnerOptions, tenantId: string | undefined, consentState?: string): string {
  if (state.consentRedirectUri === undefined) return legacyConsentUrl(state.cloud.loginUrl, state.clientId);
  return adminConsentUrl({
    loginUrl: state.cloud.loginUrl,
    clientId: state.clientId,
    redirectUri: state.consentRedirectUri,
    scope: state.cloud.scope,
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
export function createPartnerClient(options: PartnerClientOptions): PartnerClient<PartnerTenant> {
  const state = resolvePartnerOptions(options);
  const pollingClock = { now: () => state.clock.now(), sleep: state.sleep };
  // The typed API (tenant-client.ts) over the tenant's transport; the handle's own members win.
  return buildPartnerClient(state, (handle) =>
    Object.freeze({ ...createTenantClient(handle.transport, { clock: pollingClock }), ...handle }),
  );
}

/** @internal Builds the client; `decorate` attaches the typed API to each tenant handle. */
export function buildPartnerClient<TTenant extends TenantHandle>(
  state: ResolvedPartnerOptions,
  decorate: (handle: TenantHandle) => TTenant,
): PartnerClient<TTenant> {
  const { cloud, clock, logger } = state;
  const ownFetch = state.fetch === undefined ? createDefaultFetch({ ca: cloud.ca }) : undefined;
  const fetch: FetchLike = state.fetch ?? (ownFetch as NonNullable<typeof ownFetch>).fetch;
  const source = createTokenSource(state, fetch);
  const cache = createTokenCache({ clock, logger, refreshWindowMs: state.refreshWindowMs, mustRefreshWindowMs: state.mustRefreshWindowMs });
  const budgets =
    state.rateBudgets === false
      ? undefined
      : createRateBudgets({ clock, sleep: state.sleep, budgets: state.rateBudgets, fallback: FALLBACK_BUDGET });
  const authority = loginHost(cloud);
  let keySource: KeySource | undefined;
  const tenants = new Map<string, TTenant>();
  let closed = false;

  const acquireWithRetry = async (tenantId: string, signal: AbortSignal | undefined) => {
    // Token requests are idempotent: repeat transport failures and 5xx/429 a couple of times.
    for (let attempt = 0; ; attempt++) {
      try {
        return await source.acquire(tenantId, { signal });
      } catch (error) {
        const status = (error as { status?: number }).status;
        const transient =
          error instanceof MdeNetworkError ||
          (error instanceof MdeAuthError && status !== undefined && (status >= 500 || status === 429)) ||
          (error as { code?: string }).code === "ERR_MDE_TIMEOUT";
        if (!transient || attempt >= 2 || signal?.aborted) throw error;
        await state.sleep(state.retry.baseDelayMs * 2 ** attempt * (1 + state.random()), signal);
      }
    }
  };

  const getToken = (tenantId: string, opts: TokenRequestOptions = {}): Promise<string> => {
    if (closed) return Promise.reject(new TypeError("the partner client is closed"));
    const key = tokenCacheKey({ authorityHost: authority, tenantId, clientId: state.clientId, audience: source.audience });
    return cache.get(key, () => acquireWithRetry(tenantId, undefined), { forceRefresh: opts.forceRefresh === true, signal: opts.signal });
  };

  const evict = (tenantId: string, token: string) => {
    cache.evict(tokenCacheKey({ authorityHost: authority, tenantId, clientId: state.clientId, audience: source.audience }), token);
  };

  const inspect = (token: string, opts: InspectOptions = {}) => {
    keySource ??= createDiscoveryKeySource({ loginUrl: cloud.loginUrl, fetch, clock });
    const { keySource: ks, audiences, clock: c, ...rest } = opts;
    return inspectToken(token, { ...rest, keySource: ks ?? keySource, audiences: audiences ?? cloud.audiences, clock: c ?? clock });
  };

  const createHandle = (tenantId: string, region: string | undefined): TenantHandle => {
    const baseUrl = apiUrlFor(cloud, region);
    if (new URL(baseUrl).protocol === "http:" && !(state.allowInsecureRequests && isLoopback(new URL(baseUrl)))) {
      throw new TypeError("the API URL uses plain http; only a loopback host with allowInsecureRequests may");
    }
    const scope = `${state.clientId}|${tenantId}`;
    const policies: PipelinePolicy[] = [userAgentPolicy(state.userAgent), requestIdPolicy()];
    if (budgets) policies.push(rateBudgetPolicy(budgets, scope, clock));
    policies.push(
      retryPolicy({
        ...state.retry,
        clock,
        sleep: state.sleep,
        random: state.random,
        ...(budgets
          ? {
              onThrottle: (request, wait) => budgets.pause(scope, request.budget, clock.now() + wait),
              beforeRetry: (request) => budgets.acquire(scope, request.budget, request.signal),
            }
          : {}),
      }),
      authPolicy({ getToken: (o) => getToken(tenantId, o), evict: (token) => evict(tenantId, token) }, new URL(baseUrl).origin),
      logPolicy(logger, clock),
    );
    const transport = createTenantTransport({
      tenantId,
      baseUrl,
      pipeline: composePipeline(policies, fetchSink(fetch)),
      clock,
      timeoutMs: state.timeoutMs,
    });
    return Object.freeze({
      tenantId,
      region,
      transport,
      getToken: (o?: TokenRequestOptions) => getToken(tenantId, o),
      inspectToken: async (o: Omit<InspectOptions, "expectedTenantId"> = {}) =>
        inspect(await getToken(tenantId), { ...o, expectedTenantId: tenantId }),
      toJSON: () => ({ tenantId, region, baseUrl }),
      [INSPECT]: () => `TenantClient { tenantId: ${JSON.stringify(tenantId)}, baseUrl: ${JSON.stringify(baseUrl)} }`,
    });
  };

  const tenant = (tenantId: string, opts: TenantOptions = {}): TTenant => {
    const id = normalizeTenantId(tenantId);
    if (opts.region !== undefined && typeof opts.region !== "string") throw new TypeError("region must be a string");
    const memo = `${id}|${opts.region?.toLowerCase() ?? ""}`;
    let handle = tenants.get(memo);
    if (!handle) {
      handle = decorate(createHandle(id, opts.region?.toLowerCase()));
      tenants.set(memo, handle);
    }
    return handle;
  };

  const client: PartnerClient<TTenant> = {
    clientId: state.clientId,
    cloud,
    audience: source.audience,
    tenant,
    getToken: (tenantId, o) => getToken(normalizeTenantId(tenantId), o),
    inspectToken: inspect,
    consentUrl: (tenantId, o = {}) => consentLink(state, tenantId === undefined ? undefined : normalizeTenantId(tenantId), o.state),
    forEachTenant: (list, fn, o) => forEachTenant(list, (id) => fn(tenant(id)), o),
    async close() {
      if (closed) return;
      closed = true;
      cache.clear();
      await source.close?.();
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
