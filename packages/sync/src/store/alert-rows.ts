import type Database from "better-sqlite3";
import type { Insertable } from "kysely";
import { stringOrNull } from "./context.js";
import { encodeAlertPayload } from "./alert-payload.js";
import { forEachPackedRow, PACKED_COLUMNS, PACKED_TEXT, type PackedRows } from "./alert-row-pack.js";
import { StoreError } from "./errors.js";
import type { AlertInput, AlertSource } from "./records.js";
import type { AlertHistoryTable, AlertsTable } from "./schema-types.js";
import { requireId } from "./tenant-rows.js";
import { NO_TIME_US, type TimeParts, timeKeyParts, timeParts } from "./time.js";

/*
 * An incoming alert as a row, and what it does to the stored version of the same alert: shared by
 * the SQLite writer (in the store's thread or a writer thread, alert-writer-thread.ts) and the
 * PostgreSQL one (alerts-write.ts).
 */

export const TRACKED = [
  ["status", "status"],
  ["assignedTo", "assigned_to"],
  ["classification", "classification"],
] as const;

/** An incoming alert as its row (without the tenant key), plus the lastUpdateTime text its history entries carry. */
export type AlertRow = Omit<Insertable<AlertsTable>, "tenant_key" | "seq"> & {
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
export interface StoredVersion {
  readonly seq: number;
  readonly updated_us: number;
  readonly updated_sub: number;
  readonly status: string | null;
  readonly assigned_to: string | null;
  readonly classification: string | null;
}

/** A validated incoming alert: its row and the lastUpdateTime text its history entries carry. */
export interface IncomingRow {
  readonly row: AlertRow;
  readonly lastUpdate: string | null;
}

export const newer = (a: { updated_us: number; updated_sub: number }, b: { updated_us: number; updated_sub: number }) =>
  a.updated_us > b.updated_us || (a.updated_us === b.updated_us && a.updated_sub > b.updated_sub);

/** What one incoming row does to its stored version. */
export type Outcome = "insert" | "update" | "unchanged" | "same-time";

export function outcomeOf(row: AlertRow, old: StoredVersion | undefined): Outcome {
  if (!old) return "insert";
  if (newer(old, row)) return "unchanged";
  if (old.updated_us === row.updated_us && old.updated_sub === row.updated_sub) return "same-time";
  return "update";
}

/** History entries of an update: one per tracked field that changed. */
export function historyOf(tenantId: string, row: AlertRow, lastUpdate: string | null, old: StoredVersion, now: string): Insertable<AlertHistoryTable>[] {
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
export const CONTENT_COLUMNS = ["payload", "severity", "status", "classification", "assigned_to", "machine_id", "source", "graph_payload"] as const;
export type StoredContent = { [K in (typeof CONTENT_COLUMNS)[number]]: string | null };

export function sameContent(stored: StoredContent | undefined, row: AlertRow): boolean {
  return stored !== undefined && CONTENT_COLUMNS.every((c) => stored[c] === (row[c] ?? null));
}

export const ROW_COLUMNS = ["tenant_key", ...PACKED_COLUMNS] as const;
export const UPDATED_COLUMNS = ROW_COLUMNS.filter((c) => c !== "tenant_key" && c !== "id" && c !== "graph_id");

export interface PageTotals {
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
export function sqliteRowWriter(raw: Database.Database) {
  const statements = () => ({
    keyOf: raw.prepare<[string], { key: number }>("select key from tenant_keys where tenant_id = ?"),
    addKey: raw.prepare<[string]>("insert into tenant_keys (tenant_id) values (?)"),
    find: raw.prepare<[number, string], StoredVersion>(
      "select seq, updated_us, updated_sub, status, assigned_to, classification from alerts where tenant_key = ? and id = ?",
    ),
    content: raw.prepare<[number], StoredContent>(`select ${CONTENT_COLUMNS.join(", ")} from alerts where seq = ?`),
    // Inserted unless the (tenant_key, id) key is taken: one probe of that index decides, and a new
    // alert (every alert of a first sync) costs no separate read.
    insert: raw.prepare(
      `insert into alerts (${ROW_COLUMNS.join(", ")}) values (${ROW_COLUMNS.map(() => "?").join(", ")}) on conflict (tenant_key, id) do nothing`,
    ),
    // The same for a packed row (alert-row-pack.ts): its text cells arrive as UTF-8 bytes, stored as text.
    insertPacked: raw.prepare(
      `insert into alerts (tenant_key, ${PACKED_COLUMNS.join(", ")}) values (?, ${PACKED_TEXT.map((t) => (t ? "cast(? as text)" : "?")).join(", ")}) on conflict (tenant_key, id) do nothing`,
    ),
    update: raw.prepare(
      `update alerts set ${UPDATED_COLUMNS.map((c) => `${c} = ?`).join(", ")}, graph_id = coalesce(?, graph_id) where seq = ?`,
    ),
    history: raw.prepare(
      "insert into alert_history (tenant_id, alert_id, field, old_value, new_value, changed_at, recorded_at) values (?, ?, ?, ?, ?, ?, ?)",
    ),
  });
  let s: ReturnType<typeof statements> | undefined;

  /** A row whose key is taken: the point read and the comparison decide (within this transaction). */
  const stored = (key: number, tenantId: string, { row, lastUpdate }: IncomingRow, now: string, totals: PageTotals) => {
    const old = s!.find.get(key, row.id);
    let outcome = outcomeOf(row, old);
    if (outcome === "same-time") {
      // Re-read by the overlap window or --since: counted as unchanged when nothing differs.
      outcome = sameContent(s!.content.get(old!.seq), row) ? "unchanged" : "update";
    }
    if (outcome === "update") {
      s!.update.run([...UPDATED_COLUMNS.map((c) => row[c] ?? null), row.graph_id, old!.seq]);
      for (const h of historyOf(tenantId, row, lastUpdate, old!, now)) {
        s!.history.run(h.tenant_id, h.alert_id, h.field, h.old_value, h.new_value, h.changed_at, h.recorded_at);
      }
      totals.updated++;
    } else totals.unchanged++;
  };

  return (tenantId: string, rows: Iterable<IncomingRow> | PackedRows, now: string, totals: PageTotals) => {
    s ??= statements();
    let key = s.keyOf.get(tenantId)?.key;
    if (key === undefined) key = Number(s.addKey.run(tenantId).lastInsertRowid);
    if ("cells" in rows) {
      const insert = s.insertPacked;
      forEachPackedRow(rows, (bind, decode) => {
        // The values spread as arguments: given an array, better-sqlite3 reads each element through a
        // property lookup (measured: about 0.6 µs more per row of 20 values).
        if (insert.run(key, ...bind).changes === 1) totals.inserted++;
        else stored(key!, tenantId, decode(), now, totals);
      });
      return;
    }
    for (const incoming of rows) {
      // Inserted unless the key is taken.
      if (s.insert.run(ROW_COLUMNS.map((c) => (c === "tenant_key" ? key : (incoming.row[c] ?? null)))).changes === 1) totals.inserted++;
      else stored(key, tenantId, incoming, now, totals);
    }
  };
}

/** Severity order for sorting (mde-api.md §6.1: UnSpecified, Informational, Low, Medium, High). */
export const SEVERITY_RANK: Readonly<Record<string, number>> = Object.freeze({
  UnSpecified: 0,
  Informational: 1,
  Low: 2,
  Medium: 3,
  High: 4,
});

/** A severity's rank; 0 for no severity or one the API does not document (an own entry only: "toString" is no severity). */
export const severityRank = (severity: string | null): number => (severity !== null && Object.hasOwn(SEVERITY_RANK, severity) ? SEVERITY_RANK[severity]! : 0);

/** The integer parts of an optional API time (no time: `NO_TIME_US`); a value that is not a time refuses the page. */
function optionalTime(alert: AlertInput, field: "lastUpdateTime" | "alertCreationTime", index: number): TimeParts {
  const value = alert[field];
  if (value === undefined || value === null) return timeKeyParts(null);
  const parts = typeof value === "string" ? timeParts(value) : null;
  if (parts === null) throw new StoreError("ERR_STORE_INVALID_ROW", `alert at index ${index} has an invalid ${field}: ${JSON.stringify(value)}`);
  return parts;
}

/** Where a row's version came from: the source, and for Graph the alert's Graph id and the object as received. */
export interface RowOrigin {
  readonly source: AlertSource;
  readonly graphId?: string;
  readonly original?: unknown;
}

function incidentText(value: unknown): string | null {
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return typeof value === "string" && value !== "" ? value : null;
}

/** Validates one alert and turns it into its row. */
export function toRow(alert: AlertInput, index: number, ingestedUs: number, origin: RowOrigin = { source: "mde" }): IncomingRow {
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
      severity_rank: severityRank(severity),
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

/** The newest version of each id in a page (a page may carry one alert twice); equal versions: the later one. */
export function newestOfPage(rows: ReadonlyArray<IncomingRow>) {
  const byId = new Map<string, IncomingRow>();
  for (const r of rows) {
    const prior = byId.get(r.row.id);
    if (!prior || !newer(prior.row, r.row)) byId.set(r.row.id, r);
  }
  return byId;
}

