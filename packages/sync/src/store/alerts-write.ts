import type Database from "better-sqlite3";
import { type Insertable, type Kysely, sql } from "kysely";
import { encodeAlertPayload } from "./alert-payload.js";
import { chunks, rowsPerStatement, type StoreContext, stringOrNull, tenantKey } from "./context.js";
import { writeCursor } from "./cursors.js";
import { StoreError } from "./errors.js";
import type { AlertChange, AlertInput, AlertSource, ApplyPageResult, CursorPosition, GraphAlertInput } from "./records.js";
import type { AlertHistoryTable, AlertsTable, StoreDatabase } from "./schema-types.js";
import { fromExcluded, requireId } from "./tenant-rows.js";
import { isoToUs, NO_TIME_US, type TimeParts, timeKeyParts, toTimeKey } from "./time.js";

/** Severity order for sorting (mde-api.md §6.1: UnSpecified, Informational, Low, Medium, High). */
export const SEVERITY_RANK: Readonly<Record<string, number>> = Object.freeze({
  UnSpecified: 0,
  Informational: 1,
  Low: 2,
  Medium: 3,
  High: 4,
});

const HISTORY_COLUMNS = 7;
const TRACKED = [
  ["status", "status"],
  ["assignedTo", "assigned_to"],
  ["classification", "classification"],
] as const;

/** Alerts per round trip to PostgreSQL (one json parameter each); SQLite writes row by row in-process. */
const PG_BATCH = 2000;

/** The integer parts of an optional API time (no time: `NO_TIME_US`); a value that is not a time refuses the page. */
function optionalTime(alert: AlertInput, field: "lastUpdateTime" | "alertCreationTime", index: number): TimeParts {
  const value = alert[field];
  if (value === undefined || value === null) return timeKeyParts(null);
  const key = typeof value === "string" ? toTimeKey(value) : null;
  if (key === null) throw new StoreError("ERR_STORE_INVALID_ROW", `alert at index ${index} has an invalid ${field}: ${JSON.stringify(value)}`);
  return timeKeyParts(key);
}

/** Where a row's version came from: the source, and for Graph the alert's Graph id and the object as received. */
interface RowOrigin {
  readonly source: AlertSource;
  readonly graphId?: string;
  readonly original?: unknown;
}

function incidentText(value: unknown): string | null {
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return typeof value === "string" && value !== "" ? value : null;
}

/** An incoming alert as its row (without the tenant key), plus the lastUpdateTime text its history entries carry. */
type AlertRow = Omit<Insertable<AlertsTable>, "tenant_key" | "seq"> & {
  readonly id: string;
  readonly updated_us: number;
  readonly updated_sub: number;
  readonly status: string | null;
  readonly assigned_to: string | null;
  readonly classification: string | null;
  readonly payload: string;
  readonly source: string;
  readonly graph_id: string | null;
  readonly graph_payload: string | null;
};

/** The stored version an incoming row is compared with. */
interface StoredVersion {
  readonly seq: number;
  readonly updated_us: number;
  readonly updated_sub: number;
  readonly status: string | null;
  readonly assigned_to: string | null;
  readonly classification: string | null;
}

/** Validates one alert and turns it into its row. */
function toRow(alert: AlertInput, index: number, ingestedUs: number, origin: RowOrigin = { source: "mde" }): { row: AlertRow; lastUpdate: string | null } {
  requireId(alert, "alert", index);
  const updated = optionalTime(alert, "lastUpdateTime", index);
  const created = optionalTime(alert, "alertCreationTime", index);
  const lastUpdate = updated.us === NO_TIME_US ? null : (alert.lastUpdateTime as string);
  const title = stringOrNull(alert.title);
  const severity = stringOrNull(alert.severity);
  return {
    lastUpdate,
    row: {
      id: alert.id,
      payload: encodeAlertPayload(alert),
      title_lc: (title ?? "").toLowerCase(),
      severity,
      severity_rank: (severity !== null ? SEVERITY_RANK[severity] : undefined) ?? 0,
      status: stringOrNull(alert.status),
      classification: stringOrNull(alert.classification),
      assigned_to: stringOrNull(alert.assignedTo),
      machine_id: stringOrNull(alert.machineId),
      created_us: created.us,
      updated_us: updated.us,
      updated_sub: updated.sub,
      ingested_us: ingestedUs,
      source: origin.source,
      graph_id: origin.graphId ?? null,
      incident_id: incidentText(alert.incidentId),
      graph_payload: origin.source === "graph" ? JSON.stringify(origin.original ?? null) : null,
    },
  };
}

