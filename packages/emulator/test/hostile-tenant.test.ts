// The hostile-tenant world over real HTTPS: a tenant whose alerts, machines,
// incidents and hunting rows carry terminal escapes, HTML, CSV formulas,
// `javascript:` URLs and a 2,000,000-character title — in answers that still
// match the documented shapes, with ids that still page and filter.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { HOSTILE_LONG_LENGTH, HOSTILE_STRINGS, type HostileMarker } from "@mde-partner/emulator";
import { postToken, send, type StartedEmulator, startEmulator } from "./entra-support.js";
import { example as graphExample } from "./graph-support.js";
import { example as mdeExample } from "./mde-support.js";
import { assertShape } from "./shape-support.js";

const SHORT = (Object.keys(HOSTILE_STRINGS) as HostileMarker[]).filter((k) => k !== "long");

let env: StartedEmulator;
let hostileId = "";
let plainId = "";
const tokens = new Map<string, string>();

async function token(tenantId: string, scope: string): Promise<string> {
  const key = `${tenantId} ${scope}`;
  const known = tokens.get(key);
  if (known) return known;
  const res = await postToken(env, tenantId, "v2", {
    grant_type: "client_credentials",
    client_id: env.info.partnerApp.clientId,
    client_secret: env.info.partnerApp.clientSecret,
    scope,
  });
  assert.equal(res.status, 200, res.text);
  const value = res.json<{ access_token: string }>().access_token;
  tokens.set(key, value);
  return value;
}

const MDE = "https://api.securitycenter.microsoft.com/.default";
const GRAPH = "https://graph.microsoft.com/.default";

