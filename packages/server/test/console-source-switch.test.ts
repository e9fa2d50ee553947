// Switching a tenant's alert source in the console, in process: the tenants
// page says what the control does ("Use Microsoft Graph as this tenant's alert
// source"), it leads to a confirmation step that explains the switch (every
// later sync reads the other API, incidents come along, what it needs), and
// only that step's form switches; the way back is confirmed the same way.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Agent, createWorld, signedIn, unescapeHtml, type World } from "./support.js";

let world: World;
let admin: Agent;
let viewer: Agent;
let contoso: string;

const rowOf = (page: string, id: string) => new RegExp(`<tr data-tenant="${id}"[\\s\\S]*?</tr>`).exec(page)?.[0] ?? "";
const hrefOf = (html: string, attr: string) => unescapeHtml(new RegExp(`<a [^>]*${attr}[^>]*href="([^"]+)"`).exec(html)?.[1] ?? "");

before(async () => {
  world = await createWorld({ emulator: { tenants: [{ name: "Contoso" }], alertsPerTenant: 5, machinesPerTenant: 1 } });
  contoso = world.info.tenants[0]!.id;
  await world.store.upsertTenant({ id: contoso, name: "Contoso", initialState: "consented" });
  admin = await signedIn(world, "admin");
  viewer = await signedIn(world, "viewer");
});
after(() => world.close());

describe("the alert-source switch", () => {
  it("is labelled for what it does and leads to a confirmation step that changes nothing by itself", async () => {
    const row = rowOf(await (await admin.request("/tenants")).text(), contoso);
    assert.doesNotMatch(row, /Sync from/, "no button that reads like a one-off sync");
    assert.match(row, /data-switch-source="graph"[^>]*>Use Microsoft Graph as this tenant&#39;s alert source…<\/a>/);
    const confirmPath = hrefOf(row, 'data-switch-source="graph"');
    assert.equal(confirmPath, `/tenants/${contoso}/source?to=graph&from=list`);

    const res = await admin.request(confirmPath);
    assert.equal(res.status, 200);
    const page = unescapeHtml(await res.text());
    assert.match(page, /<h1>Use Microsoft Graph as Contoso's alert source\?<\/h1>/);
    assert.match(page, /reads its alerts from the <strong>MDE API<\/strong> today/);
    assert.match(page, /Every later sync of Contoso .* reads its alerts from <strong>Microsoft Graph<\/strong>.*incidents too/);
    assert.match(page, /Nothing is read now/);
    assert.match(page, /Permissions it needs: SecurityAlert\.Read\.All, SecurityIncident\.Read\.All on Microsoft Graph; the tenant is not verified yet/);
    assert.match(page, /<input type="hidden" name="confirm" value="yes">/);
    assert.match(page, /<button type="submit" id="confirm">Switch Contoso to Microsoft Graph<\/button>/);
    assert.doesNotMatch(page, /<script>|\son\w+="/, "no inline script (CSP 'self')");
    assert.equal((await world.store.getTenant(contoso))?.alertSource, "mde", "opening the step switches nothing");

    // A post without the confirmation (an old form, a script) shows the step again and switches nothing.
    const bare = await admin.form(`/tenants/${contoso}/source`, { source: "graph", from: "list" });
    assert.equal(bare.status, 400);
    assert.match(await bare.text(), /Nothing changed yet: confirm the switch below\.[\s\S]*id="confirm-source"/);
    assert.equal((await world.store.getTenant(contoso))?.alertSource, "mde");
    assert.equal((await world.store.queryAudit({ tenantId: contoso, action: "tenant.source" })).length, 0);
    // Viewers see the source but get neither the control nor the step.
    assert.doesNotMatch(rowOf(await (await viewer.request("/tenants")).text(), contoso), /data-switch-source/);
    assert.equal((await viewer.request(confirmPath)).status, 403);
    assert.equal((await admin.request(`/tenants/${contoso}/source?to=splunk`)).status, 400);
  });

  it("the confirmed form switches to Graph; the way back is labelled and confirmed the same way", async () => {
    const confirmed = await admin.form(`/tenants/${contoso}/source`, { source: "graph", from: "detail", confirm: "yes" });
    assert.equal(confirmed.status, 200);
    const detail = await confirmed.text();
    assert.match(detail, /Contoso now syncs its alerts from Microsoft Graph/);
    assert.equal((await world.store.getTenant(contoso))?.alertSource, "graph");

    assert.match(detail, /data-switch-source="mde"[^>]*>Use the MDE API as this tenant&#39;s alert source…<\/a>/);
    const back = hrefOf(detail, 'data-switch-source="mde"');
    assert.equal(back, `/tenants/${contoso}/source?to=mde&from=detail`);
    const page = unescapeHtml(await (await admin.request(back)).text());
    assert.match(page, /<h1>Use the MDE API as Contoso's alert source\?<\/h1>/);
    assert.match(page, /Its incidents are no longer synced; those already stored stay/);
    assert.match(page, new RegExp(`<a href="/tenants/${contoso}" id="cancel">Cancel</a>`));
    assert.equal((await admin.form(`/tenants/${contoso}/source`, { source: "mde", from: "detail" })).status, 400);
    assert.equal((await world.store.getTenant(contoso))?.alertSource, "graph", "no switch back without the confirmation");
    const switched = await admin.form(`/tenants/${contoso}/source`, { source: "mde", from: "detail", confirm: "yes" });
    assert.match(await switched.text(), /Contoso now syncs its alerts from the MDE API/);
    assert.equal((await world.store.getTenant(contoso))?.alertSource, "mde");
    const audit = await world.store.queryAudit({ tenantId: contoso, action: "tenant.source" });
    assert.equal(audit.length, 2);
  });
});
