/**
 * Custom detection rules through the client against the emulator over real HTTPS (Graph v1.0
 * `/security/rules/detectionRules`): create, list, get, update, delete; a rule in the retired beta
 * shape is refused before it is sent; a tenant without CustomDetection.ReadWrite.All gets the
 * client's forbidden error naming it.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createPartnerClient, type GraphDetectionRuleInput, MdeForbiddenError, type PartnerClient, type PartnerTenant } from "@mde-partner/client";
import { createEmulator, type Emulator, type EmulatorInfo } from "@mde-partner/emulator";

let emulator: Emulator;
let info: EmulatorInfo;
let partner: PartnerClient<PartnerTenant>;

before(async () => {
  emulator = await createEmulator({ seed: "detection-rules-client", alertsPerTenant: 1, machinesPerTenant: 1, tenants: [{}, { graphRoles: ["ThreatHunting.Read.All"] }] });
  info = await emulator.start();
  partner = createPartnerClient({
    clientId: info.partnerApp.clientId,
    credential: { clientSecret: info.partnerApp.clientSecret },
    cloud: { name: "custom", loginUrl: info.loginUrl, apiUrl: info.apiUrl, graphUrl: info.graphUrl, ca: info.caCertFile },
  });
});
after(async () => {
  await partner.close();
  await emulator.stop();
});

const rule: GraphDetectionRuleInput = {
  displayName: "Encoded PowerShell",
  isEnabled: true,
  queryCondition: { queryText: 'DeviceProcessEvents | where ProcessCommandLine has "-enc"' },
  schedule: { frequency: "PT3H" },
  detectionAction: { alertTemplate: { title: "Encoded PowerShell", description: "Seen in INC-7", severity: "medium", tactics: ["execution"] } },
};

describe("graph.detectionRules against the emulator", () => {
  it("creates, lists, gets, updates and deletes a rule", async () => {
    const rules = partner.tenant(info.tenants[0]!.id).graph.detectionRules;
    const created = await rules.create(rule);
    assert.match(created.id, /^\d+$/);
    assert.equal(created.schedule?.frequency, "PT3H");
    assert.equal(created.detectionAction?.alertTemplate?.description, "Seen in INC-7");
    const listed: string[] = [];
    for await (const r of rules.list()) listed.push(r.id);
    assert.ok(listed.includes(created.id));
    const updated = await rules.update(created.id, { isEnabled: false });
    assert.equal(updated.isEnabled, false);
    assert.equal((await rules.get(created.id)).isEnabled, false);
    await rules.delete(created.id);
    const after: string[] = [];
    for await (const r of rules.list()) after.push(r.id);
    assert.ok(!after.includes(created.id));
  });

  it("refuses a rule without its required parts before sending it", async () => {
    const rules = partner.tenant(info.tenants[0]!.id).graph.detectionRules;
    await assert.rejects(rules.create({ ...rule, schedule: { period: "1H" } as never }), /schedule\.frequency is required/);
    await assert.rejects(rules.update("1", {}), TypeError);
  });

  it("a tenant that did not grant CustomDetection.ReadWrite.All is told so", async () => {
    const rules = partner.tenant(info.tenants[1]!.id).graph.detectionRules;
    await assert.rejects(rules.create(rule), (e: unknown) => e instanceof MdeForbiddenError);
  });
});
