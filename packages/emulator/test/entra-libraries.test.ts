// The libraries partners use get tokens from the emulator unchanged, over HTTPS
// trusting only the emulator's CA: @azure/msal-node (secret; certificate as
// PS256/x5t#S256 and RS256/x5t) and @azure/identity (in a child process with
// NODE_EXTRA_CA_CERTS). `jose` then verifies every token against the keys the
// discovery document points at, and key rotation keeps old tokens valid for the
// grace period while new tokens carry the new key.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { ConfidentialClientApplication } from "@azure/msal-node";
import { createManualClock } from "@mde-partner/emulator";
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from "jose";
import { assertStsError, httpsRequest, MDE_RESOURCE, MDE_SCOPE, postToken, type StartedEmulator, startEmulator } from "./entra-support.js";

let started: StartedEmulator;

before(async () => {
  started = await startEmulator({ serve: true, tenants: [{ name: "Contoso" }, { name: "Fabrikam", roles: ["Alert.Read.All"] }] });
});
after(() => started.stop());

const tenant = (i: number) => {
  const t = started.info.tenants[i];
  assert.ok(t);
  return t;
};

/** Verifies a token the way a resource server would: keys and issuer from the discovery document. */
async function verifyViaDiscovery(s: StartedEmulator, token: string, tenantId: string, audience: string) {
  const version = decodeJwt(token).ver === "2.0" ? "v2.0/" : "";
  const discovery = await httpsRequest(`${s.info.loginUrl}/${tenantId}/${version}.well-known/openid-configuration`, s.ca);
  assert.equal(discovery.status, 200);
  const config = discovery.json<{ jwks_uri: string; issuer: string }>();
  const jwks = await httpsRequest(config.jwks_uri, s.ca);
  assert.equal(jwks.status, 200);
  const { payload } = await jwtVerify(token, createLocalJWKSet(jwks.json<JSONWebKeySet>()), {
    issuer: config.issuer,
    audience,
    algorithms: ["RS256"],
  });
  return payload;
}

function msalApp(
  credential:
    | { clientSecret: string }
    | { clientCertificate: { thumbprint?: string; thumbprintSha256?: string; privateKey: string; x5c?: string } },
  tenantId: string,
) {
  return new ConfidentialClientApplication({
    auth: {
      clientId: started.info.partnerApp.clientId,
      authority: `${started.info.loginUrl}/${tenantId}`,
      knownAuthorities: [new URL(started.info.loginUrl).host],
      ...credential,
    },
    system: { customAgentOptions: { ca: started.ca } },
  });
}

test("msal-node with a client secret: token for the customer tenant, verified against discovery", async () => {
  const fabrikam = tenant(1);
  const result = await msalApp({ clientSecret: started.info.partnerApp.clientSecret }, fabrikam.id).acquireTokenByClientCredential({
    scopes: [`${MDE_RESOURCE}/.default`],
  });
  assert.ok(result?.accessToken);
  const claims = await verifyViaDiscovery(started, result.accessToken, fabrikam.id, MDE_RESOURCE);
  assert.deepEqual(claims.roles, ["Alert.Read.All"]);
  assert.equal(claims.appidacr, "1");
  assert.ok(result.expiresOn && result.expiresOn.getTime() > Date.now() + 3000_000);
});

