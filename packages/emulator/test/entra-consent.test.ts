// Admin consent driven by plain HTTP, the way a script or the partner console's
// tests do it: GET the consent link, read the hidden `session` field, POST
// `session`, `tenant` and `decision`. Also the pages shown instead of a redirect
// when the request itself is wrong (mde-api.md §1.2).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type HttpsResponse, MDE_SCOPE, postToken, send, type StartedEmulator, startEmulator } from "./entra-support.js";

const CALLBACK = "https://partner.example.com/consent";
let started: StartedEmulator;

before(async () => {
  started = await startEmulator({
    tenants: [
      { name: "Contoso", consented: false },
      { name: "Fabrikam", roles: ["Alert.Read.All"], graphRoles: [] },
      { name: "Litware", consented: false },
    ],
    redirectUris: [CALLBACK],
  });
});
after(() => started.stop());

function tenant(name: string) {
  const t = started.info.tenants.find((x) => x.name === name);
  assert.ok(t, name);
  return t;
}

function link(path: string, query: Record<string, string>): string {
  const url = new URL(`${started.info.loginUrl}${path}`);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  return url.toString();
}

const hidden = (html: string) => /<input type="hidden" name="session" value="([^"]+)">/.exec(html)?.[1] ?? "";

function decide(path: string, fields: Record<string, string>): Promise<HttpsResponse> {
  return send(started, `${started.info.loginUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });
}

const tokenFor = (tenantId: string, scope = MDE_SCOPE) =>
  postToken(started, tenantId, "v2", {
    grant_type: "client_credentials",
    client_id: started.info.partnerApp.clientId,
    client_secret: started.info.partnerApp.clientSecret,
    scope,
  });

function assertErrorPage(res: HttpsResponse, code: number) {
  assert.equal(res.status, 400);
  assert.match(String(res.headers["content-type"]), /^text\/html/);
  assert.equal(res.headers.location, undefined, "no redirect");
  assert.match(res.text, new RegExp(`AADSTS${code}: `));
}

test("a script consents through /{tenant}/adminconsent: GET, read the hidden session, POST accept", async () => {
  const contoso = tenant("Contoso");
  assert.deepEqual((await tokenFor(contoso.id)).json().error_codes, [700016]);
  const path = `/${contoso.domain}/adminconsent`;
  // The client-credentials page allows extra path segments after a registered redirect URI.
  const page = await send(
    started,
    link(path, { client_id: started.info.partnerApp.clientId, redirect_uri: `${CALLBACK}/step2`, state: "12345" }),
  );
  assert.equal(page.status, 200);
  assert.match(String(page.headers["content-type"]), /^text\/html; charset=utf-8/);
  assert.doesNotMatch(page.text, /<script|<link |src=/i, "self-contained, no external assets or script");
  assert.match(page.text, /<form method="post" action="[^"]*adminconsent">/);
  const session = hidden(page.text);
  assert.ok(session.length >= 20);

  const res = await decide(path, { session, tenant: contoso.id, decision: "accept" });
  assert.equal(res.status, 302);
  const location = new URL(String(res.headers.location));
  assert.equal(`${location.origin}${location.pathname}`, `${CALLBACK}/step2`);
  assert.deepEqual([...location.searchParams.keys()], ["admin_consent", "tenant", "state"]);
  assert.equal(location.searchParams.get("admin_consent"), "True");
  assert.equal(location.searchParams.get("tenant"), contoso.id);
  assert.equal(location.searchParams.get("state"), "12345");
  assert.equal((await tokenFor(contoso.id)).status, 200);

  // The session was single-use.
  assertErrorPage(await decide(path, { session, tenant: contoso.id, decision: "accept" }), 90007);
  const journal = started.emulator.state.journal.list({ kind: "consent", tenantId: contoso.id });
  assert.deepEqual(
    journal.map((e) => e.operation),
    ["consent-adminconsent", "consent-accept"],
  );
});

test("v2 consent via /organizations: the admin names the tenant; only the scoped resource is added to earlier grants", async () => {
  const fabrikam = tenant("Fabrikam");
  const path = "/organizations/v2.0/adminconsent";
  const page = await send(
    started,
    link(path, {
      client_id: started.info.partnerApp.clientId,
      redirect_uri: CALLBACK,
      scope: "https://graph.microsoft.com/.default",
      state: "s",
    }),
  );
  assert.equal(page.status, 200);
  assert.match(page.text, /Microsoft Graph \(4\)/);
  assert.doesNotMatch(page.text, /WindowsDefenderATP/, "only the resource in scope is listed");
  const session = hidden(page.text);
  assertErrorPage(await decide(path, { session, decision: "accept" }), 900144);

  const again = hidden(
    (
      await send(
        started,
        link(path, { client_id: started.info.partnerApp.clientId, redirect_uri: CALLBACK, scope: "https://graph.microsoft.com/.default" }),
      )
    ).text,
  );
  const res = await decide(path, { session: again, tenant: fabrikam.id, decision: "accept" });
  assert.equal(res.status, 302);
  const location = new URL(String(res.headers.location));
  assert.equal(location.searchParams.get("scope"), "https://graph.microsoft.com/.default");
  const graph = await tokenFor(fabrikam.id, "https://graph.microsoft.com/.default");
  const claims = JSON.parse(Buffer.from(graph.json<{ access_token: string }>().access_token.split(".")[1] ?? "", "base64url").toString());
  assert.deepEqual(claims.roles, ["ThreatHunting.Read.All", "SecurityAlert.ReadWrite.All", "SecurityIncident.ReadWrite.All", "CustomDetection.ReadWrite.All"]);
  const mde = JSON.parse(
    Buffer.from((await tokenFor(fabrikam.id)).json<{ access_token: string }>().access_token.split(".")[1] ?? "", "base64url").toString(),
  );
  assert.deepEqual(mde.roles, ["Alert.Read.All"], "the earlier MDE grant is unchanged");
});

test("a page for one tenant cannot be used to consent for another", async () => {
  const contoso = tenant("Contoso");
  const litware = tenant("Litware");
  const path = `/${contoso.id}/v2.0/adminconsent`;
  const page = await send(
    started,
    link(path, { client_id: started.info.partnerApp.clientId, redirect_uri: CALLBACK, scope: MDE_SCOPE }),
  );
  assertErrorPage(await decide(path, { session: hidden(page.text), tenant: litware.id, decision: "accept" }), 90002);
  assert.deepEqual((await tokenFor(litware.id)).json().error_codes, [700016]);
});

test("Cancel on the no-version form redirects with access_denied and no admin_consent", async () => {
  const path = "/common/adminconsent";
  const page = await send(
    started,
    link(path, { client_id: started.info.partnerApp.clientId, redirect_uri: CALLBACK, state: "c" }),
  );
  const res = await decide(path, { session: hidden(page.text), decision: "cancel" });
  assert.equal(res.status, 302);
  const location = new URL(String(res.headers.location));
  assert.equal(location.searchParams.get("error"), "access_denied");
  assert.equal(location.searchParams.get("admin_consent"), null);
  assert.equal(location.searchParams.get("state"), "c");
  assert.match(location.searchParams.get("error_description") ?? "", /^AADSTS65004: /);
});

test("bad requests show an error page and never redirect", async () => {
  const contoso = tenant("Contoso");
  const clientId = started.info.partnerApp.clientId;
  const unregistered = await send(
    started,
    link(`/${contoso.id}/v2.0/adminconsent`, { client_id: clientId, redirect_uri: "https://evil.example.com/", scope: MDE_SCOPE }),
  );
  assertErrorPage(unregistered, 50011);
  assert.match(unregistered.text, /https:\/\/evil\.example\.com\//);
  // Extra path segments are only allowed on the no-version form.
  assertErrorPage(
    await send(
      started,
      link(`/${contoso.id}/v2.0/adminconsent`, { client_id: clientId, redirect_uri: `${CALLBACK}/x`, scope: MDE_SCOPE }),
    ),
    50011,
  );
  const unknown = await send(
    started,
    link("/common/oauth2/authorize", { prompt: "consent", client_id: "00000000-1111-2222-3333-444444444444", response_type: "code" }),
  );
  assertErrorPage(unknown, 700016);
  assert.match(unknown.text, /Application with identifier &#39;00000000-1111-2222-3333-444444444444&#39; was not found/);
  assertErrorPage(
    await send(
      started,
      link("/common/v2.0/adminconsent", { client_id: clientId, redirect_uri: CALLBACK, scope: "https://foo.example.com/.default" }),
    ),
    70011,
  );
  assertErrorPage(
    await send(started, link("/common/v2.0/adminconsent", { client_id: clientId, redirect_uri: CALLBACK })),
    900144,
  );
  assertErrorPage(await send(started, link("/nosuchtenant.example.com/adminconsent", { client_id: clientId })), 90002);
});
