// Vulnerability management views (mde-api.md §5.2 TVM views, §5.11–§5.15): the
// documented example shapes, OData on the documented fields, 404s, permissions,
// and coherence between the views (one truth: the software installed on each machine).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { createManualClock } from "@mde-partner/emulator";
import { apiCaller, makeEmulator, type TestEmulator, tokenFor, example } from "./mde-support.js";
import { runHuntingQuery } from "../src/hunting/run-query.js";
import { assertShape } from "./shape-support.js";

const clock = createManualClock(Date.UTC(2026, 2, 10, 9, 30));
let t: TestEmulator;
let tenantId = "";
let call: ReturnType<typeof apiCaller>;

before(async () => {
  t = await makeEmulator({ clock, tenants: [{ alerts: 20, machines: 40 }] });
  tenantId = t.emulator.info().tenants[0]?.id ?? "";
  call = apiCaller(t.emulator, await tokenFor(t.emulator, tenantId));
});
after(async () => t.stop());

async function ok(path: string): Promise<any> {
  const res = await call(path);
  assert.equal(res.status, 200, `${path}: ${res.text}`);
  return res.json();
}

/** The documented example with its `@odata.context` fragment checked against ours. */
function sameShape(actual: any, name: string, extras: string[] = []): void {
  const doc = example(`${name}.response.json`);
  assert.equal(String(actual["@odata.context"]).split("#")[1], String(doc["@odata.context"]).split("#")[1], `${name}: @odata.context`);
  if (Array.isArray(doc.value)) assert.ok(actual.value.length > 0, `${name}: a non-empty list`);
  assertShape(actual, doc, name, new Set(extras));
}

/** Properties the newer vulnerability example has and the older ones lack. */
const NEWER_VULNERABILITY = ["cvssVector", "firstDetected", "cveSupportability", "tags", "epss"];
/** Properties the newer recommendation example has and the older ones lack. */
const NEWER_RECOMMENDATION = ["recommendedVendor", "recommendedProgram", "hasUnpatchableCve", "tags", "exposedCriticalDevices"];

async function machineWith(path: (id: string) => string): Promise<{ id: string; body: any }> {
  const machines = (await ok("/api/machines")).value as Array<{ id: string }>;
  for (const m of machines) {
    const body = await ok(path(m.id));
    if (body.value.length > 0) return { id: m.id, body };
  }
  throw new Error(`no machine has rows for ${path("{id}")}`);
}

