/**
 * Incremental alert sync against the emulator in-process, on SQLite and
 * PostgreSQL: a 20 × 5,000 backfill, then new and updated alerts (some
 * sharing one lastUpdateTime) brought in by the next run; and changes made
 * *during* a run (the paging gap of alert-cursor.ts), which the run may miss
 * but the cursor must never pass.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createManualClock } from "@mde-partner/emulator";
import { type SyncProgressEvent, syncOnce } from "@mde-partner/sync";
import { createRunCursor } from "../src/engine/alert-cursor.js";
import { partnerFor, suiteWorld } from "@mde-partner/test-kit";
import { addTenants, mismatches, withStore } from "./fixtures/engine-world.js";
import { DIALECTS } from "./helpers/databases.js";

describe("sync of 20 tenants × 5,000 alerts", () => {
  const world = suiteWorld({ seed: "engine-sync", tenants: 20, alertsPerTenant: 5000, machinesPerTenant: 12, rateLimits: false });

  for (const dialect of DIALECTS) {
    it(`backfills, then a second sync after adds and updates equals the emulator's ground truth (${dialect})`, async () => {
      await withStore(dialect, async (store) => {
        const { emulator, info } = world;
        const truth = (id: string) => emulator.control.groundTruth(id);
        await addTenants(store, info);
        const partner = partnerFor(world);
        const events: SyncProgressEvent[] = [];

        const first = await syncOnce({ store, partner, concurrency: 8, onProgress: (e) => events.push(e) });
        assert.equal(first.ok, true, JSON.stringify(first.tenants.find((t) => t.status !== "ok")));
        assert.equal(first.tenants.length, 20);
        for (const r of first.tenants) {
          assert.equal(r.state, "verified");
          assert.equal(r.alerts.inserted, truth(r.tenantId).alerts);
          assert.equal(r.machines.fetched, 12);
        }
        assert.deepEqual(await mismatches(store, info.tenants, truth), []);
        assert.equal(events.filter((e) => e.type === "tenant-done").length, 20);
        assert.ok(events.some((e) => e.type === "page" && e.stream === "alerts" && e.items > 0));

        // The customers' SOCs work: new alerts, updates (one batch sharing one timestamp), more updates.
        let added = 0;
        for (const [i, t] of info.tenants.entries()) {
          added += emulator.control.addAlerts(t.id, 20 + i).length;
          emulator.control.updateAlerts(t.id, 40, { sameTimestamp: true });
          emulator.control.updateAlerts(t.id, 15);
        }
        const second = await syncOnce({ store, partner, concurrency: 8 });
        assert.equal(second.ok, true);
        assert.deepEqual(await mismatches(store, info.tenants, truth), []);
        assert.equal(
          second.tenants.reduce((n, r) => n + r.alerts.inserted, 0),
          added,
          "every new alert inserted once",
        );
        for (const r of second.tenants) {
          assert.ok(r.alerts.updated >= 40, `${r.tenantId}: updates replaced older versions (${r.alerts.updated})`);
          // Incremental: only the changed alerts (and the overlap window) are read again.
          assert.ok(r.alerts.fetched < 500, `${r.tenantId} re-read ${r.alerts.fetched} alerts`);
        }
        const total = info.tenants.reduce((n, t) => n + truth(t.id).alerts, 0);
        assert.equal(await store.countAlerts(), total, "no duplicates");
        const runs = await store.listSyncRuns({ tenantId: info.tenants[0]!.id, stream: "alerts" });
        assert.deepEqual(
          runs.map((r) => r.status),
          ["succeeded", "succeeded"],
        );
      });
    });
  }
});

describe("changes during a run", () => {
  // One clock for the emulator and the engine, moved by the test: changes made
  // during a run land minutes apart, farther than the overlap window.
  const clock = createManualClock(Date.now());
  const world = suiteWorld({ seed: "engine-midrun", tenants: 2, alertsPerTenant: 3000, machinesPerTenant: 5, rateLimits: false, clock });

  it("a run may miss what changes under it, but its cursor never passes it: the next run catches up", async () => {
    await withStore("sqlite", async (store) => {
      const { emulator, info } = world;
      const truth = (id: string) => emulator.control.groundTruth(id);
      await addTenants(store, info);
      const partner = partnerFor(world);
      let injected = 0;
      // After a few pages of each tenant: update alerts already read and not
      // yet read (half sharing one timestamp) and add new ones.
      const inject = (e: SyncProgressEvent) => {
        if (e.type !== "page" || e.stream !== "alerts" || (e.page !== 2 && e.page !== 5)) return;
        clock.advance(e.page === 2 ? 60_000 : 20 * 60_000);
        emulator.control.updateAlerts(e.tenantId, 60, { sameTimestamp: true });
        emulator.control.updateAlerts(e.tenantId, 30);
        emulator.control.addAlerts(e.tenantId, 25);
        injected++;
      };
      const first = await syncOnce({ store, partner, pageSize: 250, onProgress: inject, clock });
      assert.equal(first.ok, true);
      assert.equal(injected, 4);
      assert.notDeepEqual(await mismatches(store, info.tenants, truth), [], "the run missed changes made under it (the case under test)");

      // An incremental run with several pages, and old alerts changed while it pages:
      // they enter the filtered set before the reader's offset.
      let injected2 = 0;
      const second = await syncOnce({
        store,
        partner,
        pageSize: 40,
        clock,
        onProgress: (e) => {
          if (e.type === "page" && e.stream === "alerts" && (e.page === 2 || e.page === 4)) {
            clock.advance(e.page === 2 ? 60_000 : 20 * 60_000);
            emulator.control.updateAlerts(e.tenantId, 50, { sameTimestamp: true });
            emulator.control.addAlerts(e.tenantId, 10);
            injected2++;
          }
        },
      });
      assert.equal(second.ok, true);
      assert.equal(injected2, 4);
      for (const r of second.tenants) assert.ok(r.pages > 3, `the incremental run paged (${r.pages} pages)`);

      clock.advance(60_000);
      const third = await syncOnce({ store, partner, pageSize: 40, clock });
      assert.equal(third.ok, true);
      assert.deepEqual(await mismatches(store, info.tenants, truth), []);
      const total = info.tenants.reduce((n, t) => n + truth(t.id).alerts, 0);
      assert.equal(await store.countAlerts(), total);
    });
  });

  it("the committed cursor is the newest lastUpdateTime read, capped at the run's start", () => {
    const start = Date.parse("2025-06-01T12:00:00.000Z");
    const c = createRunCursor({ value: "2025-06-01T10:00:00Z", seenIds: ["a"] }, start);
    assert.deepEqual(c.unchanged(), { value: "2025-06-01T10:00:00Z", seenIds: ["a"] });
    c.see([
      { id: "b", lastUpdateTime: "2025-06-01T11:00:00.1234567Z" },
      { id: "c", lastUpdateTime: "2025-06-01T11:00:00.1234567Z" },
      { id: "d", lastUpdateTime: "2025-06-01T09:00:00Z" },
    ]);
    assert.deepEqual(c.final(), { value: "2025-06-01T11:00:00.1234567Z", seenIds: ["b", "c"] });
    assert.deepEqual(c.unchanged(), { value: "2025-06-01T10:00:00Z", seenIds: ["a"] }, "mid-run pages keep the old cursor");
    c.see([{ id: "e", lastUpdateTime: "2025-06-01T12:00:05Z" }]);
    assert.deepEqual(c.final(), { value: "2025-06-01T12:00:00.000Z", seenIds: [] }, "a change during the run caps the cursor");
  });
});
