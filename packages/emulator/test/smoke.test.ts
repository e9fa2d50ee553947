import assert from "node:assert/strict";
import { test } from "node:test";
import { createEmulator } from "@mde-partner/emulator";

test("emulator starts over HTTPS and reports its tenants", async () => {
  const emulator = await createEmulator({ tenants: 2, alertsPerTenant: 5 });
  const info = await emulator.start();
  try {
    assert.match(info.loginUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(info.tenants.length, 2);
    const res = await emulator.fetch("/api/alerts");
    assert.equal(res.status, 401, "the MDE API wants a bearer token");
  } finally {
    await emulator.stop();
  }
});