test("software: list, get, distributions, machine references, vulnerabilities, missing KBs match the documented examples", async () => {
  const list = await ok("/api/Software");
  sameShape(list, "list-software");
  const edge = await ok("/api/software/microsoft-_-edge_chromium-based");
  assertShape(edge, list.value[0], "get-software", new Set(["@odata.context"]));
  assert.match(edge["@odata.context"], /#Software\/\$entity$/);
  sameShape(await ok("/api/Software/microsoft-_-edge_chromium-based/distributions"), "software-distributions");
  sameShape(await ok("/api/Software/microsoft-_-edge_chromium-based/machineReferences"), "software-machine-references");
  const vulns = await ok("/api/Software/microsoft-_-edge_chromium-based/vulnerabilities");
  assertShape(vulns, example("list-vulnerabilities-newer-revision.response.json"), "software-vulnerabilities");
  sameShape(await ok("/api/Software/microsoft-_-edge_chromium-based/getmissingkbs"), "software-missing-kbs");
  const filtered = await ok("/api/Software?$filter=vendor eq 'microsoft'");
  assert.ok(filtered.value.length > 0 && filtered.value.every((s: any) => s.vendor === "microsoft"));
  assert.equal((await call("/api/Software/contoso-_-nothing")).status, 404);
});

test("vulnerabilities: list, get, machine references, machinesVulnerabilities; $top ≤ 8,000; filters on documented fields", async () => {
  const list = await ok("/api/vulnerabilities?$top=50");
  sameShape(list, "list-vulnerabilities-newer-revision");
  const older = example("list-vulnerabilities.response.json");
  delete older.value[0].CveSupportability;
  assertShape(list, older, "list-vulnerabilities", new Set(NEWER_VULNERABILITY));
  const exposed = await ok("/api/vulnerabilities?$filter=severity eq 'Critical' and cvssV3 ge 9.0");
  assert.ok(exposed.value.every((v: any) => v.severity === "Critical" && v.cvssV3 >= 9));
  const cve = exposed.value.find((v: any) => v.exposedMachines > 0) ?? (await ok("/api/vulnerabilities?$top=8000")).value.find((v: any) => v.exposedMachines > 0);
  const one = await ok(`/api/vulnerabilities/${cve.id}`);
  sameShape(one, "get-vulnerability", NEWER_VULNERABILITY);
  const refs = await ok(`/api/vulnerabilities/${cve.id}/machineReferences`);
  sameShape(refs, "vulnerability-machine-references");
  assert.equal(refs.value.length, one.exposedMachines, "exposedMachines counts the machine references");
  const rows = await ok(`/api/vulnerabilities/machinesVulnerabilities?$filter=cveId eq '${cve.id}'`);
  sameShape(rows, "list-machines-vulnerabilities");
  assert.deepEqual(new Set(rows.value.map((r: any) => r.machineId)), new Set(refs.value.map((r: any) => r.id)));
  const top = await call("/api/vulnerabilities?$top=8001");
  assert.equal(top.status, 400);
  assert.equal(top.json().error.code, "ODataError");
  const badField = await call("/api/vulnerabilities?$filter=exposedMachines gt 1");
  assert.equal(badField.status, 400);
  assert.equal((await call("/api/vulnerabilities/CVE-1999-0001")).status, 404);
  const since = await ok("/api/vulnerabilities?$filter=publishedOn ge 2024-06-01T00:00:00Z");
  assert.ok(since.value.length > 0 && since.value.every((v: any) => v.publishedOn >= "2024-06-01"));
});

test("a machine's vulnerabilities are the CVEs of its installed software versions", async () => {
  const { id, body: vulns } = await machineWith((m) => `/api/machines/${m}/vulnerabilities`);
  sameShape(vulns, "machine-vulnerabilities", NEWER_VULNERABILITY);
  const software = await ok(`/api/machines/${id}/software`);
  sameShape(software, "machine-software");
  const rows = (await ok(`/api/vulnerabilities/machinesVulnerabilities?$filter=machineId eq '${id}'`)).value;
  assert.deepEqual(new Set(vulns.value.map((v: any) => v.id)), new Set(rows.map((r: any) => r.cveId)));
  const installed = new Set(software.value.map((s: any) => s.id));
  for (const r of rows) assert.ok(installed.has(`${r.productVendor}-_-${r.productName}`), `${r.productName} is installed on the machine`);
  // Each exposed product's vulnerabilities (org-wide) include this machine's CVEs of it.
  for (const s of software.value.filter((x: any) => x.weaknesses > 0)) {
    const orgCves = new Set((await ok(`/api/Software/${s.id}/vulnerabilities`)).value.map((v: any) => v.id));
    for (const r of rows.filter((x: any) => `${x.productVendor}-_-${x.productName}` === s.id)) assert.ok(orgCves.has(r.cveId));
  }
  const distributions = (await ok(`/api/Software/${software.value[0].id}/distributions`)).value;
  const refs = (await ok(`/api/Software/${software.value[0].id}/machineReferences`)).value;
  assert.equal(distributions.reduce((n: number, d: any) => n + d.installations, 0), refs.length);
  assert.equal((await call("/api/machines/0000000000000000000000000000000000000000/software")).status, 404);
});

test("missing KBs of a machine address CVEs it is exposed to", async () => {
  const { id, body } = await machineWith((m) => `/api/machines/${m}/getmissingkbs`);
  sameShape(body, "software-missing-kbs");
  const rows = (await ok(`/api/vulnerabilities/machinesVulnerabilities?$filter=machineId eq '${id}'`)).value;
  const kbs = new Set(rows.map((r: any) => r.fixingKbId).filter(Boolean));
  assert.deepEqual(new Set(body.value.map((k: any) => k.id)), kbs);
  for (const k of body.value) assert.ok(k.machineMissedOn >= 1 && k.cveAddressed >= 1);
});

test("recommendations: list, get, software, machines, vulnerabilities, a machine's recommendations", async () => {
  const list = await ok("/api/recommendations");
  sameShape(list, "list-recommendations");
  const update = list.value.find((r: any) => r.remediationType === "Update");
  const config = list.value.find((r: any) => r.remediationType === "ConfigurationChange");
  assert.ok(update && config, "both update and configuration recommendations");
  sameShape(await ok(`/api/recommendations/${update.id}`), "get-recommendation", NEWER_RECOMMENDATION);
  const software = await ok(`/api/recommendations/${update.id}/software`);
  sameShape(software, "recommendation-software");
  assert.equal(software.id, update.id.replace("va-_-", ""));
  assert.equal(software.exposedMachines, update.exposedMachinesCount);
  const refs = await ok(`/api/recommendations/${update.id}/machineReferences`);
  assert.equal(refs.value.length, update.exposedMachinesCount);
  const vulns = await ok(`/api/recommendations/${update.id}/vulnerabilities`);
  sameShape(vulns, "recommendation-vulnerabilities", NEWER_VULNERABILITY);
  assert.equal(vulns.value.length, update.weaknesses);
  assert.equal((await ok(`/api/recommendations/${config.id}/machineReferences`)).value.length, config.exposedMachinesCount);
  assert.equal((await call(`/api/recommendations/${config.id}/software`)).status, 404);
  const machineId = refs.value[0].id;
  const mine = await ok(`/api/machines/${machineId}/recommendations`);
  sameShape(mine, "machine-recommendations", NEWER_RECOMMENDATION);
  assert.ok(mine.value.some((r: any) => r.id === update.id));
  const filtered = await ok("/api/recommendations?$filter=remediationType eq 'ConfigurationChange'");
  assert.ok(filtered.value.length > 0 && filtered.value.every((r: any) => r.remediationType === "ConfigurationChange"));
  assert.equal((await call("/api/recommendations/va-_-contoso-_-nothing")).status, 404);
});

test("scores: exposure (overall and by device group) follows the exposed vulnerabilities; configuration score", async () => {
  const overall = await ok("/api/exposureScore");
  sameShape(overall, "exposure-score");
  assert.ok(overall.score > 0 && overall.score <= 100);
  const groups = await ok("/api/exposureScore/ByMachineGroups");
  sameShape(groups, "exposure-score-by-machine-groups", ["rbacGroupId"]);
  const machines = (await ok("/api/machines")).value;
  assert.deepEqual(new Set(groups.value.map((g: any) => g.rbacGroupName)), new Set(machines.map((m: any) => m.rbacGroupName).filter(Boolean)));
  for (const g of groups.value) assert.ok(g.score >= 0 && g.score <= 100);
  const config = await ok("/api/configurationScore");
  sameShape(config, "configuration-score");
  assert.ok(Number.isInteger(config.score) && config.score > 0);
});

test("remediation tasks: list, get, machine references tie to a recommendation", async () => {
  const tasks = apiCaller(t.emulator, await tokenFor(t.emulator, tenantId, ["RemediationTasks.Read.All"]));
  const without = apiCaller(t.emulator, await tokenFor(t.emulator, tenantId, ["SecurityRecommendation.Read.All", "Vulnerability.Read.All"]));
  const ok = async (path: string) => {
    const res = await tasks(path);
    assert.equal(res.status, 200, `${path}: ${res.text}`);
    return res.json();
  };
  assert.equal((await without("/api/remediationTasks")).status, 403);
  const list = await ok("/api/remediationTasks");
  assert.ok(list.value.length > 0);
  const task = list.value[0];
  const documented = JSON.parse(readFileSync(new URL("./fixtures/tvm-properties.json", import.meta.url), "utf8")).RemediationTask as string[];
  for (const x of list.value) assert.deepEqual(Object.keys(x).sort(), [...documented].sort());
  assert.deepEqual((await ok(`/api/remediationTasks/${task.id}`)).id, task.id);
  const refs = await ok(`/api/remediationTasks/${task.id}/machineReferences`);
  sameShape(refs, "remediation-task-machine-references");
  const active = await ok("/api/remediationTasks?$filter=status eq 'Active'");
  assert.ok(active.value.every((x: any) => x.status === "Active"));
  assert.equal((await tasks("/api/remediationTasks/00000000-0000-4000-8000-000000000000")).status, 404);
});

test("a token without the permission gets 403; machines added later get their TVM rows", async () => {
  const weak = apiCaller(t.emulator, await tokenFor(t.emulator, tenantId, ["Machine.Read.All"]));
  const denied = await weak("/api/vulnerabilities");
  assert.equal(denied.status, 403);
  assert.equal(denied.json().error.code, "Forbidden");
  assert.equal((await weak("/api/Software")).status, 403);
  assert.equal((await weak("/api/remediationTasks")).status, 403);
  const before = (await ok("/api/Software/microsoft-_-edge_chromium-based/machineReferences")).value.length;
  const db = t.emulator.state.db;
  const row = db.prepare("SELECT * FROM machines WHERE tenant_id = ? AND os_platform LIKE 'Windows%' LIMIT 1").get(tenantId) as Record<string, unknown>;
  const json = JSON.parse(String(row.json));
  json.id = "f".repeat(40);
  json.computerDnsName = "late-joiner.contoso.local";
  db.prepare(
    `INSERT INTO machines (tenant_id, id, computer_dns_name, last_seen, first_seen, os_platform, health_status, onboarding_status, json)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(tenantId, json.id, json.computerDnsName, row.last_seen, row.first_seen, row.os_platform, row.health_status, row.onboarding_status, JSON.stringify(json));
  const software = await ok(`/api/machines/${json.id}/software`);
  assert.ok(software.value.some((s: any) => s.id === "microsoft-_-edge_chromium-based"), "every Windows machine has Edge");
  assert.equal((await ok("/api/Software/microsoft-_-edge_chromium-based/machineReferences")).value.length, before + 1);
});

test("hunting: DeviceTvmSoftwareVulnerabilities and DeviceTvmSoftwareInventory hold the API's rows; the KB table the catalogue", async () => {
  const exposures = (await ok("/api/vulnerabilities/machinesVulnerabilities")).value;
  const hunted = runHuntingQuery(t.emulator.state, tenantId, "DeviceTvmSoftwareVulnerabilities | project DeviceId, CveId, SoftwareName, SoftwareVersion, RecommendedSecurityUpdateId");
  const key = (machine: unknown, cve: unknown, name: unknown, version: unknown) => `${machine}|${cve}|${name}|${version}`;
  assert.deepEqual(
    new Set(hunted.rows.map((r) => key(r[0], r[1], r[2], r[3]))),
    new Set(exposures.map((e: any) => key(e.machineId, e.cveId, e.productName, e.productVersion))),
  );
  for (const r of hunted.rows) {
    const e = exposures.find((x: any) => x.machineId === r[0] && x.cveId === r[1]);
    assert.equal(r[4] || null, e.fixingKbId);
  }
  const critical = runHuntingQuery(t.emulator.state, tenantId, "DeviceTvmSoftwareVulnerabilities | where VulnerabilitySeverityLevel == 'Critical' | summarize dcount(DeviceId)");
  const criticalApi = new Set(exposures.filter((e: any) => e.severity === "Critical").map((e: any) => e.machineId));
  assert.equal(Number(critical.rows[0]?.[0]), criticalApi.size);
  const edge = runHuntingQuery(t.emulator.state, tenantId, "DeviceTvmSoftwareInventory | where SoftwareName == 'edge_chromium-based' | count");
  const refs = (await ok("/api/Software/microsoft-_-edge_chromium-based/machineReferences")).value;
  assert.equal(Number(edge.rows[0]?.[0]), refs.length);
  const kb = runHuntingQuery(t.emulator.state, tenantId, "DeviceTvmSoftwareVulnerabilitiesKB | count");
  assert.equal(Number(kb.rows[0]?.[0]), (await ok("/api/vulnerabilities?$top=8000")).value.length);
});
