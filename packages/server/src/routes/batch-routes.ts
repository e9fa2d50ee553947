/**
 * Batches run by the distributed workers (hunts and bulk response actions
 * submitted with `--workers`): list and detail, pages and JSON. Read-only:
 * they are submitted from the CLI or the library. An operator scoped to some
 * tenants sees the batches whose every item is of those tenants; a batch that
 * reaches any other tenant is not listed and answers 404 (its counts and
 * request would tell about the other tenants).
 */
import { isGuid } from "@mde-partner/client";
import { Hono } from "hono";
import { requireRole } from "../http/auth.js";
import { tenantScope, withinScope } from "../http/scope.js";
import type { ConsoleContext, ConsoleDeps, ConsoleEnv } from "../http/env.js";
import { NotFoundError } from "../services/errors.js";
import type { Session } from "../sessions.js";
import { batchDetailPage, batchesPage } from "../views/pages/batches-page.js";

export function createBatchRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const { store } = deps.options;
  const session = (c: ConsoleContext) => c.get("session") as Session;
  const load = async (c: ConsoleContext) => {
    const id = c.req.param("batchId") ?? "";
    if (!isGuid(id)) throw new TypeError(`not a batch id: ${JSON.stringify(id.slice(0, 64))}`);
    const batch = await store.getBatch(id);
    if (!batch) throw new NotFoundError(`no batch ${id}`);
    const items = await store.listBatchItems(id);
    const scope = await tenantScope(c, deps);
    if (!scope.all && items.some((i) => !scope.tenantIds.includes(i.tenantId))) throw new NotFoundError(`no batch ${id}`);
    return { batch, items };
  };
  const list = async (c: ConsoleContext) => {
    const scope = await tenantScope(c, deps);
    return store.listBatches({ limit: 100, ...(scope.all ? {} : { tenantIds: scope.tenantIds }) });
  };

  app.get("/batches", requireRole("viewer"), async (c) => c.html(batchesPage(session(c), { batches: await list(c) })));
  app.get("/batches/:batchId", requireRole("viewer"), async (c) => {
    const { batch, items } = await load(c);
    const tenants = withinScope(await tenantScope(c, deps), await store.listTenants(), (t) => t.id);
    return c.html(batchDetailPage(session(c), { batch, items, tenants }));
  });
  app.get("/api/v1/batches", requireRole("viewer"), async (c) => c.json({ items: await list(c) }));
  app.get("/api/v1/batches/:batchId", requireRole("viewer"), async (c) => c.json(await load(c)));
  return app;
}
