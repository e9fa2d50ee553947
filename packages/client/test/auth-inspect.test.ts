/**
 * Offline token inspection against the emulator's published keys (HTTPS,
 * discovery + JWKS), with good tokens and tokens crafted to be wrong in one way each.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createPartnerClient, createStaticKeySource, inspectToken, type PartnerClient, type TokenInspection } from "@mde-partner/client";
import { createEmulator, type Emulator, type EmulatorInfo } from "@mde-partner/emulator";
import { decodeJwt, decodeProtectedHeader, exportJWK, SignJWT } from "jose";

let emulator: Emulator;
let info: EmulatorInfo;
let partner: PartnerClient;
let goodToken: string;

before(async () => {
  emulator = await createEmulator({ tenants: 2, alertsPerTenant: 1, machinesPerTenant: 1, seed: "inspect-tests" });
  info = await emulator.start();
  partner = createPartnerClient({
    clientId: info.partnerApp.clientId,
    credential: { clientSecret: info.partnerApp.clientSecret },
    cloud: { name: "custom", loginUrl: info.loginUrl, apiUrl: info.apiUrl, ca: info.caCertFile },
  });
  goodToken = await partner.getToken(info.tenants[0]!.id);
});
after(async () => {
  await partner.close();
  await emulator.stop();
});

const check = (report: TokenInspection, name: string) => report.checks.find((c) => c.name === name)!;
const failed = (report: TokenInspection) => report.checks.filter((c) => c.status === "fail").map((c) => c.name);

/** Re-signs the good token's claims, changed by `edit`, with the emulator's real signing key. */
async function forge(edit: (claims: Record<string, unknown>) => void, header: Record<string, unknown> = {}): Promise<string> {
  const claims = { ...(decodeJwt(goodToken) as Record<string, unknown>) };
  edit(claims);
  const key = emulator.state.keys.current();
  return new SignJWT(claims).setProtectedHeader({ ...decodeProtectedHeader(goodToken), ...header, alg: "RS256" }).sign(key.privateKey);
}

