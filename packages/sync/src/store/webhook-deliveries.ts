import { sql } from "kysely";
import { toStoredAlert } from "./alerts-query.js";
import { chunks, rowsPerStatement, type StoreContext, tenantKey } from "./context.js";
import type { PendingDelivery } from "./records.js";
import { isoToUs, timeKeyParts, usToIso } from "./time.js";

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
      if (options.tenantIds !== undefined && options.tenantIds.length === 0) return [];
      let q = db
        .selectFrom("alerts")
        .innerJoin("tenant_keys as k", "k.key", "alerts.tenant_key")
        .leftJoin("webhook_deliveries as d", (join) =>
          join.on("d.target", "=", name).onRef("d.tenant_id", "=", "k.tenant_id").onRef("d.alert_id", "=", "alerts.id"),
        )
        .selectAll("alerts")
        .select("k.tenant_id")
        .where((eb) =>
          eb.or([eb("d.alert_id", "is", null), sql<boolean>`(d.updated_us, d.updated_sub) < (alerts.updated_us, alerts.updated_sub)`]),
        );
      if (options.since !== undefined) q = q.where("alerts.ingested_us", ">=", isoToUs(options.since));
      if (options.tenantIds !== undefined) q = q.where("k.tenant_id", "in", options.tenantIds.map(tenantKey));
      const rows = await q.orderBy("alerts.ingested_us").orderBy("alerts.tenant_key").orderBy("alerts.id").limit(limit).execute();
      return rows.map((r) => ({ alert: toStoredAlert(r), ingestedAt: usToIso(r.ingested_us) }));
    },

    /** Records deliveries; a delivered version never goes back to an older one. */
    async markDelivered(
      target: string,
      items: ReadonlyArray<{ readonly tenantId: string; readonly alertId: string; readonly lastUpdateKey: string }>,
    ): Promise<void> {
      const name = checkTarget(target);
      if (items.length === 0) return;
      const now = ctx.now();
      const rows = items.map((i) => {
        const { us, sub } = timeKeyParts(i.lastUpdateKey);
        return {
          target: name,
          tenant_id: tenantKey(i.tenantId),
          alert_id: i.alertId,
          last_update_key: i.lastUpdateKey,
          updated_us: us,
          updated_sub: sub,
          delivered_at: now,
        };
      });
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
                  updated_us: eb.ref("excluded.updated_us"),
                  updated_sub: eb.ref("excluded.updated_sub"),
                  delivered_at: eb.ref("excluded.delivered_at"),
                }))
                .where(sql<boolean>`(webhook_deliveries.updated_us, webhook_deliveries.updated_sub) < (excluded.updated_us, excluded.updated_sub)`),
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
