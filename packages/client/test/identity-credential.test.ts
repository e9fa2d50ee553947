/** A real @azure/identity TokenCredential plugs into the partner client, one token per customer tenant. */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { test } from "node:test";
import { createEmulator } from "@mde-partner/emulator";

const run = promisify(execFile);

test("an @azure/identity ClientSecretCredential gets app-only tokens per customer tenant through the client", async () => {
  const emulator = await createEmulator({ tenants: 2, alertsPerTenant: 3, machinesPerTenant: 1, seed: "identity" });
  const info = await emulator.start();
  try {
    const fixture = new URL("./fixtures/identity-credential.mts", import.meta.url).pathname;
    const { stdout } = await run(process.execPath, ["--import", "tsx", "--conditions=development", fixture, JSON.stringify(info)], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: info.caCertFile },
    });
    const seen = JSON.parse(stdout.trim().split("\n").pop() ?? "{}");
    assert.equal(seen.error, undefined, JSON.stringify(seen.error));
    for (const t of info.tenants) assert.deepEqual(seen[t.id], [t.id, t.id], "each tenant's alerts come from its own tenant");
    const tokens = emulator.state.journal.list({ kind: "token" });
    assert.deepEqual(new Set(tokens.filter((e) => e.status === 200).map((e) => e.tenantId)), new Set(info.tenants.map((t) => t.id)));
  } finally {
    await emulator.stop();
  }
});
