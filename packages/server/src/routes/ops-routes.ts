/**
 * `/healthz` (public: a load balancer's probe; says only whether the store answers),
 * `/metrics` (Prometheus text; the configured bearer token, or a session that sees every tenant),
 * and the static files.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { Hono } from "hono";
import type { ConsoleDeps, ConsoleEnv } from "../http/env.js";
import { seesEverything } from "../http/scope.js";
import { ASSETS } from "../views/assets.js";

/** Prometheus label value escaping (exposition format: backslash, quote, newline). */
const label = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

function metric(lines: string[], name: string, type: "gauge" | "counter", help: string, samples: Array<[Record<string, string>, number]>) {
  lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  for (const [labels, value] of samples) {
    const l = Object.entries(labels)
      .map(([k, v]) => `${k}="${label(v)}"`)
      .join(",");
    lines.push(`${name}${l ? `{${l}}` : ""} ${Number.isFinite(value) ? value : 0}`);
  }
}

const same = (a: string, b: string) => {
  const x = createHash("sha256").update(a).digest();
  const y = createHash("sha256").update(b).digest();
  return timingSafeEqual(x, y);
};

export interface HttpCounters {
  readonly byStatus: Map<string, number>;
}

export function createOpsRoutes(deps: ConsoleDeps, http: HttpCounters): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const { options } = deps;
  const { store } = options;
  // Counting a large store's alerts costs a scan; scrapes within this window reuse the last count.
  let countCache: { at: number; counts: Awaited<ReturnType<typeof store.countAlertsByTenantAndSeverity>> } | undefined;

  app.get("/static/:file", (c) => {
    const asset = ASSETS.get(c.req.path);
    if (!asset) return c.text("not found", 404);
    return c.body(asset.body, 200, { "content-type": asset.type, "cache-control": "public, max-age=31536000, immutable" });
  });

  // Browsers ask for it on every site; without one the request would land on the sign-in redirect.
  app.get("/favicon.ico", (c) => c.body(null, 204, { "cache-control": "public, max-age=86400" }));

  app.get("/healthz", async (c) => {
    try {
      await store.listTenants({ states: [] });
      await store.queryAudit({ limit: 1 });
      return c.json({ status: "ok", uptimeSec: Math.round((options.clock.now() - deps.startedAt) / 1000) });
    } catch {
      return c.json({ status: "unavailable", reason: "the store does not answer" }, 503);
    }
  });

  app.get("/metrics", async (c) => {
    const auth = c.req.header("authorization") ?? "";
    const bearer = auth.startsWith("Bearer ") ? auth.slice(7) : undefined;
    const tokenOk = options.metricsToken !== undefined && bearer !== undefined && same(bearer, options.metricsToken);
    if (!tokenOk && !c.get("session")) return c.text("sign in or send the metrics bearer token\n", 401);
    // The figures are console-wide (every tenant's labels, every operator's sign-ins and requests):
    // a session scoped to some customer groups reads its tenants' figures on the tenants page instead.
    if (!tokenOk && !seesEverything(c.get("session"))) return c.text("the metrics are for operators of every tenant\n", 403);
    const now = options.clock.now();
    const tenants = await store.listTenants();
    if (!countCache || now - countCache.at > 30_000) countCache = { at: now, counts: await store.countAlertsByTenantAndSeverity() };
    const runs = await store.listSyncRuns({ limit: Math.max(100, tenants.length * 4) });
    const lines: string[] = [];
    metric(
      lines,
      "mde_console_tenant_info",
      "gauge",
      "Customer tenants by onboarding state (value 1).",
      tenants.map((t) => [{ tenant: t.id, name: t.name, state: t.state }, 1]),
    );
    metric(
      lines,
      "mde_console_tenant_sync_lag_seconds",
      "gauge",
      "Seconds since the tenant's last successful sync.",
      tenants.filter((t) => t.lastSyncAt).map((t) => [{ tenant: t.id }, Math.max(0, (now - Date.parse(t.lastSyncAt as string)) / 1000)]),
    );
    const lastRuns = new Map<string, (typeof runs)[number]>();
    for (const r of runs) if (!lastRuns.has(`${r.tenantId}|${r.stream}`)) lastRuns.set(`${r.tenantId}|${r.stream}`, r);
    metric(
      lines,
      "mde_console_tenant_last_sync_items",
      "gauge",
      "Items read by the tenant's last sync run, by stream and status.",
      [...lastRuns.values()].map((r) => [{ tenant: r.tenantId, stream: r.stream, status: r.status }, r.items]),
    );
    metric(
      lines,
      "mde_console_alerts",
      "gauge",
      "Stored alerts by tenant and severity.",
      countCache.counts.map((a) => [{ tenant: a.tenantId, severity: a.severity ?? "UnSpecified" }, a.count]),
    );
    const baselineStates = await store.listBaselineStates();
    metric(
      lines,
      "mde_console_baseline_tenant_state",
      "gauge",
      "Each tenant's drift state against each applied baseline (value 1; state in_sync, drifted or failed).",
      baselineStates.map((s) => [{ baseline: s.baselineName, tenant: s.tenantId, state: s.state }, 1]),
    );
    const perBaseline = new Map<string, number>();
    for (const s of baselineStates) perBaseline.set(`${s.baselineName}|${s.state}`, (perBaseline.get(`${s.baselineName}|${s.state}`) ?? 0) + 1);
    metric(
      lines,
      "mde_console_baseline_tenants",
      "gauge",
      "Tenants per applied baseline and drift state.",
      [...perBaseline].map(([k, n]) => [{ baseline: k.split("|")[0]!, state: k.split("|")[1]! }, n]),
    );
    if (options.metrics) {
      const snap = options.metrics.snapshot();
      const calls: Array<[Record<string, string>, number]> = [];
      const throttled: Array<[Record<string, string>, number]> = [];
      for (const [tenant, t] of snap.tenants) {
        for (const [status, n] of t.byStatus) calls.push([{ tenant, status }, n]);
        throttled.push([{ tenant }, t.throttled]);
      }
      metric(
        lines,
        "mde_console_api_calls_total",
        "counter",
        "MDE API attempts by tenant and answer (2xx, 4xx, 429, 5xx, network).",
        calls,
      );
      metric(lines, "mde_console_api_throttled_total", "counter", "MDE API answers 429 (throttled) by tenant.", throttled);
      metric(lines, "mde_console_token_refresh_failures_total", "counter", "Background token refreshes that failed.", [
        [{}, snap.tokenRefreshFailures],
      ]);
    }
    metric(lines, "mde_console_sessions", "gauge", "Signed-in operator sessions.", [[{}, deps.sessions.size]]);
    metric(lines, "mde_console_login_failures_total", "counter", "Failed sign-ins.", [[{}, deps.guard.failures]]);
    metric(lines, "mde_console_login_lockouts_total", "counter", "Accounts locked after repeated failures.", [[{}, deps.guard.lockouts]]);
    metric(
      lines,
      "mde_console_http_responses_total",
      "counter",
      "Console HTTP responses by status class.",
      [...http.byStatus].map(([status, n]) => [{ status }, n]),
    );
    return c.body(`${lines.join("\n")}\n`, 200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
  });

  return app;
}
