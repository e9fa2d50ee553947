/**
 * Faults of the processes around the workers: the emulator restarted in the
 * middle of the first sync (same seed, state folder and port: the same data,
 * new signing keys, every connection reset), a worker SIGKILLed in the middle
 * of a page (its tenant is taken over after the lease; a new worker joins),
 * and — in the full form only, when this machine's PostgreSQL can be restarted
 * safely — the database restarted mid-sync. After each, every tenant equals
 * the emulator's ground truth with no duplicate rows, and the affected
 * tenants' states and runs say what happened.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { eventually, FULL, type FaultWorld, startFaultWorld } from "./fixtures/fault-world.js";
import { waitConverged, type WorkerProcess } from "./fixtures/worker-world.js";
import { PG_URL } from "./helpers/databases.js";

/** The command that restarts the local PostgreSQL of PG_URL, or why it cannot be done safely here. */
async function postgresRestart(world: FaultWorld): Promise<{ command: string[] } | { skip: string }> {
  if (!FULL) return { skip: "PostgreSQL restart runs in the full form only (npm run test:faults)" };
  const url = new URL(PG_URL);
  if (!["127.0.0.1", "localhost", "::1", "[::1]"].includes(url.hostname)) return { skip: `PG_URL is not a local server (${url.hostname})` };
  if (process.getuid?.() !== 0) return { skip: "restarting PostgreSQL needs root (pg_ctlcluster)" };
  let clusters: string;
  try {
    clusters = execFileSync("pg_lsclusters", ["--no-header"], { encoding: "utf8" });
  } catch {
    return { skip: "pg_lsclusters not found: not a Debian-managed PostgreSQL" };
  }
  const port = url.port || "5432";
  const line = clusters.split("\n").find((l) => l.split(/\s+/)[2] === port && /\bonline\b/.test(l));
  if (!line) return { skip: `no online Debian cluster on port ${port}` };
  const [version, cluster] = line.split(/\s+/) as [string, string];
  // Anyone else's session would break: restart only a server this test has to itself.
  const others = await world.db.sql<{ n: string }>(
    `select count(*) as n from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()
     and coalesce(application_name, '') <> '${world.db.applicationName}'`,
  );
  const n = Number(others[0]?.n ?? 0);
  if (n > 0) return { skip: `${n} other session(s) are connected to this PostgreSQL server: restarting it would break them` };
  return { command: ["pg_ctlcluster", "--skip-systemctl-redirect", version, cluster, "restart"] };
}

