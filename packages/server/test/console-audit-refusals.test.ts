// The console's writes that are refused before any service is asked (a password the rule
// refuses, an unknown operator, an alert update or response action with bad input, an
// unknown alert source) are in the audit log as failed, with the signed-in operator and
// why; and "sync now" names the tenant it skipped (consent not given yet).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Agent, createWorld, signedIn, unescapeHtml, type World } from "./support.js";

let world: World;
let admin: Agent;
let contoso: string;
let fabrikam: string;

before(async () => {
  world = await createWorld();
  [contoso, fabrikam] = world.info.tenants.map((t) => t.id) as [string, string];
  await world.store.upsertTenant({ id: contoso, name: "Contoso", initialState: "consented" });
  await world.store.upsertTenant({ id: fabrikam, name: "Fabrikam" }); // pending_consent
  admin = await signedIn(world, "admin");
});
after(() => world.close());

const failed = async (action: string) => (await world.store.queryAudit({ action, phases: ["failed"] })).filter((e) => e.actor === "admin");

describe("console refusals are audited", () => {
  it("operator save and remove", async () => {
    assert.equal((await admin.form("/users", { name: "dave", password: "short", role: "viewer" })).status, 400);
    const [save] = await failed("operator.save");
    assert.equal(save?.target, "dave");
    assert.match(save?.result ?? "", /12 characters/);
    await admin.form("/users/nobody/delete", {});
    assert.equal((await failed("operator.remove"))[0]?.target, "nobody");
  });

  it("alert update, response action and source switch with bad input", async () => {
    await admin.form("/sync", {});
    const [alert] = (await world.store.queryAlerts({ tenantIds: [contoso], limit: 1 })).items;
    assert.ok(alert);
    const res = await admin.json("PATCH", `/api/v1/alerts/${contoso}/${alert.id}`, { status: "Closed" });
    assert.equal(res.status, 400);
    const [update] = await failed("alert.update");
    assert.equal(update?.tenantId, contoso);
    assert.equal(update?.target, alert.id);

    const [machine] = await world.store.listMachines(contoso, { limit: 1 });
    assert.ok(machine);
    const action = await admin.form(`/devices/${contoso}/${machine.id}/actions`, { action: "isolate", comment: "" });
    assert.equal(action.status, 400);
    const [isolate] = await failed("machine.isolate");
    assert.equal(isolate?.target, machine.id);
    assert.match(isolate?.result ?? "", /comment/);

    assert.equal((await admin.json("POST", `/api/v1/tenants/${contoso}/source`, { source: "carrier-pigeon" })).status, 400);
    assert.equal((await failed("tenant.source"))[0]?.tenantId, contoso);
  });

  it("sync now names the tenant it skipped and why", async () => {
    const page = unescapeHtml(await (await admin.form("/sync", {})).text());
    assert.match(page, /Synced 1 tenant\(s\).*skipped: Fabrikam \(pending_consent: consent not given yet\)/);
  });
});
