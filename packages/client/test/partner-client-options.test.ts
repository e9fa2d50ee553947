import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { describe, it } from "node:test";
import { inspect } from "node:util";
import { createCertificateCredential, createClientSecretCredential, createPartnerClient, forEachTenant } from "@mde-partner/client";
import { CLIENT_ID, fakeCredential, TENANT_A, TENANT_B } from "./pipeline-fakes.js";

const SECRET = "Ab1Q~very-secret-value-0123456789abcdefghij";

describe("createPartnerClient options", () => {
  it("throws TypeError for caller mistakes, naming the option", () => {
    const credential = { clientSecret: SECRET };
    assert.throws(() => createPartnerClient({ clientId: "my-app", credential }), /clientId/);
    assert.throws(() => createPartnerClient({ clientId: CLIENT_ID, credential: {} as never }), /credential must be/);
    assert.throws(() => createPartnerClient({ clientId: CLIENT_ID, credential: fakeCredential(), tokenVersion: "v1" }), /TokenCredential/);
    assert.throws(() => createPartnerClient({ clientId: CLIENT_ID, credential, userAgent: "a\r\nX-Injected: 1" }), /userAgent/);
    assert.throws(() => createPartnerClient({ clientId: CLIENT_ID, credential, timeoutMs: -1 }), /timeoutMs/);
    assert.throws(() => createPartnerClient({ clientId: CLIENT_ID, credential, rateBudgets: { alerts: { perMinute: 0 } } }), /rateBudgets/);
    assert.throws(() => createPartnerClient({ clientId: CLIENT_ID, credential: { clientSecret: ` ${SECRET}` } }), /whitespace/);
    const partner = createPartnerClient({ clientId: CLIENT_ID, credential });
    assert.throws(() => partner.tenant("common"), TypeError);
    assert.throws(() => partner.tenant("../../evil"), TypeError);
    assert.ok(Object.isFrozen(partner));
  });

  it("asks a TokenCredential for the tenant and the v2 scope", async () => {
    const credential = fakeCredential();
    const partner = createPartnerClient({ clientId: CLIENT_ID, credential, cloud: "gcc-high" });
    await partner.getToken(TENANT_A);
    assert.deepEqual(credential.calls, [{ scopes: "https://api-gov.securitycenter.microsoft.us/.default", tenantId: TENANT_A }]);
    assert.equal(partner.tenant(TENANT_A).transport.baseUrl, "https://api-gov.securitycenter.microsoft.us");
  });

  it("hides secrets and private keys from inspect, JSON and String", () => {
    const secret = createClientSecretCredential(SECRET);
    for (const text of [
      inspect(secret, { showHidden: true, depth: 10 }),
      JSON.stringify(secret),
      String(secret),
      JSON.stringify({ secret }),
    ]) {
      assert.ok(!text.includes(SECRET), text);
    }
    assert.match(inspect(secret), /Ab1…/);

    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const keyPem = privateKey.export({ format: "pem", type: "pkcs8" }).toString();
    const certPem = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ\n-----END CERTIFICATE-----\n";
    assert.throws(() => createCertificateCredential({ certificate: certPem, privateKey: keyPem }), /certificate could not be parsed/);
    const partner = createPartnerClient({ clientId: CLIENT_ID, credential: { clientSecret: SECRET } });
    for (const text of [inspect(partner, { depth: 10, showHidden: true }), JSON.stringify(partner)]) assert.ok(!text.includes(SECRET));
  });
});

describe("forEachTenant", () => {
  it("gives every tenant a result; a failure never stops the others; concurrency is bounded", async () => {
    let running = 0;
    let peak = 0;
    const tenants = Array.from({ length: 9 }, (_, i) => `aaaaaaaa-0000-4000-8000-00000000000${i}`);
    const results = await forEachTenant(
      tenants,
      async (id, i) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        if (i % 3 === 0) throw new Error(`tenant ${id} failed`);
        return i;
      },
      { concurrency: 2 },
    );
    assert.equal(peak, 2);
    assert.deepEqual(
      results.map((r) => r.ok),
      [false, true, true, false, true, true, false, true, true],
    );
    assert.deepEqual(
      results.map((r) => r.tenantId),
      tenants,
    );
    assert.equal(results[1]!.ok && results[1]!.value, 1);
  });

  it("reports a malformed tenant id as that tenant's error (partner.forEachTenant)", async () => {
    const partner = createPartnerClient({ clientId: CLIENT_ID, credential: fakeCredential() });
    const results = await partner.forEachTenant([TENANT_A, "not a tenant", TENANT_B], (tenant) => tenant.getToken(), { concurrency: 3 });
    assert.deepEqual(
      results.map((r) => r.ok),
      [true, false, true],
    );
    assert.ok(!results[1]!.ok && results[1]!.error instanceof TypeError);
  });
});
