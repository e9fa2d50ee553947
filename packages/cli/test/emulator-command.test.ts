import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { test } from "node:test";

const bin = new URL("../bin/mde-partner.js", import.meta.url).pathname;

test("`mde-partner emulator` prints exactly one JSON ready line with the contract's fields", async () => {
  const child = spawn(process.execPath, [bin, "emulator", "--port", "0", "--tenants", "4", "--alerts-per-tenant", "7", "--seed", "42"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  try {
    const lines = createInterface({ input: child.stdout });
    const [first] = (await once(lines, "line")) as [string];
    const info = JSON.parse(first);
    for (const key of ["loginUrl", "apiUrl", "caCertFile", "controlUrl"]) assert.equal(typeof info[key], "string", key);
    for (const key of ["clientId", "clientSecret", "certificateFile", "privateKeyFile"])
      assert.equal(typeof info.partnerApp[key], "string", key);
    assert.equal(info.tenants.length, 4);
    for (const t of info.tenants) {
      assert.match(t.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.equal(typeof t.name, "string");
      assert.equal(typeof t.consented, "boolean");
      assert.ok(Array.isArray(t.roles));
      assert.equal(typeof t.alerts, "number");
      assert.equal(typeof t.machines, "number");
    }
    assert.match(readFileSync(info.caCertFile, "utf8"), /BEGIN CERTIFICATE/);
    // The control API answers over HTTPS with the CA from the ready line.
    const { Agent, fetch } = await import("undici");
    const dispatcher = new Agent({ connect: { ca: readFileSync(info.caCertFile, "utf8") } });
    const res = await fetch(`${info.controlUrl}/info`, { dispatcher });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { partnerApp: { clientId: string } }).partnerApp.clientId, info.partnerApp.clientId);
    await dispatcher.close();
  } finally {
    child.kill("SIGTERM");
    const [code] = await once(child, "exit");
    assert.equal(code, 0, "the emulator stops cleanly on SIGTERM");
  }
});

test("`mde-partner emulator` rejects bad flags with exit code 2 and a one-line error", async () => {
  const child = spawn(process.execPath, [bin, "emulator", "--tenants", "many"], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const [code] = await once(child, "exit");
  assert.equal(code, 2);
  assert.match(stderr, /--tenants must be a whole number/);
  assert.doesNotMatch(stderr, /\n\s+at /, "no stack trace");
});
