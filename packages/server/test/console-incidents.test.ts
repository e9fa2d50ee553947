// Microsoft Graph in the console, in process: an admin switches a tenant's
// alert source to Graph, a sync fills the incidents, the incidents page lists
// them across tenants with server-side filters and shows one with its alerts;
// the tenants page shows each tenant's source and its permission drift per
// resource (a tenant that consented before Graph permissions were added).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Agent, createWorld, signedIn, unescapeHtml, type World } from "./support.js";

let world: World;
let admin: Agent;
let viewer: Agent;
let contoso: string;
let northwind: string;
let litware: string;

const rowOf = (page: string, attr: string, id: string) => new RegExp(`<tr ${attr}="${id}"[\\s\\S]*?</tr>`).exec(page)?.[0] ?? "";

before(async () => {
  world = await createWorld({
    emulator: {
      tenants: [{ name: "Contoso" }, { name: "Northwind" }, { name: "Litware", graphRoles: [] }],
      alertsPerTenant: 60,
      machinesPerTenant: 3,
    },
  });
  [contoso, northwind, litware] = world.info.tenants.map((t) => t.id) as [string, string, string];
  for (const [id, name] of [
    [contoso, "Contoso"],
    [northwind, "Northwind"],
    [litware, "Litware"],
  ] as const)
    await world.store.upsertTenant({ id, name, initialState: "consented" });
  admin = await signedIn(world, "admin");
  viewer = await signedIn(world, "viewer");
});
after(() => world.close());

describe("incidents of Graph-sourced tenants", () => {
  it("an admin switches a tenant to Microsoft Graph; a viewer cannot", async () => {
    let page = await (await admin.request("/tenants")).text();
    assert.match(rowOf(page, "data-tenant", contoso), /data-source="mde"/);
    const refused = await viewer.form(`/tenants/${contoso}/source`, { source: "graph", confirm: "yes" });
    assert.equal(refused.status, 403);
    const res = await admin.form(`/tenants/${contoso}/source`, { source: "graph", confirm: "yes" });
    page = await res.text();
    assert.equal(res.status, 200);
    assert.match(page, /Contoso now syncs its alerts from Microsoft Graph/);
    assert.match(rowOf(page, "data-tenant", contoso), /data-source="graph"/);
    assert.match(rowOf(page, "data-tenant", northwind), /data-source="mde"/);
    assert.equal((await world.store.getTenant(contoso))?.alertSource, "graph");
    const audit = await world.store.queryAudit({ tenantId: contoso, action: "tenant.source" });
    assert.equal(audit.length, 1);
    assert.equal(audit[0]?.actor, "admin");
    const bad = await admin.form(`/tenants/${contoso}/source`, { source: "splunk", confirm: "yes" });
    assert.equal(bad.status, 400);
  });

  it("after a sync the incidents page lists the Graph tenant's incidents, filtered on the server", async () => {
    assert.equal((await admin.form("/sync", {})).status, 200);
    const total = await world.store.countIncidents({ tenantIds: [contoso] });
    assert.ok(total > 0, "the sync stored Contoso's incidents");
    assert.equal(await world.store.countIncidents({ tenantIds: [northwind] }), 0, "none for a tenant syncing from the MDE API");

    const res = await viewer.request("/incidents?limit=500");
    assert.equal(res.status, 200);
    const page = await res.text();
    const rows = [...page.matchAll(/<tr data-incident="([^"]+)" data-tenant="([^"]+)" data-status="([^"]*)">/g)];
    assert.equal(rows.length, total);
    assert.ok(rows.every((r) => r[2] === contoso));
    assert.match(page, /aria-current="page"[^>]*>Incidents|href="\/incidents" aria-current="page"/);

    const high = (await viewer.request(`/incidents?tenant=${contoso}&severity=high&limit=500`).then((r) => r.text())).match(/<tr data-incident=/g) ?? [];
    assert.equal(high.length, await world.store.countIncidents({ tenantIds: [contoso], severities: ["high"] }));
    const api = (await (await viewer.request(`/api/v1/incidents?tenant=${contoso}&status=resolved,active&limit=1000`)).json()) as {
      items: Array<{ tenantId: string; id: string; status: string; alertIds: string[] }>;
    };
    assert.equal(api.items.length, await world.store.countIncidents({ tenantIds: [contoso], statuses: ["resolved", "active"] }));
    assert.ok(api.items.every((i) => i.status === "resolved" || i.status === "active"));
    assert.equal((await viewer.request("/incidents?severity=critical")).status, 400);
  });

  it("an incident's page shows its alerts, linked to their own pages", async () => {
    const { items } = await world.store.queryIncidents({ tenantIds: [contoso], limit: 50 });
    const incident = items.find((i) => i.alertIds.length > 1) ?? items[0]!;
    const res = await viewer.request(`/incidents/${contoso}/${incident.id}`);
    assert.equal(res.status, 200);
    const page = unescapeHtml(await res.text());
    const shown = [...page.matchAll(/<tr data-alert="([^"]+)">/g)].map((m) => m[1]);
    assert.deepEqual([...shown].sort(), [...incident.alertIds].sort());
    for (const id of incident.alertIds) assert.ok(page.includes(`href="/alerts/${contoso}/${id}"`));
    const detail = (await (await viewer.request(`/api/v1/incidents/${contoso}/${incident.id}`)).json()) as { alerts: Array<{ id: string }> };
    assert.deepEqual(detail.alerts.map((a) => a.id).sort(), [...incident.alertIds].sort());
    assert.equal((await viewer.request(`/incidents/${contoso}/999999`)).status, 404);
    // The alert's own page says where it came from and links back to its incident.
    const alertPage = unescapeHtml(await (await viewer.request(`/alerts/${contoso}/${incident.alertIds[0]}`)).text());
    assert.match(alertPage, /id="alert-source" data-source="graph"/);
    assert.ok(alertPage.includes(`href="/incidents/${contoso}/${incident.id}"`));
  });
});

