/** A verified domain to its tenant id, from the tenant's OpenID metadata on the cloud's login host (the emulator over HTTPS, its CA). */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createPartnerClient, isMdeError, type PartnerClient, resolveTenantDomain } from "@mde-partner/client";
import { createEmulator, type Emulator, type EmulatorInfo } from "@mde-partner/emulator";

let emulator: Emulator;
let info: EmulatorInfo;
let partner: PartnerClient;

before(async () => {
  emulator = await createEmulator({ seed: "tenant-domain-tests", alertsPerTenant: 1, machinesPerTenant: 1, tenants: [{ name: "Contoso" }, { name: "Fabrikam" }] });
  info = await emulator.start();
  partner = createPartnerClient({
    clientId: info.partnerApp.clientId,
    credential: { clientSecret: info.partnerApp.clientSecret },
    cloud: { name: "custom", loginUrl: info.loginUrl, apiUrl: info.apiUrl, ca: info.caCertFile },
    userAgent: "MdePartner-Test-Domain/1.0.0",
  });
});
after(async () => {
  await partner.close();
  await emulator.stop();
});

describe("resolving a verified domain to its tenant", () => {
  it("each tenant's domain resolves to that tenant's id, over the client's own TLS trust", async () => {
    for (const tenant of info.tenants) {
      assert.ok(tenant.domain, "the emulator names a domain");
      assert.equal(await partner.resolveTenant(tenant.domain.toUpperCase()), tenant.id);
    }
    const asked = emulator.state.journal.list({ kind: "discovery" });
    assert.ok(asked.length >= info.tenants.length, "the login host's discovery documents were read");
  });

  it("a GUID comes back as it is, without a request", async () => {
    const before = emulator.state.journal.list({ kind: "discovery" }).length;
    const id = info.tenants[0]!.id;
    assert.equal(await partner.resolveTenant(id.toUpperCase()), id);
    assert.equal(emulator.state.journal.list({ kind: "discovery" }).length, before);
  });

  it("a domain no tenant has is ERR_MDE_TENANT_NOT_FOUND; aliases and junk are TypeErrors", async () => {
    await assert.rejects(partner.resolveTenant("nobody-here.onmicrosoft.com"), (e) => isMdeError(e, "ERR_MDE_TENANT_NOT_FOUND"));
    await assert.rejects(partner.resolveTenant("organizations"), TypeError);
    await assert.rejects(partner.resolveTenant("not a domain/../x"), TypeError);
  });

  it("metadata that does not name one tenant on the login host is refused", async () => {
    const answer = (doc: object) => async () => new Response(JSON.stringify(doc), { status: 200, headers: { "content-type": "application/json" } });
    const login = "https://login.example.test";
    const other = "11111111-1111-1111-1111-111111111111";
    const tid = "22222222-2222-2222-2222-222222222222";
    for (const doc of [
      { issuer: `${login}/{tenantid}/v2.0`, token_endpoint: `${login}/organizations/oauth2/v2.0/token` },
      { issuer: `https://evil.example/${tid}/v2.0`, token_endpoint: `${login}/${tid}/oauth2/v2.0/token` },
      { issuer: `${login}/${tid}/v2.0`, token_endpoint: `${login}/${other}/oauth2/v2.0/token` },
    ]) {
      await assert.rejects(resolveTenantDomain("contoso.com", { loginUrl: login, fetch: answer(doc) }), (e) => isMdeError(e, "ERR_MDE_INVALID_RESPONSE"));
    }
    const ok = { issuer: `${login}/${tid}/v2.0`, token_endpoint: `${login}/${tid}/oauth2/v2.0/token` };
    assert.equal(await resolveTenantDomain("contoso.com", { loginUrl: login, fetch: answer(ok) }), tid);
  });
});
