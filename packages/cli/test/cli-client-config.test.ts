/**
 * `client` in config.json sets the partner client's limits for every command (client-config.ts),
 * through the real binary against the emulator over HTTPS: the largest answer a page may be, an
 * API call's time limit and its retries; and a `client` entry the CLI cannot use is refused with
 * one line, before anything runs.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type CliHome, emulatorHome, emulatorInitArgs, type EmulatorWorld, oneLineError, SECRET_ENV, servedEmulator } from "./helpers.js";

interface SyncReport {
  tenants: Array<{ tenantId: string; status: string; alerts: { fetched: number; inserted: number }; error?: { code: string; message: string } }>;
}

describe("mde-partner: the client's limits in config.json", () => {
  let world: EmulatorWorld;
  let cli: CliHome;
  let tenantId = "";
  let configFile = "";
  let original: Record<string, unknown> = {};
  const withClient = (client: unknown) => writeFileSync(configFile, `${JSON.stringify({ ...original, client }, null, 2)}\n`, { mode: 0o600 });

  before(async () => {
    // 1,500 alerts: one page of about 2 MiB, more than the smallest bound the CLI takes (1 MiB).
    world = await servedEmulator({ tenants: 1, alertsPerTenant: 1_500, machinesPerTenant: 1, seed: "cli-client-config", rateLimits: false });
    tenantId = world.info.tenants[0]!.id;
    cli = await emulatorHome(world.info, { tenants: [{ id: tenantId, name: "Contoso" }] });
    configFile = join(cli.home, "config.json");
    original = JSON.parse(readFileSync(configFile, "utf8")) as Record<string, unknown>;
  });
  after(async () => {
    await world?.stop();
  });

  it("maxResponseBytes: a page larger than the bound fails its tenant unread and stores nothing; within it, every alert is stored", async () => {
    withClient({ maxResponseBytes: 1_048_576 });
    const refused = await cli.run(["sync", "--once", "--no-machines", "--no-tvm", "--json"]);
    // Its only tenant failed: the sync failed (exit 1), and says why on one line.
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(
      oneLineError(refused.stderr).error,
      /tenant Contoso \([0-9a-f-]{36}\): .*ListAlerts: the answer is larger than 1 MiB \(maxResponseBytes\) and was not read.*\(ERR_MDE_INVALID_RESPONSE\)$/,
    );
    assert.equal((await cli.ok(["export", "alerts"])).stdout.trim(), "", "nothing was stored");

    withClient({ maxResponseBytes: 8_388_608 });
    const synced = await cli.ok(["sync", "--once", "--no-machines", "--no-tvm", "--json"]);
    assert.equal((JSON.parse(synced.stdout) as SyncReport).tenants[0]!.alerts.inserted, 1_500);
    assert.equal((await cli.ok(["export", "alerts"])).stdout.trim().split("\n").length, 1_500);
  });

  it("timeoutMs and maxTransientRetries: each attempt gives up at the limit, retried as often as set; with the defaults the late answer is waited for", async () => {
    const fault = world.emulator.control.addFault({ target: "api", pathContains: "/machines", latencyMs: 5_000, durationMs: 120_000 });
    // `--debug` logs each failed attempt as one JSON line (never a secret).
    const attempts = (stderr: string) =>
      stderr
        .split("\n")
        .filter((l) => l.includes('"msg":"MDE ListMachines failed"'))
        .map((l) => JSON.parse(l) as { attempt: number; durationMs: number; error: string });
    try {
      withClient({ timeoutMs: 1_000, maxTransientRetries: 0 });
      const once = await cli.run(["machines", "list", "--tenant", tenantId, "--json", "--debug"]);
      assert.equal(once.code, 1, once.stderr);
      assert.match(once.stderr, /^error: tenant Contoso \([0-9a-f-]{36}\): ListMachines \(GET \/api\/machines\) timed out \(ERR_MDE_TIMEOUT\)$/m);
      const one = attempts(once.stderr);
      assert.deepEqual(
        one.map((a) => [a.attempt, a.error]),
        [[0, "ERR_MDE_TIMEOUT"]],
      );
      assert.ok(one[0]!.durationMs < 5_000, `the attempt gave up before the late answer came (${one[0]!.durationMs} ms)`);

      withClient({ timeoutMs: 1_000, maxTransientRetries: 2 });
      const thrice = await cli.run(["machines", "list", "--tenant", tenantId, "--json", "--debug"]);
      assert.equal(thrice.code, 1, thrice.stderr);
      assert.deepEqual(
        attempts(thrice.stderr).map((a) => [a.attempt, a.error]),
        [
          [0, "ERR_MDE_TIMEOUT"],
          [1, "ERR_MDE_TIMEOUT"],
          [2, "ERR_MDE_TIMEOUT"],
        ],
      );

      withClient(undefined);
      const waited = await cli.json<Array<{ id: string }>>(["machines", "list", "--tenant", tenantId, "--json"]);
      assert.equal(waited.length, 1);
    } finally {
      world.emulator.control.removeFault(fault.id);
    }
  });

  it("a client entry it cannot use: one line naming the setting, exit 2, the config left as it was", async () => {
    const cases: Array<{ client: unknown; match: RegExp }> = [
      { client: "fast", match: /client must be an object/ },
      { client: { maxResponsBytes: 1_048_576 }, match: /client\.maxResponsBytes is not a setting \(known: timeoutMs, .*maxResponseBytes/ },
      { client: { timeoutMs: "120s" }, match: /client\.timeoutMs must be a whole number of milliseconds from 1000 to 3600000/ },
      { client: { maxResponseBytes: 1024 }, match: /client\.maxResponseBytes must be a whole number of bytes from 1048576/ },
      { client: { maxThrottleRetries: -1 }, match: /client\.maxThrottleRetries must be a whole number of retries from 0 to 10/ },
      { client: { tokenTimeoutMs: 1.5e9 }, match: /client\.tokenTimeoutMs must be/ },
    ];
    for (const { client, match } of cases) {
      withClient(client);
      const written = readFileSync(configFile, "utf8");
      const r = await cli.run(["tenants", "list"]);
      assert.equal(r.code, 2, `${JSON.stringify(client)}: ${r.stderr}`);
      const { error, hint } = oneLineError(r.stderr);
      assert.match(error, /the configuration is not valid/);
      assert.equal(hint, "hint: fix or remove the client entry in config.json (the README lists its settings)");
      assert.match(error, match, JSON.stringify(client));
      assert.equal(r.stdout, "");
      assert.equal(readFileSync(configFile, "utf8"), written, "the config is not rewritten");
    }
    withClient(undefined);
    await cli.ok(["tenants", "list"]);
  });

  it("init run again keeps the client, webhook, sso and report entries and names them; over a config it cannot read it keeps none and says so", async () => {
    const entries = {
      client: { timeoutMs: 300_000 },
      webhook: { url: "https://siem.example.net/hooks/mde", secretEnv: "SIEM_SECRET" },
      sso: { clientId: "0d5c7a3e-8b9f-4c1d-a2e6-3f4b5c6d7e8f", secretEnv: "SSO_SECRET" },
      report: { partnerName: "Example MSSP" },
    };
    writeFileSync(configFile, `${JSON.stringify({ ...original, ...entries }, null, 2)}\n`, { mode: 0o600 });
    await cli.ok(["tenants", "list"]);
    // Init again with another credential reference: its own settings change, the others stay.
    const again = await cli.ok([...emulatorInitArgs(world.info, "OTHER_SECRET_ENV"), "--json"]);
    const printed = JSON.parse(again.stdout) as Record<string, unknown>;
    assert.deepEqual(printed.keptFromPrevious, ["webhook", "sso", "client", "report"]);
    const written = JSON.parse(readFileSync(configFile, "utf8")) as Record<string, unknown>;
    assert.deepEqual((written.credential as { env?: string }).env, "OTHER_SECRET_ENV");
    for (const [name, value] of Object.entries(entries)) assert.deepEqual(written[name], value, name);
    const table = await cli.ok(emulatorInitArgs(world.info, SECRET_ENV));
    assert.match(table.stdout, /^ {2}kept {7}webhook, sso, client, report \(from the previous config\.json\)$/m);

    // A config this build cannot read (here: a client entry out of bounds) is rewritten from the flags alone.
    writeFileSync(configFile, `${JSON.stringify({ ...original, ...entries, client: { timeoutMs: 5 } }, null, 2)}\n`, { mode: 0o600 });
    const rewritten = await cli.ok([...emulatorInitArgs(world.info, SECRET_ENV), "--json"]);
    assert.match(rewritten.stderr, /the existing config\.json is not valid \(client\.timeoutMs must be .*\): it is rewritten, keeping none of its webhook, sso, client, report entries/);
    assert.deepEqual((JSON.parse(rewritten.stdout) as Record<string, unknown>).keptFromPrevious, []);
    const fresh = JSON.parse(readFileSync(configFile, "utf8")) as Record<string, unknown>;
    for (const name of Object.keys(entries)) assert.equal(fresh[name], undefined, name);
    await cli.ok(["tenants", "list"]);
  });
});
