/**
 * TVM snapshots on the long-running path: a sync worker (PostgreSQL, pg-boss)
 * takes each tenant's TVM snapshot in its first run and not again in the
 * following runs, which come every few seconds while the TVM interval is hours.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createPostgresBudgetStore, createSyncWorker, openStore, type Store, type WorkerEvent } from "@mde-partner/sync";
import { emulatorWorld, type EmulatorWorld, partnerFor } from "@mde-partner/test-kit";
import { createWorkerDatabase } from "./fixtures/worker-world.js";
import { PG_URL } from "./helpers/databases.js";

describe("TVM snapshots in a sync worker", () => {
  let world: EmulatorWorld;
  let db: Awaited<ReturnType<typeof createWorkerDatabase>>;
  let store: Store;
  before(async () => {
    world = await emulatorWorld({ seed: "workers-tvm", tenants: 2, alertsPerTenant: 5, machinesPerTenant: 3 });
    db = await createWorkerDatabase();
    store = await openStore({ url: db.url });
    for (const t of world.info.tenants) await store.upsertTenant({ id: t.id, name: t.name, initialState: "consented" });
  });
  after(async () => {
    await store.close();
    await db.drop();
    await world.stop();
  });

  it("takes the snapshot in a tenant's first run, then leaves it until it is due", { timeout: 60_000 }, async () => {
    const budgetStore = createPostgresBudgetStore({ connectionString: PG_URL, schema: db.schema });
    const events: WorkerEvent[] = [];
    const worker = createSyncWorker({
      url: db.url,
      store,
      partner: partnerFor(world, { budgetStore }),
      workerId: "tvm-1",
      intervalMs: 1_000,
      pollMs: 500,
      scheduleEveryMs: 500,
      leaseSec: 30,
      tvmIntervalMs: 6 * 3_600_000,
      onEvent: (e) => events.push(e),
    });
    const runs = (tenantId: string) =>
      events.flatMap((e) => (e.type === "job-done" && e.tenantId === tenantId && e.result ? [e.result.tvm?.status ?? "none"] : []));
    try {
      await worker.start();
      const ids = world.info.tenants.map((t) => t.id);
      const deadline = Date.now() + 45_000;
      while (ids.some((id) => runs(id).length < 3) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      for (const id of ids) {
        assert.deepEqual(runs(id).slice(0, 3), ["ok", "not-due", "not-due"], `runs of ${id}: ${runs(id).join(", ")}`);
        const snapshot = await store.getTvmSnapshot(id);
        assert.ok(snapshot?.takenAt && snapshot.machines > 0, JSON.stringify(snapshot));
      }
      assert.ok((await store.topTvmCves()).length > 0);
    } finally {
      await worker.stop();
      await budgetStore.close();
    }
  });
});
