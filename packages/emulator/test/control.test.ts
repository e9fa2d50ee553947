// The control API over real HTTPS: what tests and partners use to shape the
// emulated world (tenants, consent, faults, journal, ground truth, keys).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { send, type StartedEmulator, startEmulator } from "./entra-support.js";

let env: StartedEmulator;
before(async () => {
  env = await startEmulator({ tenants: 2, alertsPerTenant: 20, machinesPerTenant: 5 });
});
after(() => env.stop());

const control = (path: string, init: { method?: string; body?: unknown } = {}) =>
  send(env, `${env.info.controlUrl}${path}`, {
    method: init.method ?? "GET",
    headers: { "content-type": "application/json" },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });

const token = (tenantId: string) =>
  send(env, `${env.info.loginUrl}/${tenantId}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: env.info.partnerApp.clientId,
      client_secret: env.info.partnerApp.clientSecret,
      scope: "https://api.securitycenter.microsoft.com/.default",
    }).toString(),
  });

const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString("utf8"));

test("a tenant added through the control API appears in info and can be used at once", async () => {
  const added = await control("/tenants", { method: "POST", body: { name: "Added Corp", alerts: 3, machines: 2 } });
  assert.equal(added.status, 201);
  const tenant = added.json<{ id: string; name: string; alerts: number; consented: boolean }>();
  assert.equal(tenant.name, "Added Corp");
  assert.equal(tenant.alerts, 3);
  const info = (await control("/info")).json<{ tenants: Array<{ id: string }> }>();
  assert.ok(info.tenants.some((t) => t.id === tenant.id));
  const res = await token(tenant.id);
  assert.equal(res.status, 200);
});

test("revoking and re-granting consent changes what the token endpoint issues (permission drift)", async () => {
  const tenantId = env.info.tenants[0]!.id;
  assert.equal((await control(`/tenants/${tenantId}/consent`, { method: "DELETE" })).status, 204);
  const refused = await token(tenantId);
  assert.equal(refused.status, 400);
  assert.deepEqual(refused.json().error_codes, [700016]);

  const put = await control(`/tenants/${tenantId}/consent`, { method: "PUT", body: { roles: ["Alert.Read.All", "Machine.Read.All"] } });
  assert.equal(put.status, 204);
  const granted = await token(tenantId);
  assert.equal(granted.status, 200);
  assert.deepEqual(claims(granted.json<{ access_token: string }>().access_token).roles.sort(), ["Alert.Read.All", "Machine.Read.All"]);
  await control(`/tenants/${tenantId}/consent`, { method: "PUT", body: {} });
});

test("an injected 429 storm hits only its tenant, with Retry-After and the MDE error body, and ends on time", async () => {
  const [a, b] = env.info.tenants;
  const tokenA = (await token(a!.id)).json<{ access_token: string }>().access_token;
  const tokenB = (await token(b!.id)).json<{ access_token: string }>().access_token;
  // Long enough for the two calls below on a loaded machine (at 400 ms the first one sometimes came after the storm).
  const rule = await control("/faults", { method: "POST", body: { target: "api", tenantId: a!.id, status: 429, retryAfterSec: 2, durationMs: 1_500 } });
  const ruleAdded = Date.now();
  assert.equal(rule.status, 201);
  const stormed = await send(env, `${env.info.apiUrl}/api/alerts?$top=1`, { headers: { authorization: `Bearer ${tokenA}` } });
  assert.equal(stormed.status, 429);
  assert.equal(stormed.headers["retry-after"], "2");
  assert.equal(stormed.json<{ error: { code: string } }>().error.code, "TooManyRequests");
  const calm = await send(env, `${env.info.apiUrl}/api/alerts?$top=1`, { headers: { authorization: `Bearer ${tokenB}` } });
  assert.equal(calm.status, 200);
  await new Promise((r) => setTimeout(r, Math.max(0, ruleAdded + 1_600 - Date.now())));
  const after = await send(env, `${env.info.apiUrl}/api/alerts?$top=1`, { headers: { authorization: `Bearer ${tokenA}` } });
  assert.equal(after.status, 200, "the storm is over after its duration");
});

test("a token-endpoint outage answers 503 with the AADSTS error shape, then recovers", async () => {
  const tenantId = env.info.tenants[1]!.id;
  await control("/faults", { method: "POST", body: { id: "outage", target: "token", status: 503, retryAfterSec: 1 } });
  const down = await token(tenantId);
  assert.equal(down.status, 503);
  assert.equal(down.headers["retry-after"], "1");
  assert.equal(typeof down.json().error, "string");
  assert.match(String(down.json().error_description), /^AADSTS\d+: /);
  assert.equal((await control("/faults/outage", { method: "DELETE" })).status, 204);
  assert.equal((await token(tenantId)).status, 200);
});

test("the journal records token requests with tenant and client, and filters by kind and tenant", async () => {
  const tenantId = env.info.tenants[1]!.id;
  const before = (await control("/journal?limit=1")).json<{ lastSeq: number }>().lastSeq;
  await token(tenantId);
  await token(tenantId);
  const journal = (await control(`/journal?afterSeq=${before}&kind=token&tenantId=${tenantId}`)).json<{
    entries: Array<{ kind: string; tenantId: string; clientId: string; status: number }>;
  }>();
  assert.equal(journal.entries.length, 2);
  for (const e of journal.entries) {
    assert.equal(e.kind, "token");
    assert.equal(e.tenantId, tenantId);
    assert.equal(e.clientId, env.info.partnerApp.clientId);
    assert.equal(e.status, 200);
  }
});

test("ground truth follows added and updated alerts", async () => {
  const tenantId = env.info.tenants[1]!.id;
  const before = (await control(`/tenants/${tenantId}/ground-truth`)).json<{ alerts: number; checksum: string }>();
  const added = await control(`/tenants/${tenantId}/alerts`, { method: "POST", body: { count: 4 } });
  assert.equal(added.json<{ ids: string[] }>().ids.length, 4);
  const mid = (await control(`/tenants/${tenantId}/ground-truth`)).json<{ alerts: number; checksum: string }>();
  assert.equal(mid.alerts, before.alerts + 4);
  assert.notEqual(mid.checksum, before.checksum);
  await control(`/tenants/${tenantId}/alerts/updates`, { method: "POST", body: { count: 2, sameTimestamp: true } });
  const end = (await control(`/tenants/${tenantId}/ground-truth`)).json<{ alerts: number; checksum: string }>();
  assert.equal(end.alerts, mid.alerts);
  assert.notEqual(end.checksum, mid.checksum);
});

test("key rotation publishes the new key and keeps the old one in the JWKS", async () => {
  const tenantId = env.info.tenants[0]!.id;
  const jwks = async () =>
    (await send(env, `${env.info.loginUrl}/${tenantId}/discovery/v2.0/keys`)).json<{ keys: Array<{ kid: string }> }>().keys.map((k) => k.kid);
  const before = await jwks();
  const rotated = (await control("/keys/rotate", { method: "POST", body: { graceSec: 60 } })).json<{ kid: string }>();
  const afterKeys = await jwks();
  assert.ok(afterKeys.includes(rotated.kid));
  for (const kid of before) assert.ok(afterKeys.includes(kid), "the old key stays published during the grace period");
  const fresh = (await token(tenantId)).json<{ access_token: string }>().access_token;
  const header = JSON.parse(Buffer.from(fresh.split(".")[0] ?? "", "base64url").toString("utf8"));
  assert.equal(header.kid, rotated.kid);
});

test("bad control requests get a clear 4xx", async () => {
  assert.equal((await control("/tenants/00000000-0000-0000-0000-000000000000/ground-truth")).status, 404);
  const bad = await send(env, `${env.info.controlUrl}/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: "{nope" });
  assert.equal(bad.status, 400);
  assert.match(bad.json<{ error: string }>().error, /JSON/);
  assert.equal((await control("/faults", { method: "POST", body: { target: "everything" } })).status, 400);
});
