import type { Insertable, Kysely } from "kysely";
import { chunks, rowsPerStatement, type StoreContext, stringOrNull, tenantKey } from "./context.js";
import { writeCursor } from "./cursors.js";
import { StoreError } from "./errors.js";
import type { AlertChange, AlertInput, ApplyPageResult, CursorPosition } from "./records.js";
import type { AlertHistoryTable, AlertsTable, StoreDatabase } from "./schema-types.js";
import { timeKeyOrEmpty, toTimeKey } from "./time.js";

/** Severity order for sorting (mde-api.md §6.1: UnSpecified, Informational, Low, Medium, High). */
export const SEVERITY_RANK: Readonly<Record<string, number>> = Object.freeze({
  UnSpecified: 0,
  Informational: 1,
  Low: 2,
  Medium: 3,
  High: 4,
});

const ALERT_COLUMNS = 16;
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

/** Validates one alert and turns it into its row. */
function toRow(tenantId: string, alert: AlertInput, index: number, now: string): Insertable<AlertsTable> {
  if (alert === null || typeof alert !== "object" || typeof alert.id !== "string" || alert.id === "") {
    throw new StoreError("ERR_STORE_INVALID_ROW", `alert at index ${index} has no id`);
  }
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
  };
}

/**
 * Writes pages of alerts. See {@link AlertWriter.applyAlertPage}.
 */
export function createAlertWriter(ctx: StoreContext) {
  const { dialect } = ctx;
  const perStatement = rowsPerStatement(dialect, ALERT_COLUMNS);

  async function writeBatch(trx: Kysely<StoreDatabase>, rows: Insertable<AlertsTable>[], now: string) {
    // Keep the newest version of an id that appears twice in one statement:
    // PostgreSQL refuses to touch the same row twice in one INSERT … ON CONFLICT.
    const byId = new Map<string, Insertable<AlertsTable>>();
    for (const row of rows) {
      const prior = byId.get(row.id);
      if (!prior || (prior.last_update_key ?? "") <= (row.last_update_key ?? "")) byId.set(row.id, row);
    }
    const unique = [...byId.values()];
    const existing = await trx
      .selectFrom("alerts")
      .select(["id", "last_update_key", "status", "assigned_to", "classification"])
      .where("tenant_id", "=", unique[0]!.tenant_id)
      .where("id", "in", [...byId.keys()])
      .execute();
    const before = new Map(existing.map((r) => [r.id, r]));
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
      if (old.last_update_key > (row.last_update_key ?? "")) {
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
    await trx
      .insertInto("alerts")
      .values(unique)
      .onConflict((oc) =>
        oc
          .columns(["tenant_id", "id"])
          .doUpdateSet((eb) => ({
            payload: eb.ref("excluded.payload"),
            title: eb.ref("excluded.title"),
            title_lc: eb.ref("excluded.title_lc"),
            severity: eb.ref("excluded.severity"),
            severity_rank: eb.ref("excluded.severity_rank"),
            status: eb.ref("excluded.status"),
            classification: eb.ref("excluded.classification"),
            assigned_to: eb.ref("excluded.assigned_to"),
            machine_id: eb.ref("excluded.machine_id"),
            alert_creation_time: eb.ref("excluded.alert_creation_time"),
            alert_creation_key: eb.ref("excluded.alert_creation_key"),
            last_update_time: eb.ref("excluded.last_update_time"),
            last_update_key: eb.ref("excluded.last_update_key"),
            ingested_at: eb.ref("excluded.ingested_at"),
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
      return dialect.writeTransaction(async (trx) => {
        const now = ctx.now();
        const totals = { inserted: 0, updated: 0, unchanged: 0 };
        let offset = 0;
        for (const part of chunks(alerts, perStatement)) {
          const rows = part.map((a, i) => toRow(tenant, a, offset + i, now));
          offset += part.length;
          const r = await writeBatch(trx, rows, now);
          totals.inserted += r.inserted;
          totals.updated += r.updated;
          totals.unchanged += r.unchanged;
        }
        const cursor = await writeCursor(trx, tenant, "alerts", nextCursor, now);
        return { ...totals, cursor };
      });
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
