// A user signs in to the partner's console app the way Entra ID signs people in:
// OpenID Connect authorization code flow with PKCE, over real HTTPS, driven with
// plain requests (open the authorize link, read the form, post the password,
// follow the redirect, redeem the code) and checked with jose against the JWKS
// the discovery document names.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createLocalJWKSet, decodeJwt, type JWTPayload, jwtVerify } from "jose";
import { assertStsError, httpsRequest, postToken, type StartedEmulator, startEmulator } from "./entra-support.js";
import { authorizeUrl, Browser, pkce, redirectQuery, signInForm } from "./signin-support.js";

const CONSOLE_CALLBACK = "https://console.partner.example/auth/callback";
const LOOPBACK_CALLBACK = "http://localhost/auth/callback";
let started: StartedEmulator;

before(async () => {
  started = await startEmulator({ serve: true, tenants: 1, redirectUris: [CONSOLE_CALLBACK, LOOPBACK_CALLBACK] });
});
after(() => started.stop());

const user = (local: string) => {
  const u = started.info.partnerUsers.find((x) => x.username.startsWith(`${local}@`));
  assert.ok(u, local);
  return u;
};

/** Opens the authorize link and signs in with the password: the redirect back to the app. */
async function signIn(browser: Browser, username: string, password: string, options: Partial<Parameters<typeof authorizeUrl>[1]> = {}) {
  const page = await browser.get(authorizeUrl(started, { redirectUri: CONSOLE_CALLBACK, ...options }));
  const form = signInForm(page, started.info.loginUrl);
  return browser.post(form.action, { flowToken: form.flowToken, login: username, passwd: password });
}

function redeem(fields: Record<string, string>) {
  return postToken(started, started.info.partnerTenantId, "v2", {
    grant_type: "authorization_code",
    client_id: started.info.partnerApp.clientId,
    client_secret: started.info.partnerApp.clientSecret,
    redirect_uri: CONSOLE_CALLBACK,
    ...fields,
  });
}

async function verifyIdToken(idToken: string, nonce: string): Promise<JWTPayload> {
  const discovery = (
    await httpsRequest(`${started.info.loginUrl}/${started.info.partnerTenantId}/v2.0/.well-known/openid-configuration`, started.ca)
  ).json<{ issuer: string; jwks_uri: string }>();
  const jwks = (await httpsRequest(discovery.jwks_uri, started.ca)).json<{ keys: [] }>();
  const { payload } = await jwtVerify(idToken, createLocalJWKSet(jwks), {
    issuer: discovery.issuer,
    audience: started.info.partnerApp.clientId,
    algorithms: ["RS256"],
  });
  assert.equal(payload.nonce, nonce);
  return payload;
}

test("the ready line names the partner's tenant and its people, and the control API lists them", async () => {
  const { partnerTenantId, partnerUsers, partnerApp } = started.info;
  assert.equal(partnerTenantId, partnerApp.homeTenantId);
  assert.deepEqual(
    partnerUsers.map((u) => [u.username.split("@")[0], u.roles, u.mfa]),
    [
      ["admin", ["Console.Admin"], true],
      ["responder", ["Console.Responder"], true],
      ["viewer", ["Console.Viewer"], true],
      ["norole", [], true],
      ["nomfa", ["Console.Viewer"], false],
    ],
  );
  for (const u of partnerUsers) assert.ok(u.password.length >= 16, "a real-looking password");
  const listed = await httpsRequest(`${started.info.controlUrl}/users`, started.ca);
  assert.deepEqual((listed.json() as unknown as Array<{ username: string }>).map((u) => u.username), partnerUsers.map((u) => u.username));
});

