/**
 * Entity pages reached from an alert's evidence and a device's logged-on
 * users: `/files/:sha`, `/ips/:ip`, `/domains/:domain`, `/users/:name` (a bad
 * value is a 400 page saying what is expected), and `/investigations`.
 * Everything here is read live from the customers' API.
 */
import { tenantOf } from "@mde-partner/sync";
import { Hono } from "hono";
import { requireRole } from "../http/auth.js";
import { requireTenantRole, tenantScope, withinScope } from "../http/scope.js";
import type { ConsoleContext, ConsoleDeps, ConsoleEnv } from "../http/env.js";
import { type EntityKind, lookUpEntity } from "../services/entities.js";
import { NotFoundError } from "../services/errors.js";
import { getInvestigation, listInvestigations } from "../services/investigations.js";
import { createBriefCache, createThrottleMemory, failureOf } from "../services/tenant-reads.js";
import type { Session } from "../sessions.js";
import { entityPage, logonUsersPage } from "../views/pages/entity-page.js";
import { investigationPage, investigationsPage } from "../views/pages/investigations-page.js";
import { machineIdParam } from "./device-routes.js";
import { tenantId } from "./tenant-routes.js";

const ENTITY_ROUTES: ReadonlyArray<[EntityKind, string]> = [
  ["file", "/files/:key"],
  ["ip", "/ips/:key"],
  ["domain", "/domains/:key"],
  ["user", "/users/:key"],
];

export function createEntityRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const { options } = deps;
  const { store } = options;
  const memory = { cache: createBriefCache(options.clock, { ttlMs: 30_000 }), throttle: createThrottleMemory(options.clock) };
  const session = (c: ConsoleContext) => c.get("session") as Session;
  /** The operator's tenants, and `?tenant=` when it names one of them; "" (all of them) otherwise. */
  const tenantFilter = async (c: ConsoleContext) => {
    const scope = await tenantScope(c, deps);
    const tenants = withinScope(scope, await store.listTenants(), (t) => t.id);
    const wanted = (c.req.query("tenant") ?? "").toLowerCase();
    return { scope, tenants, tenant: tenants.some((t) => t.id === wanted) ? wanted : "" };
  };

  for (const [kind, path] of ENTITY_ROUTES) {
    app.get(path, requireRole("viewer"), async (c) => {
      const { scope, tenants, tenant } = await tenantFilter(c);
      const lookup = await lookUpEntity(options, memory, kind, c.req.param("key") ?? "", tenant || undefined, scope);
      return c.html(entityPage(session(c), { lookup, tenants, tenant }));
    });
  }

  app.get("/devices/:tenantId/:machineId/users", requireRole("viewer"), async (c) => {
    const tenant = await requireTenantRole(c, deps, tenantId(c), "viewer");
    const machineId = machineIdParam(c);
    const [record, machine] = await Promise.all([store.getTenant(tenant), store.getMachine(tenant, machineId)]);
    if (!record) throw new NotFoundError(`tenant ${tenant} is not in the console`);
    const base = { tenantId: tenant, machineId, deviceName: machine?.computerDnsName ?? machineId };
    try {
      const page = await tenantOf(options.partner, record).mde.machines.listLogonUsers(machineId);
      return c.html(logonUsersPage(session(c), { ...base, users: page.value }));
    } catch (error) {
      return c.html(logonUsersPage(session(c), { ...base, users: null, error: failureOf(error) }));
    }
  });

  app.get("/investigations", requireRole("viewer"), async (c) => {
    const { scope, tenants, tenant } = await tenantFilter(c);
    const state = c.req.query("state") ?? "";
    const list = await listInvestigations(options, memory, { tenantId: tenant || undefined, state, machineId: c.req.query("machine"), scope });
    return c.html(investigationsPage(session(c), { list, tenants, tenant, state, machine: list.machineId }));
  });

  app.get("/investigations/:tenantId/:id", requireRole("viewer"), async (c) => {
    const row = await getInvestigation(options, await requireTenantRole(c, deps, tenantId(c), "viewer"), c.req.param("id"));
    return c.html(investigationPage(session(c), row));
  });

  return app;
}
