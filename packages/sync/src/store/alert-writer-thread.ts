/*
 * The SQLite alert writer as a thread of its own (alert-writer-client.ts starts it): pages arrive
 * validated and turned into rows by the store's thread, and are written here — the point reads,
 * inserts, updates, history and the cursor in one BEGIN IMMEDIATE transaction per page, on this
 * thread's own connection to the same file. The store's thread meanwhile reads the network and
 * parses the next pages: a sync uses both cores. Nothing here runs when the module is not a
 * worker's entry.
 */
import { parentPort, workerData } from "node:worker_threads";
import { sqliteRowWriter } from "./alert-rows.js";
import type { WriterReply, WriterRequest, WriterSetup } from "./alert-writer-client.js";
import { writeCursor } from "./cursors.js";
import { createSqliteDialect } from "./sqlite-dialect.js";

const port = parentPort;
if (port) {
  const setup = workerData as WriterSetup;
  const dialect = createSqliteDialect({ path: setup.path, ...(setup.busyTimeoutMs !== undefined ? { busyTimeoutMs: setup.busyTimeoutMs } : {}) });
  const writeRows = sqliteRowWriter(dialect.sqliteHandle!);
  // One page after another, and closing after the last: a page never meets a closed connection.
  let queue: Promise<unknown> = Promise.resolve();
  port.on("message", (request: WriterRequest | { type: "close" }) => {
    if ("type" in request) {
      queue = queue.then(() => dialect.close()).finally(() => port.close());
      return;
    }
    queue = queue.then(() => write(request));
  });

  const write = (request: WriterRequest) =>
    dialect
      .writeTransaction(async (trx) => {
        const totals = { inserted: 0, updated: 0, unchanged: request.duplicates };
        writeRows(request.tenantId, request.rows, request.now, totals);
        const cursor = await writeCursor(trx, request.tenantId, request.stream, request.nextCursor, request.now);
        return { ...totals, cursor };
      })
      .then(
        (result) => port.postMessage({ id: request.id, result } satisfies WriterReply),
        (error: unknown) => {
          const e = error as { message?: unknown; code?: unknown; name?: unknown };
          port.postMessage({
            id: request.id,
            error: { message: String(e?.message ?? error), ...(typeof e?.code === "string" ? { code: e.code } : {}), name: String(e?.name ?? "Error") },
          } satisfies WriterReply);
        },
      );
}