const newer = (a: { updated_us: number; updated_sub: number }, b: { updated_us: number; updated_sub: number }) =>
  a.updated_us > b.updated_us || (a.updated_us === b.updated_us && a.updated_sub > b.updated_sub);

/** The newest version of each id in a page (a page may carry one alert twice); equal versions: the later one. */
function newestOfPage(rows: ReadonlyArray<{ row: AlertRow; lastUpdate: string | null }>) {
  const byId = new Map<string, { row: AlertRow; lastUpdate: string | null }>();
  for (const r of rows) {
    const prior = byId.get(r.row.id);
    if (!prior || !newer(prior.row, r.row)) byId.set(r.row.id, r);
  }
  return byId;
}

/** What one incoming row does to its stored version. */
type Outcome = "insert" | "update" | "unchanged" | "same-time";

function outcomeOf(row: AlertRow, old: StoredVersion | undefined): Outcome {
  if (!old) return "insert";
  if (newer(old, row)) return "unchanged";
  if (old.updated_us === row.updated_us && old.updated_sub === row.updated_sub) return "same-time";
  return "update";
}

/** History entries of an update: one per tracked field that changed. */
function historyOf(tenantId: string, row: AlertRow, lastUpdate: string | null, old: StoredVersion, now: string): Insertable<AlertHistoryTable>[] {
  const out: Insertable<AlertHistoryTable>[] = [];
  for (const [field, column] of TRACKED) {
    if (old[column] !== row[column]) {
      out.push({ tenant_id: tenantId, alert_id: row.id, field, old_value: old[column], new_value: row[column], changed_at: lastUpdate, recorded_at: now });
    }
  }
  return out;
}

/**
 * What makes two versions with the same lastUpdateTime the same: the payload and the columns that
 * hold some of its values (alert-payload.ts leaves those out of the payload), and the source — the
 * same version read through the other API replaces the Graph mapping columns.
 */
const CONTENT_COLUMNS = ["payload", "severity", "status", "classification", "assigned_to", "machine_id", "source", "graph_payload"] as const;
type StoredContent = { [K in (typeof CONTENT_COLUMNS)[number]]: string | null };

function sameContent(stored: StoredContent | undefined, row: AlertRow): boolean {
  return stored !== undefined && CONTENT_COLUMNS.every((c) => stored[c] === (row[c] ?? null));
}

const ROW_COLUMNS = [
  "tenant_key",
  "id",
  "payload",
  "title_lc",
  "severity",
  "severity_rank",
  "status",
  "classification",
  "assigned_to",
  "machine_id",
  "created_us",
  "updated_us",
  "updated_sub",
  "ingested_us",
  "source",
  "graph_id",
  "incident_id",
  "graph_payload",
] as const;
const UPDATED_COLUMNS = ROW_COLUMNS.filter((c) => c !== "tenant_key" && c !== "id" && c !== "graph_id");

interface PageTotals {
  inserted: number;
  updated: number;
  unchanged: number;
}

/**
 * SQLite: every row through statements prepared once per store and reused (bench/ingest-limit.bench.ts
 * measured a new multi-row INSERT text per batch, its IN-list SELECT and Kysely's compilation at about
 * three times the CPU per alert of this). A row's stored version is one point read on the
 * (tenant_key, id) index; the decision is made here, inside the page's BEGIN IMMEDIATE transaction,
 * so no other writer can come between the read and the write.
 */
