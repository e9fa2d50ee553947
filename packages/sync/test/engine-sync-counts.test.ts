/**
 * What a sync says it did, on SQLite and PostgreSQL, for a tenant synced from
 * the MDE API and one from Microsoft Graph: a re-read of alerts the store
 * already holds in the same version counts as unchanged, not updated; after 8
 * changes and 3 new alerts the next full re-read says 3 new, 8 updated, the
 * rest unchanged — and the data still equals the emulator's ground truth.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { openStore, syncOnce, type TenantSyncResult } from "@mde-partner/sync";
import { partnerFor, suiteWorld } from "@mde-partner/test-kit";
import { addTenants, mismatches } from "./fixtures/engine-world.js";
import { createTestDatabase, DIALECTS } from "./helpers/databases.js";

// An overlap window reaching back before every alert: each sync re-reads them all.
const EVERYTHING_MS = 30 * 365 * 86_400_000;

const counts = (r: TenantSyncResult | undefined) => ({
  fetched: r?.alerts.fetched,
  inserted: r?.alerts.inserted,
  updated: r?.alerts.updated,
  unchanged: r?.alerts.unchanged,
});

describe("sync counts: inserted, updated, unchanged", () => {
  const world = suiteWorld({ seed: "engine-sync-counts", tenants: 2, alertsPerTenant: 120, machinesPerTenant: 2, rateLimits: false });

  for (const dialect of DIALECTS) {
    it(`an unchanged re-sync reports every alert unchanged; 8 changes are 8 updates (${dialect})`, async () => {
      const db = await createTestDatabase(dialect);
      const store = await openStore(db.options);
      try {
        const { emulator, info } = world;
        const truth = (id: string) => emulator.control.groundTruth(id);
        await addTenants(store, info);
        const [mde, graph] = info.tenants as [{ id: string }, { id: string }];
        await store.setTenantSource(graph.id, "graph");
        const partner = partnerFor(world);
        const sync = async () => {
          const report = await syncOnce({ store, partner, overlapMs: EVERYTHING_MS, pageSize: 50 });
          assert.equal(report.ok, true, JSON.stringify(report.tenants.find((t) => t.status !== "ok")));
          return (id: string) => report.tenants.find((t) => t.tenantId === id);
        };

        const first = await sync();
        for (const t of [mde, graph]) {
          const n = truth(t.id).alerts;
          assert.deepEqual(counts(first(t.id)), { fetched: n, inserted: n, updated: 0, unchanged: 0 });
        }
        const incidents = first(graph.id)?.incidents?.fetched ?? 0;
        assert.ok(incidents > 0, "the Graph tenant has incidents");

        const again = await sync();
        for (const t of [mde, graph]) {
          const n = truth(t.id).alerts;
          assert.deepEqual(counts(again(t.id)), { fetched: n, inserted: 0, updated: 0, unchanged: n }, `re-sync of ${t.id}`);
        }
        assert.deepEqual(again(graph.id)?.incidents, { fetched: incidents, inserted: 0, updated: 0, unchanged: incidents });

        for (const t of [mde, graph]) {
          emulator.control.updateAlerts(t.id, 8, { sameTimestamp: true });
          emulator.control.addAlerts(t.id, 3);
        }
        const third = await sync();
        for (const t of [mde, graph]) {
          const n = truth(t.id).alerts;
          assert.deepEqual(counts(third(t.id)), { fetched: n, inserted: 3, updated: 8, unchanged: n - 11 }, `after changes in ${t.id}`);
        }
        assert.deepEqual(await mismatches(store, info.tenants, truth), []);
      } finally {
        await store.close();
        await db.drop();
      }
    });
  }
});