test("an admin signs in with PKCE and gets a signed ID token with roles, groups and MFA", async () => {
  const browser = new Browser(started.ca);
  const admin = user("admin");
  const { verifier, challenge } = pkce();
  const landed = await signIn(browser, admin.username, admin.password, { state: "st-1", nonce: "n-1", challenge });
  const query = redirectQuery(landed, CONSOLE_CALLBACK);
  assert.equal(query.get("state"), "st-1");
  const code = query.get("code");
  assert.ok(code);
  assert.ok(browser.cookies.has("ESTSAUTH"), "the browser is now signed in");

  const res = await redeem({ code, code_verifier: verifier });
  assert.equal(res.status, 200, res.text);
  const body = res.json<{ id_token: string; access_token: string; refresh_token: string; scope: string; token_type: string; expires_in: number }>();
  assert.equal(body.token_type, "Bearer");
  assert.ok(body.refresh_token, "offline_access was asked for");
  assert.match(body.scope, /\bopenid\b/);
  const claims = await verifyIdToken(body.id_token, "n-1");
  assert.equal(claims.iss, `${started.info.loginUrl}/${started.info.partnerTenantId}/v2.0`);
  assert.equal(claims.tid, started.info.partnerTenantId);
  assert.equal(claims.ver, "2.0");
  assert.equal(claims.oid, admin.oid);
  assert.equal(claims.preferred_username, admin.username);
  assert.equal(claims.email, admin.username);
  assert.equal(claims.name, admin.displayName);
  assert.deepEqual(claims.roles, ["Console.Admin"]);
  assert.deepEqual(claims.groups, admin.groups);
  assert.deepEqual(claims.amr, ["pwd", "mfa"]);
  assert.equal(typeof claims.auth_time, "number");
  assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), 3600);
  assert.ok(typeof claims.sub === "string" && claims.sub !== admin.oid, "sub is pairwise, not the object id");
  const access = decodeJwt(body.access_token);
  assert.equal(access.aud, "00000003-0000-0000-c000-000000000000");
  assert.equal(access.upn, admin.username);

  // The refresh token gets new tokens for the same user, without a nonce.
  const refreshed = await postToken(started, started.info.partnerTenantId, "v2", {
    grant_type: "refresh_token",
    refresh_token: body.refresh_token,
    client_id: started.info.partnerApp.clientId,
    client_secret: started.info.partnerApp.clientSecret,
  });
  assert.equal(refreshed.status, 200, refreshed.text);
  const again = decodeJwt(refreshed.json<{ id_token: string }>().id_token);
  assert.equal(again.oid, admin.oid);
  assert.equal(again.nonce, undefined);
});

test("a user without MFA gets amr pwd only; without offline_access there is no refresh token", async () => {
  const nomfa = user("nomfa");
  const { verifier, challenge } = pkce();
  const landed = await signIn(new Browser(started.ca), nomfa.username, nomfa.password, { challenge, nonce: "n-2", scope: "openid profile" });
  const res = await redeem({ code: redirectQuery(landed, CONSOLE_CALLBACK).get("code") ?? "", code_verifier: verifier });
  const body = res.json<{ id_token: string; refresh_token?: string }>();
  assert.equal(body.refresh_token, undefined);
  const claims = await verifyIdToken(body.id_token, "n-2");
  assert.deepEqual(claims.amr, ["pwd"]);
  assert.deepEqual(claims.roles, ["Console.Viewer"]);
  assert.equal(claims.email, undefined, "no email scope, no email claim");
});

test("a wrong password shows the page again with AADSTS50126; the right one then gets through", async () => {
  const browser = new Browser(started.ca);
  const viewer = user("viewer");
  const page = await browser.get(authorizeUrl(started, { redirectUri: CONSOLE_CALLBACK, state: "s" }));
  const form = signInForm(page, started.info.loginUrl);
  const wrong = await browser.post(form.action, { flowToken: form.flowToken, login: viewer.username, passwd: `${viewer.password}x` });
  assert.equal(wrong.headers.location, undefined, "no redirect");
  assert.match(wrong.text, /AADSTS50126: Error validating credentials due to invalid username or password\./);
  assert.ok(!wrong.text.includes(viewer.password), "the page never echoes a password");
  const retry = signInForm(wrong, started.info.loginUrl);
  const right = await browser.post(retry.action, { flowToken: retry.flowToken, login: viewer.username, passwd: viewer.password });
  assert.ok(redirectQuery(right, CONSOLE_CALLBACK).get("code"));

  const unknown = await signIn(new Browser(started.ca), `ghost@${viewer.username.split("@")[1]}`, "whatever");
  assert.match(unknown.text, /AADSTS50034: /);
});

test("a user with no app role is refused with AADSTS50105 at the redirect URI", async () => {
  const norole = user("norole");
  const landed = await signIn(new Browser(started.ca), norole.username, norole.password, { state: "st-3" });
  const query = redirectQuery(landed, CONSOLE_CALLBACK);
  assert.equal(query.get("code"), null);
  assert.equal(query.get("error"), "access_denied");
  assert.match(query.get("error_description") ?? "", /^AADSTS50105: /);
  assert.equal(query.get("state"), "st-3");
});

