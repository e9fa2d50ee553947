import { type Insertable, type Kysely, sql } from "kysely";
import { chunks, rowsPerStatement, type StoreContext, stringOrNull, tenantKey } from "./context.js";
import { writeCursor } from "./cursors.js";
import { StoreError } from "./errors.js";
import type { AlertChange, AlertInput, AlertSource, ApplyPageResult, CursorPosition, GraphAlertInput } from "./records.js";
import type { AlertHistoryTable, AlertsTable, StoreDatabase } from "./schema-types.js";
import { fromExcluded, newestById, requireId } from "./tenant-rows.js";
import { timeKeyOrEmpty, toTimeKey } from "./time.js";

/** Severity order for sorting (mde-api.md §6.1: UnSpecified, Informational, Low, Medium, High). */
export const SEVERITY_RANK: Readonly<Record<string, number>> = Object.freeze({
  UnSpecified: 0,
  Informational: 1,
  Low: 2,
  Medium: 3,
  High: 4,
});

const ALERT_COLUMNS = 20;
const HISTORY_COLUMNS = 7;
const TRACKED = [
  ["status", "status"],
  ["assignedTo", "assigned_to"],
  ["classification", "classification"],
] as const;

function optionalTime(alert: AlertInput, field: "lastUpdateTime" | "alertCreationTime", index: number): string | null {
  const value = alert[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== "string" || toTimeKey(value) === null) {
    throw new StoreError("ERR_STORE_INVALID_ROW", `alert at index ${index} has an invalid ${field}: ${JSON.stringify(value)}`);
  }
  return value;
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

/** Validates one alert and turns it into its row. */
function toRow(tenantId: string, alert: AlertInput, index: number, now: string, origin: RowOrigin = { source: "mde" }): Insertable<AlertsTable> {
  requireId(alert, "alert", index);
  const lastUpdate = optionalTime(alert, "lastUpdateTime", index);
  const created = optionalTime(alert, "alertCreationTime", index);
  const title = stringOrNull(alert.title);
  const severity = stringOrNull(alert.severity);
  return {
    tenant_id: tenantId,
    id: alert.id,
    payload: JSON.stringify(alert),
    title,
    title_lc: (title ?? "").toLowerCase(),
    severity,
    severity_rank: (severity !== null ? SEVERITY_RANK[severity] : undefined) ?? 0,
    status: stringOrNull(alert.status),
    classification: stringOrNull(alert.classification),
    assigned_to: stringOrNull(alert.assignedTo),
    machine_id: stringOrNull(alert.machineId),
    alert_creation_time: created,
    alert_creation_key: timeKeyOrEmpty(created),
    last_update_time: lastUpdate,
    last_update_key: timeKeyOrEmpty(lastUpdate),
    ingested_at: now,
    source: origin.source,
    graph_id: origin.graphId ?? null,
    incident_id: incidentText(alert.incidentId),
    graph_payload: origin.source === "graph" ? JSON.stringify(origin.original ?? null) : null,
  };
}

/**
 * Ids of `rows` whose stored version has the same `lastUpdateTime` and the
 * same content: the overlap window and `--since` re-read them, and they are
 * counted as unchanged, not updated. One query per batch, and only for the
 * rows whose time keys are equal (the stored payload is read for those alone).
 */
async function identicalVersions(
  trx: Kysely<StoreDatabase>,
  rows: readonly Insertable<AlertsTable>[],
  before: ReadonlyMap<string, { readonly last_update_key: string }>,
): Promise<Set<string>> {
  const equalKey = rows.filter((r) => before.get(r.id)?.last_update_key === (r.last_update_key ?? ""));
  if (equalKey.length === 0) return new Set();
  const stored = await trx
    .selectFrom("alerts")
    .select(["id", "payload", "source", "graph_payload"])
    .where("tenant_id", "=", equalKey[0]!.tenant_id)
    .where(
      "id",
      "in",
      equalKey.map((r) => r.id),
    )
    .execute();
  const byId = new Map(stored.map((r) => [r.id, r]));
  const same = new Set<string>();
  for (const row of equalKey) {
    const old = byId.get(row.id);
    // Same source too: the same version read through the other API replaces the Graph mapping columns.
    if (old && old.payload === row.payload && old.source === row.source && old.graph_payload === (row.graph_payload ?? null)) same.add(row.id);
  }
  return same;
}

/**
 * Writes pages of alerts. See {@link AlertWriter.applyAlertPage}.
 */
export function createAlertWriter(ctx: StoreContext) {
  const { dialect } = ctx;
  const perStatement = rowsPerStatement(dialect, ALERT_COLUMNS);

  /**
   * The INSERT of a batch's rows. PostgreSQL gets the batch as one json parameter that the server
   * turns into rows (json_populate_recordset over the table's own row type), not as a bind
   * parameter per cell: binding ~60,000 parameters per statement cost the client about five times
   * the CPU per alert of sending one json value (bench/ingest-limit.bench.ts). SQLite binds
   * in-process and keeps VALUES.
   */
  function rowsOf(trx: Kysely<StoreDatabase>, rows: Insertable<AlertsTable>[]) {
    if (dialect.name !== "postgres") return trx.insertInto("alerts").values(rows);
    const columns = Object.keys(rows[0]!) as Array<keyof AlertsTable & string>;
    return trx
      .insertInto("alerts")
      .columns(columns)
      .expression(trx.selectFrom(sql<AlertsTable>`json_populate_recordset(null::alerts, ${JSON.stringify(rows)})`.as("r")).select(columns));
  }

  async function writeBatch(trx: Kysely<StoreDatabase>, rows: Insertable<AlertsTable>[], now: string) {
    const byId = newestById(rows);
    const unique = [...byId.values()];
    const existing = await trx
      .selectFrom("alerts")
      .select(["id", "last_update_key", "status", "assigned_to", "classification"])
      .where("tenant_id", "=", unique[0]!.tenant_id)
      .where("id", "in", [...byId.keys()])
      .execute();
    const before = new Map(existing.map((r) => [r.id, r]));
    const same = await identicalVersions(trx, unique, before);
    let inserted = 0;
    let updated = 0;
    let unchanged = rows.length - unique.length;
    const history: Insertable<AlertHistoryTable>[] = [];
    for (const row of unique) {
      const old = before.get(row.id);
      if (!old) {
        inserted++;
        continue;
      }
      if (old.last_update_key > (row.last_update_key ?? "") || same.has(row.id)) {
        unchanged++;
        continue;
      }
      updated++;
      for (const [field, column] of TRACKED) {
        if (old[column] !== row[column]) {
          history.push({
            tenant_id: row.tenant_id,
            alert_id: row.id,
            field,
            old_value: old[column],
            new_value: row[column] ?? null,
            changed_at: row.last_update_time ?? null,
            recorded_at: now,
          });
        }
      }
    }
    await rowsOf(trx, unique)
      .onConflict((oc) =>
        oc
          .columns(["tenant_id", "id"])
          .doUpdateSet((eb) => ({
            ...fromExcluded("alerts", ["payload", "title", "title_lc", "severity", "severity_rank", "status", "classification", "assigned_to", "machine_id", "alert_creation_time", "alert_creation_key", "last_update_time", "last_update_key", "ingested_at", "source", "incident_id", "graph_payload"]),
            // The id mapping survives a version from the MDE API (which does not know the Graph id).
            graph_id: eb.fn.coalesce(eb.ref("excluded.graph_id"), eb.ref("alerts.graph_id")),
          }))
          // The guard that makes re-delivery and out-of-order pages harmless:
          // an older version never overwrites a newer one (equal re-applies).
          .where((eb) => eb("alerts.last_update_key", "<=", eb.ref("excluded.last_update_key"))),
      )
      .execute();
    for (const part of chunks(history, rowsPerStatement(dialect, HISTORY_COLUMNS))) {
      await trx.insertInto("alert_history").values(part).execute();
    }
    return { inserted, updated, unchanged };
  }

  async function applyRows(
    tenantId: string,
    items: readonly unknown[],
    toRows: (part: readonly unknown[], offset: number, now: string) => Insertable<AlertsTable>[],
    stream: string,
    nextCursor: CursorPosition,
  ): Promise<ApplyPageResult> {
    const tenant = tenantKey(tenantId);
    return dialect.writeTransaction(async (trx) => {
      const now = ctx.now();
      const totals = { inserted: 0, updated: 0, unchanged: 0 };
      let offset = 0;
      for (const part of chunks(items, perStatement)) {
        const rows = toRows(part, offset, now).map((r) => ({ ...r, tenant_id: tenant }));
        offset += part.length;
        const r = await writeBatch(trx, rows, now);
        totals.inserted += r.inserted;
        totals.updated += r.updated;
        totals.unchanged += r.unchanged;
      }
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
      return applyRows(tenant, alerts, (part, offset, now) => part.map((a, i) => toRow(tenant, a as AlertInput, offset + i, now)), "alerts", nextCursor);
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
        (part, offset, now) =>
          part.map((item, i) => {
            const g = item as GraphAlertInput;
            if (!g || typeof g !== "object" || typeof g.graphId !== "string" || g.graphId === "") {
              throw new StoreError("ERR_STORE_INVALID_ROW", `graph alert at index ${offset + i} has no Graph id`);
            }
            return toRow(tenant, g.alert, offset + i, now, { source: "graph", graphId: g.graphId, original: g.original });
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
