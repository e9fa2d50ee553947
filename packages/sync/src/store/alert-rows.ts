import type Database from "better-sqlite3";
import type { Insertable } from "kysely";
import type { AlertHistoryTable, AlertsTable } from "./schema-types.js";

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

export const ROW_COLUMNS = [
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
    insert: raw.prepare(`insert into alerts (${ROW_COLUMNS.join(", ")}) values (${ROW_COLUMNS.map(() => "?").join(", ")})`),
    update: raw.prepare(
      `update alerts set ${UPDATED_COLUMNS.map((c) => `${c} = ?`).join(", ")}, graph_id = coalesce(?, graph_id) where seq = ?`,
    ),
    history: raw.prepare(
      "insert into alert_history (tenant_id, alert_id, field, old_value, new_value, changed_at, recorded_at) values (?, ?, ?, ?, ?, ?, ?)",
    ),
  });
  let s: ReturnType<typeof statements> | undefined;

  return (tenantId: string, rows: Iterable<IncomingRow>, now: string, totals: PageTotals) => {
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
        s.insert.run(ROW_COLUMNS.map((c) => (c === "tenant_key" ? key : (row[c] ?? null))));
        totals.inserted++;
      } else if (outcome === "update") {
        s.update.run([...UPDATED_COLUMNS.map((c) => row[c] ?? null), row.graph_id, old!.seq]);
        for (const h of historyOf(tenantId, row, lastUpdate, old!, now)) {
          s.history.run(h.tenant_id, h.alert_id, h.field, h.old_value, h.new_value, h.changed_at, h.recorded_at);
        }
        totals.updated++;
      } else totals.unchanged++;
    }
  };
}