describe("inspectToken", () => {
  it("passes every check for a good token, and reports roles, tid and app", async () => {
    const tenant = info.tenants[0]!;
    const report = await partner.inspectToken(goodToken, {
      expectedTenantId: tenant.id,
      requiredRoles: ["Alert.Read.All", "Machine.Isolate"],
    });
    assert.ok(report.ok);
    assert.deepEqual(failed(report), []);
    assert.ok(
      report.checks.every((c) => c.status === "pass"),
      JSON.stringify(report.checks),
    );
    assert.equal(report.summary?.tenantId, tenant.id);
    assert.deepEqual(new Set(report.summary?.roles), new Set(tenant.roles));
    assert.ok(!JSON.stringify(report).includes(goodToken), "the report does not repeat the token");
  });

  it("refuses alg none", async () => {
    const [, payload] = goodToken.split(".");
    const none = `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${payload}.`;
    const report = await partner.inspectToken(none, { expectedTenantId: info.tenants[0]!.id });
    assert.equal(report.ok, false);
    assert.equal(check(report, "algorithm").status, "fail");
    assert.match(check(report, "algorithm").reason, /unsigned/);
    assert.equal(check(report, "signature").status, "skipped");
  });

  it("refuses HS256 even when the HMAC is right", async () => {
    const claims = decodeJwt(goodToken);
    const hs = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .sign(new TextEncoder().encode("a-shared-secret-of-32-bytes-long!"));
    const report = await partner.inspectToken(hs, { expectedTenantId: info.tenants[0]!.id });
    assert.deepEqual(failed(report), ["algorithm"]);
    assert.match(check(report, "algorithm").reason, /symmetric/);
  });

  it("fails only the audience for a token minted for another resource", async () => {
    const token = await forge((c) => {
      c.aud = "https://graph.microsoft.com";
    });
    const report = await partner.inspectToken(token, { expectedTenantId: info.tenants[0]!.id });
    assert.deepEqual(failed(report), ["audience"]);
    assert.match(check(report, "audience").reason, /graph\.microsoft\.com/);
  });

  it("fails the tenant check for another customer's token", async () => {
    const other = await partner.getToken(info.tenants[1]!.id);
    const report = await partner.inspectToken(other, { expectedTenantId: info.tenants[0]!.id });
    assert.deepEqual(failed(report), ["tenant"]);
    assert.match(check(report, "tenant").reason, new RegExp(info.tenants[1]!.id));
  });

  it("fails expiry for an expired token (beyond the skew) and not-before for a future one", async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await forge((c) => {
      c.nbf = now - 7200;
      c.iat = now - 7200;
      c.exp = now - 3600;
    });
    const report = await partner.inspectToken(expired, { expectedTenantId: info.tenants[0]!.id });
    assert.deepEqual(failed(report), ["expiry"]);
    // Within the skew it still passes.
    const justExpired = await forge((c) => {
      c.exp = now - 60;
    });
    assert.ok((await partner.inspectToken(justExpired, { skewSec: 300 })).ok);
    assert.deepEqual(failed(await partner.inspectToken(justExpired, { skewSec: 0 })), ["expiry"]);
    const future = await forge((c) => {
      c.nbf = now + 3600;
    });
    assert.deepEqual(failed(await partner.inspectToken(future)), ["not-before"]);
  });

  it("fails the signature of a tampered token", async () => {
    const [header, payload, signature] = goodToken.split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString());
    claims.roles = [...claims.roles, "Machine.Offboard"];
    const tampered = `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${signature}`;
    const report = await partner.inspectToken(tampered, { expectedTenantId: info.tenants[0]!.id });
    assert.deepEqual(failed(report), ["signature"]);
    assert.match(check(report, "signature").reason, /altered/);
  });

  it("fails the signature of a token signed by a key the tenant never published", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const claims = decodeJwt(goodToken);
    const kid = decodeProtectedHeader(goodToken).kid!;
    const sameKid = await new SignJWT(claims).setProtectedHeader({ alg: "RS256", typ: "JWT", kid }).sign(privateKey);
    assert.deepEqual(failed(await partner.inspectToken(sameKid)), ["signature"]);
    const otherKid = await new SignJWT(claims).setProtectedHeader({ alg: "RS256", typ: "JWT", kid: "attacker-key" }).sign(privateKey);
    const report = await partner.inspectToken(otherKid);
    assert.deepEqual(failed(report), ["signature"]);
    assert.match(check(report, "signature").reason, /not among the tenant's published signing keys/);
  });

  it("fails the issuer when iss does not belong to the token's tid", async () => {
    const token = await forge((c) => {
      c.iss = `https://sts.windows.net/${info.tenants[1]!.id}/`;
    });
    assert.deepEqual(failed(await partner.inspectToken(token)), ["issuer"]);
  });

  it("lists missing roles and flags delegated tokens", async () => {
    const report = await partner.inspectToken(goodToken, { requiredRoles: ["Ti.ReadWrite", "alert.read.all"] });
    assert.deepEqual(failed(report), ["roles"]);
    assert.match(check(report, "roles").reason, /Ti\.ReadWrite\b/);
    assert.doesNotMatch(check(report, "roles").reason, /alert\.read\.all/i, "role names compare case-insensitively");
    const delegated = await forge((c) => {
      c.scp = "Alert.Read";
      c.idtyp = "user";
    });
    assert.deepEqual(failed(await partner.inspectToken(delegated)), ["app-only"]);
  });

  it("re-fetches the key set when a token names a kid it has not seen (key rotation)", async () => {
    // A client of its own: the other tests' unknown kids have used up the shared one's re-fetch cooldown.
    const own = createPartnerClient({
      clientId: info.partnerApp.clientId,
      credential: { clientSecret: info.partnerApp.clientSecret },
      cloud: { name: "custom", loginUrl: info.loginUrl, apiUrl: info.apiUrl, ca: info.caCertFile },
    });
    const tenantId = info.tenants[1]!.id;
    assert.ok((await own.inspectToken(await own.getToken(tenantId), { expectedTenantId: tenantId })).ok); // key set now cached
    const rotated = await emulator.state.keys.rotate(60_000);
    const fresh = await own.getToken(tenantId, { forceRefresh: true });
    assert.equal(decodeProtectedHeader(fresh).kid, rotated.kid);
    const report = await own.inspectToken(fresh, { expectedTenantId: tenantId });
    assert.ok(report.ok, JSON.stringify(report.checks.filter((c) => c.status === "fail")));
    await own.close();
  });

  it("reports a token that is not a JWT at all", async () => {
    const report = await partner.inspectToken("not-a-token");
    assert.equal(report.ok, false);
    assert.equal(check(report, "header").status, "fail");
    assert.equal(report.claims, undefined);
  });

  it("works fully offline with a saved key set (and only trusts the keys in it)", async () => {
    const key = emulator.state.keys.find(decodeProtectedHeader(goodToken).kid!)!;
    const jwk = { ...(await exportJWK(key.publicKey)), kid: key.kid, use: "sig" };
    const options = { audiences: partner.cloud.audiences, expectedTenantId: info.tenants[0]!.id };
    const report = await inspectToken(goodToken, { ...options, keySource: createStaticKeySource({ keys: [jwk] }, info.loginUrl) });
    assert.ok(report.ok, JSON.stringify(report.checks));
    const stranger = { ...(await exportJWK(generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey)), kid: key.kid };
    const wrong = await inspectToken(goodToken, { ...options, keySource: createStaticKeySource({ keys: [stranger] }, info.loginUrl) });
    assert.deepEqual(failed(wrong), ["signature"]);
  });
});
