/**
 * One sync worker in-process: start and stop are safe to call twice (and at
 * once), each tenant ends with exactly one live job in the queue (its next
 * run, an interval away), a second worker joining later does not sync a
 * tenant again before its time, options are checked at the edge, and the
 * decision after each run (next / retry / park) follows the error codes.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createPostgresBudgetStore, createSyncWorker, openStore, type Store, type TenantSyncResult, type WorkerEvent } from "@mde-partner/sync";
import { decideOutcome } from "../src/workers/job-outcome.js";
import { emulatorWorld, type EmulatorWorld, partnerFor } from "@mde-partner/test-kit";
import { createWorkerDatabase } from "./fixtures/worker-world.js";
import { PG_URL } from "./helpers/databases.js";

const result = (over: Partial<TenantSyncResult>): TenantSyncResult => ({
  tenantId: "00000000-0000-4000-8000-000000000001",
  status: "ok",
  state: "verified",
  alerts: { fetched: 0, inserted: 0, updated: 0 },
  machines: { fetched: 0 },
  pages: 0,
  durationMs: 0,
  ...over,
});

describe("what a worker does after a run", () => {
  const settings = { intervalMs: 300_000, parkMs: 3_600_000 };
  const first = { retryCount: 0, retryLimit: 5 };
  it("queues the next run an interval later after a good run, at once after a graceful stop", () => {
    assert.deepEqual(decideOutcome(result({}), first, settings), { kind: "next", delayMs: 300_000, note: "synced" });
    const stopped = result({ status: "partial", error: { code: "ERR_SYNC_STOPPED", message: "stopped" } });
    assert.equal(decideOutcome(stopped, first, settings).kind, "next");
    assert.equal((decideOutcome(stopped, first, settings) as { delayMs: number }).delayMs, 0);
  });
  it("parks a tenant that needs someone to act, with the reason", () => {
    const revoked = result({ status: "failed", state: "degraded", error: { code: "ERR_MDE_CONSENT_REQUIRED", message: "consent revoked: AADSTS700016" } });
    assert.deepEqual(decideOutcome(revoked, first, settings), { kind: "park", delayMs: 3_600_000, reason: "consent revoked: AADSTS700016" });
  });
  it("hands transient failures back to pg-boss until the retries are used up, then parks", () => {
    const throttled = result({ status: "failed", state: "degraded", error: { code: "ERR_MDE_RATE_LIMITED", message: "throttled: 429" } });
    assert.deepEqual(decideOutcome(throttled, { retryCount: 4, retryLimit: 5 }, settings), { kind: "retry", reason: "throttled: 429" });
    assert.deepEqual(decideOutcome(throttled, { retryCount: 5, retryLimit: 5 }, settings), {
      kind: "park",
      delayMs: 3_600_000,
      reason: "throttled: 429 (after 6 attempts)",
    });
  });
});

describe("a sync worker in-process", () => {
  let world: EmulatorWorld;
  let db: Awaited<ReturnType<typeof createWorkerDatabase>>;
  let store: Store;
  const budgets: Array<ReturnType<typeof createPostgresBudgetStore>> = [];
  before(async () => {
    world = await emulatorWorld({ seed: "workers-lifecycle", tenants: 3, alertsPerTenant: 60, machinesPerTenant: 2 });
    db = await createWorkerDatabase();
    store = await openStore({ url: db.url });
    for (const t of world.info.tenants) await store.upsertTenant({ id: t.id, name: t.name, initialState: "consented" });
  });
  after(async () => {
    await store.close();
    await Promise.all(budgets.map((b) => b.close()));
    await db.drop();
    await world.stop();
  });

  const worker = (id: string, events: WorkerEvent[]) => {
    const budgetStore = createPostgresBudgetStore({ connectionString: PG_URL, schema: db.schema });
    budgets.push(budgetStore);
    return createSyncWorker({
      url: db.url,
      store,
      partner: partnerFor(world, { budgetStore }),
      workerId: id,
      intervalMs: 60_000,
      pollMs: 500,
      scheduleEveryMs: 500,
      leaseSec: 30,
      onEvent: (e) => events.push(e),
    });
  };

  it("syncs every tenant once per interval; start and stop are safe twice", async () => {
    const events: WorkerEvent[] = [];
    const w = worker("solo", events);
    await Promise.all([w.start(), w.start()]);
    await w.start();
    const ids = world.info.tenants.map((t) => t.id);
    const deadline = Date.now() + 20_000;
    while (ids.some((id) => !events.some((e) => e.type === "job-done" && e.tenantId === id && e.outcome === "next")) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    for (const id of ids) {
      const mine = await store.groundTruth(id);
      const truth = world.emulator.control.groundTruth(id);
      assert.deepEqual({ alerts: mine.alerts, checksum: mine.checksum }, { alerts: truth.alerts, checksum: truth.checksum });
      assert.equal((await store.getTenant(id))?.state, "verified");
    }
    // A second worker joins: the next runs are an interval away, so it finds nothing to do yet.
    const joinerEvents: WorkerEvent[] = [];
    const joiner = worker("joiner", joinerEvents);
    await joiner.start();
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(joinerEvents.filter((e) => e.type === "job-start").length, 0, "no tenant synced again before its interval");
    await Promise.all([w.stop(), w.stop(), joiner.stop()]);
    await w.stop();
    await w.done;
    assert.equal(events.filter((e) => e.type === "started").length, 1);
    assert.equal(events.filter((e) => e.type === "stopped").length, 1);
    assert.equal(events.filter((e) => e.type === "job-start").length, ids.length, "one run per tenant");
    // Each tenant has exactly one live job: its next run, about an interval from now.
    const live = await db.sql<{ key: string; due_in: number }>(
      `select singleton_key as key, extract(epoch from start_after - now()) as due_in from ${db.schema}_jobs.job where state < 'completed'`,
    );
    assert.deepEqual(live.map((r) => r.key).sort(), [...ids].sort());
    assert.ok(live.every((r) => Number(r.due_in) > 50), JSON.stringify(live));
  });

  it("refuses a store that is not PostgreSQL and a missing interval", () => {
    const partner = partnerFor(world);
    assert.throws(() => createSyncWorker({ url: "sqlite:/tmp/x.db", store, partner, intervalMs: 1000 }), TypeError);
    assert.throws(() => createSyncWorker({ url: db.url, store, partner } as never), /intervalMs/);
    assert.throws(() => createSyncWorker({ url: db.url, store, partner, intervalMs: 1000, pollMs: 100 }), /pollMs/);
  });
});
