/**
 * Tenants that are not ready are never skipped silently, through the real binary against the
 * emulator: with one customer who has not consented yet, `sync` names it on stderr with the
 * reason and what to do, `sync --json` lists it under `skipped`, `sync --watch` names it once
 * (not every interval), and `alerts list --all` leaves it out the same way. Skipped is not
 * failed: exit 0. A named `--tenant` is still queried, and `tenants verify --all` still takes it.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { after, before, describe, it } from "node:test";
import { bin, emulatorInitArgs, https, type ReadyLine, runCli, startEmulator, tempDir } from "./helpers.js";

interface SyncJson {
  ok: boolean;
  tenants: Array<{ tenantId: string; status: string }>;
  skipped: Array<{ tenantId: string; name: string; state: string; reason: string }>;
}

describe("tenants a sync and --all skip are named", () => {
  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  let info: ReadyLine;
  const home = tempDir("mde-cli-skipped-");
  const env = () => ({ MDE_TEST_SECRET: info.partnerApp.clientSecret });
  const cli = (args: string[]) => runCli(args, { home, env: env() });
  let ready: string;
  let pending: string;

  before(async () => {
    emulator = await startEmulator(["--tenants", "2", "--alerts-per-tenant", "3", "--machines-per-tenant", "1", "--seed", "31"]);
    info = emulator.info;
    ready = info.tenants[0]!.id;
    pending = info.tenants[1]!.id;
    const r = await https(`${info.controlUrl}/tenants/${pending}/consent`, emulator.ca, { method: "DELETE" });
    assert.ok(r.status < 300, `revoke consent: ${r.status}`);
    for (const args of [
      emulatorInitArgs(info, "MDE_TEST_SECRET"),
      ["tenants", "add", ready, "--name", "Contoso"],
      ["tenants", "add", pending, "--name", "Fabrikam"],
    ]) {
      const run = await cli(args);
      assert.equal(run.code, 0, `${args.join(" ")}: ${run.stderr}`);
    }
  });
  after(async () => {
    await emulator?.stop();
  });

  const skippedLine = () =>
    new RegExp(
      `skipped tenant Fabrikam \\(${pending}\\), pending_consent: consent not given yet; .*mde-partner consent link ${pending}.*mde-partner tenants verify ${pending}`,
    );

  it("sync names the pending tenant on stderr and exits 0; --json lists it under skipped", async () => {
    let r = await cli(["sync"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, skippedLine());
    assert.equal(r.stderr.match(/skipped tenant/g)?.length, 1);

    r = await cli(["sync", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as SyncJson;
    assert.equal(report.ok, true);
    assert.deepEqual(
      report.tenants.map((t) => t.tenantId),
      [ready],
    );
    assert.deepEqual(report.skipped, [{ tenantId: pending, name: "Fabrikam", state: "pending_consent", reason: "consent not given yet" }]);

    // Named tenants: nothing is skipped, and the field is still there.
    r = await cli(["sync", "--tenant", ready, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((JSON.parse(r.stdout) as SyncJson).skipped, []);
    assert.doesNotMatch(r.stderr, /skipped tenant/);
  });

  it("sync --watch names a skipped tenant once, not every interval", async () => {
    const child = spawn(process.execPath, [bin, "sync", "--watch", "--interval", "5s", "--json"], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, MDE_PARTNER_HOME: home, NO_COLOR: "1", ...env() },
    });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const closed = once(child, "close");
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no second report in time: ${stderr}`)), 60_000);
      child.stdout.on("data", (d) => {
        stdout += d;
        if (stdout.split("\n").filter((l) => l.trim() !== "").length >= 2) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill("SIGINT");
    const [code] = (await closed) as [number];
    assert.equal(code, 0, stderr);
    const reports = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as SyncJson);
    assert.ok(reports.length >= 2);
    for (const report of reports) assert.deepEqual(report.skipped.map((s) => s.tenantId), [pending], "every report lists it");
    assert.equal(stderr.match(/skipped tenant/g)?.length, 1, stderr);
    assert.match(stderr, skippedLine());
  });

  it("alerts list --all leaves the pending tenant out the same way; --tenant still queries it; verify --all takes it", async () => {
    let r = await cli(["alerts", "list", "--all", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const alerts = JSON.parse(r.stdout) as Array<{ tenantId: string }>;
    assert.ok(alerts.length > 0);
    assert.deepEqual([...new Set(alerts.map((a) => a.tenantId))], [ready]);
    assert.match(r.stderr, skippedLine());
    assert.doesNotMatch(r.stderr, /ERR_MDE_CONSENT_REQUIRED/);

    r = await cli(["alerts", "list", "--tenant", pending]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /ERR_MDE_CONSENT_REQUIRED/);
    assert.doesNotMatch(r.stderr, /skipped tenant/);

    r = await cli(["tenants", "verify", "--all"]);
    assert.equal(r.code, 3, r.stderr + r.stdout);
    assert.match(r.stderr, new RegExp(`error: tenant .*${pending}`));
    assert.doesNotMatch(r.stderr, /skipped tenant/);
  });
});
