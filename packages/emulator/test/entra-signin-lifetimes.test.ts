// Sign-in over time, on an emulator whose clock the test turns: codes expire after
// ten minutes, ID tokens after an hour; the UserInfo endpoint answers for the user
// token; and an emulator told to leave out `amr`/`auth_time` issues ID tokens
// without them, as an app without those optional claims gets from Entra.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { decodeJwt } from "jose";
import { createManualClock } from "@mde-partner/emulator";
import { assertStsError, httpsRequest, postToken, type StartedEmulator, startEmulator } from "./entra-support.js";
import { authorizeUrl, Browser, pkce, redirectQuery, signInForm } from "./signin-support.js";

const CALLBACK = "https://console.partner.example/auth/callback";
const clock = createManualClock(Date.now());
let started: StartedEmulator;
let bare: StartedEmulator;

before(async () => {
  started = await startEmulator({ serve: true, tenants: 1, redirectUris: [CALLBACK], clock });
  bare = await startEmulator({ serve: true, tenants: 1, redirectUris: [CALLBACK], idTokenAuthClaims: false });
});
after(async () => {
  await started.stop();
  await bare.stop();
});

async function codeFor(world: StartedEmulator, challenge: string): Promise<string> {
  const admin = world.info.partnerUsers[0];
  assert.ok(admin);
  const browser = new Browser(world.ca);
  const form = signInForm(await browser.get(authorizeUrl(world, { redirectUri: CALLBACK, challenge, nonce: "n" })), world.info.loginUrl);
  const landed = await browser.post(form.action, { flowToken: form.flowToken, login: admin.username, passwd: admin.password });
  return redirectQuery(landed, CALLBACK).get("code") ?? "";
}

const redeem = (world: StartedEmulator, code: string, verifier: string) =>
  postToken(world, world.info.partnerTenantId, "v2", {
    grant_type: "authorization_code",
    client_id: world.info.partnerApp.clientId,
    client_secret: world.info.partnerApp.clientSecret,
    redirect_uri: CALLBACK,
    code,
    code_verifier: verifier,
  });

test("a code is refused after ten minutes (AADSTS70008)", async () => {
  const { verifier, challenge } = pkce();
  const code = await codeFor(started, challenge);
  clock.advance(10 * 60_000 + 1000);
  assertStsError(await redeem(started, code, verifier), 400, "invalid_grant", 70008);
});

test("the ID token lives an hour from issue; the user's Graph token opens UserInfo with the ID token's sub", async () => {
  const { verifier, challenge } = pkce();
  const res = await redeem(started, await codeFor(started, challenge), verifier);
  assert.equal(res.status, 200, res.text);
  const body = res.json<{ id_token: string; access_token: string }>();
  const id = decodeJwt(body.id_token);
  const now = Math.floor(clock.now() / 1000);
  assert.ok((id.exp ?? 0) > now && (id.exp ?? 0) <= now + 3600, "valid now, for at most an hour");

  const discovery = (
    await httpsRequest(`${started.info.loginUrl}/${started.info.partnerTenantId}/v2.0/.well-known/openid-configuration`, started.ca)
  ).json<{ userinfo_endpoint: string }>();
  const info = await httpsRequest(discovery.userinfo_endpoint, started.ca, { headers: { authorization: `Bearer ${body.access_token}` } });
  assert.equal(info.status, 200, info.text);
  const claims = info.json<{ sub: string; email: string; name: string }>();
  assert.equal(claims.sub, id.sub);
  assert.equal(claims.email, id.preferred_username);
  assert.equal((await httpsRequest(discovery.userinfo_endpoint, started.ca)).status, 401);
});

test("with idTokenAuthClaims off, ID tokens carry no amr and no auth_time", async () => {
  const { verifier, challenge } = pkce();
  const res = await redeem(bare, await codeFor(bare, challenge), verifier);
  const id = decodeJwt(res.json<{ id_token: string }>().id_token);
  assert.equal(id.amr, undefined);
  assert.equal(id.auth_time, undefined);
  assert.deepEqual(id.roles, ["Console.Admin"]);
});