test("msal-node with a certificate (PS256 x5t#S256, and RS256 x5t): appidacr 2", async () => {
  const contoso = tenant(0);
  const certPem = readFileSync(started.info.partnerApp.certificateFile, "utf8");
  const privateKey = readFileSync(started.info.partnerApp.privateKeyFile, "utf8");
  const der = Buffer.from(certPem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
  const sha256 = createHash("sha256").update(der).digest("hex");
  const sha1 = createHash("sha1").update(der).digest("hex");
  for (const clientCertificate of [
    { thumbprintSha256: sha256, privateKey, x5c: certPem },
    { thumbprint: sha1, privateKey },
  ]) {
    const result = await msalApp({ clientCertificate }, contoso.id).acquireTokenByClientCredential({ scopes: [MDE_SCOPE] });
    assert.ok(result?.accessToken);
    const claims = await verifyViaDiscovery(started, result.accessToken, contoso.id, MDE_SCOPE.replace("/.default", ""));
    assert.equal(claims.appidacr, "2");
    assert.equal(claims.tid, contoso.id);
    assert.deepEqual([...(claims.roles as string[])].sort(), [...contoso.roles].sort());
  }
  // Both assertions reached the emulator and were accepted by certificate (the journal shows no errors).
  const tokens = started.emulator.state.journal.list({ kind: "token", tenantId: contoso.id });
  assert.ok(tokens.length >= 2 && tokens.every((e) => e.status === 200 && e.error === undefined));
});

test("instance discovery answers for the emulator's own host as Entra does for a known authority", async () => {
  const contoso = tenant(0);
  const login = started.info.loginUrl;
  const host = new URL(login).host;
  const discover = (query: Record<string, string>) =>
    httpsRequest(`${login}/common/discovery/instance?${new URLSearchParams(query)}`, started.ca);
  const res = await discover({ "api-version": "1.1", authorization_endpoint: `${login}/${contoso.id}/oauth2/v2.0/authorize` });
  assert.equal(res.status, 200, res.text);
  const body = res.json<{ tenant_discovery_endpoint: string; "api-version": string; metadata: Array<Record<string, unknown>> }>();
  assert.deepEqual(Object.keys(body), ["tenant_discovery_endpoint", "api-version", "metadata"]);
  assert.equal(body.tenant_discovery_endpoint, `${login}/${contoso.id}/v2.0/.well-known/openid-configuration`);
  assert.equal(body["api-version"], "1.1");
  for (const entry of body.metadata) {
    assert.deepEqual(Object.keys(entry), ["preferred_network", "preferred_cache", "aliases"]);
    assert.ok((entry.aliases as string[]).includes(entry.preferred_network as string));
  }
  const own = body.metadata[0]!;
  assert.equal(own.preferred_network, host);
  assert.equal(own.preferred_cache, host);
  assert.ok((own.aliases as string[]).includes(`localhost:${new URL(login).port}`));
  assert.ok(body.metadata.some((m) => m.preferred_network === "login.microsoftonline.com" && m.preferred_cache === "login.windows.net"));
  // The document it names is served, with the tenant's endpoints.
  const doc = await httpsRequest(body.tenant_discovery_endpoint, started.ca);
  assert.equal(doc.status, 200);
  assert.equal(doc.json().token_endpoint, `${login}/${contoso.id}/oauth2/v2.0/token`);

  // A v1 authorize endpoint names the v1 document; api-version 1.0 (Python MSAL) is echoed.
  const v1 = await discover({ "api-version": "1.0", authorization_endpoint: `${login}/common/oauth2/authorize` });
  assert.equal(v1.json().tenant_discovery_endpoint, `${login}/common/.well-known/openid-configuration`);
  assert.equal(v1.json()["api-version"], "1.0");
  // Python MSAL asks about the authority's host without its port: the emulator answers with its own origin.
  const portless = await discover({ "api-version": "1.0", authorization_endpoint: `https://${new URL(login).hostname}/${contoso.id}/oauth2/v2.0/authorize` });
  assert.equal(portless.json().tenant_discovery_endpoint, `${login}/${contoso.id}/v2.0/.well-known/openid-configuration`);
  // Another host is not an instance the emulator knows; a missing endpoint is a bad request.
  assertStsError(await discover({ "api-version": "1.1", authorization_endpoint: "https://login.evil.example/x/oauth2/v2.0/authorize" }), 400, "invalid_instance", 50049);
  assertStsError(await discover({ "api-version": "1.1" }), 400, "invalid_request", 900144);
});

/** msal-node's network interface over HTTPS trusting only the emulator's CA; `rewrite` may send a request elsewhere (as a proxy would). */
function msalNetwork(rewrite: (url: string) => string = (url) => url) {
  const seen: string[] = [];
  const send = async (method: string, url: string, options?: { headers?: Record<string, string>; body?: string }) => {
    seen.push(url);
    const res = await httpsRequest(rewrite(url), started.ca, { method, headers: options?.headers ?? {}, ...(options?.body === undefined ? {} : { body: options.body }) });
    const headers = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : String(v ?? "")]));
    return { status: res.status, headers, body: JSON.parse(res.text) };
  };
  return {
    seen,
    client: {
      sendGetRequestAsync: (url: string, options?: { headers?: Record<string, string> }) => send("GET", url, options),
      sendPostRequestAsync: (url: string, options?: { headers?: Record<string, string>; body?: string }) => send("POST", url, options),
    },
  };
}

