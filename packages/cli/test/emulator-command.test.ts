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

/** Runs `mde-partner emulator …` expecting it to refuse to start. */
async function refusedEmulator(args: string[], env: Record<string, string> = {}) {
  const { runCli, tempDir } = await import("./helpers.js");
  const run = await runCli(["emulator", "--tenants", "0", ...args], { home: tempDir("mde-cli-emu-home-"), env });
  assert.equal(run.stdout, "", "no ready line");
  return run;
}

test("`mde-partner emulator --hostile-tenants` takes a whole number", async () => {
  const run = await refusedEmulator(["--hostile-tenants", "-1"]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /--hostile-tenants must be a whole number/);
});

test("`mde-partner emulator --host 0.0.0.0` without a control token refuses to start: exit 2, one line and a hint", async () => {
  const run = await refusedEmulator(["--host", "0.0.0.0"]);
  assert.equal(run.code, 2);
  const lines = run.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 2, run.stderr);
  assert.match(lines[0] ?? "", /^error: --host 0\.0\.0\.0 is not a loopback address/);
  assert.match(lines[1] ?? "", /^hint: .*--control-token-env VAR or --control-token-file FILE/);
});

test("`mde-partner emulator --host 0.0.0.0 --control-token-env VAR`: /_control needs Authorization: Bearer <token>", async () => {
  const { startEmulator } = await import("./helpers.js");
  const token = "cli-control-token-0123456789abcdef";
  process.env.MDE_TEST_CONTROL_TOKEN = token;
  const emulator = await startEmulator(["--host", "0.0.0.0", "--control-token-env", "MDE_TEST_CONTROL_TOKEN", "--tenants", "1", "--alerts-per-tenant", "1"]);
  delete process.env.MDE_TEST_CONTROL_TOKEN;
  try {
    assert.doesNotMatch(JSON.stringify(emulator.info), new RegExp(token), "the ready line does not repeat the token");
    const { Agent, fetch } = await import("undici");
    const dispatcher = new Agent({ connect: { ca: emulator.ca } });
    assert.equal((await fetch(`${emulator.info.controlUrl}/info`, { dispatcher })).status, 401);
    assert.equal((await fetch(`${emulator.info.controlUrl}/info`, { dispatcher, headers: { authorization: "Bearer wrong-token-0123456789" } })).status, 401);
    const ok = await fetch(`${emulator.info.controlUrl}/info`, { dispatcher, headers: { authorization: `Bearer ${token}` } });
    assert.equal(ok.status, 200);
    await dispatcher.close();
  } finally {
    await emulator.stop();
  }
});

test("`mde-partner emulator` control-token flags: unset variable, unreadable file, short token, both at once are usage errors", async () => {
  const env = { MDE_TEST_SHORT: "short" };
  const unset = await refusedEmulator(["--control-token-env", "MDE_TEST_NOT_SET_ANYWHERE"], env);
  assert.equal(unset.code, 2);
  assert.match(unset.stderr, /MDE_TEST_NOT_SET_ANYWHERE .* is not set/);
  const missing = await refusedEmulator(["--control-token-file", "/nonexistent/control-token"], env);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read the control token file/);
  const short = await refusedEmulator(["--control-token-env", "MDE_TEST_SHORT"], env);
  assert.equal(short.code, 2);
  assert.match(short.stderr, /at least 16 characters/);
  const both = await refusedEmulator(["--control-token-env", "MDE_TEST_SHORT", "--control-token-file", "/x"], env);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /not both/);
});