test("the code needs the right code_verifier, is single-use, and is bound to its redirect URI", async () => {
  const responder = user("responder");
  const browser = new Browser(started.ca);
  const { verifier, challenge } = pkce();
  const code = redirectQuery(await signIn(browser, responder.username, responder.password, { challenge }), CONSOLE_CALLBACK).get("code") ?? "";

  assertStsError(await redeem({ code, code_verifier: pkce().verifier }), 400, "invalid_grant", 501481);
  assertStsError(await redeem({ code }), 400, "invalid_grant", 501481);
  const mismatch = await redeem({ code, code_verifier: verifier, redirect_uri: `${CONSOLE_CALLBACK}/other` });
  assert.deepEqual(mismatch.json().error_codes, [500112]);
  assert.equal((await redeem({ code, code_verifier: verifier })).status, 200);
  assertStsError(await redeem({ code, code_verifier: verifier }), 400, "invalid_grant", 54005);
  assertStsError(await redeem({ code: "not-a-code", code_verifier: verifier }), 400, "invalid_grant", 70000);
  // Another client's secret cannot redeem it either way.
  const wrongSecret = await redeem({ code, code_verifier: verifier, client_secret: "nope" });
  assert.deepEqual(wrongSecret.json().error_codes, [7000215]);
});

test("an unregistered redirect URI gets an error page, never a redirect; a loopback port is ignored", async () => {
  const browser = new Browser(started.ca);
  const bad = await browser.get(authorizeUrl(started, { redirectUri: "https://evil.example/callback" }));
  assert.equal(bad.status, 400);
  assert.equal(bad.headers.location, undefined);
  assert.match(bad.text, /AADSTS50011: /);

  const viewer = user("viewer");
  const loopback = "http://localhost:54321/auth/callback";
  const landed = await signIn(browser, viewer.username, viewer.password, { redirectUri: loopback });
  const code = redirectQuery(landed, loopback).get("code") ?? "";
  const res = await redeem({ code, redirect_uri: loopback });
  assert.equal(res.status, 200, res.text);
});

test("prompt=none answers from the SSO cookie or with login_required; prompt=login asks again", async () => {
  const none = await new Browser(started.ca).get(authorizeUrl(started, { redirectUri: CONSOLE_CALLBACK, prompt: "none", state: "q" }));
  const refused = redirectQuery(none, CONSOLE_CALLBACK);
  assert.equal(refused.get("error"), "login_required");
  assert.match(refused.get("error_description") ?? "", /^AADSTS50058: /);
  assert.equal(refused.get("state"), "q");

  const browser = new Browser(started.ca);
  const admin = user("admin");
  redirectQuery(await signIn(browser, admin.username, admin.password), CONSOLE_CALLBACK);
  const silent = await browser.get(authorizeUrl(started, { redirectUri: CONSOLE_CALLBACK, prompt: "none" }));
  assert.ok(redirectQuery(silent, CONSOLE_CALLBACK).get("code"), "signed in silently");
  const plain = await browser.get(authorizeUrl(started, { redirectUri: CONSOLE_CALLBACK }));
  assert.ok(redirectQuery(plain, CONSOLE_CALLBACK).get("code"), "SSO without a prompt");

  const forced = await browser.get(authorizeUrl(started, { redirectUri: CONSOLE_CALLBACK, prompt: "login" }));
  assert.ok(signInForm(forced, started.info.loginUrl).flowToken, "the password form again");

  // Sign-out ends the session: prompt=none is refused again.
  await browser.get(`${started.info.loginUrl}/${started.info.partnerTenantId}/oauth2/v2.0/logout`);
  const after = await browser.get(authorizeUrl(started, { redirectUri: CONSOLE_CALLBACK, prompt: "none" }));
  assert.equal(redirectQuery(after, CONSOLE_CALLBACK).get("error"), "login_required");
});