function sqliteRowWriter(raw: Database.Database) {
  const statements = () => ({
    keyOf: raw.prepare<[string], { key: number }>("select key from tenant_keys where tenant_id = ?"),
    addKey: raw.prepare<[string]>("insert into tenant_keys (tenant_id) values (?)"),
    find: raw.prepare<[number, string], StoredVersion>(
      "select seq, updated_us, updated_sub, status, assigned_to, classification from alerts where tenant_key = ? and id = ?",
    ),
    content: raw.prepare<[number], StoredContent>(`select ${CONTENT_COLUMNS.join(", ")} from alerts where seq = ?`),
    insert: raw.prepare(`insert into alerts (${ROW_COLUMNS.join(", ")}) values (${ROW_COLUMNS.map(() => "?").join(", ")})`),
    update: raw.prepare(
      `update alerts set ${UPDATED_COLUMNS.map((c) => `${c} = ?`).join(", ")}, graph_id = coalesce(?, graph_id) where seq = ?`,
    ),
    history: raw.prepare(
      "insert into alert_history (tenant_id, alert_id, field, old_value, new_value, changed_at, recorded_at) values (?, ?, ?, ?, ?, ?, ?)",
    ),
  });
  let s: ReturnType<typeof statements> | undefined;

  return (tenantId: string, rows: Iterable<{ row: AlertRow; lastUpdate: string | null }>, now: string, totals: PageTotals) => {
    s ??= statements();
    let key = s.keyOf.get(tenantId)?.key;
    if (key === undefined) key = Number(s.addKey.run(tenantId).lastInsertRowid);
    for (const { row, lastUpdate } of rows) {
      const old = s.find.get(key, row.id);
      let outcome = outcomeOf(row, old);
      if (outcome === "same-time") {
        // Re-read by the overlap window or --since: counted as unchanged when nothing differs.
        outcome = sameContent(s.content.get(old!.seq), row) ? "unchanged" : "update";
      }
      if (outcome === "insert") {
        s.insert.run(key, row.id, row.payload, row.title_lc, row.severity, row.severity_rank, row.status, row.classification, row.assigned_to,
          row.machine_id, row.created_us, row.updated_us, row.updated_sub, row.ingested_us, row.source, row.graph_id, row.incident_id, row.graph_payload);
        totals.inserted++;
      } else if (outcome === "update") {
        s.update.run(row.payload, row.title_lc, row.severity, row.severity_rank, row.status, row.classification, row.assigned_to, row.machine_id,
          row.created_us, row.updated_us, row.updated_sub, row.ingested_us, row.source, row.incident_id, row.graph_payload, row.graph_id, old!.seq);
        for (const h of historyOf(tenantId, row, lastUpdate, old!, now)) {
          s.history.run(h.tenant_id, h.alert_id, h.field, h.old_value, h.new_value, h.changed_at, h.recorded_at);
        }
        totals.updated++;
      } else totals.unchanged++;
    }
  };
}

/**
 * PostgreSQL: per batch one read of the stored versions and one upsert that sends the rows as a
 * single json parameter the server turns into rows (json_populate_recordset over the table's row
 * type) — binding a parameter per cell cost the client about five times the CPU per alert
 * (bench/ingest-limit.bench.ts). The upsert keeps its guard: an older version never replaces a newer one.
 */
function postgresRowWriter(ctx: StoreContext) {
  return async (trx: Kysely<StoreDatabase>, tenantId: string, rows: Array<{ row: AlertRow; lastUpdate: string | null }>, now: string, totals: PageTotals) => {
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
export function createAlertWriter(ctx: StoreContext) {
  const { dialect } = ctx;
  const sqlite = dialect.sqliteHandle ? sqliteRowWriter(dialect.sqliteHandle) : undefined;
  const postgres = postgresRowWriter(ctx);

  async function applyRows(
    tenantId: string,
    items: readonly unknown[],
    toRows: (ingestedUs: number) => Array<{ row: AlertRow; lastUpdate: string | null }>,
    stream: string,
    nextCursor: CursorPosition,
  ): Promise<ApplyPageResult> {
    const tenant = tenantKey(tenantId);
    return dialect.writeTransaction(async (trx) => {
      const now = ctx.now();
      // Every row is validated before anything is written: an invalid row rolls back the whole page.
      const rows = toRows(isoToUs(now));
      const unique = newestOfPage(rows);
      const totals: PageTotals = { inserted: 0, updated: 0, unchanged: items.length - unique.size };
      if (sqlite) sqlite(tenant, unique.values(), now, totals);
      else await postgres(trx, tenant, [...unique.values()], now, totals);
      const cursor = await writeCursor(trx, tenant, stream, nextCursor, now);
      return { ...totals, cursor };
    });
  }

  return {
    /**
     * Upserts one page of a tenant's alerts by (tenant, id) — a newer
     * `lastUpdateTime` replaces an older one, never the reverse — and writes
     * the tenant's `alerts` cursor in the same transaction: after a crash at
     * any point either the page and its cursor are both stored or neither is.
     * Rows are validated batch by batch inside the transaction; an invalid
     * row (`ERR_STORE_INVALID_ROW`) rolls back the whole page.
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
      return rows.map((r) => ({
        tenantId: r.tenant_id,
        alertId: r.alert_id,
        field: r.field as AlertChange["field"],
        oldValue: r.old_value,
        newValue: r.new_value,
        changedAt: r.changed_at,
        recordedAt: r.recorded_at,
      }));
    },
  };
}
