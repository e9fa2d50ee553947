/*
 * The SQLite alert writer as a thread of its own (alert-writer-client.ts starts it): a page arrives
 * either as rows, validated by the store's thread, or as the body the API sent, which is decoded,
 * parsed, validated and turned into rows here. It is then written — the inserts, point reads,
 * updates, history and the cursor in one BEGIN IMMEDIATE transaction per page — on this thread's
 * own connection to the same file. The store's thread meanwhile reads the network for the next
 * pages: a sync uses both cores. Nothing here runs when the module is not a worker's entry.
 */
import { parentPort, workerData } from "node:worker_threads";
import { type AlertPageBodyResult, pagePlace, readAlertPageBody } from "./alert-page-body.js";
import { type IncomingRow, newestOfPage, sqliteRowWriter, toRow } from "./alert-rows.js";
import type { WriterBodyRequest, WriterReply, WriterRequest, WriterRowsRequest, WriterSetup } from "./alert-writer-client.js";
import { CURSOR_UPSERT_SQL, cursorOfRow, cursorRow } from "./cursors.js";
import type { ApplyPageResult, CursorPosition } from "./records.js";
import { createSqliteDialect } from "./sqlite-dialect.js";
import { isoToUs } from "./time.js";

const port = parentPort;
if (port) {
  const setup = workerData as WriterSetup;
  const dialect = createSqliteDialect({ path: setup.path, ...(setup.busyTimeoutMs !== undefined ? { busyTimeoutMs: setup.busyTimeoutMs } : {}) });
  const raw = dialect.sqliteHandle!;
  const writeRows = sqliteRowWriter(raw);
  const begin = raw.prepare("begin immediate");
  const commit = raw.prepare("commit");
  const rollback = raw.prepare("rollback");
  const upsertCursor = raw.prepare(CURSOR_UPSERT_SQL);

  /** `fn` inside one BEGIN IMMEDIATE transaction (another process holding the lock is waited for: the busy timeout). */
  const inTransaction = (fn: () => void) => {
    begin.run();
    try {
      fn();
      commit.run();
    } catch (error) {
      if (raw.inTransaction) rollback.run();
      throw error;
    }
  };

  const writePage = (tenantId: string, rows: Iterable<IncomingRow>, duplicates: number, stream: string, position: CursorPosition, now: string): ApplyPageResult => {
    const totals = { inserted: 0, updated: 0, unchanged: duplicates };
    const cursor = cursorRow(tenantId, stream, position, now);
    inTransaction(() => {
      writeRows(tenantId, rows, now, totals);
      upsertCursor.run(cursor.tenant_id, cursor.stream, cursor.cursor_value, cursor.seen_ids, cursor.updated_at);
    });
    return { ...totals, cursor: cursorOfRow(cursor) };
  };

  const writeBody = (page: WriterBodyRequest): AlertPageBodyResult => {
    const { alerts, nextLink } = readAlertPageBody(page.body);
    const ingestedUs = isoToUs(page.now);
    // Every row is validated before anything is written: an invalid row refuses the whole page.
    const unique = newestOfPage(alerts.map((a, i) => toRow(a, i, ingestedUs)));
    const place = pagePlace(page, alerts, nextLink);
    const result = writePage(page.tenantId, unique.values(), alerts.length - unique.size, "alerts", place.position, page.now);
    return { ...result, items: alerts.length, ...(nextLink !== undefined ? { nextLink } : {}), last: place.last, newest: place.newest };
  };

  port.on("message", (request: WriterRequest | { type: "close" }) => {
    if ("type" in request) {
      dialect.close().finally(() => port.close());
      return;
    }
    try {
      const result =
        "body" in request
          ? writeBody(request)
          : writePage(request.tenantId, (request as WriterRowsRequest).rows, request.duplicates, request.stream, request.nextCursor, request.now);
      port.postMessage({ id: request.id, result } satisfies WriterReply);
    } catch (error) {
      const e = error as { message?: unknown; code?: unknown; name?: unknown };
      port.postMessage({
        id: request.id,
        error: { message: String(e?.message ?? error), ...(typeof e?.code === "string" ? { code: e.code } : {}), name: String(e?.name ?? "Error") },
      } satisfies WriterReply);
    }
  });
}
