import { type Insertable, type Kysely, type Selectable, sql } from "kysely";
import { type AlertPageBody, type AlertPageBodyResult, readPage } from "./alert-page-body.js";
import type { AlertWriterThread } from "./alert-writer-client.js";
import {
  CONTENT_COLUMNS,
  historyOf,
  type IncomingRow,
  newestOfPage,
  outcomeOf,
  type PageTotals,
  ROW_COLUMNS,
  sameContent,
  sqliteRowWriter,
  toRow,
  UPDATED_COLUMNS,
} from "./alert-rows.js";
import { chunks, rowsPerStatement, type StoreContext, tenantKey } from "./context.js";
import { writeCursor } from "./cursors.js";
import { StoreError } from "./errors.js";
import type { AlertChange, AlertInput, ApplyPageResult, CursorPosition, GraphAlertInput } from "./records.js";
import type { AlertHistoryTable, AlertsTable, StoreDatabase } from "./schema-types.js";
import { fromExcluded } from "./tenant-rows.js";
import { isoToUs } from "./time.js";

export { SEVERITY_RANK } from "./alert-rows.js";

const HISTORY_COLUMNS = 7;
/** Alerts per round trip to PostgreSQL (one json parameter each); SQLite writes row by row in-process. */
const PG_BATCH = 2000;

/**
 * PostgreSQL: per batch one read of the stored versions and one upsert that sends the rows as a
 * single json parameter the server turns into rows (json_populate_recordset over the table's row
 * type) — binding a parameter per cell cost the client about five times the CPU per alert
 * (bench/ingest-limit.bench.ts). The upsert keeps its guard: an older version never replaces a newer one.
 */
function postgresRowWriter(ctx: StoreContext) {
  return async (trx: Kysely<StoreDatabase>, tenantId: string, rows: Array<IncomingRow>, now: string, totals: PageTotals) => {
    await trx.insertInto("tenant_keys").values({ tenant_id: tenantId }).onConflict((oc) => oc.column("tenant_id").doNothing()).execute();
    const { key } = await trx.selectFrom("tenant_keys").select("key").where("tenant_id", "=", tenantId).executeTakeFirstOrThrow();
    for (const part of chunks(rows, PG_BATCH)) {
      const stored = await trx
        .selectFrom("alerts")
        .select(["id", "seq", "updated_us", "updated_sub", "status", "assigned_to", "classification"])
        .where("tenant_key", "=", key)
        .where("id", "in", part.map((r) => r.row.id))
        .execute();
      const before = new Map(stored.map((r) => [r.id, r]));
      const sameTime = part.filter((r) => outcomeOf(r.row, before.get(r.row.id)) === "same-time");
      const content = sameTime.length
        ? new Map(
            (
              await trx
                .selectFrom("alerts")
                .select(["id", ...CONTENT_COLUMNS])
                .where("tenant_key", "=", key)
                .where("id", "in", sameTime.map((r) => r.row.id))
                .execute()
            ).map((r) => [r.id, r]),
          )
        : new Map();
      const writes: Insertable<AlertsTable>[] = [];
      const history: Insertable<AlertHistoryTable>[] = [];
      for (const { row, lastUpdate } of part) {
        const old = before.get(row.id);
        let outcome = outcomeOf(row, old);
        if (outcome === "same-time") {
          outcome = sameContent(content.get(row.id), row) ? "unchanged" : "update";
        }
        if (outcome === "unchanged") {
          totals.unchanged++;
          continue;
        }
        writes.push({ ...row, tenant_key: key });
        if (outcome === "insert") totals.inserted++;
        else {
          totals.updated++;
          history.push(...historyOf(tenantId, row, lastUpdate, old!, now));
        }
      }
      if (writes.length > 0) {
        await trx
          .insertInto("alerts")
          .columns([...ROW_COLUMNS])
          .expression(trx.selectFrom(sql<AlertsTable>`json_populate_recordset(null::alerts, ${JSON.stringify(writes)})`.as("r")).select([...ROW_COLUMNS]))
          .onConflict((oc) =>
            oc
              .columns(["tenant_key", "id"])
              .doUpdateSet((eb) => ({
                ...fromExcluded("alerts", UPDATED_COLUMNS),
                // The id mapping survives a version from the MDE API (which does not know the Graph id).
                graph_id: eb.fn.coalesce(eb.ref("excluded.graph_id"), eb.ref("alerts.graph_id")),
              }))
              .where(sql<boolean>`(alerts.updated_us, alerts.updated_sub) <= (excluded.updated_us, excluded.updated_sub)`),
          )
          .execute();
      }
      for (const h of chunks(history, rowsPerStatement(ctx.dialect, HISTORY_COLUMNS))) await trx.insertInto("alert_history").values(h).execute();
    }
  };
}

