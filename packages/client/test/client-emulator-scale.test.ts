/**
 * Acceptance of the client against the emulator over HTTPS at scale and under
 * faults: 50,000 alerts stream exactly once through 429 storms and 5xx bursts,
 * and a tenant without Machine.Isolate is refused before any API call.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createPartnerClient, MdeForbiddenError } from "@mde-partner/client";
import { createEmulator, type Emulator, type EmulatorInfo } from "@mde-partner/emulator";
import { createHash } from "node:crypto";

let emulator: Emulator;
let info: EmulatorInfo;

before(async () => {
  emulator = await createEmulator({
    seed: "client-scale",
    tenants: [{ alerts: 50_000, machines: 200 }, { alerts: 5, machines: 3, roles: ["Alert.Read.All", "Machine.Read.All"] }],
    rateLimits: false,
  });
  info = await emulator.start();
});
after(() => emulator.stop());

const partner = () =>
  createPartnerClient({
    clientId: info.partnerApp.clientId,
    credential: { clientSecret: info.partnerApp.clientSecret },
    cloud: { name: "custom", loginUrl: info.loginUrl, apiUrl: info.apiUrl, ca: info.caCertFile },
  });

describe("client against the emulator at scale", () => {
  it("lists 50,000 alerts exactly once through 429 storms and 5xx bursts, with bounded memory", async () => {
    const tenantId = info.tenants[0]!.id;
    // A storm of 429s (short Retry-After so the test stays quick), then 25% 5xx for the whole listing.
    emulator.control.addFault({ target: "api", tenantId, status: 429, retryAfterSec: 1, count: 3 });
    emulator.control.addFault({ target: "api", tenantId, status: 500, errorRatio: 0.25 });
    const client = partner();
    try {
      const seen = new Map<string, string>();
      global.gc?.();
      const heapStart = process.memoryUsage().heapUsed;
      let heapPeak = heapStart;
      for await (const alert of client.tenant(tenantId).alerts.list()) {
        assert.ok(!seen.has(alert.id), `alert ${alert.id} delivered twice`);
        seen.set(alert.id, String(alert.lastUpdateTime));
        if (seen.size % 5000 === 0) heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
      }
      const truth = emulator.control.groundTruth(tenantId);
      assert.equal(seen.size, truth.alerts);
      const hash = createHash("sha256");
      for (const id of [...seen.keys()].sort()) hash.update(`${id}\t${seen.get(id)}\n`);
      assert.equal(hash.digest("hex"), truth.checksum);
      const failures = emulator.state.journal.list({ kind: "api", tenantId }).filter((e) => e.status >= 400);
      assert.ok(failures.some((e) => e.status === 429), "the storm happened");
      assert.ok(failures.some((e) => e.status === 500), "the 5xx burst happened");
      // Pages are 10,000 alerts (~13 MB of JSON); what we keep is the id map. The client must not hold pages.
      assert.ok(heapPeak - heapStart < 250 * 2 ** 20, `heap grew by ${Math.round((heapPeak - heapStart) / 2 ** 20)} MiB`);
    } finally {
      emulator.control.clearFaults();
      await client.close();
    }
  });

  it("refuses to isolate on a tenant whose token lacks Machine.Isolate, before calling the API", async () => {
    const limited = info.tenants[1]!;
    const client = partner();
    try {
      const tenant = client.tenant(limited.id);
      const machine = (await tenant.machines.list({ top: 1 })).value[0]!;
      const before = emulator.state.journal.lastSeq();
      await assert.rejects(tenant.machineActions.isolate(machine.id, { comment: "contain", isolationType: "Full" }), (error: unknown) => {
        assert.ok(error instanceof MdeForbiddenError);
        assert.equal(error.code, "ERR_MDE_FORBIDDEN");
        assert.deepEqual(error.missingPermissions, ["Machine.Isolate"]);
        assert.match(error.message, /Machine\.Isolate/);
        return true;
      });
      const calls = emulator.state.journal.list({ afterSeq: before, kind: "api" });
      assert.equal(calls.length, 0, "no API call was spent on a certain 403");
    } finally {
      await client.close();
    }
  });
});
