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

  const converge = () => waitConverged(world.store, world.emulator, world.tenantIds, FULL ? 90_000 : 40_000);
  const verified = () =>
    eventually(
      "every tenant is verified",
      async () => (await Promise.all(world.tenantIds.map((id) => world.store.getTenant(id)))).every((t) => t?.state === "verified"),
      30_000,
    );
  const pages = () => world.workers.flatMap((w) => w.events.filter((e) => e.type === "page")).length;

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
    await world.churn(250); // several pages per tenant for the next runs
    const page = await w1.waitFor((e) => {
      if (e.type !== "page" || e.stream !== "alerts") return false;
      const i = w1.events.indexOf(e);
      return !w1.events.slice(i).some((d) => d.type === "job-done" && d.tenantId === e.tenantId);
    }, 30_000);
    const killedAt = new Date().toISOString();
    await w1.kill();
    const victim = String(page.tenantId);
    const w3 = world.startWorker("w3");
    await converge();
    // Once the lease has run out (the data may be complete before: the kill can follow the last commit).
    const match = (e: Record<string, unknown>) => e.type === "job-done" && e.tenantId === victim && e.outcome === "next";
    await Promise.any([w2.waitFor(match, 30_000), w3.waitFor(match, 30_000)]).catch(() => assert.fail("another worker finished the killed worker's tenant"));
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
