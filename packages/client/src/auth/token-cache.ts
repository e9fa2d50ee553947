/**
 * Per-instance access-token cache (STYLE.md habit 4, mde-api.md §9).
 *
 * - One key says everything: authority host + tenant + client + scope/resource.
 * - Single-flight: concurrent callers of a cold (or expired) key share one token request.
 * - Two windows, as Azure's token-refresher does: inside the "should" window
 *   (default 5 min before expiry) callers still get the cached token while one
 *   background refresh runs; inside the "must" window (default 30 s before
 *   expiry) callers wait for a fresh token. Both shrink for short lifetimes
 *   (at most half / a tenth of the lifetime), so short-lived tokens are not refreshed
 *   on every call.
 * - Expiry counts from when the request was sent plus the returned `expires_in`
 *   (never a constant: the real lifetime is 60–90 min, mde-api.md §1.6).
 * - Entries are evicted on expiry and when the API refused the token (401).
 */
import { abortable, type Clock } from "../clock.js";
import type { AcquiredToken } from "./grants/token-source.js";
import type { Logger } from "../logger.js";

export interface CachedToken {
  readonly token: string;
  /** Epoch ms (cache clock) at which the token expires. */
  readonly expiresAt: number;
  /** From here on a background refresh starts. */
  readonly refreshAt: number;
  /** From here on callers wait for a fresh token. */
  readonly mustRefreshAt: number;
}

export interface TokenCacheOptions {
  clock: Clock;
  logger: Logger;
  /** Refresh in the background this long before expiry. Default 5 min. */
  refreshWindowMs?: number;
  /** Stop handing out the token this long before expiry. Default 30 s. */
  mustRefreshWindowMs?: number;
  /** After a failed background refresh, wait this long before trying again in the background. Default 10 s. */
  backgroundRetryMs?: number;
}

export interface TokenCache {
  /**
   * The cached token for `key`, or a fresh one from `acquire` (single-flight).
   * `forceRefresh` skips a cached token (after a 401) but still joins a refresh in flight.
   */
  get(
    key: string,
    acquire: () => Promise<AcquiredToken>,
    options?: { forceRefresh?: boolean; signal?: AbortSignal | undefined },
  ): Promise<string>;
  /** Drops the entry when it still holds `token` (or unconditionally without `token`). */
  evict(key: string, token?: string): void;
  /** Cached entry (for diagnostics and tests); undefined when absent or expired. */
  peek(key: string): CachedToken | undefined;
  clear(): void;
}

/** Builds the cache key (STYLE.md habit 4). */
export function tokenCacheKey(parts: { authorityHost: string; tenantId: string; clientId: string; audience: string }): string {
  return [parts.authorityHost.toLowerCase(), parts.tenantId.toLowerCase(), parts.clientId.toLowerCase(), parts.audience].join("|");
}

export function createTokenCache(options: TokenCacheOptions): TokenCache {
  const { clock, logger } = options;
  const refreshWindowMs = options.refreshWindowMs ?? 5 * 60_000;
  const mustRefreshWindowMs = options.mustRefreshWindowMs ?? 30_000;
  const backgroundRetryMs = options.backgroundRetryMs ?? 10_000;
  const entries = new Map<string, CachedToken>();
  const inflight = new Map<string, Promise<CachedToken>>();
  const backgroundFailedAt = new Map<string, number>();

  const toEntry = (acquired: AcquiredToken): CachedToken => {
    const lifetimeMs = acquired.expiresInSec * 1000;
    const expiresAt = acquired.requestedAt + lifetimeMs;
    return Object.freeze({
      token: acquired.accessToken,
      expiresAt,
      refreshAt: expiresAt - Math.min(refreshWindowMs, lifetimeMs / 2),
      mustRefreshAt: expiresAt - Math.min(mustRefreshWindowMs, lifetimeMs / 10),
    });
  };

  const refresh = (key: string, acquire: () => Promise<AcquiredToken>): Promise<CachedToken> => {
    const running = inflight.get(key);
    if (running) return running;
    const promise = (async () => {
      try {
        const entry = toEntry(await acquire());
        entries.set(key, entry);
        backgroundFailedAt.delete(key);
        return entry;
      } finally {
        inflight.delete(key);
      }
    })();
    inflight.set(key, promise);
    return promise;
  };

  const live = (key: string): CachedToken | undefined => {
    const entry = entries.get(key);
    if (entry && clock.now() >= entry.expiresAt) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };

  return {
    async get(key, acquire, getOptions = {}) {
      const { signal } = getOptions;
      signal?.throwIfAborted();
      const entry = getOptions.forceRefresh ? undefined : live(key);
      const now = clock.now();
      if (entry && now < entry.mustRefreshAt) {
        if (now >= entry.refreshAt && !inflight.has(key)) {
          const failedAt = backgroundFailedAt.get(key);
          if (failedAt === undefined || now - failedAt >= backgroundRetryMs) {
            refresh(key, acquire).catch((error: unknown) => {
              backgroundFailedAt.set(key, clock.now());
              const code = (error as { code?: unknown }).code;
              logger.warn(
                { event: "token.refresh_failed", code: typeof code === "string" ? code : "unknown" },
                "background token refresh failed; the cached token is still valid",
              );
            });
          }
        }
        return entry.token;
      }
      const pending = refresh(key, acquire);
      return (signal ? await abortable(pending, signal) : await pending).token;
    },
    evict(key, token) {
      const entry = entries.get(key);
      if (entry && (token === undefined || entry.token === token)) entries.delete(key);
    },
    peek: (key) => live(key),
    clear() {
      entries.clear();
      backgroundFailedAt.clear();
    },
  };
}
