/**
 * `mde-partner worker` as its own process, with the real binary against
 * the emulator and a PostgreSQL store: it syncs every tenant, runs
 * `hunt --workers` and `machines isolate --workers` submitted by other CLI
 * runs (their results printed as the in-process commands print them),
 * `batches list|show|wait` read them back, SIGTERM stops it with exit 0, and
 * a SQLite store or a stray --workers flag is a usage error (exit 2) in one
 * line. The client secret appears in no output.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { type CliHome, emulatorHome, type EmulatorWorld, oneLineError, type RunningCli, servedEmulator, tempDir } from "./helpers.js";

const PG_URL = process.env.PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

describe("mde-partner worker with hunts and response actions from other CLI runs", () => {
  let world: EmulatorWorld;
  let cli: CliHome;
  const schema = `cli_workers_${randomBytes(4).toString("hex")}`;
  const dbUrl = `${PG_URL}${PG_URL.includes("?") ? "&" : "?"}schema=${schema}`;
  let worker: RunningCli | undefined;
  /** Waits until the worker's stderr matches (it fails when the worker exits first). */
  const workerSays = (pattern: RegExp, timeoutMs = 30_000) => worker!.waitFor(pattern, timeoutMs, "stderr");

  before(async () => {
    world = await servedEmulator({ tenants: 3, alertsPerTenant: 20, machinesPerTenant: 2, seed: 31 });
    cli = await emulatorHome(world.info, { env: { MDE_PARTNER_ACTOR: "soc-analyst" }, initArgs: ["--db", dbUrl], tenants: world.info.tenants });
    await cli.ok(["tenants", "verify", "--all"]);
  });

  after(async () => {
    await worker?.stop("SIGKILL");
    await world?.stop();
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`drop schema if exists ${schema} cascade`);
    await c.query(`drop schema if exists ${schema}_jobs cascade`);
    await c.end();
  });

  it("syncs, runs submitted hunts and isolations, lists them, and stops on SIGTERM with exit 0", async () => {
    worker = cli.start(["worker", "--interval", "1h", "--concurrency", "2"]);
    await workerSays(/worker \S+ started: 2 at a time/);
    // Every tenant's first sync, by the worker.
    for (const t of world.info.tenants) await workerSays(new RegExp(`tenant ${t.id}: 20 new`));
    let r = await cli.run(["alerts", "list", "--all", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as unknown[]).length, 60);

    // A hunt across every tenant, run by the worker: the rows of all three, merged with TenantId first.
    r = await cli.run(["hunt", "--workers", "DeviceInfo | summarize n = count() by DeviceId", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /batch [0-9a-f-]{36}: 3 item\(s\) queued for the workers/);
    const hunt = JSON.parse(r.stdout) as { schema: Array<{ name: string }>; rows: Array<{ TenantId: string; DeviceId: string }>; errors: unknown[] };
    assert.deepEqual(hunt.errors, []);
    assert.deepEqual(hunt.schema.slice(0, 2).map((c) => c.name), ["TenantId", "TenantName"]);
    assert.deepEqual([...new Set(hunt.rows.map((x) => x.TenantId))].sort(), world.info.tenants.map((t) => t.id).sort());
    assert.equal(hunt.rows.length, 6, "two machines in each of three tenants");
    await workerSays(/hunt [0-9a-f-]{36} of batch [0-9a-f-]{36}: done/);

    // Isolate both machines of one tenant through the worker.
    const [t0] = world.info.tenants;
    r = await cli.run(["machines", "list", "--tenant", t0!.id, "--json"]);
    const machineIds = (JSON.parse(r.stdout) as Array<{ id: string }>).map((m) => m.id);
    assert.equal(machineIds.length, 2);
    r = await cli.run(["machines", "isolate", t0!.id, ...machineIds, "--comment", "INC-9 contain", "--yes", "--workers", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const outcomes = JSON.parse(r.stdout) as Array<{ machineId: string; result: string; machineAction?: { type: string; requestorComment: string } }>;
    assert.deepEqual(outcomes.map((o) => o.machineId).sort(), [...machineIds].sort());
    assert.ok(outcomes.every((o) => o.result === "created" && o.machineAction?.type === "Isolate" && o.machineAction.requestorComment === "INC-9 contain"));

    // Submitted without following, then followed by id.
    r = await cli.run(["hunt", "--workers", "--detach", "DeviceInfo | take 1", "--tenant", t0!.id]);
    assert.equal(r.code, 0, r.stderr);
    const batchId = r.stdout.trim();
    assert.match(batchId, /^[0-9a-f-]{36}$/);
    r = await cli.run(["batches", "wait", batchId, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { rows: Array<{ TenantId: string }> }).rows[0]?.TenantId, t0!.id);

    r = await cli.run(["batches", "list", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const batches = JSON.parse(r.stdout) as Array<{ id: string; kind: string; state: string; actor: string; total: number }>;
    assert.deepEqual(
      batches.map((b) => [b.kind, b.state, b.total, b.actor]),
      [
        ["hunt", "done", 1, "cli:soc-analyst"],
        ["response-action", "done", 2, "cli:soc-analyst"],
        ["hunt", "done", 3, "cli:soc-analyst"],
      ],
    );
    r = await cli.run(["batches", "list"]);
    assert.match(r.stdout, /ID\s+KIND\s+STATE\s+DONE/);
    assert.match(r.stdout, /response-action\s+done\s+2\/2/);
    r = await cli.run(["batches", "show", batches[1]!.id]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /isolate\s+created/);

    // Retention: nothing finished 30 days ago; everything finished before a minute from now.
    r = await cli.run(["batches", "prune", "--older-than", "30d", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { deleted: number }).deleted, 0);
    r = await cli.run(["batches", "prune", "--older-than", new Date(Date.now() + 60_000).toISOString().replace(/\.\d+Z$/, "Z"), "--json"]);
    assert.equal((JSON.parse(r.stdout) as { deleted: number }).deleted, 3);
    r = await cli.run(["batches", "list", "--json"]);
    assert.deepEqual(JSON.parse(r.stdout), []);

    // SIGTERM: the worker finishes what it holds and exits 0.
    assert.equal(await worker.stop("SIGTERM"), 0, worker.stderr().slice(-1500));
    assert.match(worker.stderr(), /SIGTERM: finishing the current pages/);
    assert.match(worker.stderr(), /worker \S+ stopped/);
    assert.equal(worker.stdout(), "", "the worker writes notes to stderr only");

    const secret = world.info.partnerApp.clientSecret;
    for (const run of [...cli.runs, { stdout: worker.stdout(), stderr: worker.stderr() }]) assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret));
  });

  it("refuses a SQLite store and stray flags with one line and exit 2", async () => {
    const sqlite = `sqlite:${tempDir("mde-cli-worker-sqlite-")}/store.db`;
    for (const args of [
      ["worker", "--db", sqlite],
      ["hunt", "--workers", "--db", sqlite, "DeviceInfo | take 1"],
      ["hunt", "--db", dbUrl, "DeviceInfo | take 1"],
      ["hunt", "--detach", "DeviceInfo | take 1"],
      ["batches", "show", "not-a-batch"],
      ["batches", "show", "00000000-0000-4000-8000-000000000000"],
      ["batches", "list", "--state", "finished"],
      ["batches", "prune"],
      ["batches", "prune", "--older-than", "soon"],
    ]) {
      const r = await cli.run(args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      oneLineError(r.stderr);
    }
  });
});
