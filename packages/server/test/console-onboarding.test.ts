// Onboarding a customer: the consent link, the customer's admin consenting on
// the (emulated) Entra ID page, the callback recording and verifying the
// tenant — and every way the callback refuses: replayed, forged or expired
// state, access_denied, a consent from another tenant. Refusals record no tenant.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { Agent, consentInEmulator, consoleOf, createWorld, PASSWORDS, REQUIRED, signedIn, unescapeHtml, type World } from "./support.js";

let world: World;
let admin: Agent;
let fabrikam: string;

before(async () => {
  world = await createWorld({
    emulator: {
      tenants: [
        { name: "Contoso" },
        { name: "Fabrikam", consented: false },
        { name: "Litware", consented: false },
        { name: "Tailspin", consented: false },
        { name: "Northwind", consented: false },
      ],
    },
  });
  fabrikam = world.info.tenants.find((t) => t.name === "Fabrikam")!.id;
  admin = await signedIn(world, "admin");
});
after(() => world.close());

/** The consent link shown on the onboarding page. */
async function onboard(fields: Record<string, string>): Promise<string> {
  const res = await admin.form("/tenants", fields);
  const page = await res.text();
  assert.equal(res.status, 200, page);
  const link = /id="consent-link" readonly value="([^"]+)"/.exec(page)?.[1];
  assert.ok(link, "the page shows the consent link");
  assert.match(page, /data-copy="#consent-link"/, "with a copy button");
  return unescapeHtml(link);
}

/** Delivers the emulator's redirect to the console as the customer's browser would (no console session). */
const callback = (location: URL) => new Agent(world.console).request(`${location.pathname}${location.search}`);

const tenantTable = async () => (await world.store.listTenants()).map((t) => `${t.id}:${t.state}`);