/**
 * Writes pages of alerts. See {@link AlertWriter.applyAlertPage}.
 */
export function createAlertWriter(ctx: StoreContext, writerThread: () => AlertWriterThread | undefined = () => undefined) {
  const { dialect } = ctx;
  const sqlite = dialect.sqliteHandle ? sqliteRowWriter(dialect.sqliteHandle) : undefined;
  const postgres = postgresRowWriter(ctx);

  /** A page's checked rows (newest version per id) and its cursor, in one transaction on the store's own connection. */
  function writePage(tenant: string, rows: IncomingRow[], duplicates: number, stream: string, position: CursorPosition, now: string): Promise<ApplyPageResult> {
    return dialect.writeTransaction(async (trx) => {
      const totals: PageTotals = { inserted: 0, updated: 0, unchanged: duplicates };
      if (sqlite) sqlite(tenant, rows, now, totals);
      else await postgres(trx, tenant, rows, now, totals);
      const cursor = await writeCursor(trx, tenant, stream, position, now);
      return { ...totals, cursor };
    });
  }

  async function applyRows(
    tenantId: string,
    items: readonly unknown[],
    toRows: (ingestedUs: number) => Array<IncomingRow>,
    stream: string,
    nextCursor: CursorPosition,
  ): Promise<ApplyPageResult> {
    const tenant = tenantKey(tenantId);
    // Every row is validated before anything is written (and before the write lock is taken): an
    // invalid row refuses the whole page.
    const now = ctx.now();
    const unique = newestOfPage(toRows(isoToUs(now)));
    const rows = [...unique.values()];
    const duplicates = items.length - unique.size;
    const thread = writerThread();
    // On the writer thread the transaction is the thread's, on its own connection.
    if (thread) return thread.write({ tenantId: tenant, rows, duplicates, stream, nextCursor, now });
    return writePage(tenant, rows, duplicates, stream, nextCursor, now);
  }

  return {
    /**
     * Upserts one page of a tenant's alerts by (tenant, id) — a newer
     * `lastUpdateTime` replaces an older one, never the reverse — and writes
     * the tenant's `alerts` cursor in the same transaction: after a crash at
     * any point either the page and its cursor are both stored or neither is.
     * Every row is validated before anything is written; an invalid row
     * (`ERR_STORE_INVALID_ROW`) refuses the whole page.
     *
     * @example
     * const cursor = advanceCursor(await store.getCursor(t, "alerts"), page);
     * await store.applyAlertPage(t, page, cursor);
     */
    async applyAlertPage(tenantId: string, alerts: readonly AlertInput[], nextCursor: CursorPosition): Promise<ApplyPageResult> {
      const tenant = tenantKey(tenantId);
      if (!Array.isArray(alerts)) throw new TypeError("alerts must be an array");
      return applyRows(tenant, alerts, (ingestedUs) => alerts.map((a, i) => toRow(a, i, ingestedUs)), "alerts", nextCursor);
    },

    /**
     * A buffer of at least `byteLength` bytes to read a page's body into before it goes to
     * {@link applyAlertPageBody} (as the buffer or a view of it from offset 0): on a store with
     * alert threads, the buffer of a body already read where one fits, else a new one.
     */
    alertPageBuffer(byteLength: number): Uint8Array {
      if (!Number.isSafeInteger(byteLength) || byteLength < 0) throw new RangeError("byteLength must be a non-negative integer");
      return writerThread()?.bodyBuffer(byteLength) ?? new Uint8Array(byteLength);
    },

    /**
     * A slot for one page of a sync, taken before its body is read and released (the function it
     * resolves with) once the page is answered or will not be sent: on a store with alert threads,
     * at most four pages (alert-writer-client.ts `PAGES_AHEAD`) are between the two, so a server
     * that answers faster than the store writes leaves its next answers waiting in their
     * connections rather than in new buffers. At once on other stores.
     */
    alertPageSlot(): Promise<() => void> {
      return writerThread()?.pageSlot() ?? Promise.resolve(() => {});
    },

    /**
     * Like {@link applyAlertPage} for a page of the MDE alert list as its body arrived (bytes, not
     * yet decoded), with what the pass knows so far: the body is parsed where it is written (on a
     * writer thread of an SQLite file store, else here), and the page's place in the pass — the
     * newest version read, whether it ends the pass, the cursor it writes — is decided with it
     * (alert-page-body.ts). The body's buffer is handed over: the caller must not use it again.
     * A body that is not an OData collection is refused with `ERR_STORE_PAGE_BODY`, an invalid
     * alert with `ERR_STORE_INVALID_ROW`; neither writes anything.
     */
    async applyAlertPageBody(page: AlertPageBody): Promise<AlertPageBodyResult> {
      const tenant = tenantKey(page.tenantId);
      if (!(page.body instanceof Uint8Array)) throw new TypeError("body must be a Uint8Array");
      const thread = writerThread();
      if (thread) return thread.writeBody({ ...page, tenantId: tenant, now: ctx.now() });
      // Read and checked before the transaction (no lock held while parsing): a refused page writes nothing.
      const now = ctx.now();
      const read = readPage({ ...page, tenantId: tenant }, now);
      return { ...(await writePage(tenant, read.rows, read.duplicates, "alerts", read.position, now)), ...read.place };
    },

    /**
     * Upserts one page of a tenant's Microsoft Graph alerts (alerts_v2), each
     * already in the MDE shape (engine/graph-alert-model.ts), and writes the
     * Graph cursor (`stream`, default `graph-alerts`) in the same transaction.
     * Rows are keyed by the MDE alert id exactly like MDE-sourced ones, so an
     * alert read through both APIs is one row: the newer version wins, an
     * equal one re-applies (graph-security.md §7.2). The Graph id is kept as a
     * mapping, the alerts_v2 object as received beside the normalised payload.
     */
    async applyGraphAlertPage(
      tenantId: string,
      items: readonly GraphAlertInput[],
      nextCursor: CursorPosition,
      stream = "graph-alerts",
    ): Promise<ApplyPageResult> {
      const tenant = tenantKey(tenantId);
      if (!Array.isArray(items)) throw new TypeError("items must be an array");
      return applyRows(
        tenant,
        items,
        (ingestedUs) =>
          items.map((g, i) => {
            if (!g || typeof g !== "object" || typeof g.graphId !== "string" || g.graphId === "") {
              throw new StoreError("ERR_STORE_INVALID_ROW", `graph alert at index ${i} has no Graph id`);
            }
            return toRow(g.alert, i, ingestedUs, { source: "graph", graphId: g.graphId, original: g.original });
          }),
        stream,
        nextCursor,
      );
    },

    /** Recorded status/assignment/classification changes of one alert, oldest first. */
    async alertHistory(tenantId: string, alertId: string): Promise<AlertChange[]> {
      const rows = await ctx.db
        .selectFrom("alert_history")
        .selectAll()
        .where("tenant_id", "=", tenantKey(tenantId))
        .where("alert_id", "=", alertId)
        .orderBy("id")
        .execute();
      return rows.map(toAlertChange);
    },
  };
}

/** An alert_history row as the store hands it out. */
export function toAlertChange(r: Selectable<AlertHistoryTable>): AlertChange {
  return {
    tenantId: r.tenant_id,
    alertId: r.alert_id,
    field: r.field as AlertChange["field"],
    oldValue: r.old_value,
    newValue: r.new_value,
    changedAt: r.changed_at,
    recordedAt: r.recorded_at,
  };
}
