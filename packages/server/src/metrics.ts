/**
 * Counters for /metrics. The partner client logs every API attempt by
 * allow-list (client pipeline/log-policy.ts: tenantId, operation, status) and
 * background token-refresh failures (token-cache.ts); `createApiMetrics` gives
 * a logger that counts those entries per tenant and passes them on. Build the
 * partner client with `logger: metrics.logger` and hand `metrics` to the
 * console.
 */
import type { Logger } from "@mde-partner/client";

export interface TenantApiCounters {
  calls: number;
  /** Answers by HTTP status class or status ("2xx", "429", "5xx", …). */
  byStatus: Map<string, number>;
  throttled: number;
  failures: number;
}

export interface ApiMetrics {
  /** Pass to `createPartnerClient({ logger })`. */
  readonly logger: Logger;
  /** Per-tenant counters (a copy). */
  snapshot(): { tenants: Map<string, TenantApiCounters>; tokenRefreshFailures: number };
}

/**
 * @example
 * const metrics = createApiMetrics({ next: pino() });
 * const partner = createPartnerClient({ ..., logger: metrics.logger });
 * const console = createConsole({ ..., partner, metrics });
 */
export function createApiMetrics(options: { next?: Logger } = {}): ApiMetrics {
  const next = options.next;
  const tenants = new Map<string, TenantApiCounters>();
  let tokenRefreshFailures = 0;

  const count = (obj: object) => {
    const entry = obj as { tenantId?: unknown; status?: unknown; error?: unknown; event?: unknown };
    if (entry.event === "token.refresh_failed") tokenRefreshFailures++;
    if (typeof entry.tenantId !== "string" || !("operation" in entry)) return;
    let t = tenants.get(entry.tenantId);
    if (!t) {
      t = { calls: 0, byStatus: new Map(), throttled: 0, failures: 0 };
      tenants.set(entry.tenantId, t);
    }
    t.calls++;
    if (typeof entry.status === "number") {
      const key = entry.status === 429 ? "429" : `${Math.floor(entry.status / 100)}xx`;
      t.byStatus.set(key, (t.byStatus.get(key) ?? 0) + 1);
      if (entry.status === 429) t.throttled++;
    } else {
      t.failures++;
      t.byStatus.set("network", (t.byStatus.get("network") ?? 0) + 1);
    }
  };
  const level = (name: keyof Logger) => (obj: object, msg?: string) => {
    try {
      count(obj);
    } catch {
      // counting never breaks a request
    }
    next?.[name](obj, msg);
  };
  return Object.freeze({
    logger: Object.freeze({ debug: level("debug"), info: level("info"), warn: level("warn"), error: level("error") }),
    snapshot: () => ({
      tenants: new Map([...tenants].map(([k, v]) => [k, { ...v, byStatus: new Map(v.byStatus) }])),
      tokenRefreshFailures,
    }),
  });
}
