/**
 * Tenants that are not ready are never skipped silently, through the real binary against the
 * emulator: with one customer who has not consented yet, `sync` names it on stderr with the
 * reason and what to do, `sync --json` lists it under `skipped`, `sync --watch` names it once
 * (not every interval), and `alerts list --all` leaves it out the same way. Skipped is not
 * failed: exit 0. A named `--tenant` is still queried, and `tenants verify --all` still takes it.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type CliHome, emulatorHome, type EmulatorWorld, servedEmulator } from "./helpers.js";

interface SyncJson {
  ok: boolean;
  tenants: Array<{ tenantId: string; status: string }>;
  skipped: Array<{ tenantId: string; name: string; state: string; reason: string }>;
}

describe("tenants a sync and --all skip are named", () => {
  let world: EmulatorWorld;
  let cli: CliHome;
  let ready: string;
  let pending: string;

  before(async () => {
    world = await servedEmulator({ tenants: 2, alertsPerTenant: 3, machinesPerTenant: 1, seed: 31 });
    ready = world.info.tenants[0]!.id;
    pending = world.info.tenants[1]!.id;
    world.emulator.control.revokeConsent(pending);
    cli = await emulatorHome(world.info, {
      tenants: [
        { id: ready, name: "Contoso" },
        { id: pending, name: "Fabrikam" },
      ],
    });
  });
  after(async () => {
    await world?.stop();
  });

  const skippedLine = () =>
    new RegExp(
      `skipped tenant Fabrikam \\(${pending}\\), pending_consent: consent not given yet; .*mde-partner consent link ${pending}.*mde-partner tenants verify ${pending}`,
    );

  it("sync names the pending tenant on stderr and exits 0; --json lists it under skipped", async () => {
    let r = await cli.run(["sync"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, skippedLine());
    assert.equal(r.stderr.match(/skipped tenant/g)?.length, 1);

    r = await cli.run(["sync", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as SyncJson;
    assert.equal(report.ok, true);
    assert.deepEqual(
      report.tenants.map((t) => t.tenantId),
      [ready],
    );
    assert.deepEqual(report.skipped, [{ tenantId: pending, name: "Fabrikam", state: "pending_consent", reason: "consent not given yet" }]);

    // Named tenants: nothing is skipped, and the field is still there.
    r = await cli.run(["sync", "--tenant", ready, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((JSON.parse(r.stdout) as SyncJson).skipped, []);
    assert.doesNotMatch(r.stderr, /skipped tenant/);
  });

  it("sync --watch names a skipped tenant once, not every interval", async () => {
    const watch = cli.start(["sync", "--watch", "--interval", "5s", "--json"]);
    let code: number | null;
    try {
      // Two reports: the first run and one interval later.
      await watch.waitFor(/^.+\n.+\n/, 60_000);
    } finally {
      code = await watch.stop("SIGINT");
    }
    assert.equal(code, 0, watch.stderr());
    const stdout = watch.stdout();
    const stderr = watch.stderr();
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
    let r = await cli.run(["alerts", "list", "--all", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const alerts = JSON.parse(r.stdout) as Array<{ tenantId: string }>;
    assert.ok(alerts.length > 0);
    assert.deepEqual([...new Set(alerts.map((a) => a.tenantId))], [ready]);
    assert.match(r.stderr, skippedLine());
    assert.doesNotMatch(r.stderr, /ERR_MDE_CONSENT_REQUIRED/);

    r = await cli.run(["alerts", "list", "--tenant", pending]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /ERR_MDE_CONSENT_REQUIRED/);
    assert.doesNotMatch(r.stderr, /skipped tenant/);

    r = await cli.run(["tenants", "verify", "--all"]);
    assert.equal(r.code, 3, r.stderr + r.stdout);
    assert.match(r.stderr, new RegExp(`error: tenant .*${pending}`));
    assert.doesNotMatch(r.stderr, /skipped tenant/);
  });
});
