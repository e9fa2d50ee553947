import { chunks, type StoreContext, tenantKey } from "./context.js";
import { toAlertChange } from "./alerts-write.js";
import type { AlertChange } from "./records.js";

/** Alert ids per statement: well under either engine's parameter limit. */
const IDS_PER_QUERY = 500;

/**
 * Reads of the alert history for many alerts at once (a customer report asks for a month of
 * them): one query per 500 alerts instead of one per alert.
 */
export function createAlertHistoryReader(ctx: StoreContext) {
  const { db } = ctx;
  return {
    /**
     * Recorded changes of `field` (default `status`) of a tenant's alerts, oldest first per
     * alert, keyed by alert id. Alerts without recorded changes are absent from the map.
     *
     * @example
     * const changes = await store.alertChangesOf(tenantId, ["da123", "da456"]);
     * const acknowledged = changes.get("da123")?.find((c) => c.oldValue === "New");
     */
    async alertChangesOf(
      tenantId: string,
      alertIds: readonly string[],
      field: AlertChange["field"] = "status",
    ): Promise<Map<string, AlertChange[]>> {
      const tenant = tenantKey(tenantId);
      const out = new Map<string, AlertChange[]>();
      for (const part of chunks([...new Set(alertIds)], IDS_PER_QUERY)) {
        const rows = await db
          .selectFrom("alert_history")
          .selectAll()
          .where("tenant_id", "=", tenant)
          .where("alert_id", "in", part)
          .where("field", "=", field)
          .orderBy("id")
          .execute();
        for (const r of rows) {
          const change = toAlertChange(r);
          const list = out.get(r.alert_id);
          if (list) list.push(change);
          else out.set(r.alert_id, [change]);
        }
      }
      return out;
    },
  };
}
