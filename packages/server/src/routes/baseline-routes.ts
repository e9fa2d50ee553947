/**
 * Fleet baselines in the console: the baselines applied so far and each tenant's drift
 * state, pages and JSON. Read-only: baselines are planned and applied from the CLI. Every list is
 * narrowed to the operator's tenants: a baseline none of whose checked tenants is theirs is not
 * listed and answers 404, and a URL naming a tenant goes through `requireTenantRole`.
 */
import { Hono } from "hono";
import type { BaselineTenantRecord } from "@mde-partner/sync";
import { requireRole } from "../http/auth.js";
import { requireTenantRole, tenantScope, withinScope } from "../http/scope.js";
import type { ConsoleContext, ConsoleDeps, ConsoleEnv } from "../http/env.js";
import { NotFoundError } from "../services/errors.js";
import type { Session } from "../sessions.js";
import { baselinePage, baselinesPage, baselineTenantPage, type BaselineSummary } from "../views/pages/baselines-page.js";

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function createBaselineRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const { store } = deps.options;
  const session = (c: ConsoleContext) => c.get("session") as Session;

  /** The operator's tenants' states, by baseline. */
  const scopedStates = async (c: ConsoleContext, baselineName?: string): Promise<BaselineTenantRecord[]> => {
    const scope = await tenantScope(c, deps);
    return store.listBaselineStates({ ...(baselineName !== undefined ? { baselineName } : {}), ...(scope.all ? {} : { tenantIds: scope.tenantIds }) });
  };
  const summaries = async (c: ConsoleContext): Promise<BaselineSummary[]> => {
    const scope = await tenantScope(c, deps);
    const states = await scopedStates(c);
    const out: BaselineSummary[] = [];
    for (const d of await store.listBaselineDocuments()) {
      const mine = states.filter((s) => s.baselineName === d.name);
      if (!scope.all && mine.length === 0) continue;
      const count = (state: string) => mine.filter((s) => s.state === state).length;
      // The document itself stays out: its scope and overrides name other customers' tenants.
      out.push({ document: { name: d.name, revision: d.revision, updatedAt: d.updatedAt, updatedBy: d.updatedBy }, counts: { in_sync: count("in_sync"), drifted: count("drifted"), failed: count("failed") } });
    }
    return out;
  };
  const one = async (c: ConsoleContext) => {
    const name = c.req.param("name") ?? "";
    if (!NAME.test(name)) throw new TypeError(`not a baseline name: ${JSON.stringify(name.slice(0, 64))}`);
    const summary = (await summaries(c)).find((s) => s.document.name === name);
    if (!summary) throw new NotFoundError(`no baseline ${name}`);
    return { summary, states: await scopedStates(c, name) };
  };
  const tenantState = async (c: ConsoleContext) => {
    const name = c.req.param("name") ?? "";
    if (!NAME.test(name)) throw new TypeError(`not a baseline name: ${JSON.stringify(name.slice(0, 64))}`);
    const tenantId = await requireTenantRole(c, deps, c.req.param("tenantId") ?? "", "viewer");
    const [state] = await store.listBaselineStates({ baselineName: name, tenantIds: [tenantId] });
    if (!state) throw new NotFoundError(`tenant ${tenantId} has not been checked against baseline ${name}`);
    return { name, tenantId, state };
  };

  app.get("/baselines", requireRole("viewer"), async (c) => c.html(baselinesPage(session(c), { baselines: await summaries(c) })));
  app.get("/baselines/:name", requireRole("viewer"), async (c) => {
    const { summary, states } = await one(c);
    const tenants = withinScope(await tenantScope(c, deps), await store.listTenants(), (t) => t.id);
    return c.html(baselinePage(session(c), { document: summary.document, states, tenants }));
  });
  app.get("/baselines/:name/tenants/:tenantId", requireRole("viewer"), async (c) => {
    const { name, tenantId, state } = await tenantState(c);
    return c.html(baselineTenantPage(session(c), { name, state, tenant: (await store.getTenant(tenantId)) ?? undefined }));
  });
  app.get("/api/v1/baselines", requireRole("viewer"), async (c) => c.json({ items: await summaries(c) }));
  app.get("/api/v1/baselines/:name", requireRole("viewer"), async (c) => {
    const { summary, states } = await one(c);
    return c.json({ ...summary.document, counts: summary.counts, tenants: states });
  });
  app.get("/api/v1/baselines/:name/tenants/:tenantId", requireRole("viewer"), async (c) => c.json((await tenantState(c)).state));
  return app;
}
