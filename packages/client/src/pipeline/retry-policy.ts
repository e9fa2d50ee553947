/**
 * Retry with three strategies (STYLE.md habit 5, mde-api.md §3.3/§3.4/§9):
 *
 * - throttling: 429, and 503 carrying `Retry-After` → wait what the server says
 *   (capped: a longer wait is handed back to the caller as ERR_MDE_RATE_LIMITED
 *   with `retryAfterMs`, rather than sleeping inside a request for minutes);
 * - transient: other 5xx and network failures → jittered exponential backoff;
 * - none: every other 4xx (400/401/403/404 are not made better by repeating;
 *   401 is the auth policy's business).
 *
 * A request that is not idempotent (a response action, an indicator submit) is
 * never repeated when its outcome is unknown: after a timeout, a reset
 * connection, or a 500/502/504 the server may have acted. It is repeated only
 * when the server certainly did not act: 429, 503 (refused, not processed), or a
 * connection that was never established.
 */
import type { Clock, Sleep } from "../clock.js";
import { MdeNetworkError, MdeTimeoutError } from "../errors.js";
import { discard, type PipelinePolicy, type PipelineRequest } from "./policy.js";
import { parseRetryAfter } from "./retry-after.js";

export interface RetryOptions {
  /** Retries after 429/503 (throttling). Default 3. */
  maxThrottleRetries?: number;
  /** Retries after 5xx/network failures. Default 3. */
  maxTransientRetries?: number;
  /** Longest `Retry-After` the client waits itself. Default 60 s. */
  maxRetryAfterMs?: number;
  /** First backoff step. Default 500 ms. */
  baseDelayMs?: number;
  /** Largest backoff step. Default 16 s. */
  maxDelayMs?: number;
}

export interface RetryPolicyOptions extends RetryOptions {
  clock: Clock;
  sleep: Sleep;
  /** 0 ≤ x < 1; injectable for deterministic tests. */
  random: () => number;
  /** Told about every throttling answer (the rate budget pauses its bucket). */
  onThrottle?: (request: PipelineRequest, retryAfterMs: number) => void;
  /** Runs before each repeat (the rate budget counts repeats too: the server does). */
  beforeRetry?: (request: PipelineRequest) => Promise<void>;
}

/** Resolved retry settings (frozen in the partner client's state). */
export function resolveRetryOptions(options: RetryOptions = {}): Required<RetryOptions> {
  const out = {
    maxThrottleRetries: options.maxThrottleRetries ?? 3,
    maxTransientRetries: options.maxTransientRetries ?? 3,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
    baseDelayMs: options.baseDelayMs ?? 500,
    maxDelayMs: options.maxDelayMs ?? 16_000,
  };
  for (const [k, v] of Object.entries(out)) {
    if (!Number.isFinite(v) || v < 0) throw new TypeError(`retry.${k} must be a non-negative number`);
  }
  return Object.freeze(out);
}

export function retryPolicy(options: RetryPolicyOptions): PipelinePolicy {
  const settings = resolveRetryOptions(options);
  const backoff = (n: number) => {
    const cap = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** n);
    return Math.round(cap / 2 + options.random() * (cap / 2));
  };
  return {
    name: "retry",
    async send(request, next) {
      let throttled = 0;
      let transient = 0;
      for (;;) {
        let response: Response;
        try {
          response = await next(request);
        } catch (error) {
          if (request.signal?.aborted) throw error;
          const transport = error instanceof MdeNetworkError || error instanceof MdeTimeoutError;
          const safe = request.idempotent || (error instanceof MdeNetworkError && error.notSent);
          if (!transport || !safe || transient >= settings.maxTransientRetries) throw error;
          await options.sleep(backoff(transient++), request.signal);
          await repeat(request);
          continue;
        }
        const status = response.status;
        const retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(response.headers, options.clock.now()) : undefined;
        if (status === 429 || (status === 503 && retryAfterMs !== undefined)) {
          const wait = retryAfterMs ?? backoff(throttled);
          options.onThrottle?.(request, wait);
          if (throttled >= settings.maxThrottleRetries || wait > settings.maxRetryAfterMs) return response;
          throttled++;
          await discard(response);
          await options.sleep(wait, request.signal);
          await repeat(request);
          continue;
        }
        // 501 Not Implemented and 505 HTTP Version Not Supported will not change on a repeat
        // (azure-core's default retry strategy leaves them out for the same reason).
        if (status >= 500 && status !== 501 && status !== 505) {
          const safe = request.idempotent || status === 503;
          if (!safe || transient >= settings.maxTransientRetries) return response;
          await discard(response);
          await options.sleep(backoff(transient++), request.signal);
          await repeat(request);
          continue;
        }
        return response;
      }
    },
  };

  async function repeat(request: PipelineRequest) {
    request.attempt++;
    await options.beforeRetry?.(request);
  }
}
