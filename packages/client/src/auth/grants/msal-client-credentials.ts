/**
 * The v2 client-credentials exchange through @azure/msal-node: one
 * ConfidentialClientApplication per customer-tenant authority (DESIGN.md).
 *
 * - `knownAuthorities` = the cloud's login host, and `authorityMetadata` built
 *   from the documented endpoint shapes (mde-api.md §1.8), so MSAL makes no
 *   instance-discovery or metadata call anywhere: the only request is the token
 *   POST. Skipping discovery also keeps Entra's own AADSTS answer for an unknown
 *   tenant (a failed discovery would surface as MSAL's generic
 *   "endpoints_resolution_error" instead of AADSTS90002).
 * - `system.networkClient` sends through the client's fetch (which trusts the
 *   custom cloud's CA), so TLS trust is per client, never process-wide.
 * - MSAL's own cache is bypassed (`skipCache`): token-cache.ts owns caching,
 *   single-flight and refresh windows, on the injected clock.
 * - Transient answers (429, 5xx, network) are retried inside the network
 *   module (token-retry.ts); one that outlasts the retries is thrown there as
 *   our typed error, never handed to MSAL as a response: MSAL would record it
 *   in its throttling cache and refuse the tenant's next requests for up to a
 *   minute with an error that reads like a configuration problem.
 */
import type { ConfidentialClientApplication, Configuration } from "@azure/msal-node";
import { abortable, type Clock } from "../../clock.js";
import { type CloudProfile, loginHost } from "../../clouds.js";
import type { ClientAssertionCredential, ClientCertificateCredential, ClientSecretCredential } from "../credentials.js";
import { MdeAuthError, MdeError, MdeInvalidResponseError, MdeTimeoutError } from "../../errors.js";
import type { Logger } from "../../logger.js";
import type { FetchLike } from "../../network.js";
import { type StsErrorContext, stsErrorToMdeError } from "../sts-errors.js";
import { type AcquiredToken, type AcquireOptions, type TokenSource, toTransportError } from "./token-source.js";
import {
  createTokenExchange,
  isTransientStatus,
  type TokenExchange,
  type TokenRetrySettings,
  tokenRetryAfterMs,
  transientTokenError,
} from "./token-retry.js";

export interface MsalGrantOptions {
  fetch: FetchLike;
  clock: Clock;
  cloud: CloudProfile;
  clientId: string;
  scope: string;
  credential: ClientSecretCredential | ClientCertificateCredential | ClientAssertionCredential;
  /** Per attempt. */
  timeoutMs: number;
  /** Transient failures (429, 5xx, network) are repeated with these (token-retry.ts). */
  retry: TokenRetrySettings;
  userAgent: string;
  logger: Logger;
  errorContext: (tenantId: string, status: number | undefined) => StsErrorContext;
}

interface NetworkResponse<T> {
  headers: Record<string, string>;
  body: T;
  status: number;
}

/** MSAL's INetworkModule over the retrying token exchange; remembers the last failure so it can be reported as it was. */
function createNetworkModule(exchange: TokenExchange, tenantId: string, userAgent: string, clock: Clock) {
  const state = { lastError: undefined as unknown, timedOut: false };
  const send = async <T>(method: "GET" | "POST", url: string, options?: { headers?: Record<string, string>; body?: string }) => {
    state.lastError = undefined;
    state.timedOut = false;
    let response: Response;
    let text: string;
    try {
      response = await exchange(tenantId, url, {
        method,
        headers: { ...(options?.headers ?? {}), "user-agent": userAgent },
        body: options?.body,
      });
      text = await response.text();
    } catch (error) {
      state.lastError = error;
      state.timedOut = error instanceof MdeTimeoutError;
      throw error;
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = {};
    }
    if (isTransientStatus(response.status)) {
      // Still failing after the retries: our error, not an answer for MSAL's throttling cache.
      const error = transientTokenError(
        response.status,
        tokenRetryAfterMs(response.headers, clock),
        body && typeof body === "object" ? (body as Record<string, unknown>) : {},
        { tenantId },
      );
      state.lastError = error;
      throw error;
    }
    if (response.status >= 400 && (!body || typeof body !== "object" || !("error" in body))) {
      // A non-OAuth error page (proxy, 502): give MSAL an OAuth-shaped error so it does not read it as success.
      body = { error: "http_error", error_description: `HTTP ${response.status}` };
    }
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      headers[key] = value;
    });
    // MSAL's throttling cache reads `headers["Retry-After"]` case-sensitively (msal-common
    // ThrottlingUtils.postProcess); fetch lower-cases names, and without the header MSAL
    // refuses every token request of the tenant for its 60 s default after one 429/5xx.
    if (headers["retry-after"] !== undefined) headers["Retry-After"] = headers["retry-after"];
    return { headers, body, status: response.status } as NetworkResponse<T>;
  };
  return {
    state,
    module: {
      sendGetRequestAsync: <T>(url: string, options?: { headers?: Record<string, string>; body?: string }) => send<T>("GET", url, options),
      sendPostRequestAsync: <T>(url: string, options?: { headers?: Record<string, string>; body?: string }) =>
        send<T>("POST", url, options),
    },
  };
}

