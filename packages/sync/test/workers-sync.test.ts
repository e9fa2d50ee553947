/**
 * Distributed sync: three worker processes share one PostgreSQL database
 * (store, pg-boss queue, rate budgets) and sync 200 emulated tenants; one
 * worker is SIGKILLed in the middle of a page. The run completes: every tenant
 * equals the emulator's ground truth without duplicates, the killed worker's
 * tenants are taken over by the others after their lease, the emulator's
 * journal shows no tenant synced by two workers at once, and no app+tenant
 * ever went over its per-minute budget (workers-budget.test.ts drives the
 * shared budget to its limit).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { openStore, type Store } from "@mde-partner/sync";
import {
  busiestMinute,
  createWorkerDatabase,
  type EmulatorProcess,
  overlappingRuns,
  startEmulator,
  startWorker,
  waitConverged,
  type WorkerProcess,
} from "./fixtures/worker-world.js";

const TENANTS = 200;
/** The per-minute ListAlerts budget the workers share (the emulator's own limit is 100). */
const ALERTS_PER_MINUTE = 15;

describe("three sync workers on one PostgreSQL database", () => {
  let dir: string;
  let emulator: EmulatorProcess;
  let db: Awaited<ReturnType<typeof createWorkerDatabase>>;
  let store: Store;
  const workers: WorkerProcess[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "mde-workers-"));
    emulator = await startEmulator({
      seed: "workers-sync",
      tenants: TENANTS,
      alertsPerTenant: 50,
      machinesPerTenant: 2,
      stateDir: join(dir, "emulator"),
    });
    db = await createWorkerDatabase();
    store = await openStore({ url: db.url });
    for (const t of emulator.info.tenants) await store.upsertTenant({ id: t.id, name: t.name, initialState: "consented" });
  });

  after(async () => {
    await Promise.all(workers.map((w) => w.kill()));
    await store?.close();
    await db?.drop();
    await emulator?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("survives a SIGKILLed worker: ground truth everywhere, never two workers on one tenant, never over budget", async (t) => {
    const ids = emulator.info.tenants.map((x) => x.id);
    const common = {
      url: db.url,
      info: emulator.info,
      intervalMs: 3000,
      concurrency: 4,
      leaseSec: 8,
      pageSize: 10,
      rateBudgets: { alerts: { perMinute: ALERTS_PER_MINUTE, perHour: 1500 } },
      // Alerts and machines are what converge here; TVM snapshots in workers have their own test (workers-tvm).
      tvm: false,
    };
    for (const id of ["w1", "w2", "w3"]) workers.push(startWorker({ ...common, workerId: id }));
    const [w1, w2, w3] = workers as [WorkerProcess, WorkerProcess, WorkerProcess];

    // Kill w1 in the middle of a tenant: right after one of its pages committed, before the tenant is done.
    await w1.waitFor((e) => e.type === "job-done", 30_000);
    const page = await w1.waitFor((e) => {
      if (e.type !== "page" || e.stream !== "alerts") return false;
      return !w1.events.some((d) => d.type === "job-done" && d.tenantId === e.tenantId && w1.events.indexOf(d) > w1.events.indexOf(e));
    }, 30_000);
    await w1.kill();
    const killedAt = Date.now();
    const started = new Set(w1.events.filter((e) => e.type === "job-start").map((e) => `${e.jobId}`));
    for (const e of w1.events) if (e.type === "job-done") started.delete(`${e.jobId}`);
    const orphaned = w1.events.filter((e) => e.type === "job-start" && started.has(`${e.jobId}`)).map((e) => String(e.tenantId));
    t.diagnostic(`w1 killed after a page of ${page.tenantId}; ${orphaned.length} tenant(s) in flight`);
    assert.ok(orphaned.includes(String(page.tenantId)));

    await waitConverged(store, emulator, ids, 45_000);
    t.diagnostic(`converged ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill`);
    const errors = workers.flatMap((w) => w.events.filter((e) => e.type === "error"));
    t.diagnostic(`worker errors: ${errors.length} ${JSON.stringify(errors.slice(0, 3))}`);
    // The killed worker's tenants are finished by the others once their lease has run out (their data may
    // already be complete: the kill can fall after the last page's commit).
    for (const tenantId of orphaned) {
      const match = (e: Record<string, unknown>) => e.type === "job-done" && e.tenantId === tenantId && e.outcome === "next";
      await Promise.any([w2.waitFor(match, 30_000), w3.waitFor(match, 30_000)]).catch(() => assert.fail(`tenant ${tenantId} was not taken over`));
    }
    for (const id of ids) assert.equal((await store.getTenant(id))?.state, "verified");

    // Graceful stop of the survivors: exit 0.
    assert.deepEqual(await Promise.all([w2.stop(), w3.stop()]), [0, 0]);

    const journal = await emulator.journal({ kind: "api" });
    const lists = journal.filter((e) => e.operation === "ListAlerts");
    assert.ok(lists.length >= TENANTS * 6, `every tenant was paged (${lists.length} ListAlerts calls)`);
    const overlaps = overlappingRuns(journal);
    assert.deepEqual(
      overlaps.slice(0, 3).map(([a, b]) => [a.tenantId, a.userAgent, b.userAgent]),
      [],
      "no tenant was synced by two workers at once",
    );
    const attributed = new Set(lists.map((e) => /test-worker\/(w\d)/.exec(e.userAgent ?? "")?.[1]));
    assert.deepEqual([...attributed].sort(), ["w1", "w2", "w3"], "all three workers synced");

    const busiest = busiestMinute(journal, ["ListAlerts"]);
    t.diagnostic(`busiest tenant-minute: ${busiest.count} ListAlerts calls (budget ${ALERTS_PER_MINUTE})`);
    assert.ok(busiest.count <= ALERTS_PER_MINUTE, `${busiest.key}: ${busiest.count} calls in one minute`);
    assert.equal(journal.filter((e) => e.status === 429).length, 0, "no 429 from the emulator");
  });
});
