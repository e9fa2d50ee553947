/** Least-privilege planner, manifest fragment, az commands, catalogue and drift helper. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  findMissingPermissions,
  findPermission,
  findUnmetRequirements,
  OPERATIONS,
  PERMISSIONS,
  planPermissions,
  WINDOWS_DEFENDER_ATP_APP_ID,
} from "../src/api-exports.js";

const ROLE = {
  alertRead: "71fe6b80-7034-4028-9ed8-0f316df9c3ff",
  isolate: "7e4e1300-e1b9-4102-88ba-f0cb6e6d5974",
  hunting: "93489bf5-0fbc-4f2d-b901-33f2fe08ff05",
};

describe("permissions planner", () => {
  it("read alerts + isolate machines + run hunting → exactly Alert.Read.All, Machine.Isolate, AdvancedQuery.Read.All", () => {
    const plan = planPermissions(["alerts:read", "machines:isolate", "hunting:run"]);
    assert.deepStrictEqual([...plan.permissions].sort(), ["AdvancedQuery.Read.All", "Alert.Read.All", "Machine.Isolate"]);
  });

  it("the manifest fragment lists those three role ids for WindowsDefenderATP", () => {
    const plan = planPermissions(["alerts:read", "machines:isolate", "hunting:run"]);
    assert.equal(plan.requiredResourceAccess.length, 1);
    const [entry] = plan.requiredResourceAccess;
    assert.equal(entry!.resourceAppId, "fc780465-2017-40d4-a0c5-307022471b92");
    assert.deepStrictEqual(entry!.resourceAccess.map((r) => r.id).sort(), [ROLE.alertRead, ROLE.isolate, ROLE.hunting].sort());
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
    assert.equal(commands.length, 4);
    const add = /^az ad app permission add --id ([0-9a-f-]{36}) --api ([0-9a-f-]{36}) --api-permissions ([0-9a-f-]{36})=Role$/;
    const roleIds = commands.slice(0, 3).map((c) => {
      const m = add.exec(c);
      assert.ok(m, c);
      assert.equal(m[1], appId);
      assert.equal(m[2], WINDOWS_DEFENDER_ATP_APP_ID);
      return m[3];
    });
    assert.deepStrictEqual(roleIds.sort(), [ROLE.alertRead, ROLE.isolate, ROLE.hunting].sort());
    assert.equal(commands[3], `az ad app permission admin-consent --id ${appId}`);
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
    assert.deepStrictEqual(planPermissions(["machines:isolate", "machines:cancel"]).permissions, ["Machine.Isolate"]);
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
    assert.deepStrictEqual(
      unmet.map((u) => u.operation),
      ["IsolateMachine", "UnisolateMachine"],
    );
    assert.deepStrictEqual(findUnmetRequirements(["alert.readwrite.all"], ["alerts:read", "alerts:write"]), []);
  });
});
