/**
 * The JSON API behind the pages, under /api/v1, with the same roles: GET is
 * `viewer`; alert updates and response actions `responder`; onboarding and
 * verify `admin`. State changes need the session's `x-csrf-token` header.
 * Errors are `{"error": {"code", "message"}}`.
 */
import { performance } from "node:perf_hooks";
import { Hono } from "hono";
import { requireRole } from "../http/auth.js";
import { groupFilter, narrowed, requireEverywhere, requireTenantRole, tenantScope } from "../http/scope.js";
import type { ConsoleContext, ConsoleDeps, ConsoleEnv } from "../http/env.js";
import { alertSummary, parseAlertQuery, updateAlert } from "../services/alerts.js";
import { boundListItem } from "../services/bound-list.js";
import { actionSummary, isFinalStatus, listDevices, refreshAction, requestAction } from "../services/devices.js";
import { createApprovals } from "../services/approvals.js";
import { InputError, NotFoundError } from "../services/errors.js";
import { startOnboarding, switchSource, tenantOverview } from "../services/tenants.js";
import type { Session } from "../sessions.js";
import { auditScope, parseAuditQuery } from "./admin-routes.js";
import { refusalAudited } from "./audit-refusal.js";
import { machineIdParam } from "./device-routes.js";
import { checkHunt } from "./hunting-routes.js";
import { tenantId } from "./tenant-routes.js";

async function jsonBody(c: ConsoleContext): Promise<Record<string, unknown>> {
  if (!(c.req.header("content-type") ?? "").startsWith("application/json"))
    throw new InputError("send a JSON body (content-type: application/json)");
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new InputError("the body is not valid JSON");
  }
  if (!body || typeof body !== "object" || Array.isArray(body)) throw new InputError("the body must be a JSON object");
  return body as Record<string, unknown>;
}

const str = (v: unknown) => (typeof v === "string" ? v : undefined);

