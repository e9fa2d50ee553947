// Every refusal of the token endpoints, over HTTPS, in the documented error shape
// (mde-api.md §1.7; examples/token-error-reference-sample.response.json): `error`,
// `error_description` = "AADSTSnnnn: …" + Trace ID / Correlation ID / Timestamp lines,
// `error_codes`, `timestamp` "YYYY-MM-DD HH:MM:SSZ", `trace_id`, `correlation_id`.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { assertStsError, MDE_RESOURCE, MDE_SCOPE, postToken, send, type StartedEmulator, startEmulator } from "./entra-support.js";

let started: StartedEmulator;
let clientId: string;
let clientSecret: string;
let contoso: { id: string; name: string; domain: string };
let unconsented: { id: string; name: string };
let noMde: { id: string; name: string };

before(async () => {
  started = await startEmulator({
    tenants: [{ name: "Contoso" }, { name: "Fabrikam", consented: false }, { name: "Litware", mdeProvisioned: false }],
  });
  ({ clientId, clientSecret } = started.info.partnerApp);
  const [a, b, c] = started.info.tenants;
  assert.ok(a && b && c);
  contoso = a;
  unconsented = b;
  noMde = c;
});
after(() => started.stop());

const secretForm = (extra: Record<string, string> = {}) => ({
  grant_type: "client_credentials",
  client_id: clientId,
  client_secret: clientSecret,
  scope: MDE_SCOPE,
  ...extra,
});

describe("tenant in the path", () => {
  test("an unknown tenant GUID or domain is AADSTS90002", async () => {
    const body = assertStsError(await postToken(started, randomUUID(), "v2", secretForm()), 400, "invalid_request", 90002);
    assert.match(String(body.error_description), /Tenant '[0-9a-f-]{36}' not found/);
    assertStsError(
      await postToken(started, "nosuchcompany.onmicrosoft.com", "v1", secretForm({ resource: MDE_RESOURCE })),
      400,
      "invalid_request",
      90002,
    );
  });

  test("a tenant identifier that is neither a GUID nor a DNS name is AADSTS900023", async () => {
    const body = assertStsError(await postToken(started, "not_a_tenant", "v2", secretForm()), 400, "invalid_request", 900023);
    assert.match(
      String(body.error_description),
      /Specified tenant identifier 'not_a_tenant' is neither a valid DNS name, nor a valid external domain/,
    );
  });

  test("client credentials over /common or /consumers is AADSTS9001023; /organizations picks the app's home tenant", async () => {
    for (const alias of ["common", "consumers"]) {
      assertStsError(await postToken(started, alias, "v2", secretForm()), 400, "invalid_request", 9001023);
    }
    const res = await postToken(started, "organizations", "v2", secretForm());
    assert.equal(res.status, 200, res.text);
    const token = res.json<{ access_token: string }>().access_token;
    const claims = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as Record<string, unknown>;
    assert.equal(claims.tid, started.info.partnerApp.homeTenantId, "not a customer tenant");
  });
});

describe("request parameters", () => {
  test("missing parameters are AADSTS900144 naming the parameter", async () => {
    const { client_id: _omit, ...noClient } = secretForm();
    const body = assertStsError(await postToken(started, contoso.id, "v2", noClient), 400, "invalid_request", 900144);
    assert.match(String(body.error_description), /^AADSTS900144: The request body must contain the following parameter: 'client_id'\.\r\n/);
    const { grant_type: _g, ...noGrant } = secretForm();
    assert.match(
      String(assertStsError(await postToken(started, contoso.id, "v2", noGrant), 400, "invalid_request", 900144).error_description),
      /'grant_type'/,
    );
    const { scope: _s, ...noScope } = secretForm();
    assert.match(
      String(assertStsError(await postToken(started, contoso.id, "v2", noScope), 400, "invalid_request", 900144).error_description),
      /'scope'/,
    );
    assert.match(
      String(assertStsError(await postToken(started, contoso.id, "v1", noScope), 400, "invalid_request", 900144).error_description),
      /'resource'/,
    );
  });

  test("a parameter sent twice is refused (AADSTS9000411)", async () => {
    const body = `${new URLSearchParams(secretForm()).toString()}&client_id=${randomUUID()}`;
    const res = assertStsError(await postToken(started, contoso.id, "v2", body), 400, "invalid_request", 9000411);
    assert.match(String(res.error_description), /The parameter 'client_id' is duplicated/);
  });

  test("an unsupported grant type is AADSTS70003", async () => {
    assertStsError(
      await postToken(started, contoso.id, "v2", secretForm({ grant_type: "password" })),
      400,
      "unsupported_grant_type",
      70003,
    );
  });

  test("GET on a token endpoint is refused", async () => {
    const res = await send(started, `${started.info.loginUrl}/${contoso.id}/oauth2/v2.0/token`);
    assertStsError(res, 400, "invalid_request", 900561);
  });
});