describe("tenants page: permission drift per resource", () => {
  it("a tenant that consented before Graph permissions were added shows Graph drift and a re-consent link", async () => {
    await admin.form(`/tenants/${litware}/source`, { source: "graph", confirm: "yes" });
    const verified = await admin.form(`/tenants/${litware}/verify`, {});
    const result = await verified.text();
    assert.match(result, /id="verify-result" data-state="degraded"/);
    assert.match(result, /<li data-resource="graph" class="bad"><strong>Microsoft Graph<\/strong>: missing SecurityAlert\.Read\.All, SecurityIncident\.Read\.All/);
    assert.match(result, /<li data-resource="mde" class="ok">/);

    const page = await (await admin.request("/tenants")).text();
    const row = rowOf(page, "data-tenant", litware);
    assert.match(row, /data-resource="mde" data-drifted="false"/);
    assert.match(row, /data-resource="graph" data-drifted="true"[^]*missing: SecurityAlert\.Read\.All, SecurityIncident\.Read\.All/);
    assert.match(row, new RegExp(`action="/tenants/${litware}/consent-link"`));
    // The fully consented Graph tenant is not drifted on either resource once verified.
    await admin.form(`/tenants/${contoso}/verify`, {});
    const again = rowOf(await (await admin.request("/tenants")).text(), "data-tenant", contoso);
    assert.match(again, /data-resource="graph" data-drifted="false"/);
    const json = (await (await admin.request("/api/v1/tenants")).json()) as {
      tenants: Array<{ id: string; alertSource: string; drift: { graph: { missing: string[] } } }>;
    };
    const lit = json.tenants.find((t) => t.id === litware);
    assert.equal(lit?.alertSource, "graph");
    assert.deepEqual(lit?.drift.graph.missing, ["SecurityAlert.Read.All", "SecurityIncident.Read.All"]);
  });
});
