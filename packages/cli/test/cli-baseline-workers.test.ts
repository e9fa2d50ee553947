/**
 * `baseline apply --workers` with the real binary, a `mde-partner worker` process and a PostgreSQL
 * store against the emulator (HTTPS): the apply runs as one job per tenant on the worker, prints
 * each tenant's result as the in-process apply does, a plan afterwards shows no changes, and a
 * second apply on the workers makes no write call. The worker also checks the applied baseline for
 * drift on its own schedule.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { type CliHome, emulatorHome, type EmulatorWorld, https, type RunningCli, servedEmulator, tempDir } from "./helpers.js";

const PG_URL = process.env.PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

const BASELINE = `name: workers-fleet
scope:
  tenants: all
indicators:
  - indicatorType: DomainName
    indicatorValue: c2.example
    action: Block
    title: C2 domain
  - indicatorType: Url
    indicatorValue: https://phish.example/login
    action: Warn
    title: Phishing page
detectionRules:
  - key: encoded-powershell
    displayName: Encoded PowerShell
    query: DeviceProcessEvents | where ProcessCommandLine has "-enc"
    schedule: 3H
    alertTemplate:
      title: Encoded PowerShell
      severity: medium
`;

describe("mde-partner baseline apply --workers", () => {
  let world: EmulatorWorld;
  let cli: CliHome;
  const home = tempDir("mde-cli-baseline-workers-");
  const schema = `cli_baseline_${randomBytes(4).toString("hex")}`;
  const dbUrl = `${PG_URL}${PG_URL.includes("?") ? "&" : "?"}schema=${schema}`;
  let worker: RunningCli | undefined;
  const writesAfter = async (seq: number) =>
    JSON.parse((await https(`${world.info.controlUrl}/journal/writes?afterSeq=${seq}`, world.ca)).body) as { lastSeq: number; total: number };

  before(async () => {
    world = await servedEmulator({ tenants: 3, alertsPerTenant: 1, machinesPerTenant: 1, seed: 41 });
    cli = await emulatorHome(world.info, { home, initArgs: ["--db", dbUrl], tenants: world.info.tenants });
    await cli.ok(["tenants", "verify", "--all"]);
    writeFileSync(join(home, "fleet.yaml"), BASELINE);
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

  it("applies on the worker, idempotently, and the worker checks for drift", async () => {
    worker = cli.start(["worker", "--interval", "1h", "--concurrency", "2"], { env: { MDE_PARTNER_BASELINE_DRIFT_INTERVAL: "10s" } });
    await worker.waitFor(/worker \S+ started/, 30_000, "stderr");
    const file = join(home, "fleet.yaml");
    const r = await cli.run(["baseline", "apply", file, "--workers", "--yes", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /batch [0-9a-f-]{36}: 3 item\(s\) queued for the workers/);
    const applied = JSON.parse(r.stdout) as { tenants: Array<{ tenantId: string; status: string; created: number }> };
    assert.deepEqual(applied.tenants.map((t) => [t.status, t.created]), [["done", 3], ["done", 3], ["done", 3]]);

    const plan = JSON.parse((await cli.ok(["baseline", "plan", file, "--json"])).stdout) as { tenants: Array<{ create: number; update: number; delete: number }> };
    for (const t of plan.tenants) assert.deepEqual([t.create, t.update, t.delete], [0, 0, 0]);

    const seq = (await writesAfter(0)).lastSeq;
    const again = await cli.run(["baseline", "apply", file, "--workers", "--yes"]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal((await writesAfter(seq)).total, 0, "the second apply on the workers wrote something");

    await worker.waitFor(/baseline workers-fleet: 3 tenant\(s\) checked, 0 drifted/, 30_000, "stderr");
  });
});
