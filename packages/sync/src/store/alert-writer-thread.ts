/*
 * The SQLite alert writer as a thread of its own (alert-writer-client.ts starts it): pages arrive
 * read and checked — from the reader thread, packed (alert-reader-thread.ts), or as rows from the
 * store's thread — and are written here: the inserts, point reads, updates, history and the cursor
 * of a page together, the pages that arrived together in one BEGIN IMMEDIATE transaction, on this
 * thread's own connection to the same file. Nothing here runs when the module is not a worker's
 * entry.
 */
import { type MessagePort, parentPort, workerData } from "node:worker_threads";
import type { QueryResult } from "kysely";
import type { AlertPageBodyResult } from "./alert-page-body.js";
import type { PackedRows } from "./alert-row-pack.js";
import { type IncomingRow, sqliteRowWriter } from "./alert-rows.js";
import {
  errorReply,
  type RoutedRequest,
  type SparePacked,
  type WriterReply,
  type WriterRequest,
  type WriterRowsRequest,
  type WriterSetup,
} from "./alert-writer-client.js";
import { CURSOR_UPSERT_SQL, cursorRow, toCursor } from "./cursors.js";
import type { ApplyPageResult } from "./records.js";
import type { SyncCursorsTable } from "./schema-types.js";
import { cachingDatabase, openSqliteConnection, optimizeSqlite } from "./sqlite-connection.js";

