// File, IP, domain and user lookups (mde-api.md §5.7–§5.10): documented shapes,
// coherence with the alerts' evidence, errors, permissions, a hostile tenant.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createManualClock } from "@mde-partner/emulator";
import { addAlerts } from "../src/data/alert-changes.js";
import { assertShape } from "./shape-support.js";
import { apiCaller, example, makeEmulator, type TestEmulator, tokenFor } from "./mde-support.js";

const clock = createManualClock(Date.UTC(2026, 2, 10, 9, 30));
let t: TestEmulator;
let tenantId = "";
let hostileId = "";
let call: ReturnType<typeof apiCaller>;
let alerts: any[] = [];

interface Evidence {
  entityType: string;
  sha1: string | null;
  sha256: string | null;
  fileName: string | null;
  ipAddress: string | null;
  url: string | null;
  accountName: string | null;
  evidenceCreationTime: string;
}

const evidenceOf = (a: any): Evidence[] => a.evidence as Evidence[];
const firstWith = (pick: (e: Evidence) => string | null | undefined) => {
  for (const a of alerts) for (const e of evidenceOf(a)) if (pick(e)) return { alert: a, value: pick(e) as string };
  throw new Error("no alert holds such evidence");
};
const hostOf = (url: string) => (URL.canParse(url) ? new URL(url).hostname.toLowerCase() : "");
const STATS_KEYS = (extra: string[]) => new Set(["@odata.context", "organizationPrevalence", "orgFirstSeen", "orgLastSeen", ...extra]);

before(async () => {
  t = await makeEmulator({ clock, tenants: [{ alerts: 300, machines: 25 }, { hostile: true, alerts: 40, machines: 6 }], rateLimits: false });
  tenantId = t.emulator.info().tenants[0]?.id ?? "";
  hostileId = t.emulator.info().tenants[1]?.id ?? "";
  call = apiCaller(t.emulator, await tokenFor(t.emulator, tenantId));
  alerts = (await call("/api/alerts?$expand=evidence")).json().value;
  assert.ok(alerts.length >= 300);
});
after(async () => t.stop());

