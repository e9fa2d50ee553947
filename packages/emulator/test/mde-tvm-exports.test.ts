// Device AV health (mde-api.md §5.16) and the export-assessment APIs (§5.17):
// documented shapes, pageSize/$skiptoken paging, sinceTime and sasValidHours
// checks, and file exports whose SAS-style links serve gzip'd JSON lines equal
// to the JSON variant's rows.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { gunzipSync } from "node:zlib";
import { createManualClock } from "@mde-partner/emulator";
import { apiCaller, example, makeEmulator, type TestEmulator, tokenFor } from "./mde-support.js";
import { readFileSync } from "node:fs";
import { assertShape } from "./shape-support.js";

/** The project's property lists for rows without a documented example (test/fixtures/tvm-properties.json). */
const PROPERTIES = JSON.parse(readFileSync(new URL("./fixtures/tvm-properties.json", import.meta.url), "utf8")) as Record<string, string[]>;
const sameKeys = (row: object, entity: string) => assert.deepEqual(Object.keys(row).sort(), [...(PROPERTIES[entity] ?? [])].sort(), entity);

const clock = createManualClock(Date.UTC(2026, 2, 10, 9, 30));
let t: TestEmulator;
let tenantId = "";
let call: ReturnType<typeof apiCaller>;

before(async () => {
  t = await makeEmulator({ clock, tenants: [{ alerts: 10, machines: 30 }, { alerts: 2, machines: 12, hostile: true }] });
  tenantId = t.emulator.info().tenants[0]?.id ?? "";
  call = apiCaller(t.emulator, await tokenFor(t.emulator, tenantId, ["Machine.Read.All", "Vulnerability.Read.All", "Software.Read.All"]));
});
after(async () => t.stop());

async function ok(path: string): Promise<any> {
  const res = await call(path);
  assert.equal(res.status, 200, `${path}: ${res.text}`);
  return res.json();
}

/** Every row of a JSON export, following `@odata.nextLink` (same origin). */
async function allRows(path: string): Promise<any[]> {
  const rows: any[] = [];
  let next: string | undefined = path;
  while (next) {
    const page = await ok(next);
    rows.push(...page.value);
    next = page["@odata.nextLink"] ? new URL(page["@odata.nextLink"]).pathname + new URL(page["@odata.nextLink"]).search : undefined;
  }
  return rows;
}

/** The lines of every file of a file export, downloaded without a bearer token. */
async function fileRows(path: string): Promise<any[]> {
  const body = await ok(path);
  const rows: any[] = [];
  for (const url of body.exportFiles as string[]) {
    const link = new URL(url);
    const res = await t.emulator.fetch(link.pathname + link.search);
    assert.equal(res.status, 200);
    const text = gunzipSync(Buffer.from(await res.arrayBuffer())).toString("utf8");
    rows.push(...text.split("\n").filter(Boolean).map((l) => JSON.parse(l)));
  }
  return rows;
}

test("deviceavinfo: every documented property, 20 rows a page with @odata.nextLink, $filter on documented fields, the alias path", async () => {
  const first = await ok("/api/deviceavinfo");
  assert.equal(first.value.length, 20);
  sameKeys(first.value[0], "DeviceAvInfo");
  assert.ok(first["@odata.nextLink"]);
  const all = await allRows("/api/deviceavinfo?pageSize=7");
  assert.equal(all.length, 30);
  assert.equal(new Set(all.map((r) => r.machineId)).size, 30);
  const windows = await ok("/api/deviceavinfo?$filter=osKind eq 'windows'&$top=100");
  assert.ok(windows.value.length > 0 && windows.value.every((r: any) => r.osKind === "windows"));
  assert.equal(windows["@odata.nextLink"], undefined);
  assert.equal((await call("/api/deviceavinfo?$filter=rbacGroupName eq 'x'")).status, 400);
  assert.equal((await ok("/api/public/avdeviceshealth?$top=3")).value.length, 3);
});