async function get(tenantId: string, scope: string, path: string, init: { method?: string; body?: unknown } = {}) {
  const res = await send(env, `${env.info.apiUrl}${path}`, {
    method: init.method ?? "GET",
    headers: { authorization: `Bearer ${await token(tenantId, scope)}`, "content-type": "application/json" },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  assert.equal(res.status, 200, res.text.slice(0, 500));
  return res.json<Record<string, any>>();
}

before(async () => {
  env = await startEmulator({ tenants: [{ name: "Plain Corp" }, { hostile: true, alerts: 60, machines: 12 }], alertsPerTenant: 40, machinesPerTenant: 8, rateLimits: false });
  plainId = env.info.tenants[0]!.id;
  hostileId = env.info.tenants[1]!.id;
});
after(() => env.stop());

test("the ready line marks the hostile tenant, and only it", () => {
  assert.equal(env.info.tenants[1]!.hostile, true);
  assert.equal("hostile" in env.info.tenants[0]!, false);
  assert.equal(HOSTILE_STRINGS.long.length, HOSTILE_LONG_LENGTH);
  assert.equal(HOSTILE_LONG_LENGTH, 2_000_000);
});

test("MDE alerts carry every marker, one has a 2,000,000-character title and description, and the shape is the documented one", async () => {
  const body = await get(hostileId, MDE, "/api/alerts?$expand=evidence");
  assert.equal(body.value.length, 60);
  assertShape(body, mdeExample("list-alerts-top10-expand-evidence.response.json"), "ListAlerts(hostile)", new Set(["detectorId"]));
  const long = body.value.filter((a: { title: string }) => a.title.length === HOSTILE_LONG_LENGTH);
  assert.equal(long.length, 1);
  assert.equal(long[0].description.length, HOSTILE_LONG_LENGTH);
  for (const name of SHORT) {
    const marker = HOSTILE_STRINGS[name];
    assert.ok(body.value.some((a: { title: string }) => a.title.startsWith(marker)), `some title starts with ${name}`);
    for (const a of body.value) if (a !== long[0]) assert.ok(a.description.includes(marker), `description carries ${name}`);
  }
  const evidence = body.value.flatMap((a: { evidence: Array<Record<string, unknown>> }) => a.evidence);
  for (const e of evidence) {
    if (e.processCommandLine) for (const name of SHORT) assert.ok(String(e.processCommandLine).includes(HOSTILE_STRINGS[name]), `command line carries ${name}`);
    if (e.url) assert.equal(e.url, HOSTILE_STRINGS.javascriptUrl);
    if (e.fileName) assert.ok(SHORT.some((n) => String(e.fileName).startsWith(HOSTILE_STRINGS[n])), "file names start with a marker");
    if (e.entityType === "User") assert.ok(SHORT.some((n) => String(e.accountName).startsWith(HOSTILE_STRINGS[n])), "user names start with a marker");
  }
  for (const a of body.value) {
    assert.match(a.id, /^da\d{18}_-?\d+$/, "ids stay ids");
    assert.ok(SHORT.some((n) => String(a.computerDnsName).startsWith(HOSTILE_STRINGS[n])), "machine names start with a marker");
    if (a.relatedUser) assert.ok(SHORT.some((n) => a.relatedUser.userName.startsWith(HOSTILE_STRINGS[n])));
    for (const c of a.comments) assert.ok(SHORT.some((n) => c.comment.startsWith(HOSTILE_STRINGS[n])), "comments start with a marker");
  }
  // The alert endpoints that derive from evidence still answer (a javascript: URL names no domain).
  for (const a of body.value.slice(0, 10)) await get(hostileId, MDE, `/api/alerts/${a.id}/domains`);
});

test("paging and $filter still work on a hostile tenant (ids untouched; names with quotes filter when escaped)", async () => {
  const page1 = await get(hostileId, MDE, "/api/alerts?$top=25&$skip=0");
  const page2 = await get(hostileId, MDE, "/api/alerts?$top=25&$skip=25");
  const ids = new Set([...page1.value, ...page2.value].map((a: { id: string }) => a.id));
  assert.equal(ids.size, 50);
  const machines = await get(hostileId, MDE, "/api/machines");
  assertShape(machines, mdeExample("list-machines.response.json"), "ListMachines(hostile)", new Set(["onboardingStatus", "osArchitecture", ...Object.keys(mdeExample("odata-machines-filter.response.json").value[0])]));
  assert.equal(machines.value.length, 12);
  for (const name of SHORT) {
    assert.ok(machines.value.some((m: { computerDnsName: string }) => m.computerDnsName.startsWith(HOSTILE_STRINGS[name])), `a machine name starts with ${name}`);
  }
  const quoted = machines.value.find((m: { computerDnsName: string }) => m.computerDnsName.includes("'"));
  assert.ok(quoted, "one machine name holds a single quote");
  const filter = `computerDnsName eq '${quoted.computerDnsName.replaceAll("'", "''")}'`;
  const found = await get(hostileId, MDE, `/api/machines?${new URLSearchParams({ $filter: filter })}`);
  assert.deepEqual(found.value.map((m: { id: string }) => m.id), [quoted.id]);
  const byMachine = await get(hostileId, MDE, `/api/alerts?${new URLSearchParams({ $filter: `machineId eq '${quoted.id}'` })}`);
  for (const a of byMachine.value) assert.equal(a.machineId, quoted.id);
});

test("Graph alerts_v2 and incidents carry the markers and javascript: portal links, in the documented shapes", async () => {
  const alerts = await get(hostileId, GRAPH, "/v1.0/security/alerts_v2?$top=100");
  assert.equal(alerts.value.length, 60);
  for (const a of alerts.value) {
    assert.equal(a.alertWebUrl, HOSTILE_STRINGS.javascriptUrl);
    assert.equal(a.incidentWebUrl, HOSTILE_STRINGS.javascriptUrl);
  }
  assert.ok(alerts.value.some((a: { title: string }) => a.title === HOSTILE_STRINGS.long));
  const urls = alerts.value.flatMap((a: { evidence: Array<Record<string, unknown>> }) => a.evidence).filter((e: Record<string, unknown>) => "url" in e);
  for (const e of urls) assert.equal(e.url, HOSTILE_STRINGS.javascriptUrl);

  const incidents = await get(hostileId, GRAPH, "/v1.0/security/incidents?$top=50");
  assertShape(incidents, graphExample("list-incidents.response.json"), "ListIncidents(hostile)", new Set(["@odata.nextLink"]));
  assert.ok(incidents.value.length > 0);
  for (const incident of incidents.value) {
    assert.match(incident.id, /^\d+$/);
    assert.equal(incident.incidentWebUrl, HOSTILE_STRINGS.javascriptUrl);
    assert.ok(incident.displayName === HOSTILE_STRINGS.long || SHORT.some((n) => incident.displayName.startsWith(HOSTILE_STRINGS[n])), "incident names carry a marker");
    for (const name of SHORT) assert.ok(incident.description.includes(HOSTILE_STRINGS[name]));
    assert.ok(incident.comments.length > 0 && SHORT.some((n) => incident.comments[0].comment.startsWith(HOSTILE_STRINGS[n])));
    assert.ok(incident.customTags.includes(HOSTILE_STRINGS.html));
  }
  const all = await get(hostileId, GRAPH, "/v1.0/security/incidents?$top=50&$count=true");
  assert.ok(all["@odata.count"] <= 50, "one page holds every incident");
  const long = all.value.filter((i: { displayName: string }) => i.displayName === HOSTILE_STRINGS.long);
  assert.equal(long.length, 1, "the long alert's incident has the long name");
});

test("hunting tables derived from a hostile tenant carry the markers", async () => {
  const devices = await get(hostileId, MDE, "/api/advancedqueries/run", { method: "POST", body: { Query: "DeviceInfo | distinct DeviceName" } });
  assert.ok(devices.Results.length > 0);
  for (const row of devices.Results) assert.ok(SHORT.some((n) => String(row.DeviceName).startsWith(HOSTILE_STRINGS[n])), String(row.DeviceName));
  const titles = await get(hostileId, GRAPH, "/v1.0/security/runHuntingQuery", { method: "POST", body: { Query: "AlertInfo | project Title" } });
  assert.ok(titles.results.some((r: { Title: string }) => r.Title === HOSTILE_STRINGS.long));
  const processes = await get(hostileId, MDE, "/api/advancedqueries/run", {
    method: "POST",
    body: { Query: `DeviceProcessEvents | where ProcessCommandLine has "evil.example" | take 5` },
  });
  assert.ok(processes.Results.length > 0, "command lines with the markers are searchable");
});

test("a hostile tenant added through the control API, its new alerts, and a plain tenant untouched", async () => {
  const added = await send(env, `${env.info.controlUrl}/tenants`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ hostile: true, alerts: 3, machines: 2 }),
  });
  assert.equal(added.status, 201, added.text);
  const tenant = added.json<{ id: string; hostile?: boolean; alerts: number }>();
  assert.equal(tenant.hostile, true);
  assert.equal(tenant.alerts, 3);
  const bad = await send(env, `${env.info.controlUrl}/tenants`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ hostile: "yes" }),
  });
  assert.equal(bad.status, 400);

  const ids = env.emulator.control.addAlerts(hostileId, 2);
  for (const id of ids) {
    const a = await get(hostileId, MDE, `/api/alerts/${id}`);
    assert.ok(SHORT.some((n) => a.title.startsWith(HOSTILE_STRINGS[n])));
  }
  const plain = await send(env, `${env.info.apiUrl}/api/alerts?$expand=evidence`, {
    headers: { authorization: `Bearer ${await token(plainId, MDE)}` },
  });
  assert.equal(plain.status, 200);
  for (const marker of [HOSTILE_STRINGS.osc52, HOSTILE_STRINGS.html, HOSTILE_STRINGS.javascriptUrl, "\u001b", "\u009b", "\u0085"]) {
    assert.ok(!plain.json<{ value: unknown[] }>().value.some((a) => JSON.stringify(a).includes(marker)), "a plain tenant has no markers");
  }
});
