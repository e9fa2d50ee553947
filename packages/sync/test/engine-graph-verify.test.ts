/**
 * verifyTenant on both resources against the emulator: the MDE token's roles
 * against the MDE permissions needed, the Graph token's roles against the
 * Graph permissions needed, drift reported per resource, and a re-consent
 * link that asks for both resources in one consent — for the tenant that
 * consented before the partner app asked for Graph permissions.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { verifyTenant } from "@mde-partner/sync";
import { partnerFor } from "@mde-partner/test-kit";
import { suiteEngineWorld } from "./fixtures/engine-world.js";

const REQUIRED = ["Alert.Read.All", "Machine.Read.All", "ThreatHunting.Read.All", "SecurityAlert.Read.All"];

describe("verifyTenant on the MDE API and Microsoft Graph", () => {
  const { world, store } = suiteEngineWorld({
    seed: "engine-graph-verify",
    tenants: [
      { alerts: 3, machines: 2 },
      { alerts: 3, machines: 2, graphRoles: [] },
      { alerts: 3, machines: 2, graphRoles: ["ThreatHunting.Read.All"] },
    ],
  });

  const partner = () => partnerFor(world, { consentRedirectUri: world.info.partnerApp.redirectUris[0]! });
  const ids = () => world.info.tenants.map((t) => t.id);

  it("verifies a tenant that granted everything on both resources", async () => {
    const [id] = ids();
    const v = await verifyTenant({ store, partner: partner(), tenantId: id!, requiredPermissions: REQUIRED });
    assert.equal(v.state, "verified", JSON.stringify(v.checks));
    assert.deepEqual(v.drift, { drifted: false, resources: [] });
    assert.deepEqual(v.resources?.mde.needed, ["Alert.Read.All", "Machine.Read.All"]);
    assert.deepEqual(v.resources?.graph.needed, ["ThreatHunting.Read.All", "SecurityAlert.Read.All"]);
    assert.ok(v.checks.every((c) => c.ok), JSON.stringify(v.checks.filter((c) => !c.ok)));
    assert.ok(v.checks.some((c) => c.name === "graph.token.tenant" && c.ok), "the Graph token is inspected too");
    assert.ok(v.checks.some((c) => c.name === "graph.api" && c.ok), "and alerts_v2 probed");
    const t = await store.getTenant(id!);
    assert.ok(t?.graphRoles?.includes("ThreatHunting.Read.All"), "the Graph roles are recorded on the tenant");
    assert.ok(!t?.grantedRoles.includes("ThreatHunting.Read.All"), "apart from the MDE roles");
  });

  it("a tenant that consented before Graph permissions were added is drifted on Graph, with a re-consent link covering both resources", async () => {
    const [, id] = ids();
    const v = await verifyTenant({ store, partner: partner(), tenantId: id!, requiredPermissions: REQUIRED });
    assert.equal(v.state, "degraded");
    assert.deepEqual(v.drift, { drifted: true, resources: ["graph"] });
    assert.deepEqual(v.resources?.mde.missing, []);
    assert.deepEqual(v.resources?.graph.roles, []);
    assert.deepEqual([...(v.resources?.graph.missing ?? [])].sort(), ["SecurityAlert.Read.All", "ThreatHunting.Read.All"]);
    assert.deepEqual([...v.missingPermissions].sort(), ["SecurityAlert.Read.All", "ThreatHunting.Read.All"]);
    assert.ok(v.checks.find((c) => c.name === "api")?.ok, "its MDE side still works");
    assert.equal(v.checks.find((c) => c.name === "graph.token.roles")?.ok, false);
    // The re-consent link carries no state a callback could match: the legacy link, which asks for
    // every permission configured on the app, on both resources.
    const link = new URL(v.consentUrl ?? "");
    assert.equal(link.pathname, "/common/oauth2/authorize");
    assert.equal(link.searchParams.get("redirect_uri"), null);
    assert.match(v.action ?? "", /ThreatHunting\.Read\.All/);
    const t = await store.getTenant(id!);
    assert.equal(t?.state, "degraded");
    assert.deepEqual(t?.graphRoles, []);
    assert.match((await store.listTenantTransitions(id!)).at(-1)?.reason ?? "", /^permission missing: on Microsoft Graph /);

    // The customer's admin opens the link and consents: both resources are granted, the drift is gone.
    const page = await world.emulator.fetch(v.consentUrl!);
    const html = await page.text();
    assert.equal(page.status, 200, html.slice(0, 200));
    const session = /name="session" value="([^"]+)"/.exec(html)?.[1] ?? "";
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? "";
    const res = await world.emulator.fetch(new URL(action, v.consentUrl).toString(), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ session, tenant: id!, decision: "accept" }).toString(),
    });
    assert.equal(res.status, 302);
    const again = await verifyTenant({ store, partner: partner(), tenantId: id!, requiredPermissions: REQUIRED });
    assert.equal(again.state, "verified", JSON.stringify(again.checks.filter((c) => !c.ok)));
    assert.deepEqual(again.drift, { drifted: false, resources: [] });
  });

  it("a Graph-sourced tenant needs the alerts and incidents permissions even when the list does not name them", async () => {
    const [, , id] = ids();
    const mdeOnly = await verifyTenant({ store, partner: partner(), tenantId: id!, requiredPermissions: ["Alert.Read.All"] });
    assert.equal(mdeOnly.state, "verified", "nothing of Graph is needed while the tenant syncs from the MDE API");
    assert.deepEqual(mdeOnly.resources?.graph.roles, ["ThreatHunting.Read.All"]);
    await store.setTenantSource(id!, "graph");
    const v = await verifyTenant({ store, partner: partner(), tenantId: id!, requiredPermissions: ["Alert.Read.All"] });
    assert.equal(v.state, "degraded");
    assert.deepEqual(v.drift?.resources, ["graph"]);
    assert.deepEqual(v.resources?.graph.missing, ["SecurityAlert.Read.All", "SecurityIncident.Read.All"]);
  });
});