test("JSON exports: documented shape, pageSize and $skiptoken paging, $top without a link", async () => {
  const page = await ok("/api/machines/SecureConfigurationsAssessmentByMachine?pageSize=5");
  const doc = example("secure-config-assessment-by-machine.response.json");
  assertShape(page, doc, "sca");
  assert.match(page["@odata.context"], /#Collection\(microsoft\.windowsDefenderATP\.api\.AssetConfiguration\)$/);
  assert.match(page["@odata.nextLink"], /pageSize=5&\$skiptoken=/);
  const all = await allRows("/api/machines/SecureConfigurationsAssessmentByMachine?pageSize=40");
  assert.equal(new Set(all.map((r) => `${r.deviceId}/${r.configurationId}`)).size, all.length, "no row twice across pages");
  const top = await ok("/api/machines/SecureConfigurationsAssessmentByMachine?$top=3");
  assert.equal(top.value.length, 3);
  assert.equal(top["@odata.nextLink"], undefined);
  assert.equal((await call("/api/machines/SoftwareVulnerabilitiesByMachine?pageSize=200001")).status, 400);
  assert.equal((await call("/api/machines/SoftwareVulnerabilitiesByMachine?$skiptoken=bogus")).status, 400);

  const vulns = await allRows("/api/machines/SoftwareVulnerabilitiesByMachine?pageSize=100");
  for (const row of vulns) sameKeys(row, "SoftwareVulnerabilityRow");
  const withCve = vulns.filter((r) => r.cveId);
  const exposures = await ok("/api/vulnerabilities/machinesVulnerabilities");
  assert.equal(withCve.length, exposures.value.length, "one CVE row per machinesVulnerabilities row");
  assert.ok(vulns.some((r) => r.cveId === null), "installed versions without CVEs are listed too");
  const inventory = await allRows("/api/machines/SoftwareInventoryByMachine");
  sameKeys(inventory[0], "SoftwareInventoryRow");
  assert.equal(new Set(vulns.map((r) => `${r.deviceId}/${r.softwareName}`)).size, inventory.length);
});

test("SoftwareVulnerabilityChangesByMachine needs sinceTime within 14 days; New rows are current exposures, Fixed rows the versions devices left", async () => {
  const missing = await call("/api/machines/SoftwareVulnerabilityChangesByMachine");
  assert.equal(missing.status, 400);
  assert.equal(missing.json().error.code, "MissingRequiredParameter");
  const old = new Date(clock.now() - 15 * 86_400_000).toISOString();
  assert.equal((await call(`/api/machines/SoftwareVulnerabilityChangesByMachine?sinceTime=${old}`)).status, 400);
  const since = new Date(clock.now() - 14 * 86_400_000 + 60_000).toISOString();
  const rows = await allRows(`/api/machines/SoftwareVulnerabilityChangesByMachine?sinceTime=${since}`);
  assert.ok(rows.some((r) => r.status === "New"), "some exposures began in the last 14 days");
  assert.ok(rows.some((r) => r.status === "Fixed"), "some updates in the last 14 days fixed CVEs");
  const inventory = await allRows("/api/machines/SoftwareInventoryByMachine");
  const installed = new Map(inventory.map((r) => [`${r.deviceId}/${r.softwareName}`, r.softwareVersion]));
  const exposures = new Set((await ok("/api/vulnerabilities/machinesVulnerabilities")).value.map((e: any) => `${e.machineId}/${e.cveId}/${e.productVersion}`));
  for (const r of rows) {
    sameKeys(r, "SoftwareVulnerabilityChangeRow");
    assert.ok(r.eventTimestamp >= since, `${r.eventTimestamp} after ${since}`);
    if (r.status === "New") assert.ok(exposures.has(`${r.deviceId}/${r.cveId}/${r.softwareVersion}`), "a new exposure is a current one");
    else {
      assert.equal(r.status, "Fixed");
      assert.notEqual(installed.get(`${r.deviceId}/${r.softwareName}`), r.softwareVersion, "a fixed row names the version the device left");
    }
  }
});

test("file exports: documented shape, links without a token, lines equal the JSON rows, sasValidHours checked, expired or tampered refused", async () => {
  const body = await ok("/api/machines/SecureConfigurationsAssessmentExport");
  assertShape(body, example("secure-config-assessment-export.response.json"), "export");
  assertShape(await ok("/api/machines/InfoGatheringExport?sasValidHours=24"), example("info-gathering-export.response.json"), "info-gathering");
  assert.deepEqual(await fileRows("/api/machines/SoftwareVulnerabilitiesExport"), await allRows("/api/machines/SoftwareVulnerabilitiesByMachine"));
  assert.deepEqual(await fileRows("/api/machines/SoftwareInventoryExport"), await allRows("/api/machines/SoftwareInventoryByMachine"));
  assert.equal((await fileRows("/api/machines/InfoGatheringExport")).length, 30);
  assert.ok(Array.isArray(await fileRows("/api/machines/SoftwareInventoryNonCpeExport")));

  const tooLong = await call("/api/machines/SoftwareVulnerabilitiesExport?sasValidHours=7");
  assert.equal(tooLong.status, 400);
  const link = new URL((await ok("/api/machines/SoftwareVulnerabilitiesExport?sasValidHours=2")).exportFiles[0]);
  const tampered = new URL(link);
  tampered.pathname = tampered.pathname.replace("SoftwareVulnerabilities.0", "SecureConfigurations.0");
  assert.equal((await t.emulator.fetch(tampered.pathname + tampered.search)).status, 403);
  clock.advance(90 * 60_000);
  assert.equal((await t.emulator.fetch(link.pathname + link.search)).status, 200, "still valid after 1.5 h of 2");
  clock.advance(60 * 60_000);
  const expired = await t.emulator.fetch(link.pathname + link.search);
  assert.equal(expired.status, 403);
  assert.match(await expired.text(), /AuthenticationFailed/);
});

test("the export APIs ask for their documented permissions", async () => {
  const machinesOnly = apiCaller(t.emulator, await tokenFor(t.emulator, tenantId, ["Machine.Read.All"]));
  assert.equal((await machinesOnly("/api/machines/SoftwareVulnerabilitiesByMachine")).status, 403);
  assert.equal((await machinesOnly("/api/machines/InfoGatheringExport")).status, 403);
  const softwareOnly = apiCaller(t.emulator, await tokenFor(t.emulator, tenantId, ["Software.Read.All"]));
  assert.equal((await softwareOnly("/api/machines/SoftwareInventoryByMachine?$top=1")).status, 200);
  assert.equal((await softwareOnly("/api/deviceavinfo")).status, 403);
});

test("a hostile tenant's export files hold its marked machine names verbatim, one row per line", async () => {
  const hostileId = t.emulator.info().tenants[1]?.id ?? "";
  const hostile = apiCaller(t.emulator, await tokenFor(t.emulator, hostileId, ["Vulnerability.Read.All", "Software.Read.All"]));
  const json = await hostile("/api/machines/SoftwareInventoryByMachine");
  assert.equal(json.status, 200);
  const rows = json.json().value;
  assert.ok(rows.some((r: any) => /[\u001b\u0085<]/.test(r.deviceName)), "machine names carry the markers");
  const files = await hostile("/api/machines/SoftwareInventoryExport");
  const lines: any[] = [];
  for (const url of files.json().exportFiles as string[]) {
    const link = new URL(url);
    const res = await t.emulator.fetch(link.pathname + link.search);
    lines.push(...gunzipSync(Buffer.from(await res.arrayBuffer())).toString("utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)));
  }
  assert.deepEqual(lines, rows);
  const machines = (await hostile("/api/Software/microsoft-_-edge_chromium-based/machineReferences")).json().value;
  const names = new Set(rows.map((r: any) => r.deviceName));
  assert.ok(machines.every((m: any) => names.has(m.computerDnsName)));
});

test("the file exports are limited to 5 calls a minute per app and tenant (mde-api.md §7)", async () => {
  const limited = await makeEmulator({ clock, tenants: [{ alerts: 1, machines: 2 }] });
  try {
    const id = limited.emulator.info().tenants[0]?.id ?? "";
    const c = apiCaller(limited.emulator, await tokenFor(limited.emulator, id, ["Vulnerability.Read.All"]));
    for (let i = 0; i < 5; i++) assert.equal((await c("/api/machines/SecureConfigurationsAssessmentExport")).status, 200);
    const refused = await c("/api/machines/SecureConfigurationsAssessmentExport");
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers.get("retry-after")) > 0);
    assert.equal((await c("/api/machines/SecureConfigurationsAssessmentByMachine?$top=1")).status, 200, "the JSON variant has its own budget");
  } finally {
    await limited.stop();
  }
});
