// CreateAlertByReference (mde-api.md §5.1) against events advanced hunting returns,
// and FindMachineInfoByIp (§5.2, the older `find(timestamp=…,key=…)` form).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createManualClock } from "@mde-partner/emulator";
import { caller, fetchToken, GRAPH_SCOPE } from "./graph-support.js";
import { assertShape } from "./shape-support.js";
import { apiCaller, example, makeEmulator, type TestEmulator, tokenFor } from "./mde-support.js";

const clock = createManualClock(Date.UTC(2026, 2, 10, 9, 30));
let t: TestEmulator;
let tenantId = "";
let call: ReturnType<typeof apiCaller>;
let machines: any[] = [];

before(async () => {
  t = await makeEmulator({ clock, tenants: [{ alerts: 60, machines: 10 }], actionPendingMs: 1_000, actionInProgressMs: 2_000, rateLimits: false });
  tenantId = t.emulator.info().tenants[0]?.id ?? "";
  call = apiCaller(t.emulator, await tokenFor(t.emulator, tenantId));
  machines = (await call("/api/machines")).json().value;
});
after(async () => t.stop());

/** One process event of a Windows device, as advanced hunting returns it. */
async function processEvent(): Promise<{ Timestamp: string; DeviceId: string; ReportId: number; SHA1: string; FileName: string }> {
  const windows = machines.filter((m) => m.osPlatform.startsWith("Windows")).map((m) => `'${m.id}'`);
  const res = await call("/api/advancedqueries/run", {
    method: "POST",
    body: { Query: `DeviceProcessEvents | where DeviceId in (${windows.join(",")}) | take 1 | project Timestamp, DeviceId, ReportId, SHA1, FileName` },
  });
  assert.equal(res.status, 200, res.text);
  const row = res.json().Results[0];
  assert.ok(row, "some Windows device has process events");
  return row;
}

const body = (event: { Timestamp: string; DeviceId: string; ReportId: number }, title = "Suspicious tool seen by the SOC") => ({
  machineId: event.DeviceId,
  severity: "Medium",
  title,
  description: "Flagged from an advanced hunting result.",
  recommendedAction: "Collect the file and isolate if confirmed.",
  eventTime: event.Timestamp,
  reportId: String(event.ReportId),
  category: "Execution",
});

