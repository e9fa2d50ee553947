/**
 * Batches run by the distributed workers (hunts and bulk response actions
 * submitted with `--workers`): list and detail, pages and JSON. Read-only:
 * they are submitted from the CLI or the library.
 */
import { isGuid } from "@mde-partner/client";
import { Hono } from "hono";
import { requireRole } from "../http/auth.js";
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
    return { batch, items: await store.listBatchItems(id) };
  };

  app.get("/batches", requireRole("viewer"), async (c) => c.html(batchesPage(session(c), { batches: await store.listBatches({ limit: 100 }) })));
  app.get("/batches/:batchId", requireRole("viewer"), async (c) => {
    const { batch, items } = await load(c);
    return c.html(batchDetailPage(session(c), { batch, items, tenants: await store.listTenants() }));
  });
  app.get("/api/v1/batches", requireRole("viewer"), async (c) => c.json({ items: await store.listBatches({ limit: 100 }) }));
  app.get("/api/v1/batches/:batchId", requireRole("viewer"), async (c) => c.json(await load(c)));
  return app;
}
