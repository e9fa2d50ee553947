import { Hono } from "hono";
import type { AppEnv } from "../core/http.js";
import type { JournalKind, JournalQuery } from "../core/journal.js";
import type { EmulatorState } from "../core/state.js";
import { ControlError, type EmulatorControl } from "./control.js";
import { authorizeControl } from "./control-auth.js";

/**
 * The control API under `/_control` (documented in packages/emulator/README.md).
 * JSON in, JSON out; errors as `{"error": "<message>"}` with 400/404/409.
 */
export function createControlRoutes(state: EmulatorState, control: EmulatorControl, info: () => unknown): Hono<AppEnv> {
  const app = new Hono<AppEnv>().basePath("/_control");
  app.use(async (c, next) => {
    c.get("journal").kind = "control";
    const verdict = authorizeControl(state.options.controlToken, { authorization: c.req.header("authorization"), host: c.req.header("host") });
    if (!verdict.ok) {
      c.get("journal").error = verdict.status === 401 ? "control_unauthorized" : "control_host_refused";
      if (verdict.status === 401) c.header("WWW-Authenticate", 'Bearer realm="mde-partner-emulator-control"');
      return c.json({ error: verdict.message }, verdict.status);
    }
    await next();
  });
  app.onError((error, c) => {
    if (error instanceof ControlError) return c.json({ error: error.message }, error.status);
    if (error instanceof SyntaxError) return c.json({ error: `request body is not valid JSON: ${error.message}` }, 400);
    throw error;
  });
  const body = async <T>(c: { req: { text(): Promise<string> } }): Promise<T> => {
    const text = await c.req.text();
    if (!text) return {} as T;
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new ControlError(400, "request body must be a JSON object");
    return parsed as T;
  };

  app.get("/info", (c) => c.json(info() as object));
  app.get("/tenants", (c) => c.json((info() as { tenants: unknown[] }).tenants));
  app.post("/tenants", async (c) => c.json(control.addTenant(await body(c)) as object, 201));
  app.patch("/tenants/:id", async (c) => {
    const change = await body<{ mdeProvisioned?: boolean }>(c);
    if (change.mdeProvisioned !== undefined) control.setProvisioned(c.req.param("id"), change.mdeProvisioned);
    return c.body(null, 204);
  });
  app.put("/tenants/:id/consent", async (c) => {
    control.setConsent(c.req.param("id"), await body(c));
    return c.body(null, 204);
  });
  app.delete("/tenants/:id/consent", (c) => {
    control.revokeConsent(c.req.param("id"), c.req.query("clientId"));
    return c.body(null, 204);
  });
  app.post("/tenants/:id/alerts", async (c) => {
    const { count } = await body<{ count: number }>(c);
    return c.json({ ids: control.addAlerts(c.req.param("id"), count) }, 201);
  });
  app.post("/tenants/:id/alerts/updates", async (c) => {
    const { count, sameTimestamp } = await body<{ count: number; sameTimestamp?: boolean }>(c);
    const options = sameTimestamp === undefined ? {} : { sameTimestamp };
    return c.json({ ids: control.updateAlerts(c.req.param("id"), count, options) });
  });
  app.get("/tenants/:id/ground-truth", (c) => c.json(control.groundTruth(c.req.param("id"))));
  app.post("/apps", async (c) => c.json(control.addApp(await body(c)), 201));
  app.patch("/apps/:clientId", async (c) => c.json(control.updateApp(c.req.param("clientId"), await body(c))));
  app.get("/users", (c) => c.json(control.users()));
  app.put("/users/:username", async (c) => c.json(control.putUser(c.req.param("username"), await body(c))));
  app.delete("/users/:username", (c) =>
    control.removeUser(c.req.param("username")) ? c.body(null, 204) : c.json({ error: "no such user" }, 404),
  );
  app.post("/keys/rotate", async (c) => {
    const { graceSec } = await body<{ graceSec?: number }>(c);
    return c.json(await control.rotateSigningKey(graceSec));
  });
  app.get("/faults", (c) => c.json(control.faults()));
  app.post("/faults", async (c) => c.json(control.addFault(await body(c)), 201));
  app.delete("/faults", (c) => {
    control.clearFaults();
    return c.body(null, 204);
  });
  app.delete("/faults/:id", (c) => (control.removeFault(c.req.param("id")) ? c.body(null, 204) : c.json({ error: "no such fault" }, 404)));
  const journalQuery = (c: { req: { query(name: string): string | undefined } }): JournalQuery => {
    const q: JournalQuery = {};
    const after = c.req.query("afterSeq");
    const limit = c.req.query("limit");
    if (after) q.afterSeq = Number(after);
    if (limit) q.limit = Number(limit);
    const kind = c.req.query("kind");
    if (kind) q.kind = kind as JournalKind;
    for (const key of ["tenantId", "clientId", "operation", "method"] as const) {
      const value = c.req.query(key);
      if (value) q[key] = value;
    }
    return q;
  };
  app.get("/journal", (c) => c.json({ lastSeq: state.journal.lastSeq(), entries: control.journal(journalQuery(c)) }));
  // Write calls (POST/PUT/PATCH/DELETE) of clients, grouped by tenant, kind, operation and method.
  app.get("/journal/writes", (c) => {
    const lastSeq = state.journal.lastSeq();
    const { kind, limit: _limit, ...q } = journalQuery(c);
    const writes = control.writes(q, kind ? [kind] : undefined);
    return c.json({ lastSeq, total: writes.reduce((n, w) => n + w.count, 0), writes });
  });

  // Hand-made changes to what a fleet baseline manages (baseline-control.ts).
  const mark = (c: { get(key: "journal"): { operation?: string; tenantId?: string } }, operation: string, tenantId: string) => {
    Object.assign(c.get("journal"), { operation, tenantId: control.tenant(tenantId).id });
  };
  app.get("/tenants/:id/detection-rules", (c) => c.json({ value: control.listRules(c.req.param("id")) }));
  app.post("/tenants/:id/detection-rules", async (c) => {
    mark(c, "ControlCreateDetectionRule", c.req.param("id"));
    return c.json(control.createRule(c.req.param("id"), await body(c)), 201);
  });
  app.patch("/tenants/:id/detection-rules/:ruleId", async (c) => {
    mark(c, "ControlUpdateDetectionRule", c.req.param("id"));
    return c.json(control.updateRule(c.req.param("id"), c.req.param("ruleId"), await body(c)));
  });
  app.delete("/tenants/:id/detection-rules/:ruleId", (c) => {
    mark(c, "ControlDeleteDetectionRule", c.req.param("id"));
    control.deleteRule(c.req.param("id"), c.req.param("ruleId"));
    return c.body(null, 204);
  });
  app.get("/tenants/:id/indicators", (c) => c.json(control.indicatorCounts(c.req.param("id"))));
  app.post("/tenants/:id/indicators/fill", async (c) => {
    mark(c, "ControlFillIndicators", c.req.param("id"));
    const { count } = await body<{ count: number }>(c);
    const ids = control.fillIndicators(c.req.param("id"), count);
    return c.json({ count: ids.length, firstId: ids[0] ?? null, lastId: ids[ids.length - 1] ?? null }, 201);
  });
  app.put("/tenants/:id/indicators", async (c) => {
    mark(c, "ControlPutIndicator", c.req.param("id"));
    return c.json(control.putIndicator(c.req.param("id"), await body(c)));
  });
  app.patch("/tenants/:id/indicators/:indicatorId", async (c) => {
    mark(c, "ControlUpdateIndicator", c.req.param("id"));
    return c.json(control.updateIndicator(c.req.param("id"), c.req.param("indicatorId"), await body(c)));
  });
  app.delete("/tenants/:id/indicators/:indicatorId", (c) => {
    mark(c, "ControlDeleteIndicator", c.req.param("id"));
    control.deleteIndicator(c.req.param("id"), c.req.param("indicatorId"));
    return c.body(null, 204);
  });
  app.put("/tenants/:id/machines/:machineId/tags", async (c) => {
    mark(c, "ControlSetMachineTags", c.req.param("id"));
    const { tags } = await body<{ tags: string[] }>(c);
    return c.json({ machineTags: control.setMachineTags(c.req.param("id"), c.req.param("machineId"), tags) });
  });
  app.post("/live", async (c) => {
    control.startLive(await body(c));
    return c.body(null, 204);
  });
  app.delete("/live", (c) => {
    control.stopLive();
    return c.body(null, 204);
  });
  app.post("/rate-limits/reset", (c) => {
    control.resetRateLimits();
    return c.body(null, 204);
  });
  return app;
}