test("CreateAlertByReference creates a New alert for a hunting event; it is listed, has an investigation and its evidence", async () => {
  assertShape(body({ Timestamp: "", DeviceId: "", ReportId: 1 }), example("create-alert-by-reference.request.json"), "request");
  const event = await processEvent();
  const res = await call("/api/alerts/CreateAlertByReference", { method: "POST", body: body(event) });
  assert.equal(res.status, 200, res.text);
  const alert = res.json();
  assertShape(alert, example("get-alert.response.json"), "created", new Set(["@odata.context"]));
  assert.match(alert["@odata.context"], /#Alerts\/\$entity$/);
  assert.equal(alert.status, "New");
  assert.equal(alert.title, "Suspicious tool seen by the SOC");
  assert.equal(alert.severity, "Medium");
  assert.equal(alert.category, "Execution");
  assert.equal(alert.machineId, event.DeviceId);
  assert.equal(alert.firstEventTime, event.Timestamp);
  assert.ok(alert.evidence.some((e: any) => e.sha1 === event.SHA1 && e.fileName === event.FileName), "the event's process is evidence");

  const listed = (await call(`/api/alerts?$filter=id eq '${alert.id}'`)).json().value;
  assert.equal(listed.length, 1);
  const onMachine = (await call(`/api/machines/${event.DeviceId}/alerts`)).json().value;
  assert.ok(onMachine.some((a: any) => a.id === alert.id));
  const byFile = (await call(`/api/files/${event.SHA1}/alerts`)).json().value;
  assert.ok(byFile.some((a: any) => a.id === alert.id), "the file lookup sees the new alert");

  const inv = (await call(`/api/investigations/${alert.id}`)).json();
  assert.equal(inv.id, String(alert.investigationId));
  assert.equal(inv.triggeringAlertId, alert.id);
  assert.equal(inv.machineId, alert.machineId);
  assert.equal(inv.state, alert.investigationState);
  clock.advance(3_000);
  const done = (await call(`/api/investigations/${inv.id}`)).json();
  const after = (await call(`/api/alerts/${alert.id}`)).json();
  assert.equal(after.investigationState, done.state, "the alert follows its investigation");
  assert.ok(after.lastUpdateTime > alert.lastUpdateTime);

  const graph = caller(t.emulator, await fetchToken(t.emulator, tenantId, { scope: GRAPH_SCOPE }));
  const v2 = await graph(`/v1.0/security/alerts_v2/${alert.id}`);
  assert.equal(v2.status, 200, v2.text);
  assert.equal(v2.json().title, alert.title);
});

test("an alert created from a network event holds its public address: the IP lookup finds it", async () => {
  const res = await call("/api/advancedqueries/run", {
    method: "POST",
    body: { Query: "DeviceNetworkEvents | where RemoteIPType == 'Public' | take 1 | project Timestamp, DeviceId, ReportId, RemoteIP" },
  });
  const event = res.json().Results[0];
  assert.ok(event, "some device talked to a public address");
  const created = await call("/api/alerts/CreateAlertByReference", { method: "POST", body: body(event, "Beaconing to a rare address") });
  assert.equal(created.status, 200, created.text);
  const alert = created.json();
  assert.ok(alert.evidence.some((e: any) => e.entityType === "Ip" && e.ipAddress === event.RemoteIP));
  const related = (await call(`/api/ips/${event.RemoteIP}/alerts`)).json().value;
  assert.ok(related.some((a: any) => a.id === alert.id));
  assert.ok((await call(`/api/ips/${event.RemoteIP}/stats`)).json().organizationPrevalence >= 1);
});

test("an open alert with the same title on the same device absorbs the new one", async () => {
  const event = await processEvent();
  const first = (await call("/api/alerts/CreateAlertByReference", { method: "POST", body: body(event, "Repeated finding") })).json();
  const count = (await call("/api/alerts")).json().value.length;
  const second = await call("/api/alerts/CreateAlertByReference", { method: "POST", body: body(event, "Repeated finding") });
  assert.equal(second.status, 200);
  assert.equal(second.json().id, first.id);
  assert.equal((await call("/api/alerts")).json().value.length, count, "no new alert");
  await call(`/api/alerts/${first.id}`, { method: "PATCH", body: { status: "Resolved" } });
  const third = (await call("/api/alerts/CreateAlertByReference", { method: "POST", body: body(event, "Repeated finding") })).json();
  assert.notEqual(third.id, first.id, "a resolved alert absorbs nothing");
});

test("CreateAlertByReference: 404 when no event matches, 400 for a missing, miscased or invalid field, 403 read-only", async () => {
  const event = await processEvent();
  const wrongReport = await call("/api/alerts/CreateAlertByReference", { method: "POST", body: { ...body(event), reportId: "1" } });
  assert.equal(wrongReport.status, 404);
  const other = machines.find((m) => m.id !== event.DeviceId);
  const wrongMachine = await call("/api/alerts/CreateAlertByReference", { method: "POST", body: { ...body(event), machineId: other.id } });
  assert.equal(wrongMachine.status, 404);
  const later = new Date(Date.parse(event.Timestamp) + 1000).toISOString();
  assert.equal((await call("/api/alerts/CreateAlertByReference", { method: "POST", body: { ...body(event), eventTime: later } })).status, 404);

  const { recommendedAction: _omitted, ...missing } = body(event);
  const res = await call("/api/alerts/CreateAlertByReference", { method: "POST", body: missing });
  assert.equal(res.status, 400);
  assert.equal(res.json().error.code, "MissingRequiredParameter");
  const { title, ...rest } = body(event);
  assert.equal((await call("/api/alerts/CreateAlertByReference", { method: "POST", body: { ...rest, Title: title } })).json().error.code, "InvalidRequestBody");
  assert.equal((await call("/api/alerts/CreateAlertByReference", { method: "POST", body: { ...body(event), severity: "Informational" } })).status, 400);
  assert.equal((await call("/api/alerts/CreateAlertByReference", { method: "POST", body: { ...body(event), category: "Nope" } })).status, 400);
  const long = await call("/api/alerts/CreateAlertByReference", { method: "POST", body: { ...body(event), title: "x".repeat(10_001) } });
  assert.equal(long.status, 400);
  assert.equal(long.json().error.code, "InvalidInput");
  const reader = apiCaller(t.emulator, await tokenFor(t.emulator, tenantId, ["Alert.Read.All"]));
  assert.equal((await reader("/api/alerts/CreateAlertByReference", { method: "POST", body: body(event) })).status, 403);
});

test("FindMachineInfoByIp answers the documented reduced machine; unknown IP 404, invalid IP or old timestamp 400", async () => {
  const machine = machines.find((m) => m.lastIpAddress);
  const ts = new Date(clock.now() - 3_600_000).toISOString().replace(/\.\d+Z$/, "Z");
  const res = await call(`/api/machines/find(timestamp=${ts},key='${machine.lastIpAddress}')`);
  assert.equal(res.status, 200, res.text);
  const body = res.json();
  assertShape(body, example("find-machine-info-by-ip.response.json"), "find");
  assert.match(body["@odata.context"], /\/api\/\$metadata#Machines$/);
  assert.ok(body.value.some((m: any) => m.id === machine.id && m.computerDnsName === machine.computerDnsName));
  const unquoted = (await call(`/api/machines/find(timestamp=${ts},key=${machine.lastIpAddress})`)).json();
  assert.deepEqual(unquoted.value, body.value);
  assert.equal((await call(`/api/machines/find(timestamp=${ts},key='192.0.2.99')`)).status, 404);
  const invalid = await call(`/api/machines/find(timestamp=${ts},key='300.1.1.1')`);
  assert.equal(invalid.status, 400);
  assert.equal(invalid.json().error.code, "InvalidIpAddress");
  const old = new Date(clock.now() - 31 * 86_400_000).toISOString();
  assert.equal((await call(`/api/machines/find(timestamp=${old},key='${machine.lastIpAddress}')`)).status, 400);
});
