import { Hono } from "hono";
import type { TenantScope } from "../access.js";
import { requireRole } from "../http/auth.js";
import { tenantScope, withinScope } from "../http/scope.js";
import type { ConsoleContext, ConsoleDeps, ConsoleEnv } from "../http/env.js";
import { huntCsv } from "../services/hunting.js";
import { InputError, NotFoundError } from "../services/errors.js";
import type { Session } from "../sessions.js";
import { huntingPage } from "../views/pages/hunting-page.js";

const DEFAULT_QUERY = "DeviceInfo\n| summarize Devices = count() by OSPlatform";

/**
 * Checks a hunting request: a query and at least one known tenant, each in
 * the operator's `scope` (one outside it is refused like an unknown one).
 */
export async function checkHunt(
  deps: ConsoleDeps,
  query: unknown,
  tenantIds: readonly string[],
  scope: TenantScope,
): Promise<{ query: string; tenantIds: string[] }> {
  if (typeof query !== "string" || query.trim() === "") throw new InputError("write a query");
  if (query.length > 10_000) throw new InputError("the query is longer than 10,000 characters");
  const known = new Set(withinScope(scope, await deps.options.store.listTenants(), (t) => t.id).map((t) => t.id));
  const ids = [...new Set(tenantIds.map((t) => t.toLowerCase()))];
  if (ids.length === 0) throw new InputError("pick at least one tenant");
  const unknown = ids.filter((t) => !known.has(t));
  if (unknown.length) throw new InputError(`unknown tenant(s): ${unknown.join(", ")}`);
  return { query, tenantIds: ids };
}

export function createHuntingRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const { options, engine, hunts } = deps;
  const session = (c: ConsoleContext) => c.get("session") as Session;
  /** The tenants the operator may hunt across (their scope; not those waiting for consent). */
  const huntable = async (c: ConsoleContext) =>
    withinScope(await tenantScope(c, deps), await options.store.listTenants(), (t) => t.id).filter((t) => t.state !== "pending_consent");

  app.get("/hunting", requireRole("viewer"), async (c) => {
    const tenants = await huntable(c);
    return c.html(
      huntingPage(session(c), { tenants, query: DEFAULT_QUERY, selected: tenants.filter((t) => t.state === "verified").map((t) => t.id) }),
    );
  });

  app.post("/hunting", requireRole("viewer"), async (c) => {
    const body = await c.req.parseBody({ all: true });
    const raw = body.tenant;
    const selected = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((v): v is string => typeof v === "string");
    const queryText = typeof body.query === "string" ? body.query : "";
    const tenants = await huntable(c);
    let checked: { query: string; tenantIds: string[] };
    try {
      checked = await checkHunt(deps, queryText, selected, await tenantScope(c, deps));
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      return c.html(huntingPage(session(c), { tenants, query: queryText, selected, flash: { kind: "error", text: error.message } }), 400);
    }
    const result = await engine.hunt(checked.tenantIds, checked.query);
    const hunt = hunts.put(session(c).user, checked.query, checked.tenantIds, result);
    await options.store.appendAudit({
      actor: session(c).user,
      action: "hunting.query",
      phase: "completed",
      request: { query: checked.query, tenantIds: checked.tenantIds },
      result: `${result.rows.length} rows, ${result.errors.length} tenant error(s)`,
    });
    return c.html(huntingPage(session(c), { tenants, query: checked.query, selected: checked.tenantIds, hunt }));
  });

  app.get("/hunting/:file", requireRole("viewer"), async (c) => {
    const match = /^([A-Za-z0-9_-]+)\.csv$/.exec(c.req.param("file"));
    const found = match ? hunts.get(match[1]!, session(c).user) : undefined;
    // Results of a tenant the operator no longer reaches (a grant revoked since) are not handed out.
    const scope = await tenantScope(c, deps);
    const hunt = found && found.tenantIds.every((t) => scope.all || scope.tenantIds.includes(t)) ? found : undefined;
    if (!hunt) throw new NotFoundError("these results are no longer available: run the query again");
    c.header("content-disposition", `attachment; filename="hunting-${new Date(hunt.at).toISOString().slice(0, 19).replace(/:/g, "")}.csv"`);
    return c.body(huntCsv(hunt.result), 200, { "content-type": "text/csv; charset=utf-8" });
  });

  return app;
}
