/** Incidents across tenants (Graph-sourced tenants): list with filters, detail with its alerts; pages and JSON. */
import { Hono } from "hono";
import { requireRole } from "../http/auth.js";
import { narrowed, requireTenantRole, tenantScope, withinScope } from "../http/scope.js";
import type { ConsoleContext, ConsoleDeps, ConsoleEnv } from "../http/env.js";
import { incidentSummary, incidentWithAlerts, parseIncidentQuery } from "../services/incidents.js";
import { alertSummary } from "../services/alerts.js";
import { boundListItem } from "../services/bound-list.js";
import type { Session } from "../sessions.js";
import { incidentDetailPage, incidentsPage } from "../views/pages/incidents-page.js";
import { tenantId } from "./tenant-routes.js";

export function createIncidentRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const { store } = deps.options;
  const session = (c: ConsoleContext) => c.get("session") as Session;

  app.get("/incidents", requireRole("viewer"), async (c) => {
    const params = new URL(c.req.url).searchParams;
    const query = parseIncidentQuery(params);
    const scope = await tenantScope(c, deps);
    const tenantIds = narrowed(scope, query.tenantIds);
    const [page, tenants] = await Promise.all([
      store.queryIncidents({ ...query, ...(tenantIds ? { tenantIds } : {}) }),
      store.listTenants().then((all) => withinScope(scope, all, (t) => t.id)),
    ]);
    return c.html(incidentsPage(session(c), { query, params, items: page.items, nextPageToken: page.nextPageToken, tenants }));
  });

  app.get("/incidents/:tenantId/:incidentId", requireRole("viewer"), async (c) => {
    const id = await requireTenantRole(c, deps, tenantId(c), "viewer");
    const { incident, alerts } = await incidentWithAlerts(store, id, c.req.param("incidentId"));
    const portalHosts = deps.options.partner.cloud.portalHosts;
    return c.html(incidentDetailPage(session(c), { incident, alerts, tenant: await store.getTenant(id), portalHosts }));
  });

  app.get("/api/v1/incidents", requireRole("viewer"), async (c) => {
    const query = parseIncidentQuery(new URL(c.req.url).searchParams, 1000);
    const tenantIds = narrowed(await tenantScope(c, deps), query.tenantIds);
    const page = await store.queryIncidents({ ...query, ...(tenantIds ? { tenantIds } : {}) });
    return c.json({ items: page.items.map((i) => boundListItem(incidentSummary(i))), nextPageToken: page.nextPageToken });
  });

  app.get("/api/v1/incidents/:tenantId/:incidentId", requireRole("viewer"), async (c) => {
    const { incident, alerts } = await incidentWithAlerts(store, await requireTenantRole(c, deps, tenantId(c), "viewer"), c.req.param("incidentId"));
    return c.json({ ...incidentSummary(incident), payload: incident.payload, alerts: alerts.map(alertSummary) });
  });

  return app;
}
