// Certificate credentials (mde-api.md §1.5): client assertions signed RS256 with `x5t`
// or PS256 with `x5t#S256`, audience = this tenant's token endpoint (v1 or v2 URL),
// `iss` = `sub` = client id, within `nbf`/`exp`, `jti` used once. Each refusal in the
// documented error shape.
import assert from "node:assert/strict";
import { createHash, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { generateKeyPair, importPKCS8, SignJWT } from "jose";
import { assertStsError, MDE_SCOPE, postToken, type StartedEmulator, startEmulator } from "./entra-support.js";

const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

let started: StartedEmulator;
let clientId: string;
let contoso: { id: string; name: string; domain: string };
let unconsented: { id: string; name: string };
let certPem: string;
let keyPem: string;

before(async () => {
  started = await startEmulator({ tenants: [{ name: "Contoso" }, { name: "Fabrikam", consented: false }] });
  ({ clientId } = started.info.partnerApp);
  const [a, b] = started.info.tenants;
  assert.ok(a && b);
  contoso = a;
  unconsented = b;
  certPem = readFileSync(started.info.partnerApp.certificateFile, "utf8");
  keyPem = readFileSync(started.info.partnerApp.privateKeyFile, "utf8");
});
after(() => started.stop());

function certThumbprints() {
  const der = Buffer.from(certPem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
  return {
    x5t: createHash("sha1").update(der).digest("base64url"),
    s256: createHash("sha256").update(der).digest("base64url"),
  };
}

async function assertion(
  options: { claims?: Record<string, unknown>; alg?: "RS256" | "PS256"; header?: Record<string, string>; key?: CryptoKey } = {},
) {
  const alg = options.alg ?? "PS256";
  const { x5t, s256 } = certThumbprints();
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    aud: `${started.info.loginUrl}/${contoso.id}/oauth2/v2.0/token`,
    iss: clientId,
    sub: clientId,
    jti: randomUUID(),
    nbf: now,
    iat: now,
    exp: now + 600,
    ...options.claims,
  };
  const header = options.header ?? (alg === "PS256" ? { "x5t#S256": s256 } : { x5t });
  const key = options.key ?? (await importPKCS8(keyPem, alg));
  return new SignJWT(claims).setProtectedHeader({ alg, typ: "JWT", ...header }).sign(key);
}

const assertionForm = (clientAssertion: string) => ({
  grant_type: "client_credentials",
  client_id: clientId,
  scope: MDE_SCOPE,
  client_assertion_type: ASSERTION_TYPE,
  client_assertion: clientAssertion,
});

describe("certificate client assertion", () => {
  test("RS256 + x5t and PS256 + x5t#S256 are accepted, with v1 and v2 audiences; appidacr is 2", async () => {
    for (const [alg, aud] of [
      ["RS256", `${started.info.loginUrl}/${contoso.id}/oauth2/token`],
      ["PS256", `${started.info.loginUrl}/${contoso.domain}/oauth2/v2.0/token`],
    ] as const) {
      const res = await postToken(started, contoso.id, "v2", assertionForm(await assertion({ alg, claims: { aud } })));
      assert.equal(res.status, 200, `${alg}: ${res.text}`);
      const token = res.json<{ access_token: string }>().access_token;
      const claims = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as Record<string, unknown>;
      assert.equal(claims.appidacr, "2");
    }
  });

  test("thumbprints are compared as bytes: padded base64url (Python MSAL) and standard base64 are accepted, as Entra does", async () => {
    const der = Buffer.from(certPem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
    const sha1 = createHash("sha1").update(der).digest();
    const sha256 = createHash("sha256").update(der).digest();
    const padded = (bytes: Buffer) => bytes.toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
    assert.match(padded(sha1), /=$/, "a SHA-1 thumbprint in base64 ends in padding");
    for (const [alg, header] of [
      ["RS256", { x5t: padded(sha1) }],
      ["RS256", { x5t: sha1.toString("base64") }],
      ["PS256", { "x5t#S256": padded(sha256) }],
      ["PS256", { "x5t#S256": sha256.toString("base64") }],
      // Python MSAL with a SHA-256 thumbprint sends both, padded.
      ["PS256", { x5t: padded(sha1), "x5t#S256": padded(sha256) }],
    ] as const) {
      const res = await postToken(started, contoso.id, "v2", assertionForm(await assertion({ alg, header })));
      assert.equal(res.status, 200, `${JSON.stringify(header)}: ${res.text}`);
    }
    for (const header of [{ x5t: `${padded(sha1)}=` }, { x5t: sha1.toString("hex") }, { x5t: padded(sha1).slice(0, -4) }, { x5t: `${padded(sha1)}!` }]) {
      const res = await postToken(started, contoso.id, "v2", assertionForm(await assertion({ alg: "RS256", header })));
      assertStsError(res, 401, "invalid_client", 700027);
    }
  });

  test("a signature by another key is AADSTS700027; an unregistered thumbprint too", async () => {
    const { privateKey } = await generateKeyPair("PS256");
    assertStsError(
      await postToken(started, contoso.id, "v2", assertionForm(await assertion({ key: privateKey as CryptoKey }))),
      401,
      "invalid_client",
      700027,
    );
    const body = assertStsError(
      await postToken(
        started,
        contoso.id,
        "v2",
        assertionForm(await assertion({ header: { "x5t#S256": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" } })),
      ),
      401,
      "invalid_client",
      700027,
    );
    assert.match(String(body.error_description), /The key was not found/);
  });

  test("sub different from iss is AADSTS50048", async () => {
    const res = await postToken(started, contoso.id, "v2", assertionForm(await assertion({ claims: { sub: randomUUID() } })));
    assertStsError(res, 401, "invalid_client", 50048);
  });

  test("an assertion for another audience is refused (AADSTS700023)", async () => {
    const aud = `${started.info.loginUrl}/${unconsented.id}/oauth2/v2.0/token`;
    assertStsError(
      await postToken(started, contoso.id, "v2", assertionForm(await assertion({ claims: { aud } }))),
      401,
      "invalid_client",
      700023,
    );
  });

  test("an expired assertion is AADSTS700024", async () => {
    const past = Math.floor(Date.now() / 1000) - 3600;
    const res = await postToken(
      started,
      contoso.id,
      "v2",
      assertionForm(await assertion({ claims: { nbf: past - 600, iat: past - 600, exp: past } })),
    );
    const body = assertStsError(res, 401, "invalid_client", 700024);
    assert.match(String(body.error_description), /Client assertion is not within its valid time range/);
  });

  test("a replayed assertion (same jti) is refused the second time", async () => {
    const signed = await assertion();
    assert.equal((await postToken(started, contoso.id, "v2", assertionForm(signed))).status, 200);
    assertStsError(await postToken(started, contoso.id, "v2", assertionForm(signed)), 401, "invalid_client", 50013);
  });

  test("a wrong client_assertion_type and a malformed assertion are refused", async () => {
    assertStsError(
      await postToken(started, contoso.id, "v2", { ...assertionForm(await assertion()), client_assertion_type: "urn:example:other" }),
      400,
      "invalid_request",
      90011,
    );
    assertStsError(await postToken(started, contoso.id, "v2", assertionForm("not.a.jwt")), 401, "invalid_client", 50027);
  });
});
