// Who may use the control API: loopback only by default, and with a control
// token (Authorization: Bearer) whenever one is configured — which it must be
// to listen on anything but loopback, since /_control/info hands out the
// partner app's client secret.
import assert from "node:assert/strict";
import { request } from "node:https";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createEmulator, isLoopbackHost } from "@mde-partner/emulator";
import { httpsRequest, postToken, startEmulator } from "./entra-support.js";

const TOKEN = "c0ntrol-t0ken-for-tests-0123456789";

test("loopback is recognised in its spellings; every-interface and other addresses are not", () => {
  for (const host of ["127.0.0.1", "127.8.9.10", "localhost", "::1", "[::1]", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"]) assert.equal(isLoopbackHost(host), true, host);
  for (const host of ["0.0.0.0", "::", "10.1.2.3", "192.168.0.10", "example.com", "::ffff:10.0.0.1", "fe80::1"]) assert.equal(isLoopbackHost(host), false, host);
});

test("the emulator listens on 127.0.0.1 by default and refuses a non-loopback host without a control token", async () => {
  const stateDir = mkdtempSync(join(tmpdir(), "mde-control-auth-"));
  try {
    const emulator = await createEmulator({ stateDir, tenants: 0 });
    assert.equal(emulator.state.options.host, "127.0.0.1");
    await emulator.stop();
    await assert.rejects(createEmulator({ stateDir, tenants: 0, host: "0.0.0.0" }), (e: Error) => e instanceof TypeError && /not a loopback address.*controlToken/.test(e.message));
    await assert.rejects(createEmulator({ stateDir, tenants: 0, host: "10.1.2.3" }), TypeError);
    await assert.rejects(createEmulator({ stateDir, tenants: 0, controlToken: "short" }), /at least 16 characters/);
    await assert.rejects(createEmulator({ stateDir, tenants: 0, controlToken: "has whitespace in the middle" }), /without whitespace/);
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
});

test("on every interface with a control token: /_control needs the bearer token, the rest of the emulator does not", async () => {
  const env = await startEmulator({ serve: true, host: "0.0.0.0", controlToken: TOKEN, tenants: 1 });
  try {
    const info = `${env.info.controlUrl}/info`;
    const none = await httpsRequest(info, env.ca);
    assert.equal(none.status, 401);
    assert.match(String(none.headers["www-authenticate"]), /^Bearer /);
    assert.doesNotMatch(none.text, new RegExp(env.info.partnerApp.clientSecret.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
    assert.equal((await httpsRequest(info, env.ca, { headers: { authorization: `Bearer ${TOKEN}x` } })).status, 401);
    assert.equal((await httpsRequest(info, env.ca, { headers: { authorization: `Bearer ${TOKEN.slice(0, -1)}` } })).status, 401);
    assert.equal((await httpsRequest(info, env.ca, { headers: { authorization: `Basic ${TOKEN}` } })).status, 401);
    const ok = await httpsRequest(info, env.ca, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(ok.status, 200);
    assert.equal(ok.json<{ partnerApp: { clientSecret: string } }>().partnerApp.clientSecret, env.info.partnerApp.clientSecret);
    // Writes are guarded too.
    const add = await httpsRequest(`${env.info.controlUrl}/tenants`, env.ca, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    assert.equal(add.status, 401);
    assert.equal(env.emulator.info().tenants.length, 1);
    // Entra ID and the MDE API answer as before.
    const token = await postToken(env, env.info.tenants[0]!.id, "v2", {
      grant_type: "client_credentials",
      client_id: env.info.partnerApp.clientId,
      client_secret: env.info.partnerApp.clientSecret,
      scope: "https://api.securitycenter.microsoft.com/.default",
    });
    assert.equal(token.status, 200);
    const refused = env.emulator.control.journal({ kind: "control" }).filter((e) => e.status === 401);
    assert.ok(refused.length >= 4, "refused control calls are in the journal");
  } finally {
    await env.stop();
  }
});

/** One HTTPS request to 127.0.0.1 that claims another Host (as a DNS-rebinding page's browser would). */
function withHost(url: string, ca: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, servername: "localhost", headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end();
  });
}

test("without a control token, /_control answers only requests addressed to a loopback host name", async () => {
  const env = await startEmulator({ serve: true, tenants: 1 });
  try {
    const port = new URL(env.info.controlUrl).port;
    assert.equal(await withHost(`${env.info.controlUrl}/info`, env.ca, `127.0.0.1:${port}`), 200);
    assert.equal(await withHost(`${env.info.controlUrl}/info`, env.ca, `localhost:${port}`), 200);
    assert.equal(await withHost(`${env.info.controlUrl}/info`, env.ca, `[::1]:${port}`), 200);
    assert.equal(await withHost(`${env.info.controlUrl}/info`, env.ca, `rebound.evil.example:${port}`), 403);
    // The token endpoint does not care about the Host header.
    assert.notEqual(await withHost(`${env.info.loginUrl}/common/discovery/keys`, env.ca, `rebound.evil.example:${port}`), 403);
  } finally {
    await env.stop();
  }
});