test("msal-node without knownAuthorities: with the emulator's instance-discovery answer as cloudDiscoveryMetadata, and with network instance discovery", async () => {
  const contoso = tenant(0);
  const login = started.info.loginUrl;
  const authority = `${login}/${contoso.id}`;
  const discovery = await httpsRequest(
    `${login}/common/discovery/instance?${new URLSearchParams({ "api-version": "1.1", authorization_endpoint: `${authority}/oauth2/v2.0/authorize` })}`,
    started.ca,
  );
  const withMetadata = new ConfidentialClientApplication({
    auth: { clientId: started.info.partnerApp.clientId, clientSecret: started.info.partnerApp.clientSecret, authority, cloudDiscoveryMetadata: discovery.text },
    system: { customAgentOptions: { ca: started.ca } },
  });
  const first = await withMetadata.acquireTokenByClientCredential({ scopes: [MDE_SCOPE] });
  assert.ok(first?.accessToken);

  // No configuration at all: msal-node asks login.microsoftonline.com's instance discovery about the
  // emulator's host. A network client that carries that one request to the emulator (what a proxy for
  // the login host would do offline) shows msal-node accepts the emulator's answer as Entra's.
  const network = msalNetwork((url) =>
    url.startsWith("https://login.microsoftonline.com/common/discovery/instance") ? url.replace("https://login.microsoftonline.com", login) : url,
  );
  const discovering = new ConfidentialClientApplication({
    auth: { clientId: started.info.partnerApp.clientId, clientSecret: started.info.partnerApp.clientSecret, authority },
    system: { networkClient: network.client },
  });
  const second = await discovering.acquireTokenByClientCredential({ scopes: [MDE_SCOPE] });
  assert.ok(second?.accessToken);
  assert.ok(network.seen.some((u) => u.startsWith("https://login.microsoftonline.com/common/discovery/instance?api-version=1.1&authorization_endpoint=")), network.seen.join("\n"));
  assert.ok(network.seen.some((u) => u === `${authority}/v2.0/.well-known/openid-configuration`), network.seen.join("\n"));
  const discoveries = started.emulator.state.journal.list({ kind: "discovery" }).filter((e) => e.path.startsWith("/common/discovery/instance"));
  assert.ok(discoveries.filter((e) => e.status === 200).length >= 2);
});

/** Runs @azure/identity in a child process that trusts the emulator CA through NODE_EXTRA_CA_CERTS. */
function identityToken(
  kind: "secret" | "certificate",
  tenantId: string,
  scope: string,
): Promise<{ token: string; expiresOnTimestamp: number }> {
  const { clientId, clientSecret, certificateFile, privateKeyFile } = started.info.partnerApp;
  const script = `
    import { readFileSync } from "node:fs";
    import { ClientCertificateCredential, ClientSecretCredential } from "@azure/identity";
    const options = { authorityHost: process.env.AUTHORITY, disableInstanceDiscovery: true };
    const credential = process.env.KIND === "secret"
      ? new ClientSecretCredential(process.env.TENANT, process.env.CLIENT_ID, process.env.CLIENT_SECRET, options)
      : new ClientCertificateCredential(process.env.TENANT, process.env.CLIENT_ID,
          { certificate: readFileSync(process.env.CERT, "utf8") + "\\n" + readFileSync(process.env.KEY, "utf8") }, options);
    const token = await credential.getToken(process.env.SCOPE);
    process.stdout.write(JSON.stringify(token));
  `;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--input-type=module", "-e", script],
      {
        cwd: new URL(".", import.meta.url).pathname,
        env: {
          PATH: process.env.PATH ?? "",
          NODE_EXTRA_CA_CERTS: started.info.caCertFile,
          AUTHORITY: started.info.loginUrl,
          KIND: kind,
          TENANT: tenantId,
          CLIENT_ID: clientId,
          CLIENT_SECRET: clientSecret,
          CERT: certificateFile,
          KEY: privateKeyFile,
          SCOPE: scope,
        },
        timeout: 30_000,
      },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout))),
    );
  });
}

test("@azure/identity ClientSecretCredential and ClientCertificateCredential get verifiable tokens", async () => {
  const contoso = tenant(0);
  for (const kind of ["secret", "certificate"] as const) {
    const { token, expiresOnTimestamp } = await identityToken(kind, contoso.id, `${MDE_RESOURCE}/.default`);
    assert.ok(expiresOnTimestamp > Date.now() + 3000_000);
    const claims = await verifyViaDiscovery(started, token, contoso.id, MDE_RESOURCE);
    assert.equal(claims.appidacr, kind === "secret" ? "1" : "2");
    assert.equal(claims.appid, started.info.partnerApp.clientId);
  }
});

