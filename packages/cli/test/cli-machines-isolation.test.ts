/**
 * `machines get` shows a machine's isolation state, spawned against the
 * emulator: MDE's machine entity has no such field, so the CLI reads the
 * machine's Isolate/Unisolate actions (isolationStateOf) and prints the state
 * after `machines isolate`, and again after `machines unisolate`, in the
 * human view and in --json.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { emulatorInitArgs, type ReadyLine, runCli, startEmulator, tempDir } from "./helpers.js";

interface MachineJson {
  id: string;
  isolationState: string | null;
  isolation: { state: string | null; pending: string | null; scope: string | null; since: string | null; from: string };
  computerDnsName: string;
}

describe("mde-partner machines get: the isolation state", () => {
  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  let info: ReadyLine;
  let tenant: string;
  let machine: string;
  const home = tempDir("mde-cli-isolation-");
  const cli = (args: string[]) => runCli(args, { home, env: { MDE_TEST_CLIENT_SECRET: info.partnerApp.clientSecret } });
  const getJson = async () => {
    const r = await cli(["machines", "get", tenant, machine, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as MachineJson;
  };
  const isolationLine = async () => {
    const r = await cli(["machines", "get", tenant, machine]);
    assert.equal(r.code, 0, r.stderr);
    return /^\s*isolationState\s+(.*)$/m.exec(r.stdout)?.[1] ?? "";
  };

  before(async () => {
    emulator = await startEmulator(["--tenants", "1", "--alerts-per-tenant", "2", "--machines-per-tenant", "4", "--seed", "31"]);
    info = emulator.info;
    tenant = info.tenants[0]!.id;
    let r = await cli(emulatorInitArgs(info, "MDE_TEST_CLIENT_SECRET"));
    assert.equal(r.code, 0, r.stderr);
    r = await cli(["tenants", "add", tenant, "--name", info.tenants[0]!.name]);
    assert.equal(r.code, 0, r.stderr);
    r = await cli(["machines", "list", "--tenant", tenant, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    // The emulator's machines come with a history of actions: start from one that is not isolated.
    for (const m of JSON.parse(r.stdout) as Array<{ id: string }>) {
      machine = m.id;
      if ((await getJson()).isolationState !== "Isolated") break;
    }
  });
  after(async () => {
    await emulator?.stop();
  });

  it("shows the state before, Isolated after `machines isolate`, NotIsolated after `machines unisolate`", { timeout: 120_000 }, async () => {
    const fresh = await getJson();
    assert.equal(fresh.id, machine);
    assert.notEqual(fresh.isolationState, "Isolated", "the emulator has a machine that is not isolated");
    assert.equal(fresh.isolation.from, "machine-actions");
    assert.match(await isolationLine(), fresh.isolationState === null ? /^unknown \(no isolation action has succeeded\)$/ : /^NotIsolated/);

    let r = await cli(["machines", "isolate", tenant, machine, "--comment", "INC-7 contain", "--yes", "--wait", "--timeout", "60s"]);
    assert.equal(r.code, 0, r.stderr);
    const isolated = await getJson();
    assert.equal(isolated.isolationState, "Isolated");
    assert.equal(isolated.isolation.state, "Isolated");
    assert.equal(isolated.isolation.scope, "Full");
    assert.equal(isolated.isolation.pending, null);
    assert.ok(isolated.computerDnsName, "the machine's own fields are still there");
    assert.match(await isolationLine(), /^Isolated \(Full, since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\)$/);

    r = await cli(["machines", "unisolate", tenant, machine, "--comment", "INC-7 clean", "--yes"]);
    assert.equal(r.code, 0, r.stderr);
    // Until MDE finishes the release, the machine is still isolated with the release pending.
    const releasing = await getJson();
    if (releasing.isolation.pending) assert.deepEqual([releasing.isolationState, releasing.isolation.pending], ["Isolated", "Unisolate"]);
    r = await cli(["machines", "unisolate", tenant, machine, "--comment", "INC-7 clean", "--yes", "--wait", "--timeout", "60s"]);
    assert.equal(r.code, 0, r.stderr);
    const released = await getJson();
    assert.equal(released.isolationState, "NotIsolated");
    assert.equal(released.isolation.pending, null);
    assert.match(await isolationLine(), /^NotIsolated \(since [^)]+\)$/);
  });
});
