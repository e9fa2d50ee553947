/**
 * Hunts and bulk response actions as jobs on the distributed workers: two
 * worker processes on one PostgreSQL database run a submitted batch, one job
 * per tenant or machine. A hunt batch returns exactly what the in-process
 * cross-tenant hunt returns, each tenant queried once; a query error fails
 * every tenant at once without retries, a transient 5xx is retried; a bulk
 * isolate survives a worker SIGKILLed while it waits for its actions, with one
 * MDE action per machine (the survivor adopts the dead worker's action
 * instead of sending another); a batch whose jobs were never queued is
 * picked up by the reconciler. A worker follows more waiting actions than
 * its slots: waiting is polling, not work.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createPartnerClient, machineActionFilter, type PartnerClient, type PartnerTenant } from "@mde-partner/client";
import {
  type BatchQueue,
  huntAcrossTenants,
  openBatchQueue,
  openStore,
  readHuntBatch,
  readResponseActionBatch,
  type Store,
  waitForBatch,
} from "@mde-partner/sync";
import { createWorkerDatabase, type EmulatorProcess, startEmulator, startWorker, type WorkerProcess } from "./fixtures/worker-world.js";

const TENANTS = 6;
const sortRows = (rows: Array<Record<string, unknown>>) => rows.map((r) => JSON.stringify(r)).sort();

describe("hunts and response actions as jobs on two workers", () => {
  let dir: string;
  let emulator: EmulatorProcess;
  let db: Awaited<ReturnType<typeof createWorkerDatabase>>;
  let store: Store;
  let queue: BatchQueue;
  let partner: PartnerClient<PartnerTenant>;
  const workers: WorkerProcess[] = [];
  // The worker left after the bulk isolate's SIGKILL.
  let survivor: WorkerProcess;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "mde-tasks-"));
    emulator = await startEmulator({
      seed: "workers-tasks",
      tenants: TENANTS,
      alertsPerTenant: 10,
      machinesPerTenant: 2,
      actionPendingMs: 1500,
      actionInProgressMs: 2500,
      stateDir: join(dir, "emulator"),
    });
    db = await createWorkerDatabase();
    store = await openStore({ url: db.url });
    for (const t of emulator.info.tenants) await store.upsertTenant({ id: t.id, name: t.name, initialState: "consented" });
    queue = openBatchQueue({ url: db.url, store, taskSettings: { taskLeaseSec: 4, taskRetryDelaySec: 1 } });
    const info = emulator.info;
    partner = createPartnerClient({
      clientId: info.partnerApp.clientId,
      credential: { clientSecret: info.partnerApp.clientSecret },
      cloud: { name: "custom", loginUrl: info.loginUrl, apiUrl: info.apiUrl, ca: info.caCertFile },
    });
    const common = {
      url: db.url,
      info,
      // Syncs stay out of the way: one pass, then an hour's rest.
      intervalMs: 3_600_000,
      concurrency: 3,
      reconcileAfterMs: 1000,
      retry: { maxTransientRetries: 0, maxThrottleRetries: 2 },
    };
    for (const id of ["t1", "t2"]) workers.push(startWorker({ ...common, workerId: id }));
    await Promise.all(workers.map((w) => w.waitFor((e) => e.type === "started", 30_000)));
  });

  after(async () => {
    await Promise.all(workers.map((w) => w.kill()));
    await queue?.close();
    await partner?.close();
    await store?.close();
    await db?.drop();
    await emulator?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const ids = () => emulator.info.tenants.map((t) => t.id);
  /** Waits for the batch's end (60 s at most); on a timeout, says which items are stuck and what the workers did. */
  const finished = async (batchId: string) => {
    try {
      return await waitForBatch(store, batchId, { pollMs: 200, signal: AbortSignal.timeout(60_000) });
    } catch (error) {
      const stuck = (await store.listBatchItems(batchId)).filter((i) => i.state !== "done" && i.state !== "failed");
      const events = workers.flatMap((w) => w.events.filter((e) => String(e.type).startsWith("task") || e.type === "error").slice(-10));
      assert.fail(`batch ${batchId} unfinished (${(error as Error).name}): ${JSON.stringify(stuck.map((i) => [i.key, i.state, i.attempts, i.workerId]))}; ${JSON.stringify(events)}; ${workers.map((w) => w.stderr().slice(-1000)).join(" | ")}`);
    }
  };
  const huntCalls = async (afterSeq: number) =>
    (await emulator.journal({ kind: "graph", afterSeq })).filter((e) => e.operation === "RunHuntingQuery");
  const lastSeq = async () => (await emulator.journal()).at(-1)?.seq ?? 0;

  it("a hunt batch returns what the in-process hunt returns, one query per tenant, run by the workers", async (t) => {
    const query = "DeviceInfo | project DeviceId, DeviceName, OSPlatform | order by DeviceId asc";
    const direct = await huntAcrossTenants({ partner, store, tenantIds: ids(), query });
    assert.equal(direct.errors.length, 0);
    assert.ok(direct.rows.length >= TENANTS * 2, `${direct.rows.length} rows`);
    const since = await lastSeq();

    const batch = await queue.submitHunt({ actor: "test:analyst", query, tenantIds: ids() });
    assert.equal(batch.total, TENANTS);
    assert.equal(batch.state, "running");
    const done = await finished(batch.id);
    assert.deepEqual(done.counts, { queued: 0, running: 0, done: TENANTS, failed: 0 });
    const result = await readHuntBatch(store, batch.id);
    assert.deepEqual(result.schema, direct.schema);
    assert.deepEqual(sortRows(result.rows), sortRows(direct.rows));
    assert.deepEqual(result.errors, []);

    const calls = await huntCalls(since);
    assert.deepEqual(calls.map((c) => c.tenantId).sort(), ids().sort(), "each tenant queried once");
    assert.ok(calls.every((c) => /test-worker\/t[12]/.test(c.userAgent ?? "")), "by the workers, not by the submitter");
    const items = await store.listBatchItems(batch.id);
    assert.ok(items.every((i) => i.attempts === 1 && i.workerId !== null));
    const perWorker = new Map<string, number>();
    for (const i of items) perWorker.set(i.workerId ?? "?", (perWorker.get(i.workerId ?? "?") ?? 0) + 1);
    t.diagnostic(`items per worker: ${JSON.stringify([...perWorker])}`);
  });

  it("a query error fails every tenant at once; a transient 5xx is retried by pg-boss until it passes", async () => {
    let since = await lastSeq();
    const bad = await queue.submitHunt({ actor: "test:analyst", query: "DeviceInfo | where", tenantIds: ids() });
    const badDone = await finished(bad.id);
    assert.equal(badDone.counts.failed, TENANTS);
    const badResult = await readHuntBatch(store, bad.id);
    assert.equal(badResult.errors.length, TENANTS);
    assert.ok(badResult.errors.every((e) => e.code === "ERR_MDE_BAD_REQUEST"), JSON.stringify(badResult.errors[0]));
    assert.equal((await huntCalls(since)).length, TENANTS, "a syntax error is not retried");

    // Two 500s for one tenant: the client does not retry (maxTransientRetries 0), the job does.
    const [flaky] = ids();
    await emulator.control("POST", "/faults", { target: "graph", tenantId: flaky, pathContains: "runHuntingQuery", status: 500, count: 2 });
    since = await lastSeq();
    const batch = await queue.submitHunt({ actor: "test:analyst", query: "DeviceInfo | count", tenantIds: ids() });
    const done = await finished(batch.id);
    await emulator.control("DELETE", "/faults");
    assert.equal(done.counts.done, TENANTS, JSON.stringify((await store.listBatchItems(batch.id)).filter((i) => i.error)));
    const flakyItem = (await store.listBatchItems(batch.id)).find((i) => i.tenantId === flaky)!;
    assert.equal(flakyItem.attempts, 3);
    const calls = await huntCalls(since);
    assert.equal(calls.filter((c) => c.tenantId === flaky).length, 3);
    assert.equal(calls.length, TENANTS + 2);
  });

  it("a bulk isolate survives a worker SIGKILLed while waiting: one MDE action per machine, every item final", async (t) => {
    const targets: Array<{ tenantId: string; machineId: string }> = [];
    for (const tenantId of ids()) for await (const m of partner.tenant(tenantId).machines.list()) targets.push({ tenantId, machineId: m.id });
    assert.equal(targets.length, TENANTS * 2);
    const startsBefore = new Map(workers.map((w) => [w, w.events.length]));

    const batch = await queue.submitResponseActions({
      actor: "test:responder",
      action: "isolate",
      comment: "INC-7 contain",
      targets,
      wait: true,
      waitTimeoutMs: 15_000,
      pollIntervalMs: 300,
    });
    // Kill the first worker that waits on an action it created (the action exists in the store, the
    // item is not final); on a loaded machine either worker may be the first to take an item.
    const [w1, start] = await Promise.any(
      workers.map((w) =>
        w
          .waitFor((e) => e.type === "task-start" && e.kind === "response-action" && w.events.indexOf(e) >= startsBefore.get(w)!, 30_000)
          .then((e) => [w, e] as const),
      ),
    );
    const w2 = workers.find((w) => w !== w1)!;
    survivor = w2;
    const [tenantId, machineId] = String(start.key).split("/") as [string, string];
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && (await store.listMachineActions(tenantId, { machineId })).length === 0) await new Promise((r) => setTimeout(r, 100));
    assert.ok((await store.listMachineActions(tenantId, { machineId })).length > 0, "w1 created the action before it was killed");
    await w1.kill();
    const orphan = (await store.listBatchItems(batch.id)).find((i) => i.key === start.key)!;
    assert.equal(orphan.state, "running");

    const done = await finished(batch.id);
    assert.deepEqual(done.counts, { queued: 0, running: 0, done: targets.length, failed: 0 });
    const items = await readResponseActionBatch(store, batch.id);
    assert.ok(items.every((i) => i.outcome?.result === "succeeded"), JSON.stringify(items.find((i) => i.outcome?.result !== "succeeded")));
    const taken = items.find((i) => `${i.tenantId}/${i.machineId}` === start.key)!;
    assert.equal(taken.outcome?.adopted, true, "the survivor adopted the dead worker's action");
    assert.ok(w2.events.some((e) => e.type === "task-done" && e.key === start.key && e.outcome === "done"));
    // Waiting for an action is polling, not work: a worker follows more actions than its 3 slots.
    const inFlight = (w: WorkerProcess) => {
      let now = 0;
      let most = 0;
      for (const e of w.events) {
        if (e.batchId !== batch.id) continue;
        if (e.type === "task-start") most = Math.max(most, ++now);
        if (e.type === "task-done") now--;
      }
      return most;
    };
    t.diagnostic(`most actions in flight at once: w1 ${inFlight(w1)}, w2 ${inFlight(w2)} (concurrency 3)`);
    assert.ok(inFlight(w2) > 3 || inFlight(w1) > 3, "waiting actions free their slots");

    // Exactly one Isolate of this batch per machine at the service, dead worker or not (the seeded history has older ones).
    const f = machineActionFilter;
    for (const target of targets) {
      const ours = [];
      const list = partner.tenant(target.tenantId).machineActions.list({ filter: f.and(f.eq("machineId", target.machineId), f.eq("type", "Isolate")) });
      for await (const a of list) if (a.requestorComment === "INC-7 contain") ours.push(a);
      assert.equal(ours.length, 1, `${target.machineId}: ${ours.length} Isolate actions of this batch`);
    }
    // Every machine's request and outcome are in the audit log, under the submitter's name.
    const audit = await store.queryAudit({ action: "machine.isolate", actor: "test:responder", limit: 1000 });
    assert.equal(new Set(audit.filter((a) => a.phase === "completed").map((a) => a.target)).size, targets.length);
    t.diagnostic(`${audit.length} audit entries for ${targets.length} machines`);
  });

  it("a batch whose submitter died before queuing its jobs is queued by the reconciler", async () => {
    const { batch } = await store.createBatch({ kind: "hunt", actor: "test:crashed", request: { query: "DeviceInfo | count" }, items: ids().map((tenantId) => ({ tenantId })) });
    const done = await finished(batch.id);
    assert.equal(done.counts.done, TENANTS);
    assert.ok(survivor.events.some((e) => e.type === "reconciled" && Number(e.requeued) >= 1));
  });
});
