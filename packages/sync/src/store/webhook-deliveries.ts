import { toStoredAlert } from "./alerts-query.js";
import { chunks, rowsPerStatement, type StoreContext, tenantKey } from "./context.js";
import type { PendingDelivery } from "./records.js";

const TARGET = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

function checkTarget(target: string): string {
  if (typeof target !== "string" || !TARGET.test(target)) {
    throw new TypeError(`webhook target name must be 1-64 letters, digits, '_', '.', ':' or '-', got ${JSON.stringify(target)}`);
  }
  return target;
}

/**
 * Delivery state of webhook forwarders: per target, tenant and alert, the
 * alert version last delivered. "Pending" is every alert whose stored version
 * is newer than the delivered one (or never delivered) — the forwarder's own
 * cursor, kept per alert so that pages the sync writes out of time order
 * (backfill, re-reads after a crash) are never skipped.
 */
export function createWebhookDeliveryRepository(ctx: StoreContext) {
  const { db, dialect } = ctx;
  const perStatement = rowsPerStatement(dialect, 5);
  return {
    /**
     * Up to `limit` alerts not yet delivered to `target` in their current
     * version, oldest write first. `since` (ISO, our own time) narrows the
     * scan to rows written at or after it.
     */
    async pendingDeliveries(
      target: string,
      options: { readonly since?: string; readonly tenantIds?: readonly string[]; readonly limit?: number } = {},
    ): Promise<PendingDelivery[]> {
      const name = checkTarget(target);
      const limit = options.limit ?? 500;
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new TypeError("limit must be an integer from 1 to 10000");
      let q = db
        .selectFrom("alerts as a")
        .leftJoin("webhook_deliveries as d", (join) =>
          join.on("d.target", "=", name).onRef("d.tenant_id", "=", "a.tenant_id").onRef("d.alert_id", "=", "a.id"),
        )
        .selectAll("a")
        .where((eb) => eb.or([eb("d.alert_id", "is", null), eb("d.last_update_key", "<", eb.ref("a.last_update_key"))]));
      if (options.since !== undefined) q = q.where("a.ingested_at", ">=", options.since);
      if (options.tenantIds !== undefined) {
        if (options.tenantIds.length === 0) return [];
        q = q.where("a.tenant_id", "in", options.tenantIds.map(tenantKey));
      }
      const rows = await q.orderBy("a.ingested_at").orderBy("a.tenant_id").orderBy("a.id").limit(limit).execute();
      return rows.map((r) => ({ alert: toStoredAlert(r), ingestedAt: r.ingested_at }));
    },

    /** Records deliveries; a delivered version never goes back to an older one. */
    async markDelivered(
      target: string,
      items: ReadonlyArray<{ readonly tenantId: string; readonly alertId: string; readonly lastUpdateKey: string }>,
    ): Promise<void> {
      const name = checkTarget(target);
      if (items.length === 0) return;
      const now = ctx.now();
      const rows = items.map((i) => ({
        target: name,
        tenant_id: tenantKey(i.tenantId),
        alert_id: i.alertId,
        last_update_key: i.lastUpdateKey,
        delivered_at: now,
      }));
      await dialect.writeTransaction(async (trx) => {
        for (const part of chunks(rows, perStatement)) {
          const unique = [...new Map(part.map((r) => [`${r.tenant_id}\u0000${r.alert_id}`, r])).values()];
          await trx
            .insertInto("webhook_deliveries")
            .values(unique)
            .onConflict((oc) =>
              oc
                .columns(["target", "tenant_id", "alert_id"])
                .doUpdateSet((eb) => ({
                  last_update_key: eb.ref("excluded.last_update_key"),
                  delivered_at: eb.ref("excluded.delivered_at"),
                }))
                .where((eb) => eb("webhook_deliveries.last_update_key", "<", eb.ref("excluded.last_update_key"))),
            )
            .execute();
        }
      });
    },

    /** Forgets what `target` delivered (a re-send of everything); returns the number of rows removed. */
    async resetDeliveries(target: string): Promise<number> {
      const r = await db.deleteFrom("webhook_deliveries").where("target", "=", checkTarget(target)).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
