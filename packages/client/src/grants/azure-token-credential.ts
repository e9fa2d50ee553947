/**
 * Tokens from any Azure `TokenCredential` (@azure/identity's managed identity,
 * workload identity, …): it is asked per customer tenant (`tenantId` option) for
 * the v2 scope. Its errors are mapped like the token endpoint's when they carry
 * the documented OAuth error fields (@azure/identity's `AuthenticationError.errorResponse`).
 */
import type { Clock } from "../clock.js";
import type { AzureTokenCredential } from "../credentials.js";
import { MdeAuthError, MdeInvalidResponseError } from "../errors.js";
import { type StsErrorContext, stsErrorToMdeError } from "../sts-errors.js";
import type { AcquiredToken, AcquireOptions, TokenSource } from "./token-source.js";

export function createTokenCredentialSource(options: {
  credential: AzureTokenCredential;
  scope: string;
  clock: Clock;
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
        result = await credential.inner.getToken(scope, {
          tenantId,
          ...(acquireOptions.signal ? { abortSignal: acquireOptions.signal } : {}),
        });
      } catch (error) {
        if (acquireOptions.signal?.aborted) throw acquireOptions.signal.reason;
        const response = (error as { errorResponse?: Record<string, unknown>; statusCode?: number }).errorResponse;
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