/** The OpenID metadata Entra ID documents for a tenant authority (mde-api.md §1.8). */
function authorityMetadata(loginUrl: string, tenantId: string): string {
  const t = `${loginUrl}/${encodeURIComponent(tenantId)}`;
  return JSON.stringify({
    token_endpoint: `${t}/oauth2/v2.0/token`,
    authorization_endpoint: `${t}/oauth2/v2.0/authorize`,
    end_session_endpoint: `${t}/oauth2/v2.0/logout`,
    issuer: `${t}/v2.0`,
    jwks_uri: `${t}/discovery/v2.0/keys`,
  });
}

interface MsalLikeError {
  errorCode?: string;
  errorMessage?: string;
  errorNo?: string | number;
  status?: number;
  correlationId?: string;
}

export function createMsalGrant(options: MsalGrantOptions): TokenSource {
  const { cloud, clientId, credential, logger } = options;
  const apps = new Map<string, { app: ConfidentialClientApplication; network: ReturnType<typeof createNetworkModule> }>();
  const exchange = createTokenExchange(options.fetch, options.retry, options.timeoutMs);

  const appFor = async (tenantId: string) => {
    let entry = apps.get(tenantId);
    if (entry) return entry;
    // MSAL is loaded at the first token request, not when the client is imported (CLI start-up time).
    const { ConfidentialClientApplication, LogLevel } = await import("@azure/msal-node");
    entry = apps.get(tenantId);
    if (entry) return entry;
    const network = createNetworkModule(exchange, tenantId, options.userAgent, options.clock);
    const auth: Configuration["auth"] = {
      clientId,
      authority: `${cloud.loginUrl}/${encodeURIComponent(tenantId)}`,
      knownAuthorities: [loginHost(cloud)],
      authorityMetadata: authorityMetadata(cloud.loginUrl, tenantId),
    };
    if (credential.kind === "secret") auth.clientSecret = credential.revealSecret();
    else if (credential.kind === "certificate") {
      auth.clientCertificate = {
        thumbprintSha256: credential.thumbprintSha256,
        privateKey: credential.revealPrivateKey(),
        ...(credential.sendCertificateChain ? { x5c: credential.certificatePem } : {}),
      };
    } else {
      auth.clientAssertion = (config) =>
        credential.getAssertion({
          tenantId,
          clientId,
          audience: config.tokenEndpoint ?? `${cloud.loginUrl}/${tenantId}/oauth2/v2.0/token`,
        });
    }
    const app = new ConfidentialClientApplication({
      auth,
      system: {
        networkClient: network.module,
        loggerOptions: {
          piiLoggingEnabled: false,
          logLevel: LogLevel.Warning,
          loggerCallback: (_level, message, containsPii) => {
            if (!containsPii) logger.debug({ tenantId, source: "msal" }, message);
          },
        },
      },
    });
    entry = { app, network };
    apps.set(tenantId, entry);
    return entry;
  };

  return {
    audience: options.scope,
    async acquire(tenantId: string, acquireOptions: AcquireOptions = {}): Promise<AcquiredToken> {
      const { app, network } = await appFor(tenantId);
      const requestedAt = options.clock.now();
      const systemBefore = Date.now();
      let result: Awaited<ReturnType<ConfidentialClientApplication["acquireTokenByClientCredential"]>>;
      try {
        const pending = app.acquireTokenByClientCredential({ scopes: [options.scope], skipCache: true });
        result = acquireOptions.signal ? await abortable(pending, acquireOptions.signal) : await pending;
      } catch (error) {
        if (acquireOptions.signal?.aborted) throw acquireOptions.signal.reason;
        throw mapMsalError(error, tenantId, network.state, options.errorContext);
      }
      if (!result?.accessToken || !result.expiresOn) {
        throw new MdeInvalidResponseError(`the token endpoint returned no access token for tenant ${tenantId}`, { tenantId });
      }
      // MSAL stamps expiresOn with the system clock at response time; convert to a lifetime on ours.
      const expiresInSec = Math.max(1, Math.floor((result.expiresOn.getTime() - systemBefore) / 1000));
      return { accessToken: result.accessToken, expiresInSec, requestedAt };
    },
  };
}

function mapMsalError(
  error: unknown,
  tenantId: string,
  network: { lastError: unknown; timedOut: boolean },
  errorContext: (tenantId: string, status: number | undefined) => StsErrorContext,
): Error {
  const e = (error ?? {}) as MsalLikeError;
  // Our own typed failure (transport, or a transient answer that outlasted the retries), passed through MSAL.
  if (network.lastError instanceof MdeError) return network.lastError;
  if (e.errorCode === "network_error" || (network.lastError !== undefined && e.errorNo === undefined && e.status === undefined)) {
    return toTransportError(network.lastError ?? error, `token request for tenant ${tenantId}`, tenantId, network.timedOut);
  }
  if (e.errorNo !== undefined || (e.errorCode && e.status !== undefined)) {
    const errorNo = e.errorNo === undefined ? undefined : Number(e.errorNo);
    const description = /Description: (AADSTS\d+:[^\r\n]*)/.exec(e.errorMessage ?? "")?.[1] ?? e.errorMessage ?? "";
    return stsErrorToMdeError(
      {
        ...(e.errorCode === undefined ? {} : { error: e.errorCode }),
        ...(errorNo !== undefined && Number.isFinite(errorNo) ? { error_codes: [errorNo] } : {}),
        error_description: description,
        ...(e.correlationId ? { correlation_id: e.correlationId } : {}),
      },
      errorContext(tenantId, e.status),
    );
  }
  return new MdeAuthError(`token request for tenant ${tenantId} failed (${e.errorCode ?? "unknown MSAL error"})`, {
    tenantId,
    cause: error,
  });
}