test("response_mode=form_post answers with a self-posting form to the redirect URI", async () => {
  const viewer = user("viewer");
  const res = await signIn(new Browser(started.ca), viewer.username, viewer.password, { responseMode: "form_post", state: "fp" });
  assert.equal(res.status, 200);
  assert.match(res.text, new RegExp(`<form method="POST" name="hiddenform" action="${CONSOLE_CALLBACK}">`));
  assert.match(res.text, /<input type="hidden" name="code" value="[^"]+">/);
  assert.match(res.text, /<input type="hidden" name="state" value="fp">/);
  assert.match(String(res.headers["content-security-policy"]), /script-src 'nonce-/);
});

test("the v2.0 discovery document points at the sign-in endpoints, as Entra's does", async () => {
  const doc = (
    await httpsRequest(`${started.info.loginUrl}/${started.info.partnerTenantId}/v2.0/.well-known/openid-configuration`, started.ca)
  ).json<Record<string, unknown>>();
  const base = `${started.info.loginUrl}/${started.info.partnerTenantId}/oauth2/v2.0`;
  assert.equal(doc.authorization_endpoint, `${base}/authorize`);
  assert.equal(doc.end_session_endpoint, `${base}/logout`);
  assert.equal(doc.token_endpoint, `${base}/token`);
  // Entra supports PKCE but does not advertise it (a known gap clients must tolerate).
  assert.equal(doc.code_challenge_methods_supported, undefined);
});

test("the control API changes a user: a new password ends the SSO session, roles show in the next token", async () => {
  const browser = new Browser(started.ca);
  const viewer = user("responder");
  redirectQuery(await signIn(browser, viewer.username, viewer.password), CONSOLE_CALLBACK);
  const changed = await httpsRequest(`${started.info.controlUrl}/users/${encodeURIComponent(viewer.username)}`, started.ca, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ password: "N3w-Passw0rd!", roles: ["Console.Admin"], mfa: false }),
  });
  assert.equal(changed.status, 200, changed.text);
  const silent = await browser.get(authorizeUrl(started, { redirectUri: CONSOLE_CALLBACK, prompt: "none" }));
  assert.equal(redirectQuery(silent, CONSOLE_CALLBACK).get("error"), "login_required");

  const { verifier, challenge } = pkce();
  const landed = await signIn(browser, viewer.username, "N3w-Passw0rd!", { challenge, nonce: "n-4" });
  const body = (await redeem({ code: redirectQuery(landed, CONSOLE_CALLBACK).get("code") ?? "", code_verifier: verifier })).json<{ id_token: string }>();
  const claims = await verifyIdToken(body.id_token, "n-4");
  assert.deepEqual(claims.roles, ["Console.Admin"]);
  assert.deepEqual(claims.amr, ["pwd"]);

  const created = await httpsRequest(`${started.info.controlUrl}/users/${encodeURIComponent(`temp@${viewer.username.split("@")[1]}`)}`, started.ca, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ roles: ["Console.Viewer"] }),
  });
  assert.equal(created.status, 200, created.text);
  assert.ok(created.json<{ password: string }>().password, "a generated password, returned once");
  const outside = await httpsRequest(`${started.info.controlUrl}/users/someone%40elsewhere.example`, started.ca, { method: "PUT", body: "{}" });
  assert.equal(outside.status, 400);
});

test("prompt=select_account offers the signed-in user; fragment mode answers after the #", async () => {
  const browser = new Browser(started.ca);
  const viewer = user("viewer");
  redirectQuery(await signIn(browser, viewer.username, viewer.password), CONSOLE_CALLBACK);
  const picker = await browser.get(authorizeUrl(started, { redirectUri: CONSOLE_CALLBACK, prompt: "select_account", responseMode: "fragment", state: "fr" }));
  assert.match(picker.text, new RegExp(`<button type="submit" class="account" id="continue" name="continue" value="1">${viewer.displayName}`));
  const form = signInForm(picker, started.info.loginUrl);
  const chosen = await browser.post(form.action, { flowToken: form.flowToken, continue: "1" });
  assert.equal(chosen.status, 302);
  const location = new URL(String(chosen.headers.location));
  assert.equal(location.search, "");
  const fragment = new URLSearchParams(location.hash.slice(1));
  assert.ok(fragment.get("code"));
  assert.equal(fragment.get("state"), "fr");

  // The page's flow token only counts with the cookie of the browser it was shown to.
  const page = await new Browser(started.ca).get(authorizeUrl(started, { redirectUri: CONSOLE_CALLBACK }));
  const stolen = signInForm(page, started.info.loginUrl);
  const elsewhere = await new Browser(started.ca).post(stolen.action, { flowToken: stolen.flowToken, login: viewer.username, passwd: viewer.password });
  assert.equal(elsewhere.status, 400);
  assert.equal(elsewhere.headers.location, undefined);
});

test("more than 200 groups turn into the groups overage pointer", async () => {
  const upn = `many@${user("admin").username.split("@")[1]}`;
  const groups = Array.from({ length: 201 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);
  const created = await httpsRequest(`${started.info.controlUrl}/users/${encodeURIComponent(upn)}`, started.ca, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ password: "Many-Gr0ups!", roles: ["Console.Viewer"], groups }),
  });
  assert.equal(created.status, 200, created.text);
  const { verifier, challenge } = pkce();
  const landed = await signIn(new Browser(started.ca), upn, "Many-Gr0ups!", { challenge, nonce: "n-5" });
  const body = (await redeem({ code: redirectQuery(landed, CONSOLE_CALLBACK).get("code") ?? "", code_verifier: verifier })).json<{ id_token: string }>();
  const claims = await verifyIdToken(body.id_token, "n-5");
  assert.equal(claims.groups, undefined);
  assert.deepEqual(claims._claim_names, { groups: "src1" });
  const removed = await httpsRequest(`${started.info.controlUrl}/users/${encodeURIComponent(upn)}`, started.ca, { method: "DELETE" });
  assert.equal(removed.status, 204);
});
