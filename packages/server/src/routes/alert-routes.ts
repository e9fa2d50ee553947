import { performance } from "node:perf_hooks";
import { tenantOf } from "@mde-partner/sync";
import { Hono } from "hono";
import { auditRefused } from "./audit-refusal.js";
import { requireRole } from "../http/auth.js";
import { groupFilter, narrowed, requireTenantRole, sessionOn, tenantScope, withinScope } from "../http/scope.js";
import type { ConsoleContext, ConsoleDeps, ConsoleEnv } from "../http/env.js";
import { classify } from "../http/errors.js";
import { parseAlertQuery, updateAlert } from "../services/alerts.js";
import { NotFoundError } from "../services/errors.js";
import { checkWrite } from "../services/write-permissions.js";
import type { Session } from "../sessions.js";
import type { PageOptions } from "../views/layout.js";
import { alertDetailPage, alertsPage } from "../views/pages/alerts-page.js";
import { tenantId } from "./tenant-routes.js";

export function createAlertRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const { options } = deps;
  const { store } = options;
  const session = (c: ConsoleContext) => c.get("session") as Session;

  app.get("/alerts", requireRole("viewer"), async (c) => {
    const params = new URL(c.req.url).searchParams;
    const query = parseAlertQuery(params);
    const scope = await tenantScope(c, deps);
    const groups = await groupFilter(c, deps);
    // The tenants asked for (the tenant filter, then the group), narrowed to the operator's scope.
    const wanted = groups.tenantIds ? narrowed({ all: false, tenantIds: groups.tenantIds }, query.tenantIds) : query.tenantIds;
    const tenantIds = narrowed(scope, wanted);
    const started = performance.now();
    const [page, tenants] = await Promise.all([
      store.queryAlerts({ ...query, ...(tenantIds ? { tenantIds } : {}) }),
      store.listTenants().then((all) => withinScope(scope, all, (t) => t.id)),
    ]);
    return c.html(
      alertsPage(session(c), {
        query,
        params,
        items: page.items,
        nextPageToken: page.nextPageToken,
        tenants,
        elapsedMs: performance.now() - started,
        groups: groups.groups,
        group: groups.group,
      }),
    );
  });

  const detail = async (c: ConsoleContext, tenant: string, alertId: string, flash?: PageOptions["flash"]) => {
    await requireTenantRole(c, deps, tenant, "viewer");
    const alert = await store.getAlert(tenant, alertId);
    if (!alert) throw new NotFoundError(`alert ${alertId} is not in the console`);
    let live: Record<string, unknown> | null = null;
    let liveError: string | undefined;
    // The list sync may store alerts without evidence; the single-alert GET includes it (mde-api.md §5.1).
    if (!Array.isArray(alert.payload.evidence) || alert.payload.evidence.length === 0) {
      try {
        const record = await store.getTenant(tenant);
        if (!record) throw new NotFoundError(`tenant ${tenant} is not in the console`);
        live = (await tenantOf(options.partner, record).mde.alerts.get(alertId)) as unknown as Record<string, unknown>;
      } catch (error) {
        liveError = classify(error).message;
      }
    }
    const [tenantRecord, machine, history] = await Promise.all([
      store.getTenant(tenant),
      alert.machineId ? store.getMachine(tenant, alert.machineId) : Promise.resolve(null),
      store.alertHistory(tenant, alertId),
    ]);
    return c.html(
      alertDetailPage(
        await sessionOn(c, deps, tenant),
        {
          alert,
          tenant: tenantRecord,
          machine,
          history,
          live,
          liveError,
          portalHosts: options.partner.cloud.portalHosts,
          update: checkWrite(tenantRecord, "UpdateAlert"),
        },
        flash,
      ),
    );
  };

  app.get("/alerts/:tenantId/:alertId", requireRole("viewer"), (c) => detail(c, tenantId(c), c.req.param("alertId")));

  app.post("/alerts/:tenantId/:alertId", requireRole("responder"), async (c) => {
    const tenant = tenantId(c);
    const alertId = c.req.param("alertId");
    const body = await c.req.parseBody();
    const field = (k: string) => (typeof body[k] === "string" ? (body[k] as string) : undefined);
    try {
      await requireTenantRole(c, deps, tenant, "responder");
      const updated = await updateAlert(options, session(c).user, tenant, alertId, {
        status: field("status"),
        assignedTo: field("assignedTo"),
        classification: field("classification"),
        determination: field("determination"),
        comment: field("comment"),
      });
      return detail(c, tenant, alertId, { kind: "ok", text: `Saved: status ${updated.status ?? "—"}.` });
    } catch (error) {
      await auditRefused(options.store, { actor: session(c).user, action: "alert.update", tenantId: tenant, target: alertId }, error);
      const { status, message } = classify(error);
      if (status === 500 || status === 404 || status === 403) throw error;
      c.status(status);
      return detail(c, tenant, alertId, { kind: "error", text: `Not saved: ${message}` });
    }
  });

  return app;
}
