/**
 * `machines get` shows a machine's isolation state, spawned against the
 * emulator (on a socket in the test's process): MDE's machine entity has no
 * such field, so the CLI reads the machine's Isolate/Unisolate actions (isolationStateOf) and prints the state
 * after `machines isolate`, and again after `machines unisolate`, in the
 * human view and in --json.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type CliHome, emulatorHome, type EmulatorWorld, servedEmulator } from "./helpers.js";

interface MachineJson {
  id: string;
  isolationState: string | null;
  isolation: { state: string | null; pending: string | null; scope: string | null; since: string | null; from: string };
  computerDnsName: string;
}

describe("mde-partner machines get: the isolation state", () => {
  let world: EmulatorWorld;
  let cli: CliHome;
  let tenant: string;
  let machine: string;
  let fresh: MachineJson;
  const getJson = () => cli.json<MachineJson>(["machines", "get", tenant, machine, "--json"]);
  const isolationLine = async () => {
    const r = await cli.ok(["machines", "get", tenant, machine]);
    return /^\s*isolationState\s+(.*)$/m.exec(r.stdout)?.[1] ?? "";
  };

  before(async () => {
    world = await servedEmulator({ tenants: 1, alertsPerTenant: 2, machinesPerTenant: 4, seed: 31 });
    tenant = world.info.tenants[0]!.id;
    cli = await emulatorHome(world.info, { tenants: world.info.tenants });
    // The emulator's machines come with a history of actions: start from one that is not isolated.
    for (const m of await cli.json<Array<{ id: string }>>(["machines", "list", "--tenant", tenant, "--json"])) {
      machine = m.id;
      fresh = await getJson();
      if (fresh.isolationState !== "Isolated") break;
    }
  });
  after(async () => {
    await world?.stop();
  });

  it("shows the state before, Isolated after `machines isolate`, NotIsolated after `machines unisolate`", { timeout: 120_000 }, async () => {
    assert.equal(fresh.id, machine);
    assert.notEqual(fresh.isolationState, "Isolated", "the emulator has a machine that is not isolated");
    assert.equal(fresh.isolation.from, "machine-actions");
    assert.match(await isolationLine(), fresh.isolationState === null ? /^unknown \(no isolation action has succeeded\)$/ : /^NotIsolated/);

    await cli.ok(["machines", "isolate", tenant, machine, "--comment", "INC-7 contain", "--yes", "--wait", "--timeout", "60s"]);
    const isolated = await getJson();
    assert.equal(isolated.isolationState, "Isolated");
    assert.equal(isolated.isolation.state, "Isolated");
    assert.equal(isolated.isolation.scope, "Full");
    assert.equal(isolated.isolation.pending, null);
    assert.ok(isolated.computerDnsName, "the machine's own fields are still there");
    assert.match(await isolationLine(), /^Isolated \(Full, since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\)$/);

    await cli.ok(["machines", "unisolate", tenant, machine, "--comment", "INC-7 clean", "--yes"]);
    // Until MDE finishes the release, the machine is still isolated with the release pending.
    const releasing = await getJson();
    if (releasing.isolation.pending) assert.deepEqual([releasing.isolationState, releasing.isolation.pending], ["Isolated", "Unisolate"]);
    await cli.ok(["machines", "unisolate", tenant, machine, "--comment", "INC-7 clean", "--yes", "--wait", "--timeout", "60s"]);
    const released = await getJson();
    assert.equal(released.isolationState, "NotIsolated");
    assert.equal(released.isolation.pending, null);
    assert.match(await isolationLine(), /^NotIsolated \(since [^)]+\)$/);
  });
});
