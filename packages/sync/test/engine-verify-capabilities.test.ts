/**
 * verifyTenant per capability against the emulator: a tenant is verified only
 * when it can do every required capability (the permissions derived from the
 * operations each calls), and the result names, per capability, what the
 * tenant can and cannot do — which permission, on which resource.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { verifyTenant } from "@mde-partner/sync";
import { partnerFor } from "@mde-partner/test-kit";
import { suiteEngineWorld } from "./fixtures/engine-world.js";

const MDE_READS = ["Alert.Read.All", "Machine.Read.All"];

describe("verifyTenant: what each tenant can and cannot do", () => {
  const { world, store } = suiteEngineWorld({
    seed: "engine-verify-capabilities",
    tenants: [
      // Can sync and hunt on Graph.
      { alerts: 2, machines: 1, roles: MDE_READS, graphRoles: ["ThreatHunting.Read.All"] },
      // Can sync, granted only the legacy MDE hunting permission: `hunt` (Graph) does not work.
      { alerts: 2, machines: 1, roles: [...MDE_READS, "AdvancedQuery.Read.All"], graphRoles: [] },
    ],
  });

  const partner = () => {
    const { info } = world;
    return partnerFor(world, { cloud: { name: "custom", loginUrl: info.loginUrl, apiUrl: info.apiUrl, graphUrl: info.graphUrl, ca: info.caCertFile } });
  };

  it("a tenant granted what sync and hunting:run call is verified, every capability ok", async () => {
    const id = world.info.tenants[0]!.id;
    const v = await verifyTenant({ store, partner: partner(), tenantId: id, requiredPermissions: [], capabilities: ["sync", "hunting:run"] });
    assert.equal(v.state, "verified", JSON.stringify(v.checks));
    assert.deepEqual(
      v.capabilities?.map((c) => [c.capability, c.required, c.status, c.missing]),
      [
        ["sync", true, "ok", []],
        ["hunting:run", true, "ok", []],
      ],
    );
  });

  it("a tenant that cannot hunt on Graph is not verified, and says it lacks ThreatHunting.Read.All on Microsoft Graph", async () => {
    const id = world.info.tenants[1]!.id;
    const v = await verifyTenant({
      store,
      partner: partner(),
      tenantId: id,
      requiredPermissions: [],
      capabilities: ["sync", "hunting:run"],
      reportCapabilities: ["hunting:legacy", "machines:isolate"],
    });
    assert.equal(v.state, "degraded");
    assert.deepEqual(v.missingPermissions, ["ThreatHunting.Read.All"]);
    assert.deepEqual(
      v.capabilities?.map((c) => [c.capability, c.required, c.status, c.missing]),
      [
        ["sync", true, "ok", []],
        ["hunting:run", true, "missing", [{ permission: "ThreatHunting.Read.All", resource: "graph" }]],
        ["hunting:legacy", false, "ok", []],
        ["machines:isolate", false, "missing", [{ permission: "Machine.Isolate", resource: "mde" }]],
      ],
    );
    assert.equal((await store.getTenant(id))?.state, "degraded");
  });

  it("a tenant whose alert source is Graph is checked for sync as sync:graph", async () => {
    const id = world.info.tenants[1]!.id;
    await store.setTenantSource(id, "graph");
    try {
      const v = await verifyTenant({ store, partner: partner(), tenantId: id, requiredPermissions: [], capabilities: ["sync"] });
      assert.equal(v.state, "degraded");
      assert.deepEqual(
        v.capabilities?.map((c) => [c.capability, c.status, c.missing]),
        [
          [
            "sync:graph",
            "missing",
            [
              { permission: "SecurityAlert.Read.All", resource: "graph" },
              { permission: "SecurityIncident.Read.All", resource: "graph" },
            ],
          ],
        ],
      );
    } finally {
      await store.setTenantSource(id, "mde");
    }
  });
});
