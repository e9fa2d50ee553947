/**
 * verifyTenant against the emulator: token, inspection (tid, roles) and one
 * API probe decide the tenant's state — verified, or degraded with the
 * reason (consent revoked with its link, permission missing with the names,
 * MDE not provisioned, secret expired) — and say what to do.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { openStore, syncOnce, verifyTenant } from "@mde-partner/sync";
import { partnerFor } from "@mde-partner/test-kit";
import { suiteEngineWorld } from "./fixtures/engine-world.js";
import { createTestDatabase } from "./helpers/databases.js";

const REQUIRED = ["Alert.Read.All", "Machine.Read.All", "Machine.Isolate"];

describe("verifyTenant", () => {
  const { world, store } = suiteEngineWorld({
    seed: "engine-verify",
    tenants: [
      { alerts: 3, machines: 2 },
      { alerts: 3, machines: 2, roles: ["Alert.Read.All", "Machine.Read.All"] },
      { alerts: 3, machines: 2, consented: false },
      { alerts: 0, machines: 0, mdeProvisioned: false },
    ],
  });

  const ids = () => world.info.tenants.map((t) => t.id);

  it("verifies a tenant that granted everything", async () => {
    const [id] = ids();
    const v = await verifyTenant({ store, partner: partnerFor(world), tenantId: id!, requiredPermissions: REQUIRED });
    assert.equal(v.state, "verified", JSON.stringify(v.checks));
    assert.deepEqual(v.missingPermissions, []);
    assert.ok(v.checks.every((c) => c.ok));
    assert.ok(v.checks.some((c) => c.name === "token.tenant"));
    assert.ok(v.checks.some((c) => c.name === "api"));
    for (const r of REQUIRED) assert.ok(v.roles.includes(r));
    const t = await store.getTenant(id!);
    assert.equal(t?.state, "verified");
    assert.ok(t?.grantedRoles.includes("Machine.Isolate"));
  });

  it("degrades a tenant with a missing permission and names it", async () => {
    const [, id] = ids();
    const v = await verifyTenant({ store, partner: partnerFor(world), tenantId: id!, requiredPermissions: REQUIRED });
    assert.equal(v.state, "degraded");
    assert.deepEqual(v.missingPermissions, ["Machine.Isolate"]);
    assert.ok(v.checks.find((c) => c.name === "api")?.ok, "the API probe itself works");
    assert.match(v.action ?? "", /Machine\.Isolate/);
    assert.equal((await store.listTenantTransitions(id!)).at(-1)?.reason, "permission missing: Machine.Isolate");
  });

  it("degrades an unconsented tenant with its consent link", async () => {
    const [, , id] = ids();
    const v = await verifyTenant({ store, partner: partnerFor(world), tenantId: id!, requiredPermissions: REQUIRED });
    assert.equal(v.state, "degraded");
    assert.equal(v.error?.code, "ERR_MDE_CONSENT_REQUIRED");
    assert.ok(v.consentUrl?.includes(world.info.partnerApp.clientId));
    assert.equal(v.checks[0]?.name, "token");
    assert.equal(v.checks[0]?.ok, false);
    assert.equal((await store.getTenant(id!))?.state, "degraded");
  });

  it("keeps a tenant that never consented pending (not 'consent revoked'), through verify and an explicit sync", async () => {
    const [, , unconsented] = ids();
    const fresh = await openStore((await createTestDatabase("sqlite")).options);
    try {
      await fresh.upsertTenant({ id: unconsented!, name: "Never consented" }); // pending_consent, as tenants add makes it
      const v = await verifyTenant({ store: fresh, partner: partnerFor(world), tenantId: unconsented!, requiredPermissions: REQUIRED });
      assert.equal(v.state, "pending_consent");
      assert.equal(v.error?.code, "ERR_MDE_CONSENT_REQUIRED");
      assert.match(v.action ?? "", /consent link/);
      const report = await syncOnce({ store: fresh, partner: partnerFor(world), tenantIds: [unconsented!] });
      assert.equal(report.tenants[0]?.state, "pending_consent");
      const transitions = await fresh.listTenantTransitions(unconsented!);
      assert.ok(transitions.every((t) => t.to === "pending_consent"), JSON.stringify(transitions));
      assert.ok(!transitions.some((t) => /revoked/.test(t.reason ?? "")), JSON.stringify(transitions));
      assert.equal((await fresh.getTenant(unconsented!))?.lastError?.startsWith("consent not given yet"), true);

      // A tenant that had consented (verified), then revoked it: that one is "consent revoked".
      const [, second] = ids();
      const reads = ["Alert.Read.All", "Machine.Read.All"];
      await fresh.upsertTenant({ id: second!, name: "Consented once" });
      assert.equal((await verifyTenant({ store: fresh, partner: partnerFor(world), tenantId: second!, requiredPermissions: reads })).state, "verified");
      world.emulator.control.revokeConsent(second!);
      const revoked = await verifyTenant({ store: fresh, partner: partnerFor(world), tenantId: second!, requiredPermissions: reads });
      assert.equal(revoked.state, "degraded");
      assert.equal((await fresh.listTenantTransitions(second!)).at(-1)?.reason, "consent revoked");
    } finally {
      await fresh.close();
    }
  });

  it("degrades a tenant without Defender for Endpoint", async () => {
    const [, , , id] = ids();
    const v = await verifyTenant({ store, partner: partnerFor(world), tenantId: id!, requiredPermissions: REQUIRED });
    assert.equal(v.state, "degraded");
    assert.equal(v.error?.code, "ERR_MDE_NOT_PROVISIONED");
    assert.equal((await store.listTenantTransitions(id!)).at(-1)?.reason, "MDE not provisioned");
  });

  it("degrades on an expired secret", async () => {
    const [id] = ids();
    world.emulator.control.updateApp(world.info.partnerApp.clientId, { expireSecrets: true });
    const v = await verifyTenant({ store, partner: partnerFor(world), tenantId: id!, requiredPermissions: REQUIRED });
    assert.equal(v.state, "degraded");
    assert.equal(v.error?.code, "ERR_MDE_SECRET_EXPIRED");
    assert.match(v.action ?? "", /secret/);
    assert.equal((await store.listTenantTransitions(id!)).at(-1)?.reason, "secret expired");
  });
});