test("discovery documents and key sets have the real shape", async () => {
  const contoso = tenant(0);
  const v2 = (await httpsRequest(`${started.info.loginUrl}/${contoso.domain}/v2.0/.well-known/openid-configuration`, started.ca)).json();
  assert.equal(v2.issuer, `${started.info.loginUrl}/${contoso.id}/v2.0`, "a domain resolves to the GUID");
  assert.equal(v2.token_endpoint, `${started.info.loginUrl}/${contoso.id}/oauth2/v2.0/token`);
  assert.equal(v2.jwks_uri, `${started.info.loginUrl}/${contoso.id}/discovery/v2.0/keys`);
  for (const method of ["client_secret_post", "client_secret_basic", "private_key_jwt"]) {
    assert.ok((v2.token_endpoint_auth_methods_supported as string[]).includes(method), method);
  }
  assert.deepEqual(v2.id_token_signing_alg_values_supported, ["RS256"]);
  assert.deepEqual(v2.subject_types_supported, ["pairwise"]);
  assert.ok(Array.isArray(v2.response_types_supported));
  assert.equal(typeof v2.tenant_region_scope, "string");

  const common = (await httpsRequest(`${started.info.loginUrl}/common/v2.0/.well-known/openid-configuration`, started.ca)).json();
  assert.equal(common.issuer, `${started.info.loginUrl}/{tenantid}/v2.0`, "tenant-independent documents keep the template");
  assert.equal(common.tenant_region_scope, null);

  const v1 = (await httpsRequest(`${started.info.loginUrl}/${contoso.id}/.well-known/openid-configuration`, started.ca)).json();
  assert.equal(v1.issuer, `https://sts.windows.net/${contoso.id}/`);
  assert.equal(v1.token_endpoint, `${started.info.loginUrl}/${contoso.id}/oauth2/token`);

  for (const path of ["common/discovery/keys", "common/discovery/v2.0/keys", `${contoso.id}/discovery/keys`]) {
    const res = await httpsRequest(`${started.info.loginUrl}/${path}`, started.ca);
    assert.equal(res.status, 200, path);
    const { keys } = res.json<{ keys: Record<string, unknown>[] }>();
    assert.ok(keys.length >= 1);
    for (const key of keys) {
      assert.deepEqual(Object.keys(key), ["kty", "use", "kid", "x5t", "n", "e", "x5c", "issuer"]);
      assert.equal(key.kty, "RSA");
      assert.equal(key.use, "sig");
      assert.equal(key.e, "AQAB");
      assert.equal(key.kid, key.x5t);
      // kid/x5t is the SHA-1 thumbprint of the certificate in x5c.
      const der = Buffer.from((key.x5c as string[])[0] ?? "", "base64");
      assert.equal(key.x5t, createHash("sha1").update(der).digest("base64url"));
    }
  }
  const unknown = await httpsRequest(
    `${started.info.loginUrl}/${"0".repeat(8)}-0000-0000-0000-000000000000/v2.0/.well-known/openid-configuration`,
    started.ca,
  );
  assert.equal(unknown.status, 400);
  assert.deepEqual(unknown.json().error_codes, [90002]);
});

test("key rotation: old tokens verify during the grace period, new tokens carry the new kid", async () => {
  const clock = createManualClock(Date.now());
  const s = await startEmulator({ serve: true, tenants: 1, clock });
  try {
    const t = s.info.tenants[0];
    assert.ok(t);
    const form = {
      grant_type: "client_credentials",
      client_id: s.info.partnerApp.clientId,
      client_secret: s.info.partnerApp.clientSecret,
      scope: MDE_SCOPE,
    };
    const before = (await postToken(s, t.id, "v2", form)).json<{ access_token: string }>().access_token;
    const oldKid = decodeProtectedHeader(before).kid;

    await s.emulator.state.keys.rotate(10 * 60_000);
    const fresh = (await postToken(s, t.id, "v2", form)).json<{ access_token: string }>().access_token;
    const newKid = decodeProtectedHeader(fresh).kid;
    assert.notEqual(newKid, oldKid);
    const audience = MDE_SCOPE.replace("/.default", "");
    const verifyAt = async (token: string) => {
      const jwks = (await httpsRequest(`${s.info.loginUrl}/common/discovery/keys`, s.ca)).json<JSONWebKeySet>();
      return jwtVerify(token, createLocalJWKSet(jwks), { audience, currentDate: new Date(clock.now()) });
    };
    await verifyAt(before);
    await verifyAt(fresh);

    clock.advance(11 * 60_000);
    const jwks = (await httpsRequest(`${s.info.loginUrl}/common/discovery/keys`, s.ca)).json<JSONWebKeySet>();
    assert.deepEqual(
      jwks.keys.map((k) => k.kid),
      [newKid],
      "the retired key left the key set after the grace period",
    );
    await assert.rejects(verifyAt(before), /no applicable key found/i);
    await verifyAt(fresh);
  } finally {
    await s.stop();
  }
});
