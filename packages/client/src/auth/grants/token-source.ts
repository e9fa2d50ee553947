/**
 * What every grant implementation returns and needs. A token source only
 * talks to Entra ID; caching, single-flight and refresh windows live in
 * token-cache.ts.
 */
import type { Clock } from "../../clock.js";
import { MdeInvalidResponseError, MdeNetworkError, MdeTimeoutError } from "../../errors.js";
import { failedBeforeSending, networkErrorCode } from "../../network.js";

/** A freshly issued access token. */
export interface AcquiredToken {
  accessToken: string;
  /** Lifetime the service granted (`expires_in`, seconds). */
  expiresInSec: number;
  /** `clock.now()` when the request was sent: expiry counts from here (mde-api.md §9). */
  requestedAt: number;
}

export interface AcquireOptions {
  signal?: AbortSignal | undefined;
}

/** Obtains tokens for one app, any customer tenant. */
export interface TokenSource {
  /** `audience` is the v1 resource or v2 scope the tokens are for (part of the cache key). */
  readonly audience: string;
  acquire(tenantId: string, options?: AcquireOptions): Promise<AcquiredToken>;
  close?(): Promise<void>;
}

/** Parses `expires_in` — a number in v2, a string of digits in v1 (mde-api.md §1.6). */
export function parseExpiresIn(body: Record<string, unknown>, clock: Clock, tenantId: string): number {
  const raw = body.expires_in;
  let seconds = typeof raw === "number" ? raw : typeof raw === "string" && /^\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!Number.isFinite(seconds)) {
    // v1 also returns `expires_on` (epoch seconds, string): use it when `expires_in` is missing.
    const on = body.expires_on;
    const onSec = typeof on === "number" ? on : typeof on === "string" && /^\d+$/.test(on) ? Number(on) : Number.NaN;
    if (Number.isFinite(onSec)) seconds = onSec - Math.floor(clock.now() / 1000);
  }
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new MdeInvalidResponseError(`the token endpoint returned no usable expires_in for tenant ${tenantId}`, { tenantId });
  }
  return seconds;
}

/** Wraps a failed fetch of the token endpoint or API into a network/timeout error. */
export function toTransportError(
  error: unknown,
  what: string,
  tenantId: string | undefined,
  timedOut: boolean,
): MdeNetworkError | MdeTimeoutError {
  if (timedOut) return new MdeTimeoutError(`${what} timed out`, { tenantId, cause: error });
  const code = networkErrorCode(error);
  return new MdeNetworkError(`${what} failed${code ? ` (${code})` : ""}`, failedBeforeSending(error), { tenantId, cause: error });
}