describe("scope and resource", () => {
  test("a scope of an unknown resource is AADSTS70011 (the documented example)", async () => {
    const body = assertStsError(
      await postToken(started, contoso.id, "v2", secretForm({ scope: "https://foo.microsoft.com/.default" })),
      400,
      "invalid_scope",
      70011,
    );
    assert.match(String(body.error_description), /The scope https:\/\/foo\.microsoft\.com\/\.default is not valid/);
  });

  test("a client-credentials scope without /.default is invalid_scope (AADSTS1002012)", async () => {
    const body = assertStsError(
      await postToken(started, contoso.id, "v2", secretForm({ scope: "https://api.securitycenter.microsoft.com/Alert.Read.All" })),
      400,
      "invalid_scope",
      1002012,
    );
    assert.match(String(body.error_description), /\/\.default/);
  });

  test("scopes of two resources are AADSTS700022", async () => {
    const scope = `${MDE_SCOPE} https://graph.microsoft.com/.default`;
    assertStsError(await postToken(started, contoso.id, "v2", secretForm({ scope })), 400, "invalid_scope", 700022);
  });

  test("every documented MDE scope root is accepted", async () => {
    for (const root of [
      "https://securitycenter.onmicrosoft.com/windowsatpservice",
      "https://api.securitycenter.microsoft.com",
      "https://api.security.microsoft.com",
    ]) {
      const res = await postToken(started, contoso.id, "v2", secretForm({ scope: `${root}/.default` }));
      assert.equal(res.status, 200, `${root}: ${res.text}`);
    }
  });

  test("an unknown v1 resource, or MDE in a tenant without MDE, is AADSTS500011", async () => {
    const body = assertStsError(
      await postToken(started, contoso.id, "v1", secretForm({ resource: "https://nothing.example.com" })),
      400,
      "invalid_resource",
      500011,
    );
    assert.match(
      String(body.error_description),
      /The resource principal named https:\/\/nothing\.example\.com was not found in the tenant named Contoso/,
    );
    assertStsError(await postToken(started, noMde.id, "v1", secretForm({ resource: MDE_RESOURCE })), 400, "invalid_resource", 500011);
    assertStsError(await postToken(started, noMde.id, "v2", secretForm()), 400, "invalid_resource", 500011);
    // Graph is still there.
    assert.equal((await postToken(started, noMde.id, "v2", secretForm({ scope: "https://graph.microsoft.com/.default" }))).status, 200);
  });
});

describe("the application in the tenant", () => {
  test("a tenant that has not consented is AADSTS700016 naming the app and the directory", async () => {
    const body = assertStsError(await postToken(started, unconsented.id, "v2", secretForm()), 400, "unauthorized_client", 700016);
    const text = String(body.error_description);
    assert.ok(
      text.startsWith(`AADSTS700016: Application with identifier '${clientId}' was not found in the directory '${unconsented.name}'.`),
      text,
    );
    assert.match(
      text,
      /This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant/,
    );
    const journal = started.emulator.state.journal.list({ kind: "token", tenantId: unconsented.id });
    assert.equal(journal.at(-1)?.error, "AADSTS700016");
    assert.equal(journal.at(-1)?.clientId, clientId);
  });

  test("an unknown client id is AADSTS700016", async () => {
    const other = randomUUID();
    const body = assertStsError(
      await postToken(started, contoso.id, "v2", secretForm({ client_id: other })),
      400,
      "unauthorized_client",
      700016,
    );
    assert.match(String(body.error_description), new RegExp(`'${other}'`));
  });

  test("a disabled application is AADSTS7000112", async () => {
    started.emulator.partnerApp.enabled = false;
    try {
      assertStsError(await postToken(started, contoso.id, "v2", secretForm()), 400, "unauthorized_client", 7000112);
    } finally {
      started.emulator.partnerApp.enabled = true;
    }
  });
});

describe("client secret", () => {
  test("a wrong secret is invalid_client AADSTS7000215 with HTTP 401", async () => {
    const body = assertStsError(
      await postToken(started, contoso.id, "v2", secretForm({ client_secret: "wrong" })),
      401,
      "invalid_client",
      7000215,
    );
    assert.match(String(body.error_description), new RegExp(clientId));
  });

  test("an expired secret is AADSTS7000222", async () => {
    const value = `exp8Q~${randomUUID()}`;
    started.emulator.partnerApp.secrets.push({ id: randomUUID(), hint: "exp", value, expiresAt: Date.now() - 1000 });
    assertStsError(await postToken(started, contoso.id, "v2", secretForm({ client_secret: value })), 401, "invalid_client", 7000222);
  });

  test("neither secret nor assertion is AADSTS7000218", async () => {
    const { client_secret: _s, ...form } = secretForm();
    assertStsError(await postToken(started, contoso.id, "v2", form), 401, "invalid_client", 7000218);
  });

  test("HTTP Basic client authentication (RFC 6749 §2.3.1) works, and a wrong Basic secret is refused", async () => {
    const { client_secret: _s, client_id: _c, ...form } = secretForm();
    const basic = (secret: string) =>
      `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString("base64")}`;
    const ok = await postToken(started, contoso.id, "v2", form, { authorization: basic(clientSecret) });
    assert.equal(ok.status, 200, ok.text);
    assertStsError(await postToken(started, contoso.id, "v2", form, { authorization: basic("nope") }), 401, "invalid_client", 7000215);
  });
});

describe("status overrides and injected faults", () => {
  test("an injected token fault answers 503 temporarily_unavailable with Retry-After, then recovers", async () => {
    started.emulator.state.faults.add({ target: "token", tenantId: contoso.id, status: 503, retryAfterSec: 7, count: 1 });
    const res = await postToken(started, contoso.id, "v2", secretForm());
    assertStsError(res, 503, "temporarily_unavailable", 90006);
    assert.equal(res.headers["retry-after"], "7");
    assert.equal((await postToken(started, contoso.id, "v2", secretForm())).status, 200);
  });

  test("tokenErrorStatus overrides the status per AADSTS code", async () => {
    const other = await startEmulator({ tenants: 1, tokenErrorStatus: { "7000215": 400 } });
    try {
      const tenant = other.info.tenants[0];
      assert.ok(tenant);
      const res = await postToken(other, tenant.id, "v2", {
        grant_type: "client_credentials",
        client_id: other.info.partnerApp.clientId,
        client_secret: "wrong",
        scope: MDE_SCOPE,
      });
      assertStsError(res, 400, "invalid_client", 7000215);
    } finally {
      await other.stop();
    }
  });
});
