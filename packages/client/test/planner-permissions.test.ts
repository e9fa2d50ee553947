/** Least-privilege planner, manifest fragment, az commands, catalogue and drift helper. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CAPABILITIES,
  capabilityStatus,
  describeCapabilityStatus,
  expandPlanInputs,
  findMissingPermissions,
  findPermission,
  findUnmetRequirements,
  GRAPH_OPERATIONS,
  OPERATIONS,
  PERMISSIONS,
  planPermissions,
  WINDOWS_DEFENDER_ATP_APP_ID,
} from "@mde-partner/client";

const ROLE = {
  alertRead: "71fe6b80-7034-4028-9ed8-0f316df9c3ff",
  isolate: "7e4e1300-e1b9-4102-88ba-f0cb6e6d5974",
  machineRead: "ea8291d3-4b9a-44b5-bc3a-6cea3026dc79",
  legacyHunting: "93489bf5-0fbc-4f2d-b901-33f2fe08ff05",
  threatHunting: "dd98c7f5-2d42-42d3-a0e4-633161547251",
};
const GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";

describe("permissions planner", () => {
  it("read alerts + isolate machines + run hunting → Alert.Read.All, Machine.Isolate, Machine.Read.All and Graph ThreatHunting.Read.All", () => {
    const plan = planPermissions(["alerts:read", "machines:isolate", "hunting:run"]);
    // `hunt` calls Graph runHuntingQuery; isolating looks the machine up first (Machine.Read.All).
    assert.deepStrictEqual([...plan.permissions].sort(), ["Alert.Read.All", "Machine.Isolate", "Machine.Read.All", "ThreatHunting.Read.All"]);
    assert.deepStrictEqual(plan.resources, ["mde", "graph"]);
    // Only `hunt --legacy` needs the MDE advanced-queries permission.
    assert.deepStrictEqual(planPermissions(["hunting:legacy"]).permissions, ["AdvancedQuery.Read.All"]);
    assert.ok(!plan.permissions.includes("AdvancedQuery.Read.All"));
  });

  it("lookup needs the entity roles, and the write roles the domain-alert and user-machine pages list alone", () => {
    assert.deepStrictEqual(planPermissions(["lookup"]).permissions, ["Alert.ReadWrite.All", "File.Read.All", "Ip.Read.All", "Machine.ReadWrite.All", "Url.Read.All"]);
  });

  it("sync needs alerts and machines on the alert source it reads", () => {
    assert.deepStrictEqual(planPermissions(["sync"]).permissions, ["Alert.Read.All", "Machine.Read.All"]);
    assert.deepStrictEqual(planPermissions(["sync:graph"]).permissions, ["Machine.Read.All", "SecurityAlert.Read.All", "SecurityIncident.Read.All"]);
  });

  it("the manifest fragment lists the role ids per resource: WindowsDefenderATP, then Microsoft Graph", () => {
    const plan = planPermissions(["alerts:read", "machines:isolate", "hunting:run"]);
    assert.equal(plan.requiredResourceAccess.length, 2);
    const [entry, graph] = plan.requiredResourceAccess;
    assert.equal(entry!.resourceAppId, "fc780465-2017-40d4-a0c5-307022471b92");
    assert.deepStrictEqual(entry!.resourceAccess.map((r) => r.id).sort(), [ROLE.alertRead, ROLE.isolate, ROLE.machineRead].sort());
    assert.equal(graph!.resourceAppId, GRAPH_APP_ID);
    assert.deepStrictEqual(graph!.resourceAccess, [{ id: ROLE.threatHunting, type: "Role" }]);
    assert.ok(entry!.resourceAccess.every((r) => r.type === "Role"));
    // It serialises as the manifest expects.
    assert.deepStrictEqual(
      JSON.parse(JSON.stringify({ requiredResourceAccess: plan.requiredResourceAccess })).requiredResourceAccess[0].resourceAppId,
      WINDOWS_DEFENDER_ATP_APP_ID,
    );
  });

  it("the az commands are well-formed", () => {
    const appId = "0b1e2f3a-1111-2222-3333-444455556666";
    const commands = planPermissions(["alerts:read", "machines:isolate", "hunting:run"]).azCommands(appId);
    assert.equal(commands.length, 5);
    const add = /^az ad app permission add --id ([0-9a-f-]{36}) --api ([0-9a-f-]{36}) --api-permissions ([0-9a-f-]{36})=Role$/;
    const roleIds = commands.slice(0, 4).map((c) => {
      const m = add.exec(c);
      assert.ok(m, c);
      assert.equal(m[1], appId);
      return `${m[2]}:${m[3]}`;
    });
    assert.deepStrictEqual(
      roleIds.sort(),
      [
        `${WINDOWS_DEFENDER_ATP_APP_ID}:${ROLE.alertRead}`,
        `${WINDOWS_DEFENDER_ATP_APP_ID}:${ROLE.isolate}`,
        `${WINDOWS_DEFENDER_ATP_APP_ID}:${ROLE.machineRead}`,
        `${GRAPH_APP_ID}:${ROLE.threatHunting}`,
      ].sort(),
    );
    assert.equal(commands[4], `az ad app permission admin-consent --id ${appId}`);
    assert.throws(() => planPermissions(["alerts:read"]).azCommands("my-app; rm -rf /"), TypeError);
  });

  it("prefers the least privileged role, and one ReadWrite when writes are needed too", () => {
    assert.deepStrictEqual(planPermissions(["alerts:read"]).permissions, ["Alert.Read.All"]);
    assert.deepStrictEqual(planPermissions(["alerts:read", "alerts:write"]).permissions, ["Alert.ReadWrite.All"]);
    assert.deepStrictEqual(planPermissions(["ListAlerts", "StartInvestigation"]).permissions, ["Alert.ReadWrite.All"]);
    assert.deepStrictEqual(planPermissions(["machines:read"]).permissions, ["Machine.Read.All"]);
    assert.deepStrictEqual(planPermissions(["machines:read", "machines:tag"]).permissions, ["Machine.ReadWrite.All"]);
    assert.deepStrictEqual(planPermissions(["indicators:read", "indicators:write"]).permissions, ["Ti.ReadWrite"]);
    // Cancel accepts any action permission: one already planned covers it.
    assert.deepStrictEqual(planPermissions(["machines:isolate", "machines:cancel"]).permissions, ["Machine.Isolate", "Machine.Read.All"]);
    assert.deepStrictEqual(planPermissions(["tvm:read"]).permissions, [
      "RemediationTasks.Read.All",
      "Score.Read.All",
      "SecurityRecommendation.Read.All",
      "Software.Read.All",
      "Vulnerability.Read.All",
    ]);
    assert.throws(() => planPermissions(["alerts:delete" as never]), TypeError);
  });

  it("every operation's permissions are in the catalogue, with an app-role id", () => {
    for (const [name, op] of Object.entries(OPERATIONS)) {
      for (const p of op.permissions) assert.ok(findPermission(p), `${name}: ${p}`);
    }
    for (const p of PERMISSIONS) assert.match(p.appRoleId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(findPermission("URL.Read.All")?.name, "Url.Read.All");
    assert.equal(findPermission("Alerts.ReadWrite.All")?.name, "Alert.ReadWrite.All");
    assert.equal(findPermission("Machine.Isolate")?.displayName, "Isolate machine");
  });
});

describe("permission drift", () => {
  it("reports what the token lacks, case-insensitively and with the Url/URL spelling", () => {
    assert.deepStrictEqual(
      findMissingPermissions(["alert.read.all", "Url.Read.All"], ["Alert.Read.All", "URL.Read.All", "Machine.Isolate"]),
      ["Machine.Isolate"],
    );
    assert.deepStrictEqual(findMissingPermissions(["URL.READ.ALL"], ["Url.Read.All"]), []);
    assert.deepStrictEqual(findMissingPermissions(["Alert.ReadWrite.All"], ["Alert.Read.All"]), [], "ReadWrite covers Read");
    assert.deepStrictEqual(findMissingPermissions(["Alert.Read.All"], ["Alert.ReadWrite.All"]), ["Alert.ReadWrite.All"]);
  });

  it("reports unmet operations for granted roles", () => {
    const unmet = findUnmetRequirements(["Alert.Read.All", "Machine.Read.All"], ["alerts:read", "machines:isolate"]);
    // The machine lookups of a response action are met by Machine.Read.All; the actions themselves are not.
    assert.deepStrictEqual(
      unmet.map((u) => u.operation),
      ["IsolateMachine", "UnisolateMachine"],
    );
    assert.deepStrictEqual(findUnmetRequirements(["alert.readwrite.all"], ["alerts:read", "alerts:write"]), []);
  });
});

describe("capabilities: one table of what each feature calls", () => {
  it("every operation a capability names is in a registry, and its permissions belong to that operation's resource", () => {
    for (const [capability, operations] of Object.entries(CAPABILITIES)) {
      assert.ok(operations.length > 0, capability);
      for (const name of operations) {
        const graph = Object.hasOwn(GRAPH_OPERATIONS, name);
        const spec = graph ? GRAPH_OPERATIONS[name as keyof typeof GRAPH_OPERATIONS] : OPERATIONS[name as keyof typeof OPERATIONS];
        assert.ok(spec, `${capability}: ${name} is in no registry`);
        for (const p of spec.permissions) {
          assert.equal(findPermission(p)?.resource, graph ? "graph" : "mde", `${capability}: ${name} needs ${p} on its own resource`);
        }
      }
      // The plan of a capability covers every one of its operations.
      const plan = planPermissions([capability as keyof typeof CAPABILITIES]);
      assert.deepStrictEqual(findUnmetRequirements(plan.permissions, [capability as keyof typeof CAPABILITIES]), [], capability);
    }
    assert.deepStrictEqual(expandPlanInputs(["hunting:run"]), ["RunHuntingQuery"]);
    assert.deepStrictEqual(expandPlanInputs(["hunting:legacy"]), ["RunAdvancedQuery"]);
  });

  it("names per capability what a tenant can and cannot do, with the resource of each missing permission", () => {
    const report = capabilityStatus({ mde: ["Alert.ReadWrite.All", "Machine.Read.All"], graph: [] }, ["alerts:read", "sync", "hunting:run", "machines:isolate"]);
    assert.deepStrictEqual(
      report.map((r) => [r.capability, r.status, r.missing]),
      [
        ["alerts:read", "ok", []],
        ["sync", "ok", []],
        ["hunting:run", "missing", [{ permission: "ThreatHunting.Read.All", resource: "graph" }]],
        ["machines:isolate", "missing", [{ permission: "Machine.Isolate", resource: "mde" }]],
      ],
    );
    assert.equal(describeCapabilityStatus(report[2]!), "hunting:run: missing ThreatHunting.Read.All on Microsoft Graph");
    // A Graph token that could not be read: Graph capabilities are unknown, MDE ones still answered.
    const partial = capabilityStatus({ mde: ["Alert.Read.All"], graph: null }, ["alerts:read", "hunting:run"]);
    assert.deepStrictEqual(
      partial.map((r) => r.status),
      ["ok", "unknown"],
    );
  });
});
