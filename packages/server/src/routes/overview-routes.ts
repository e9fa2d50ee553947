/**
 * The SOC overview: the console's home page (`/` leads there) and its JSON
 * twin. Both read only the tenants in the operator's scope, narrowed to the
 * `?group=` filter.
 */
import { Hono } from "hono";
import { requireRole } from "../http/auth.js";
import { groupFilter, narrowed, tenantScope } from "../http/scope.js";
import type { ConsoleContext, ConsoleDeps, ConsoleEnv } from "../http/env.js";
import { InputError } from "../services/errors.js";
import { buildOverview, OVERVIEW_DAYS, type Overview } from "../services/overview.js";
import type { Session } from "../sessions.js";
import { overviewLinks, overviewPage } from "../views/pages/overview-page.js";

/** `?days=` of the chart: 7 or 30 (default 30). */
function daysParam(c: ConsoleContext): 7 | 30 {
  const raw = c.req.query("days");
  if (raw === undefined || raw === "") return 30;
  const days = Number(raw);
  if (!OVERVIEW_DAYS.includes(days as 7 | 30)) throw new InputError(`days must be one of ${OVERVIEW_DAYS.join(", ")}`);
  return days as 7 | 30;
}

/** The overview as the JSON API gives it: every figure with the console path of its list. */
export function overviewJson(overview: Overview, group: string) {
  return {
    at: overview.at,
    days: overview.days,
    totals: overview.totals,
    tenants: overview.rows.map((r) => {
      const links = overviewLinks(r, overview.days, group);
      return {
        tenantId: r.tenant.id,
        name: r.tenant.name,
        state: r.tenant.state,
        lastSyncAt: r.tenant.lastSyncAt,
        lastError: r.tenant.lastError,
        open: r.open,
        oldestNew: r.oldestNew,
        sync: {
          stream: r.sync.stream,
          lastRun: r.sync.lastRun && {
            status: r.sync.lastRun.status,
            startedAt: r.sync.lastRun.startedAt,
            finishedAt: r.sync.lastRun.finishedAt,
            items: r.sync.lastRun.items,
            error: r.sync.lastRun.error,
          },
          failures: r.sync.failures,
          failuresCapped: r.sync.failuresCapped,
        },
        isolatedMachineIds: r.isolatedMachineIds,
        alerts7d: r.last7,
        alerts30d: r.last30,
        daily: r.daily,
        links,
      };
    }),
  };
}

export function createOverviewRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const { options } = deps;

  const read = async (c: ConsoleContext) => {
    const groups = await groupFilter(c, deps);
    return { groups, overview: await buildOverview(options, narrowed(await tenantScope(c, deps), groups.tenantIds)) };
  };

  app.get("/", requireRole("viewer"), (c) => c.redirect("/overview", 302));

  app.get("/overview", requireRole("viewer"), async (c) => {
    const days = daysParam(c);
    const { groups, overview } = await read(c);
    return c.html(overviewPage(c.get("session") as Session, overview, { days, groups: groups.groups, group: groups.group }));
  });

  app.get("/api/v1/overview", requireRole("viewer"), async (c) => {
    const { groups, overview } = await read(c);
    return c.json(overviewJson(overview, groups.group));
  });

  return app;
}
