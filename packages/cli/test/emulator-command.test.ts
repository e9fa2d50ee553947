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

test("`mde-partner emulator --hostile-tenants N` adds N hostile tenants after the others, marked in the ready line", async () => {
  const { startEmulator } = await import("./helpers.js");
  const { HOSTILE_STRINGS } = await import("@mde-partner/emulator");
  const emulator = await startEmulator(["--tenants", "1", "--hostile-tenants", "2", "--alerts-per-tenant", "3", "--machines-per-tenant", "2"]);
  try {
    const tenants = emulator.info.tenants as Array<{ id: string; hostile?: boolean; alerts: number }>;
    assert.deepEqual(
      tenants.map((t) => t.hostile ?? false),
      [false, true, true],
    );
    const { Agent, fetch } = await import("undici");
    const dispatcher = new Agent({ connect: { ca: emulator.ca } });
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: emulator.info.partnerApp.clientId,
      client_secret: emulator.info.partnerApp.clientSecret,
      resource: "https://api.securitycenter.microsoft.com",
    });
    const tokenRes = await fetch(`${emulator.info.loginUrl}/${tenants[1]!.id}/oauth2/token`, { method: "POST", body: form, dispatcher });
    const { access_token } = (await tokenRes.json()) as { access_token: string };
    const alerts = await fetch(`${emulator.info.apiUrl}/api/alerts`, { headers: { authorization: `Bearer ${access_token}` }, dispatcher });
    const body = (await alerts.json()) as { value: Array<{ title: string }> };
    assert.ok(body.value.some((a) => a.title === HOSTILE_STRINGS.long));
    await dispatcher.close();
  } finally {
    await emulator.stop();
  }
});

test("`mde-partner emulator --hostile-tenants` takes a whole number", async () => {
  const child = spawn(process.execPath, [bin, "emulator", "--hostile-tenants", "-1"], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const [code] = await once(child, "exit");
  assert.equal(code, 2);
  assert.match(stderr, /--hostile-tenants must be a whole number/);
});