describe("onboarding by admin consent", () => {
  let acceptedLocation: URL;

  it("add a customer → consent link → accept → callback records the tenant and verifies it", async () => {
    const link = new URL(await onboard({ name: "Fabrikam Ltd", tenant: fabrikam }));
    assert.equal(link.origin + link.pathname, `${world.info.loginUrl}/${fabrikam}/v2.0/adminconsent`);
    assert.equal(link.searchParams.get("redirect_uri"), world.callbackUrl);
    assert.equal(link.searchParams.get("client_id"), world.info.partnerApp.clientId);
    assert.ok((link.searchParams.get("state") ?? "").length >= 40);
    assert.equal((await world.store.getTenant(fabrikam))?.state, "pending_consent", "listed as pending at once");

    acceptedLocation = await consentInEmulator(world.emulator, link.toString(), "accept");
    assert.equal(acceptedLocation.searchParams.get("tenant"), fabrikam);
    const res = await callback(acceptedLocation);
    const page = await res.text();
    assert.equal(res.status, 200, page);
    assert.match(page, /Consent recorded for Fabrikam Ltd/);
    assert.match(page, /id="verify-result" data-state="verified"/);
    const tenant = await world.store.getTenant(fabrikam);
    assert.equal(tenant?.state, "verified");
    assert.equal(tenant?.name, "Fabrikam Ltd");
    for (const p of REQUIRED) assert.ok(tenant?.grantedRoles.includes(p), p);
    const tenantsPage = await (await admin.request("/tenants")).text();
    assert.match(tenantsPage, new RegExp(`data-tenant="${fabrikam}"[\\s\\S]*?data-state="verified"`));
  });

  it("the same callback again (replayed state) is refused and changes nothing", async () => {
    const before = await world.store.listTenantTransitions(fabrikam);
    const audit = await world.store.queryAudit({ limit: 1000 });
    const res = await callback(acceptedLocation);
    assert.equal(res.status, 400);
    assert.match(await res.text(), /data-reason="unknown-state"[\s\S]*Nothing was recorded/);
    assert.deepEqual(await world.store.listTenantTransitions(fabrikam), before);
    assert.equal((await world.store.queryAudit({ limit: 1000 })).length, audit.length);
  });

  it("the stateless re-consent link of a hint lands on the callback, which says Microsoft recorded it and records nothing", async () => {
    const litware = world.info.tenants.find((t) => t.name === "Litware")!.id;
    const before = await tenantTable();
    const link = world.partner.consentUrl(litware);
    assert.equal(new URL(link).searchParams.get("state"), null, "a hint's link carries no state");
    const location = await consentInEmulator(world.emulator, link, "accept", litware);
    const res = await new Agent(world.console).request(`${location.pathname}${location.search}`);
    assert.equal(res.status, 400);
    const page = unescapeHtml(await res.text());
    assert.match(page, /data-reason="missing-state"[\s\S]*Microsoft has recorded the consent/);
    assert.match(page, /<title>Consent given at Microsoft/, "the page does not read as a failed consent");
    assert.deepEqual(await tenantTable(), before);
  });

  it("a forged state (or none) is refused and records nothing", async () => {
    const litware = world.info.tenants.find((t) => t.name === "Litware")!.id;
    const before = await tenantTable();
    const auditBefore = (await world.store.queryAudit({ limit: 1000 })).length;
    for (const query of [
      `admin_consent=True&tenant=${litware}&state=${randomBytes(32).toString("base64url")}`,
      `admin_consent=True&tenant=${litware}`,
      `admin_consent=True&tenant=${litware}&state=`,
    ]) {
      const res = await new Agent(world.console).request(`/consent/callback?${query}`);
      assert.equal(res.status, 400, query);
    }
    assert.deepEqual(await tenantTable(), before);
    assert.equal((await world.store.queryAudit({ limit: 1000 })).length, auditBefore);
  });

  it("access_denied (the admin pressed Cancel) is shown plainly and records no tenant", async () => {
    const litware = world.info.tenants.find((t) => t.name === "Litware")!.id;
    const link = await onboard({ name: "Litware" });
    assert.match(link, /\/organizations\/v2\.0\/adminconsent/, "no tenant given: the admin picks the organization");
    const before = await tenantTable();
    const location = await consentInEmulator(world.emulator, link, "cancel", litware);
    assert.equal(location.searchParams.get("error"), "access_denied");
    const res = await callback(location);
    assert.equal(res.status, 400);
    const page = await res.text();
    assert.match(page, /did not grant consent/);
    assert.match(page, /access_denied/);
    assert.deepEqual(await tenantTable(), before);
  });

  it("a consent coming back from another tenant than the link named is refused", async () => {
    const tailspin = world.info.tenants.find((t) => t.name === "Tailspin")!.id;
    const litware = world.info.tenants.find((t) => t.name === "Litware")!.id;
    const link = new URL(await onboard({ name: "Tailspin", tenant: tailspin }));
    const before = await tenantTable();
    // The redirect's tenant can be forged (mde-api.md §1.2); the state is genuine.
    const res = await callback(
      new URL(`${world.callbackUrl}?admin_consent=True&tenant=${litware}&state=${encodeURIComponent(link.searchParams.get("state")!)}`),
    );
    assert.equal(res.status, 400);
    assert.match(await res.text(), /data-reason="wrong-tenant"/);
    assert.deepEqual(await tenantTable(), before);
    assert.equal(await world.store.getTenant(litware), null);
  });

  it("a link made for a verified domain is bound to that domain's tenant: a consent from another tenant is refused and the link stays usable", async () => {
    const northwind = world.info.tenants.find((t) => t.name === "Northwind")!;
    const litware = world.info.tenants.find((t) => t.name === "Litware")!.id;
    const link = new URL(await onboard({ name: "Northwind Traders", tenant: northwind.domain }));
    assert.equal(link.pathname, `/${northwind.domain}/v2.0/adminconsent`, "the link names the domain the operator gave");
    assert.equal((await world.store.getTenant(northwind.id))?.state, "pending_consent", "the domain's tenant is listed at once");
    const before = await tenantTable();
    // Another tenant that has consented to the app (so it would verify) answers with the customer's state.
    world.emulator.control.setConsent(litware, { roles: REQUIRED });
    const wrong = new URL(`${world.callbackUrl}?admin_consent=True&tenant=${litware}&state=${encodeURIComponent(link.searchParams.get("state")!)}`);
    const refused = await callback(wrong);
    assert.equal(refused.status, 400);
    const page = await refused.text();
    assert.match(page, /data-reason="wrong-tenant"/);
    assert.match(page, /the link stays valid/);
    assert.deepEqual(await tenantTable(), before, "nothing recorded");
    assert.equal(await world.store.getTenant(litware), null);
    const [refusal] = await world.store.queryAudit({ action: "tenant.consent", limit: 1 });
    assert.equal(refusal?.phase, "failed");

    // The right customer still completes with the same link.
    const right = await consentInEmulator(world.emulator, link.toString(), "accept", northwind.id);
    const ok = await callback(right);
    assert.equal(ok.status, 200, await ok.clone().text());
    assert.match(await ok.text(), /Consent recorded for Northwind Traders/);
    assert.equal((await world.store.getTenant(northwind.id))?.state, "verified");
  });

  it("a domain link made before domains were bound is resolved at the callback", async () => {
    const tailspin = world.info.tenants.find((t) => t.name === "Tailspin")!;
    const litware = world.info.tenants.find((t) => t.name === "Litware")!.id;
    const request = await world.store.createConsentRequest({ redirectUri: world.callbackUrl, tenantHint: tailspin.domain, ttlMs: 60_000 });
    const deliver = (tenant: string) =>
      new Agent(world.console).request(`/consent/callback?admin_consent=True&tenant=${tenant}&state=${encodeURIComponent(request.state)}`);
    const before = await tenantTable();
    const refused = await deliver(litware);
    assert.equal(refused.status, 400);
    assert.match(await refused.text(), /data-reason="wrong-tenant"/);
    assert.deepEqual(await tenantTable(), before);
    assert.ok(await world.store.findConsentState(request.state), "the state is not used up by the wrong tenant");
  });

  it("a domain no tenant has is the operator's mistake, said on the form", async () => {
    const res = await admin.form("/tenants", { name: "Typo", tenant: "no-such-customer.onmicrosoft.com" });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /no tenant of this cloud has the verified domain no-such-customer\.onmicrosoft\.com/);
  });

  it("an expired consent link is refused", async () => {
    const shortLived = consoleOf(world, { tls: false, consentTtlMs: 1 });
    const agent = new Agent(shortLived);
    await agent.signIn("admin", PASSWORDS.admin);
    const res = await agent.json("POST", "/api/v1/tenants", { name: "Late" });
    assert.equal(res.status, 201);
    const { consentUrl } = (await res.json()) as { consentUrl: string };
    await new Promise((r) => setTimeout(r, 10));
    const litware = world.info.tenants.find((t) => t.name === "Litware")!.id;
    const location = await consentInEmulator(world.emulator, consentUrl, "accept", litware);
    const before = await tenantTable();
    const cb = await new Agent(shortLived).request(`${location.pathname}${location.search}`);
    assert.equal(cb.status, 400);
    assert.deepEqual(await tenantTable(), before);
  });
});

