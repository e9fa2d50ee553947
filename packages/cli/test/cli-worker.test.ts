/**
 * `mde-partner worker` as its own process, with the real binary against
 * `mde-partner emulator` and a PostgreSQL store: it syncs every tenant, runs
 * `hunt --workers` and `machines isolate --workers` submitted by other CLI
 * runs (their results printed as the in-process commands print them),
 * `batches list|show|wait` read them back, SIGTERM stops it with exit 0, and
 * a SQLite store or a stray --workers flag is a usage error (exit 2) in one
 * line. The client secret appears in no output.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { bin, type CliRun, emulatorInitArgs, oneLineError, type ReadyLine, runCli, startEmulator, tempDir } from "./helpers.js";

const PG_URL = process.env.PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

describe("mde-partner worker with hunts and response actions from other CLI runs", () => {
  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  let info: ReadyLine;
  const home = tempDir("mde-cli-worker-");
  const schema = `cli_workers_${randomBytes(4).toString("hex")}`;
  const dbUrl = `${PG_URL}${PG_URL.includes("?") ? "&" : "?"}schema=${schema}`;
  const runs: CliRun[] = [];
  let worker: ChildProcess | undefined;
  let workerErr = "";
  const env = () => ({ MDE_TEST_CLIENT_SECRET: info.partnerApp.clientSecret, MDE_PARTNER_ACTOR: "soc-analyst" });
  const cli = async (args: string[]) => {
    const r = await runCli(args, { home, env: env() });
    runs.push(r);
    return r;
  };
  /** Waits until the worker's stderr matches. */
  const workerSays = async (pattern: RegExp, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(workerErr)) {
      assert.ok(Date.now() < deadline, `the worker did not say ${pattern} within ${timeoutMs} ms: ${workerErr.slice(-1500)}`);
      assert.equal(worker?.exitCode, null, `the worker exited: ${workerErr.slice(-1500)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  before(async () => {
    emulator = await startEmulator(["--tenants", "3", "--alerts-per-tenant", "20", "--machines-per-tenant", "2", "--seed", "31"]);
    info = emulator.info;
    let r = await cli([...emulatorInitArgs(info, "MDE_TEST_CLIENT_SECRET"), "--db", dbUrl]);
    assert.equal(r.code, 0, r.stderr);
    for (const t of info.tenants) {
      r = await cli(["tenants", "add", t.id, "--name", t.name]);
      assert.equal(r.code, 0, r.stderr);
    }
    r = await cli(["tenants", "verify", "--all"]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
  });

  after(async () => {
    if (worker && worker.exitCode === null && worker.signalCode === null) {
      worker.kill("SIGKILL");
      await once(worker, "exit");
    }
    await emulator?.stop();
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`drop schema if exists ${schema} cascade`);
    await c.query(`drop schema if exists ${schema}_jobs cascade`);
    await c.end();
  });

  it("syncs, runs submitted hunts and isolations, lists them, and stops on SIGTERM with exit 0", async () => {
    worker = spawn(process.execPath, [bin, "worker", "--interval", "1h", "--concurrency", "2"], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, MDE_PARTNER_HOME: home, NO_COLOR: "1", ...env() },
    });
    let workerOut = "";
    worker.stdout!.on("data", (d) => (workerOut += d));
    worker.stderr!.on("data", (d) => (workerErr += d));
    await workerSays(/worker \S+ started: 2 at a time/);
    // Every tenant's first sync, by the worker.
    for (const t of info.tenants) await workerSays(new RegExp(`tenant ${t.id}: 20 new`));
    let r = await cli(["alerts", "list", "--all", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as unknown[]).length, 60);

    // A hunt across every tenant, run by the worker: the rows of all three, merged with TenantId first.
    r = await cli(["hunt", "--workers", "DeviceInfo | summarize n = count() by DeviceId", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /batch [0-9a-f-]{36}: 3 item\(s\) queued for the workers/);
    const hunt = JSON.parse(r.stdout) as { schema: Array<{ name: string }>; rows: Array<{ TenantId: string; DeviceId: string }>; errors: unknown[] };
    assert.deepEqual(hunt.errors, []);
    assert.deepEqual(hunt.schema.slice(0, 2).map((c) => c.name), ["TenantId", "TenantName"]);
    assert.deepEqual([...new Set(hunt.rows.map((x) => x.TenantId))].sort(), info.tenants.map((t) => t.id).sort());
    assert.equal(hunt.rows.length, 6, "two machines in each of three tenants");
    await workerSays(/hunt [0-9a-f-]{36} of batch [0-9a-f-]{36}: done/);

    // Isolate both machines of one tenant through the worker.
    const [t0] = info.tenants;
    r = await cli(["machines", "list", "--tenant", t0!.id, "--json"]);
    const machineIds = (JSON.parse(r.stdout) as Array<{ id: string }>).map((m) => m.id);
    assert.equal(machineIds.length, 2);
    r = await cli(["machines", "isolate", t0!.id, ...machineIds, "--comment", "INC-9 contain", "--yes", "--workers", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const outcomes = JSON.parse(r.stdout) as Array<{ machineId: string; result: string; machineAction?: { type: string; requestorComment: string } }>;
    assert.deepEqual(outcomes.map((o) => o.machineId).sort(), [...machineIds].sort());
    assert.ok(outcomes.every((o) => o.result === "created" && o.machineAction?.type === "Isolate" && o.machineAction.requestorComment === "INC-9 contain"));

    // Submitted without following, then followed by id.
    r = await cli(["hunt", "--workers", "--detach", "DeviceInfo | take 1", "--tenant", t0!.id]);
    assert.equal(r.code, 0, r.stderr);
    const batchId = r.stdout.trim();
    assert.match(batchId, /^[0-9a-f-]{36}$/);
    r = await cli(["batches", "wait", batchId, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { rows: Array<{ TenantId: string }> }).rows[0]?.TenantId, t0!.id);

    r = await cli(["batches", "list", "--json"]);
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
    r = await cli(["batches", "list"]);
    assert.match(r.stdout, /ID\s+KIND\s+STATE\s+DONE/);
    assert.match(r.stdout, /response-action\s+done\s+2\/2/);
    r = await cli(["batches", "show", batches[1]!.id]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /isolate\s+created/);

    // Retention: nothing finished 30 days ago; everything finished before a minute from now.
    r = await cli(["batches", "prune", "--older-than", "30d", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { deleted: number }).deleted, 0);
    r = await cli(["batches", "prune", "--older-than", new Date(Date.now() + 60_000).toISOString().replace(/\.\d+Z$/, "Z"), "--json"]);
    assert.equal((JSON.parse(r.stdout) as { deleted: number }).deleted, 3);
    r = await cli(["batches", "list", "--json"]);
    assert.deepEqual(JSON.parse(r.stdout), []);

    // SIGTERM: the worker finishes what it holds and exits 0.
    worker.kill("SIGTERM");
    const [code] = (await once(worker, "exit")) as [number | null];
    assert.equal(code, 0, workerErr.slice(-1500));
    assert.match(workerErr, /SIGTERM: finishing the current pages/);
    assert.match(workerErr, /worker \S+ stopped/);
    assert.equal(workerOut, "", "the worker writes notes to stderr only");

    const secret = info.partnerApp.clientSecret;
    for (const run of [...runs, { stdout: workerOut, stderr: workerErr }]) assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret));
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
      const r = await cli(args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      oneLineError(r.stderr);
    }
  });
});