describe(`workers when the processes around them fail (${FULL ? "full" : "short"} form)`, () => {
  let world: FaultWorld;
  before(async () => {
    world = await startFaultWorld("process", { tenants: 8, alerts: 2000 });
  });
  after(() => world?.stop());

  // Generous: it returns as soon as the data is complete, and a busy machine (other suites, 2 cores) is slow.
  const converge = () => waitConverged(world.store, world.emulator, world.tenantIds, 90_000);
  const verified = () =>
    eventually(
      "every tenant is verified",
      async () => (await Promise.all(world.tenantIds.map((id) => world.store.getTenant(id)))).every((t) => t?.state === "verified"),
      30_000,
    );
  const pages = () => world.workers.flatMap((w) => w.events.filter((e) => e.type === "page")).length;

  /**
   * Catches `worker` inside an alerts run, between two pages, with no sleeping
   * on a guess: after one of its committed pages, the tenant's next alert
   * requests are held at the emulator (latency fault), and the worker is known
   * to be inside that run once the emulator holds a request while the run the
   * page belonged to is still the tenant's running one. The client's timeout
   * and one retry keep it there for seconds: the kill lands mid-run however
   * busy the machine is. Returns the tenant and the fault to clear.
   */
  async function holdInsidePage(worker: WorkerProcess): Promise<{ victim: string; faultId: string }> {
    const HITS = 1000;
    for (let attempt = 1; ; attempt++) {
      await world.churn(250); // several pages per tenant for the next runs
      const seen = worker.events.length;
      const page = await worker.waitFor((e) => e.type === "page" && e.stream === "alerts" && worker.events.indexOf(e) >= seen, 30_000);
      const victim = String(page.tenantId);
      const newest = async () => (await world.store.listSyncRuns({ tenantId: victim, stream: "alerts", limit: 1 }))[0];
      const run = await newest();
      if (run?.status === "running") {
        const fault = await world.emulator.control("POST", "/faults", {
          target: "api",
          tenantId: victim,
          pathContains: "/alerts",
          latencyMs: 60_000,
          count: HITS,
          durationMs: 120_000,
        });
        const faultId = String(fault.id);
        const held = async () => {
          const rules = (await world.emulator.control("GET", "/faults")) as unknown as Array<{ id: string; count?: number }>;
          const rule = rules.find((r) => r.id === faultId);
          return rule === undefined || (rule.count ?? HITS) < HITS;
        };
        // Either the run's next request is held, or the run ended (that page was its last).
        await eventually("the victim's next alert request reaches the emulator, or its run ends", async () => (await held()) || (await newest())?.id !== run.id || (await newest())?.status !== "running", 20_000);
        const now = await newest();
        if ((await held()) && now?.id === run.id && now.status === "running") return { victim, faultId };
        await world.emulator.control("DELETE", `/faults/${faultId}`);
      }
      assert.ok(attempt < 5, "caught the worker inside an alerts run within 5 rounds of changes");
    }
  }

  it("emulator restarted mid-sync (same seed and state): connection errors are retried, the data completes", async () => {
    // In the middle of the first sync: some pages are in, not all.
    await eventually("the first pages are in", () => pages() >= 10, 30_000);
    const before = await Promise.all(world.tenantIds.map((id) => world.store.groundTruth(id)));
    assert.ok(
      before.some((g, i) => g.alerts < world.emulator.info.tenants[i]!.alerts),
      "restarted before the first sync was complete",
    );
    await world.emulator.restart(1500);
    await converge();
    const failing = await Promise.all(world.tenantIds.map(async (id) => (await world.reasons(id)).includes("service failing")));
    assert.ok(failing.some(Boolean), "the outage shows in the tenants' histories");
    await verified();
    // The restarted emulator keeps changing: the workers follow.
    await world.churn(20);
    await converge();
  });

  it("a worker SIGKILLed mid-page: its tenant is taken over after the lease, a new worker joins, nothing lost or doubled", async () => {
    const [w1, w2] = world.workers as [WorkerProcess, WorkerProcess];
    const { victim, faultId } = await holdInsidePage(w1);
    const killedAt = new Date().toISOString();
    await w1.kill();
    // The others may now sync the victim at full speed.
    await world.emulator.control("DELETE", `/faults/${faultId}`);
    const w3 = world.startWorker("w3");
    // The victim's data is incomplete by construction: it waits for the lease to run out.
    await converge();
    // Once the lease has run out, another worker finished the killed worker's job for the victim.
    const match = (e: Record<string, unknown>) => e.type === "job-done" && e.tenantId === victim && e.outcome === "next";
    await Promise.any([w2.waitFor(match, 30_000), w3.waitFor(match, 30_000)]).catch(() => assert.fail("another worker finished the killed worker's tenant"));
    // The new worker joined (and is stoppable by the last test), however long its start took.
    await w3.waitFor((e) => e.type === "started", 120_000);
    const runs = await world.store.listSyncRuns({ tenantId: victim });
    assert.ok(
      runs.some((r) => r.status === "running" && r.finishedAt === null),
      `the killed run is on record, unfinished: ${runs.map((r) => r.status).join(", ")}`,
    );
    // The taker's run succeeded (the tenant's next run, an interval later, may already be under way).
    assert.ok(
      runs.some((r) => r.status === "succeeded" && r.startedAt > killedAt),
      `a run after the kill succeeded: ${runs.map((r) => `${r.status}@${r.startedAt}`).join(", ")}`,
    );
    await verified();
  });

  it("PostgreSQL restarted mid-sync: the workers reconnect and complete", async (t) => {
    const restart = await postgresRestart(world);
    if ("skip" in restart) {
      t.skip(restart.skip);
      return;
    }
    await world.churn(250);
    const seen = pages();
    await eventually("a few pages of the new changes are in", () => pages() >= seen + 3, 30_000);
    execFileSync(restart.command[0]!, restart.command.slice(1), { stdio: "inherit" });
    await converge();
    await verified();
    const interrupted = await Promise.all(
      world.tenantIds.map(async (id) => (await world.store.listSyncRuns({ tenantId: id, stream: "alerts" })).some((r) => r.status !== "succeeded")),
    );
    assert.ok(interrupted.some(Boolean), "the interrupted runs are on record");
  });

  it("the workers stop cleanly afterwards", async () => {
    const alive = world.workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
    assert.deepEqual(await Promise.all(alive.map((w) => w.stop())), alive.map(() => 0));
  });
});
