/**
 * Tokens from any Azure `TokenCredential` (@azure/identity's managed identity,
 * workload identity, …): it is asked per customer tenant (`tenantId` option) for
 * the v2 scope. Its errors are mapped like the token endpoint's when they carry
 * the documented OAuth error fields (@azure/identity's `AuthenticationError.errorResponse`).
 */
import type { Clock } from "../../clock.js";
import type { AzureTokenCredential } from "../credentials.js";
import { MdeAuthError, MdeInvalidResponseError, MdeNetworkError } from "../../errors.js";
import { type StsErrorContext, stsErrorToMdeError } from "../sts-errors.js";
import type { AcquiredToken, AcquireOptions, TokenSource } from "./token-source.js";
import { type AttemptFailure, isTransientStatus, retryTokenCall, type TokenRetrySettings, transientTokenError } from "./token-retry.js";

/** Error codes @azure/core-rest-pipeline and Node give a request that got no HTTP answer. */
const NETWORK_CODES = new Set(["REQUEST_SEND_ERROR", "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "EPIPE", "UND_ERR_SOCKET"]);

/** A failed `getToken`: retried when it carries a 429/5xx status or no HTTP answer at all. */
function classify(error: unknown): AttemptFailure {
  const e = (error ?? {}) as { statusCode?: unknown; code?: unknown; name?: unknown };
  if (typeof e.statusCode === "number" && isTransientStatus(e.statusCode)) return { status: e.statusCode };
  if (e.name === "CredentialUnavailableError") return undefined;
  if (typeof e.code === "string" && NETWORK_CODES.has(e.code)) return "network";
  return undefined;
}

export function createTokenCredentialSource(options: {
  credential: AzureTokenCredential;
  scope: string;
  clock: Clock;
  /** Transient failures (429, 5xx, network) are repeated with these (token-retry.ts). */
  retry: TokenRetrySettings;
  errorContext: (tenantId: string, status: number | undefined) => StsErrorContext;
}): TokenSource {
  const { credential, scope, clock } = options;
  return {
    audience: scope,
    async acquire(tenantId: string, acquireOptions: AcquireOptions = {}): Promise<AcquiredToken> {
      const requestedAt = clock.now();
      const systemBefore = Date.now();
      let result: Awaited<ReturnType<AzureTokenCredential["inner"]["getToken"]>>;
      try {
        result = await retryTokenCall(
          options.retry,
          tenantId,
          acquireOptions.signal,
          () => credential.inner.getToken(scope, { tenantId, ...(acquireOptions.signal ? { abortSignal: acquireOptions.signal } : {}) }),
          classify,
        );
      } catch (error) {
        if (acquireOptions.signal?.aborted) throw acquireOptions.signal.reason;
        const response = (error as { errorResponse?: Record<string, unknown>; statusCode?: number }).errorResponse;
        const failure = classify(error);
        if (failure === "network") {
          throw new MdeNetworkError(`the TokenCredential could not reach its token service for tenant ${tenantId}`, false, { tenantId, cause: error });
        }
        if (failure !== undefined) {
          throw transientTokenError(failure.status, undefined, response && typeof response === "object" ? response : {}, { tenantId });
        }
        if (response && typeof response.error === "string") {
          const codes = response.error_codes ?? response.errorCodes;
          return Promise.reject(
            stsErrorToMdeError(
              {
                error: response.error,
                error_description: String(response.errorDescription ?? response.error_description ?? ""),
                ...(Array.isArray(codes) ? { error_codes: codes.map(Number) } : {}),
                ...(typeof response.correlationId === "string" ? { correlation_id: response.correlationId } : {}),
              },
              options.errorContext(tenantId, (error as { statusCode?: number }).statusCode),
            ),
          );
        }
        throw new MdeAuthError(`the TokenCredential failed to get a token for tenant ${tenantId}`, { tenantId, cause: error });
      }
      if (!result || typeof result.token !== "string" || !Number.isFinite(result.expiresOnTimestamp)) {
        throw new MdeInvalidResponseError(`the TokenCredential returned no token for tenant ${tenantId}`, { tenantId });
      }
      const expiresInSec = Math.max(1, Math.floor((result.expiresOnTimestamp - systemBefore) / 1000));
      return { accessToken: result.token, expiresInSec, requestedAt };
    },
  };
}