const port = parentPort;
if (port) {
  const setup = workerData as WriterSetup;
  const { raw } = openSqliteConnection({ path: setup.path, ...(setup.busyTimeoutMs !== undefined ? { busyTimeoutMs: setup.busyTimeoutMs } : {}) });
  const writeRows = sqliteRowWriter(raw);
  const begin = raw.prepare("begin immediate");
  const commit = raw.prepare("commit");
  const rollback = raw.prepare("rollback");
  const savepoint = raw.prepare("savepoint page");
  const release = raw.prepare("release page");
  const rollbackPage = raw.prepare("rollback to page");
  const upsertCursor = raw.prepare(CURSOR_UPSERT_SQL);
  // The store's own statements (dialect.ts WriteRoute), prepared once by their text as on its connection.
  const statements = cachingDatabase(raw);

  /** A page read and checked, ready to write: its rows and cursor row, and what its answer adds. */
  interface Ready {
    readonly id: number;
    readonly tenantId: string;
    readonly rows: Iterable<IncomingRow> | PackedRows;
    readonly duplicates: number;
    readonly cursor: SyncCursorsTable;
    readonly now: string;
    readonly body?: Omit<AlertPageBodyResult, keyof ApplyPageResult>;
  }

  /** A request's rows and cursor row: rows from the store's thread, or a page the reader thread packed. */
  const prepare = (request: WriterRequest): Ready => {
    if (!("packed" in request)) {
      const r = request as WriterRowsRequest;
      return { id: r.id, tenantId: r.tenantId, rows: r.rows, duplicates: r.duplicates, cursor: cursorRow(r.tenantId, r.stream, r.nextCursor, r.now), now: r.now };
    }
    const { id, tenantId, packed, duplicates, cursor, now, place } = request;
    return { id, tenantId, rows: packed, duplicates, cursor, now, body: place };
  };

  /**
   * Writes the pages that arrived together in one BEGIN IMMEDIATE transaction, each inside a
   * savepoint of its own: a page that fails rolls back alone and is answered with its error, the
   * others commit together, and every answer is sent after the commit. Pages that share a
   * transaction share the index pages it rewrites (measured: ~12% less CPU per alert written at
   * eight pages a transaction, with the larger WAL checkpoint interval sqlite-dialect.ts sets).
   * Another process holding the write lock is waited for (the connection's busy timeout).
   */
  const writeGroup = (requests: readonly WriterRequest[]) => {
    const replies: WriterReply[] = [];
    const ready: Ready[] = [];
    for (const request of requests) {
      try {
        ready.push(prepare(request));
      } catch (error) {
        replies.push(errorReply(request.id, error));
      }
    }
    if (ready.length > 0) {
      const written: WriterReply[] = [];
      try {
        begin.run();
        for (const page of ready) {
          const totals = { inserted: 0, updated: 0, unchanged: page.duplicates };
          savepoint.run();
          try {
            writeRows(page.tenantId, page.rows, page.now, totals);
            const c = page.cursor;
            upsertCursor.run(c.tenant_id, c.stream, c.cursor_value, c.seen_ids, c.updated_at);
            release.run();
            written.push({ id: page.id, result: { ...totals, cursor: toCursor(c), ...page.body } });
          } catch (error) {
            rollbackPage.run();
            release.run();
            written.push(errorReply(page.id, error));
          }
        }
        commit.run();
        replies.push(...written);
      } catch (error) {
        if (raw.inTransaction) rollback.run();
        for (const page of ready) replies.push(errorReply(page.id, error));
      }
    }
    for (const reply of replies) port.postMessage(reply);
    // The packed pages' buffers go back to the reader thread, to pack the next pages into (alert-row-pack.ts).
    if (!readerEnded) {
      for (const request of requests) {
        if (!("packed" in request)) continue;
        const spare: SparePacked = { type: "spare", bytes: request.packed.bytes.buffer as ArrayBuffer, cells: request.packed.cells.buffer as ArrayBuffer };
        setup.reader!.postMessage(spare, [spare.bytes, spare.cells]);
      }
    }
  };

  /** Pages written in one transaction at most: the queue holds about one page per tenant being synced. */
  const GROUP = 8;
  const queue: WriterRequest[] = [];
  let scheduled = false;
  /** The store's write transaction open on this connection, and its requests that wait for it to end. */
  let holder: number | undefined;
  const waiting: RoutedRequest[] = [];

  // Ends after the store's close and the reader's last page (its "reader-end"), once all is written.
  let closed = false;
  let readerEnded = setup.reader === undefined;
  let ended = false;
  const endIfDone = () => {
    if (!ended && closed && readerEnded && holder === undefined && waiting.length === 0 && !scheduled && queue.length === 0) {
      ended = true;
      try {
        if (raw.open) optimizeSqlite(raw);
      } finally {
        statements.close();
        port.close();
      }
    }
  };
  const schedule = () => {
    if (!scheduled && holder === undefined && queue.length > 0) {
      scheduled = true;
      setImmediate(drain);
    }
  };
  const drain = () => {
    scheduled = false;
    // A write transaction of the store's is open on this connection: no page until it ends.
    if (holder !== undefined) return;
    writeGroup(queue.splice(0, GROUP));
    if (queue.length > 0) schedule();
    else endIfDone();
  };
  // Every page that arrived before the next turn of the loop joins one group.
  const take = (request: WriterRequest) => {
    queue.push(request);
    schedule();
  };

  /** One statement as Kysely's SQLite driver runs it: rows when it returns any, else what it changed. */
  const execute = (text: string, parameters: readonly unknown[]): QueryResult<unknown> => {
    const statement = statements.prepare(text);
    if (statement.reader) return { rows: statement.all(parameters) };
    const { changes, lastInsertRowid } = statement.run(parameters);
    return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
  };

  const answer = (request: RoutedRequest) => {
    let reply: WriterReply;
    try {
      if (request.type === "begin") {
        begin.run();
        holder = request.transaction;
        reply = { id: request.id, result: null };
      } else if (request.type === "end") {
        if (holder === request.transaction) {
          holder = undefined;
          try {
            if (request.commit) commit.run();
          } finally {
            // Rolled back when asked, and when its commit failed.
            if (raw.inTransaction) rollback.run();
          }
        }
        reply = { id: request.id, result: null };
      } else reply = { id: request.id, result: execute(request.sql, request.parameters) };
    } catch (error) {
      reply = errorReply(request.id, error);
    }
    port.postMessage(reply);
  };

  /**
   * The store's own statements and write transactions, answered as they arrive: between two page
   * transactions (this thread writes a group whole before it reads its next message), ahead of the
   * pages still queued. While one of the store's transactions is open only its statements run;
   * the rest wait, in order, for its end.
   */
  const routed = (request: RoutedRequest) => {
    if (holder !== undefined && request.transaction !== holder) {
      waiting.push(request);
      return;
    }
    answer(request);
    // A begun transaction's own requests come only after its begin is answered: the rest wait for its end.
    while (holder === undefined && waiting.length > 0) answer(waiting.shift()!);
    schedule();
    endIfDone();
  };

  port.on("message", (message: WriterRowsRequest | RoutedRequest | { type: "close" }) => {
    if (!("type" in message)) take(message);
    else if (message.type === "close") {
      closed = true;
      endIfDone();
    } else routed(message);
  });
  (setup.reader as MessagePort | undefined)?.on("message", (message: WriterRequest | { type: "reader-end" }) => {
    if ("type" in message) {
      readerEnded = true;
      setup.reader!.close();
      endIfDone();
    } else take(message);
  });
}