describe("permission drift", () => {
  it("a tenant that granted less shows what is missing and offers a re-consent link", async () => {
    world.emulator.control.setConsent(fabrikam, { roles: ["Alert.Read.All", "Machine.Read.All"] });
    // A new token is needed to see the new roles.
    await world.partner.getToken(fabrikam, { forceRefresh: true });
    const verify = await admin.json("POST", `/api/v1/tenants/${fabrikam}/verify`, {});
    assert.equal(verify.status, 200);
    const result = (await verify.json()) as { state: string; missingPermissions: string[] };
    assert.equal(result.state, "degraded");
    assert.ok(result.missingPermissions.includes("Machine.Isolate"));
    const page = await (await admin.request("/tenants")).text();
    const row = new RegExp(`<tr data-tenant="${fabrikam}">[\\s\\S]*?</tr>`).exec(page)?.[0] ?? "";
    assert.match(row, /data-state="degraded"/);
    assert.match(row, /missing: .*Machine\.Isolate/);
    assert.match(row, new RegExp(`action="/tenants/${fabrikam}/consent-link"`));
    const relink = await admin.form(`/tenants/${fabrikam}/consent-link`, {});
    assert.match(await relink.text(), new RegExp(`/${fabrikam}/v2.0/adminconsent`));
    const api = (await (await admin.request("/api/v1/tenants")).json()) as {
      tenants: Array<{ id: string; missingPermissions: string[]; capabilities: Array<{ capability: string; status: string; missing: unknown[] }> }>;
    };
    assert.ok(api.tenants.find((t) => t.id === fabrikam)?.missingPermissions.includes("Machine.Isolate"));
    // Per capability, from the same table `tenants verify` uses: it can sync, it cannot isolate.
    const can = new Map(api.tenants.find((t) => t.id === fabrikam)?.capabilities.map((c) => [c.capability, c]));
    assert.equal(can.get("sync")?.status, "ok");
    assert.deepEqual(can.get("machines:isolate")?.missing, [{ permission: "Machine.Isolate", resource: "mde" }]);
  });
});