export function createApiRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const api = new Hono<ConsoleEnv>();
  const { options, engine } = deps;
  const { store } = options;
  const session = (c: ConsoleContext) => c.get("session") as Session;
  const approvals = createApprovals(options, engine);

  api.get("/me", requireRole("viewer"), (c) => {
    const s = session(c);
    return c.json({ user: s.user, role: s.role, via: s.via, grants: s.grants, csrfToken: s.csrfToken });
  });

  api.get("/tenants", requireRole("viewer"), async (c) => {
    const groups = await groupFilter(c, deps);
    const rows = await tenantOverview(options, undefined, narrowed(await tenantScope(c, deps), groups.tenantIds));
    return c.json({
      tenants: rows.map((r) => ({
        ...r.tenant,
        missingPermissions: r.missingPermissions,
        drift: r.drift,
        capabilities: r.capabilities,
        rolesKnown: r.rolesKnown,
        alertCounts: r.alertCounts,
        alertTotal: r.alertTotal,
        lastRun: r.lastRun ?? null,
      })),
      requiredPermissions: options.requiredPermissions,
    });
  });

  api.get("/tenants/:tenantId", requireRole("viewer"), async (c) => {
    const [row] = await tenantOverview(options, await requireTenantRole(c, deps, tenantId(c), "viewer"));
    if (!row) throw new NotFoundError("tenant not in the console");
    const transitions = await store.listTenantTransitions(row.tenant.id);
    return c.json({
      ...row.tenant,
      missingPermissions: row.missingPermissions,
      drift: row.drift,
      capabilities: row.capabilities,
      rolesKnown: row.rolesKnown,
      alertCounts: row.alertCounts,
      alertTotal: row.alertTotal,
      transitions,
    });
  });

  api.post("/tenants", requireRole("admin"), requireEverywhere("admin"), async (c) => {
    const body = await jsonBody(c);
    const input = { name: str(body.name) ?? "", tenant: str(body.tenant) };
    const started = await refusalAudited(store, { actor: session(c).user, action: "tenant.onboard", target: input.tenant ?? null, request: input }, () =>
      startOnboarding(options, session(c).user, input),
    );
    return c.json(started, 201);
  });

  api.post("/tenants/:tenantId/verify", requireRole("admin"), async (c) => {
    const id = tenantId(c);
    const entry = { actor: session(c).user, action: "tenant.verify", tenantId: id };
    const result = await refusalAudited(
      store,
      entry,
      async () => {
        await requireTenantRole(c, deps, id, "admin");
        if (!(await store.getTenant(id))) throw new NotFoundError("tenant not in the console");
        return engine.verifyTenant(id);
      },
      true,
    );
    await store.appendAudit({ actor: session(c).user, action: "tenant.verify", phase: "completed", tenantId: id, result: result.state });
    return c.json(result);
  });

  api.post("/tenants/:tenantId/source", requireRole("admin"), async (c) => {
    const id = tenantId(c);
    const body = await jsonBody(c);
    const source = str(body.source) ?? "";
    const message = await refusalAudited(store, { actor: session(c).user, action: "tenant.source", tenantId: id, request: { to: source } }, async () => {
      await requireTenantRole(c, deps, id, "admin");
      return switchSource(options, session(c).user, id, source);
    });
    return c.json({ tenant: await store.getTenant(id), message });
  });

  api.post("/tenants/:tenantId/sync", requireRole("responder"), async (c) => {
    const id = await requireTenantRole(c, deps, tenantId(c), "responder");
    if (!(await store.getTenant(id))) throw new NotFoundError("tenant not in the console");
    return c.json(await engine.sync([id]));
  });

  api.get("/alerts", requireRole("viewer"), async (c) => {
    const query = parseAlertQuery(new URL(c.req.url).searchParams, { defaultLimit: 50, maxLimit: 1000 });
    const groups = await groupFilter(c, deps);
    const wanted = groups.tenantIds ? narrowed({ all: false, tenantIds: groups.tenantIds }, query.tenantIds) : query.tenantIds;
    const tenantIds = narrowed(await tenantScope(c, deps), wanted);
    const started = performance.now();
    const page = await store.queryAlerts({ ...query, ...(tenantIds ? { tenantIds } : {}) });
    c.header("server-timing", `store;dur=${(performance.now() - started).toFixed(1)}`);
    return c.json({ items: page.items.map((a) => boundListItem(alertSummary(a))), nextPageToken: page.nextPageToken });
  });

  api.get("/alerts/:tenantId/:alertId", requireRole("viewer"), async (c) => {
    const alert = await store.getAlert(await requireTenantRole(c, deps, tenantId(c), "viewer"), c.req.param("alertId"));
    if (!alert) throw new NotFoundError("alert not in the console");
    const history = await store.alertHistory(alert.tenantId, alert.id);
    return c.json({ ...alertSummary(alert), payload: alert.payload, history });
  });

  api.patch("/alerts/:tenantId/:alertId", requireRole("responder"), async (c) => {
    const body = await jsonBody(c);
    const [tenant, alertId] = [tenantId(c), c.req.param("alertId")];
    const input = {
      status: str(body.status),
      assignedTo: str(body.assignedTo),
      classification: str(body.classification),
      determination: str(body.determination),
      comment: str(body.comment),
    };
    const updated = await refusalAudited(store, { actor: session(c).user, action: "alert.update", tenantId: tenant, target: alertId, request: input }, async () => {
      await requireTenantRole(c, deps, tenant, "responder");
      return updateAlert(options, session(c).user, tenant, alertId, input);
    });
    return c.json({ ...alertSummary(updated), payload: updated.payload });
  });

  api.get("/devices", requireRole("viewer"), async (c) => {
    const tenant = c.req.query("tenant");
    const limit = Number(c.req.query("limit") ?? 500);
    if (!Number.isInteger(limit) || limit < 1 || limit > 5000) throw new InputError("limit must be 1-5000");
    const groups = await groupFilter(c, deps);
    // The group's tenants are within the scope already; a tenant outside it lists nothing.
    const within = groups.tenantIds ? { all: false as const, tenantIds: groups.tenantIds } : await tenantScope(c, deps);
    const tenantIds = narrowed(within, tenant ? [tenant.toLowerCase()] : undefined);
    const machines = await listDevices(options, {
      ...(tenantIds ? { tenantIds } : {}),
      q: c.req.query("q") ?? "",
      ...(c.req.query("health") ? { healthStatus: c.req.query("health") as string } : {}),
      limit,
    });
    return c.json({ items: machines.map(({ payload: _p, ...m }) => boundListItem(m)) });
  });

  api.get("/devices/:tenantId/:machineId", requireRole("viewer"), async (c) => {
    const machine = await store.getMachine(await requireTenantRole(c, deps, tenantId(c), "viewer"), machineIdParam(c));
    if (!machine) throw new NotFoundError("device not in the console");
    const actions = await store.listMachineActions(machine.tenantId, { machineId: machine.id, limit: 50 });
    const isolation = await store.machineIsolation(machine.tenantId, machine.id);
    return c.json({ ...machine, isolation, actions: actions.map(actionSummary) });
  });

  api.post("/devices/:tenantId/:machineId/actions", requireRole("responder"), async (c) => {
    const body = await jsonBody(c);
    const input = {
      tenantId: tenantId(c),
      machineId: machineIdParam(c),
      action: str(body.action) ?? "",
      comment: str(body.comment),
      isolationType: str(body.isolationType),
      scanType: str(body.scanType),
    };
    const refused = { actor: session(c).user, action: `machine.${input.action.slice(0, 40)}`, tenantId: input.tenantId, target: input.machineId, request: input };
    // Four eyes: with `approvals.wideActionThreshold: 0` one isolation is already wide, and waits for approval.
    const held = await refusalAudited(store, refused, () => approvals.holdSingle(session(c), input));
    if (held) return c.json({ approval: held }, 202);
    const outcome = await refusalAudited(store, refused, async () => {
      await requireTenantRole(c, deps, input.tenantId, "responder");
      return requestAction(options, engine, session(c).user, input);
    });
    if (outcome.machineAction && !(await store.getMachineAction(outcome.tenantId, outcome.machineAction.id))) {
      await store.upsertMachineActions(outcome.tenantId, [outcome.machineAction], { operator: session(c).user });
    }
    return c.json(outcome, outcome.machineAction ? 202 : 502);
  });

  api.get("/actions/:tenantId/:actionId", requireRole("viewer"), async (c) => {
    const action = await refreshAction(options, await requireTenantRole(c, deps, tenantId(c), "viewer"), c.req.param("actionId"));
    return c.json({ action: actionSummary(action), final: isFinalStatus(action.status) });
  });

  api.post("/hunting", requireRole("viewer"), async (c) => {
    const body = await jsonBody(c);
    const ids = Array.isArray(body.tenantIds) ? body.tenantIds.filter((t): t is string => typeof t === "string") : [];
    const checked = await checkHunt(deps, body.query, ids, await tenantScope(c, deps));
    const result = await engine.hunt(checked.tenantIds, checked.query);
    await store.appendAudit({
      actor: session(c).user,
      action: "hunting.query",
      phase: "completed",
      request: checked,
      result: `${result.rows.length} rows, ${result.errors.length} tenant error(s)`,
    });
    return c.json(result);
  });

  api.get("/audit", requireRole("viewer"), async (c) => {
    const entries = await store.queryAudit({ ...parseAuditQuery(new URL(c.req.url).searchParams, 1000), ...(await auditScope(c, deps)) });
    return c.json({ entries: entries.map(boundListItem) });
  });

  api.all("*", requireRole("viewer"), (c) =>
    c.json({ error: { code: "not_found", message: `no API route ${c.req.method} ${c.req.path}` } }, 404),
  );

  return api;
}
