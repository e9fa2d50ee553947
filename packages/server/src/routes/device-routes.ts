import { Hono } from "hono";
import { auditRefused } from "./audit-refusal.js";
import type { Role } from "../users-file.js";
import { requireRole } from "../http/auth.js";
import { groupFilter, narrowed, requireTenantRole, sessionOn, tenantScope, withinScope } from "../http/scope.js";
import type { ConsoleContext, ConsoleDeps, ConsoleEnv } from "../http/env.js";
import { classify } from "../http/errors.js";
import { createApprovals } from "../services/approvals.js";
import { DEVICE_ACTIONS, listDevices, refreshAction, requestAction } from "../services/devices.js";
import { deviceTvm } from "../services/vulnerabilities.js";
import { NotFoundError } from "../services/errors.js";
import type { Session } from "../sessions.js";
import { DeviceTvmSections } from "../views/device-tvm.js";
import { actionStatusPage, confirmActionPage, deviceDetailPage, devicesPage } from "../views/pages/devices-page.js";
import { tenantId } from "./tenant-routes.js";

const MACHINE_ID = /^[0-9a-f]{40}$/i;

export function machineIdParam(c: ConsoleContext): string {
  const id = c.req.param("machineId") ?? "";
  if (!MACHINE_ID.test(id)) throw new NotFoundError("no such device");
  return id.toLowerCase();
}

export function createDeviceRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const { options, engine } = deps;
  const { store } = options;
  const session = (c: ConsoleContext) => c.get("session") as Session;
  const approvals = createApprovals(options, engine);

  /** The device named by the path, when the operator holds `role` on its tenant. */
  const machineOf = async (c: ConsoleContext, role: Role) => {
    const tenant = await requireTenantRole(c, deps, tenantId(c), role);
    const machine = await store.getMachine(tenant, machineIdParam(c));
    if (!machine) throw new NotFoundError("this device is not in the console (sync its tenant first)");
    return machine;
  };

  app.get("/devices", requireRole("viewer"), async (c) => {
    const tenant = (c.req.query("tenant") ?? "").toLowerCase();
    const q = c.req.query("q") ?? "";
    const health = c.req.query("health") ?? "";
    const scope = await tenantScope(c, deps);
    const groups = await groupFilter(c, deps);
    const tenants = withinScope(scope, await store.listTenants(), (t) => t.id);
    // An unknown tenant, or one outside the operator's scope, is no filter (as before: an unknown one was ignored).
    const known = tenants.some((t) => t.id === tenant);
    const wanted = narrowed(groups.tenantIds ? { all: false, tenantIds: groups.tenantIds } : scope, known ? [tenant] : undefined);
    const tenantIds = wanted ?? tenants.map((t) => t.id);
    const machines = await listDevices(options, { tenantIds, q, healthStatus: health });
    return c.html(devicesPage(session(c), { machines, tenants, tenant: known ? tenant : "", q, health, groups: groups.groups, group: groups.group }));
  });

  app.get("/devices/:tenantId/:machineId", requireRole("viewer"), async (c) => {
    const machine = await machineOf(c, "viewer");
    const [tenant, actions, alerts, isolation, tvm] = await Promise.all([
      store.getTenant(machine.tenantId),
      store.listMachineActions(machine.tenantId, { machineId: machine.id, limit: 20 }),
      store.queryAlerts({ tenantIds: [machine.tenantId], machineId: machine.id, limit: 20 }),
      store.machineIsolation(machine.tenantId, machine.id),
      deviceTvm(store, machine.tenantId, machine.id),
    ]);
    const extra = DeviceTvmSections({ tvm, now: options.clock.now() });
    return c.html(deviceDetailPage(await sessionOn(c, deps, machine.tenantId), { machine, tenant, actions, alerts: alerts.items, isolation, extra }));
  });

  app.get("/devices/:tenantId/:machineId/actions/new", requireRole("responder"), async (c) => {
    const machine = await machineOf(c, "responder");
    const action = c.req.query("action") ?? "";
    if (!DEVICE_ACTIONS.some((a) => a.kind === action)) throw new NotFoundError(`unknown action ${JSON.stringify(action)}`);
    return c.html(confirmActionPage(session(c), { machine, action }));
  });

  app.post("/devices/:tenantId/:machineId/actions", requireRole("responder"), async (c) => {
    const machine = await machineOf(c, "responder");
    const body = await c.req.parseBody();
    const field = (k: string) => (typeof body[k] === "string" ? (body[k] as string) : undefined);
    const action = field("action") ?? "";
    const retry = (status: 400 | 404 | 502, message: string) =>
      c.html(confirmActionPage(session(c), { machine, action, error: message, comment: field("comment") ?? "" }), status);
    let outcome: Awaited<ReturnType<typeof requestAction>>;
    try {
      // Four eyes: with `approvals.wideActionThreshold: 0` one isolation is already wide, and waits for approval.
      const input = { tenantId: machine.tenantId, machineId: machine.id, action, comment: field("comment"), isolationType: field("isolationType") };
      const held = await approvals.holdSingle(session(c), input);
      if (held) return c.redirect(`/approvals?requested=${encodeURIComponent(held.id)}`, 303);
      outcome = await requestAction(options, engine, session(c).user, {
        tenantId: machine.tenantId,
        machineId: machine.id,
        action,
        comment: field("comment"),
        isolationType: field("isolationType"),
        scanType: field("scanType"),
      });
    } catch (error) {
      const refused = { actor: session(c).user, action: `machine.${action.slice(0, 40)}`, tenantId: machine.tenantId, target: machine.id, comment: field("comment") ?? null };
      await auditRefused(store, refused, error);
      const { status, message } = classify(error);
      if (status === 500) throw error;
      return retry(status === 404 ? 404 : status === 400 ? 400 : 502, message);
    }
    const created = outcome.machineAction;
    if (!created)
      return retry(
        502,
        outcome.error ? `${outcome.error.code}: ${outcome.error.message}` : `the action was not created (${outcome.result})`,
      );
    if (!(await store.getMachineAction(machine.tenantId, created.id)))
      await store.upsertMachineActions(machine.tenantId, [created], { operator: session(c).user });
    const note = outcome.result === "already-in-progress" ? "&existing=1" : "";
    return c.redirect(`/actions/${machine.tenantId}/${encodeURIComponent(created.id)}?requested=1${note}`, 303);
  });

  app.get("/actions/:tenantId/:actionId", requireRole("viewer"), async (c) => {
    const tenant = await requireTenantRole(c, deps, tenantId(c), "viewer");
    const action = await refreshAction(options, tenant, c.req.param("actionId"));
    const machine = action.machineId ? await store.getMachine(tenant, action.machineId) : null;
    const flash = c.req.query("existing")
      ? ({ kind: "info", text: "An action of this kind was already in progress on the device; this is that action." } as const)
      : c.req.query("requested")
        ? ({ kind: "ok", text: "Action requested. Its status updates here until it finishes." } as const)
        : undefined;
    return c.html(actionStatusPage(await sessionOn(c, deps, tenant), action, machine?.computerDnsName ?? null, flash));
  });

  return app;
}