test("GET /api/files/{sha1} and {sha256} answer the documented File shape for a file in the alerts' evidence", async () => {
  const { value: sha1, alert } = firstWith((e) => (e.entityType === "File" ? e.sha1 : null));
  const ev = evidenceOf(alert).find((e) => e.sha1 === sha1) as Evidence;
  const res = await call(`/api/files/${sha1}`);
  assert.equal(res.status, 200, res.text);
  const file = res.json();
  assertShape(file, example("get-file.response.json"), "file", new Set(["md5"]));
  assert.match(file["@odata.context"], /\/api\/\$metadata#Files\/\$entity$/);
  assert.equal(file.sha1, sha1);
  assert.equal(file.sha256, ev.sha256);
  const bySha256 = (await call(`/api/files/${ev.sha256}`)).json();
  assert.equal(bySha256.sha1, sha1);
  assert.equal((await call(`/api/files/${sha1.toUpperCase()}`)).status, 200, "hashes are case-insensitive");
});

test("file → alerts → evidence holds the file; its machines are those alerts' machines; stats count them", async () => {
  const { value: sha1 } = firstWith((e) => e.sha1);
  const holding = alerts.filter((a) => evidenceOf(a).some((e) => e.sha1 === sha1));
  const related = (await call(`/api/files/${sha1}/alerts`)).json();
  assert.match(related["@odata.context"], /#Alerts$/);
  assert.deepEqual(related.value.map((a: any) => a.id).sort(), holding.map((a) => a.id).sort());
  const machines = (await call(`/api/files/${sha1}/machines`)).json();
  assert.match(machines["@odata.context"], /#Machines$/);
  assert.deepEqual(machines.value.map((m: any) => m.id).sort(), [...new Set(holding.map((a) => a.machineId))].sort());

  const stats = (await call(`/api/files/${sha1}/stats?lookBackHours=720`)).json();
  assertShape(stats, { sha1: "", globallyPrevalence: 0, globalFirstObserved: "", globalLastObserved: "", topFileNames: [""] }, "stats", STATS_KEYS([]));
  assert.match(stats["@odata.context"], /#microsoft\.windowsDefenderATP\.api\.InOrgFileStats$/);
  const since = clock.now() - 720 * 3_600_000;
  const recent = holding.filter((a) => evidenceOf(a).some((e) => e.sha1 === sha1 && Date.parse(e.evidenceCreationTime) >= since));
  assert.equal(stats.organizationPrevalence, new Set(recent.map((a) => a.machineId)).size);
  assert.ok(stats.topFileNames.includes(evidenceOf(holding[0]).find((e) => e.sha1 === sha1)?.fileName));
  assert.ok(stats.globallyPrevalence >= stats.organizationPrevalence);
  if (stats.orgFirstSeen) assert.ok(stats.orgFirstSeen <= stats.orgLastSeen);
});

test("an alert's related files are the same File entities GET /api/files/{sha1} answers", async () => {
  const alert = alerts.find((a) => evidenceOf(a).filter((e) => e.sha1).length >= 1);
  const res = (await call(`/api/alerts/${alert.id}/files`)).json();
  assertShape(res, example("alert-related-files.response.json"), "alertFiles");
  const related = res.value as any[];
  assert.deepEqual(related.map((f) => f.sha1).sort(), [...new Set(evidenceOf(alert).flatMap((e) => (e.sha1 ? [e.sha1] : [])))].sort());
  for (const f of related) {
    const { "@odata.context": _context, ...own } = (await call(`/api/files/${f.sha1}`)).json();
    assert.deepEqual(f, own);
  }
});

test("file statistics honour lookBackHours: a window that ends before a file's only sighting counts nothing", async () => {
  const old = alerts
    .flatMap((a) => evidenceOf(a).filter((e) => e.sha1))
    .find((e) => clock.now() - Date.parse(e.evidenceCreationTime) > 3 * 3_600_000) as Evidence;
  assert.ok(old, "some file was seen more than three hours ago");
  const wide = (await call(`/api/files/${old.sha1}/stats`)).json();
  assert.ok(wide.organizationPrevalence >= 1, "the default window is 30 days");
  const short = (await call(`/api/files/${old.sha1}/stats?lookBackHours=1`)).json();
  assert.equal(short.organizationPrevalence, 0);
  assert.equal(short.orgFirstSeen, null);
});

test("unknown files: get and stats 404, alerts and machines an empty set; bad hashes 400", async () => {
  const unknown = "0".repeat(40);
  assert.equal((await call(`/api/files/${unknown}`)).status, 404);
  assert.equal((await call(`/api/files/${unknown}`)).json().error.code, "ResourceNotFound");
  assert.equal((await call(`/api/files/${unknown}/stats`)).status, 404);
  for (const rel of ["alerts", "machines"]) {
    const res = await call(`/api/files/${unknown}/${rel}`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.json().value, []);
  }
  const bad = await call("/api/files/not-a-hash");
  assert.equal(bad.status, 400);
  assert.equal(bad.json().error.code, "InvalidHashValue");
  assert.equal((await call(`/api/files/${"a".repeat(64)}/alerts`)).status, 400, "related alerts take a SHA-1 only");
});

test("GET /api/ips/{ip}/alerts and /stats: evidence IPs, documented stats shape, unknown → empty/0, invalid → 400", async () => {
  const { value: ip } = firstWith((e) => e.ipAddress);
  const holding = alerts.filter((a) => evidenceOf(a).some((e) => e.ipAddress === ip));
  const related = (await call(`/api/ips/${ip}/alerts`)).json();
  assert.deepEqual(related.value.map((a: any) => a.id).sort(), holding.map((a) => a.id).sort());
  const stats = (await call(`/api/ips/${ip}/stats`)).json();
  assertShape(stats, { ipAddress: "", organizationPrevalence: 0, orgFirstSeen: "", orgLastSeen: "" }, "ipStats", STATS_KEYS([]));
  assert.match(stats["@odata.context"], /#microsoft\.windowsDefenderATP\.api\.InOrgIPStats$/);
  assert.equal(stats.ipAddress, ip);
  assert.equal(stats.organizationPrevalence, new Set(holding.map((a) => a.machineId)).size);

  const unknown = await call("/api/ips/192.0.2.77/stats");
  assert.equal(unknown.status, 200);
  assert.equal(unknown.json().organizationPrevalence, 0);
  assert.deepEqual((await call("/api/ips/192.0.2.77/alerts")).json().value, []);
  assert.deepEqual((await call("/api/ips/2001:db8::1/alerts")).json().value, [], "IPv6 is valid");
  for (const bad of ["999.1.1.1", "10.0.0", "evil.example"]) {
    const res = await call(`/api/ips/${encodeURIComponent(bad)}/alerts`);
    assert.equal(res.status, 400, bad);
    assert.equal(res.json().error.code, "InvalidIpAddress");
  }
  assert.equal((await call(`/api/ips/${ip}/stats?lookBackHours=721`)).status, 400, "lookBackHours is at most 720");
  assert.equal((await call(`/api/ips/${ip}/stats?lookBackHours=abc`)).status, 400);
});

test("GET /api/domains/{domain}/…: alerts and machines from URL evidence, stats shape, case-insensitive host, ≤ 500 machines", async () => {
  const { value: url } = firstWith((e) => (e.url && hostOf(e.url) ? e.url : null));
  const host = hostOf(url);
  const holding = alerts.filter((a) => evidenceOf(a).some((e) => e.url && hostOf(e.url) === host));
  const related = (await call(`/api/domains/${host.toUpperCase()}/alerts`)).json();
  assert.deepEqual(related.value.map((a: any) => a.id).sort(), holding.map((a) => a.id).sort());
  const machines = (await call(`/api/domains/${host}/machines`)).json().value;
  assert.deepEqual(machines.map((m: any) => m.id).sort(), [...new Set(holding.map((a) => a.machineId))].sort());
  assert.ok(machines.length <= 500);
  const stats = (await call(`/api/domains/${host}/stats?lookBackHours=720`)).json();
  assertShape(stats, { host: "", organizationPrevalence: 0, orgFirstSeen: "", orgLastSeen: "" }, "domainStats", STATS_KEYS([]));
  assert.match(stats["@odata.context"], /#microsoft\.windowsDefenderATP\.api\.InOrgDomainStats$/);
  assert.equal(stats.organizationPrevalence, machines.length);

  const unknown = (await call("/api/domains/nothing-here.example/stats")).json();
  assert.equal(unknown.organizationPrevalence, 0);
  assert.deepEqual((await call("/api/domains/nothing-here.example/alerts")).json().value, []);
  const bad = await call(`/api/domains/${encodeURIComponent("bad domain!")}/alerts`);
  assert.equal(bad.status, 400);
  assert.equal(bad.json().error.code, "InvalidDomainName");
});

test("GET /api/users/{name}/alerts and /machines: the account name (not the UPN) finds the user's alerts", async () => {
  const withUser = alerts.find((a) => a.relatedUser);
  const name = withUser.relatedUser.userName as string;
  const holding = alerts.filter((a) => a.relatedUser?.userName === name || evidenceOf(a).some((e) => e.entityType === "User" && e.accountName === name));
  const related = (await call(`/api/users/${encodeURIComponent(name)}/alerts`)).json();
  assert.deepEqual(related.value.map((a: any) => a.id).sort(), holding.map((a) => a.id).sort());
  const machines = (await call(`/api/users/${encodeURIComponent(name)}/machines`)).json();
  assert.match(machines["@odata.context"], /#Machines$/);
  assert.deepEqual(machines.value.map((m: any) => m.id).sort(), [...new Set(holding.map((a) => a.machineId))].sort());
  assert.deepEqual((await call("/api/users/nobody-at-all/alerts")).json().value, []);
});

test("alerts added after the first lookup are indexed on the next one", async () => {
  const ids = addAlerts(t.emulator.state, tenantId, 10);
  const added = (await call(`/api/alerts?$expand=evidence&$filter=alertCreationTime ge ${new Date(clock.now() - 60_000).toISOString()}`)).json()
    .value as any[];
  const withFile = added.filter((a) => ids.includes(a.id)).flatMap((a) => evidenceOf(a).filter((e) => e.sha1).map((e) => ({ id: a.id as string, sha1: e.sha1 })));
  assert.ok(withFile.length > 0, "some new alert holds a file");
  for (const { id, sha1 } of withFile) {
    const related = (await call(`/api/files/${sha1}/alerts`)).json().value;
    assert.ok(related.some((a: any) => a.id === id), `file ${sha1} of new alert ${id}`);
  }
});

test("each lookup needs its documented permission (403 otherwise)", async () => {
  const { value: sha1 } = firstWith((e) => e.sha1);
  const alertOnly = apiCaller(t.emulator, await tokenFor(t.emulator, tenantId, ["Alert.Read.All"]));
  const denied = await alertOnly(`/api/files/${sha1}`);
  assert.equal(denied.status, 403);
  assert.equal(denied.json().error.code, "Forbidden");
  assert.equal((await alertOnly(`/api/files/${sha1}/alerts`)).status, 200);
  assert.equal((await alertOnly("/api/domains/files.example.org/alerts")).status, 403, "domain alerts need Alert.ReadWrite.All");
  assert.equal((await alertOnly("/api/users/someone/machines")).status, 403, "user machines need Machine.ReadWrite.All");
});

test("a hostile tenant's evidence comes back verbatim and nothing breaks", async () => {
  const hostile = apiCaller(t.emulator, await tokenFor(t.emulator, hostileId));
  const list = (await hostile("/api/alerts?$expand=evidence")).json().value as any[];
  const file = list.flatMap((a) => (a.evidence as Evidence[]).filter((e) => e.sha1 && e.fileName))[0] as Evidence;
  const stats = await hostile(`/api/files/${file.sha1}/stats`);
  assert.equal(stats.status, 200, stats.text);
  assert.ok(stats.json().topFileNames.includes(file.fileName), "names are returned as the tenant wrote them");
  const user = list.find((a) => a.relatedUser)?.relatedUser.userName as string;
  const related = await hostile(`/api/users/${encodeURIComponent(user)}/alerts`);
  assert.equal(related.status, 200, related.text);
  assert.ok(related.json().value.length > 0);
  // URL evidence is `javascript:` there: no domain to look up, and asking for one is just unknown.
  assert.deepEqual((await hostile("/api/domains/evil.example/alerts")).json().value, []);
});
