// The kit's in-process path end to end: a token and an alerts page through
// `partnerFor`, with no socket (the emulator never listens), and the served form on a real socket.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { test } from "node:test";
import { emulatorWorld, hostileWorld, partnerFor, servedEmulator } from "@mde-partner/test-kit";

test("partnerFor reaches an in-process emulator: a token and an alerts page, no socket", async () => {
  const world = await emulatorWorld({ seed: "kit", tenants: 1, alertsPerTenant: 3, machinesPerTenant: 1 });
  try {
    const partner = partnerFor(world);
    const tenantId = world.info.tenants[0]!.id;
    const token = await partner.getToken(tenantId);
    assert.equal(typeof token, "string");
    assert.ok(token.length > 100);
    const page = await partner.tenant(tenantId).mde.alerts.list({ top: 2 });
    assert.equal(page.value.length, 2);
    const kinds = world.emulator.state.journal.list({}).map((e) => e.kind);
    assert.ok(kinds.includes("token") && kinds.includes("api"), kinds.join(","));
  } finally {
    await world.stop();
  }
  assert.equal(existsSync(world.stateDir), false);
});

test("servedEmulator listens on 127.0.0.1 over HTTPS; partnerFor then uses the socket, trusting the CA", async () => {
  const world = await servedEmulator({ seed: "kit", tenants: 1, alertsPerTenant: 2, machinesPerTenant: 1 });
  try {
    assert.match(world.info.apiUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(world.fetch, undefined);
    const page = await partnerFor(world).tenant(world.info.tenants[0]!.id).mde.alerts.list({ top: 1 });
    assert.equal(page.value.length, 1);
  } finally {
    await world.stop();
    await world.stop();
  }
});

test("hostileWorld: ordinary tenants first, then the hostile one", async () => {
  const world = await hostileWorld({ alertsPerTenant: 2, machinesPerTenant: 1 });
  try {
    assert.equal(world.plainIds.length, 1);
    assert.equal(world.info.tenants.find((t) => t.id === world.hostileId)?.hostile, true);
  } finally {
    await world.stop();
  }
});
