// Automated investigations (mde-api.md §5.6, §6.5): the documented shape, agreement
// with the alerts that carry them, OData, start → progress on the clock, errors.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createManualClock } from "@mde-partner/emulator";
import { assertShape } from "./shape-support.js";
import { apiCaller, example, makeEmulator, type TestEmulator, tokenFor } from "./mde-support.js";

const clock = createManualClock(Date.UTC(2026, 2, 10, 9, 30));
let t: TestEmulator;
let tenantId = "";
let call: ReturnType<typeof apiCaller>;
let alerts: any[] = [];
let machines: any[] = [];

before(async () => {
  t = await makeEmulator({ clock, tenants: [{ alerts: 250, machines: 20 }], actionPendingMs: 1_000, actionInProgressMs: 2_000 });
  tenantId = t.emulator.info().tenants[0]?.id ?? "";
  call = apiCaller(t.emulator, await tokenFor(t.emulator, tenantId));
  alerts = (await call("/api/alerts")).json().value;
  machines = (await call("/api/machines")).json().value;
});
after(async () => t.stop());

test("GET /api/investigations lists the documented entity, one per investigated alert, agreeing with it", async () => {
  const res = await call("/api/investigations");
  assert.equal(res.status, 200, res.text);
  const body = res.json();
  assert.match(body["@odata.context"], /\/api\/\$metadata#Investigations$/);
  const investigated = alerts.filter((a) => a.investigationId !== null);
  assert.ok(investigated.length > 10, "the tenant has investigated alerts");
  const byId = new Map<string, any>(body.value.map((i: any) => [i.id, i]));
  for (const inv of body.value) assertShape(inv, example("investigation-entity.json"), `investigation ${inv.id}`);
  for (const alert of investigated) {
    const inv = byId.get(String(alert.investigationId));
    assert.ok(inv, `investigation ${alert.investigationId} of alert ${alert.id}`);
    if (inv.triggeringAlertId !== alert.id) continue; // two alerts of one investigation: the first triggered it
    assert.equal(inv.machineId, alert.machineId);
    assert.equal(inv.computerDnsName, alert.computerDnsName);
    assert.equal(inv.state, alert.investigationState);
    assert.ok(inv.startTime >= alert.alertCreationTime);
    assert.equal(inv.endTime === null, ["Running", "Queued", "PendingApproval", "PendingResource"].includes(inv.state));
  }
});

test("GET /api/investigations/{id} takes the investigation id or the triggering alert id; unknown → 404", async () => {
  const alert = alerts.find((a) => a.investigationId !== null);
  const byId = await call(`/api/investigations/${alert.investigationId}`);
  assert.equal(byId.status, 200, byId.text);
  assertShape(byId.json(), example("investigation-entity.json"), "investigation", new Set(["@odata.context"]));
  assert.match(byId.json()["@odata.context"], /#Investigations\/\$entity$/);
  const byAlert = (await call(`/api/investigations/${alert.id}`)).json();
  assert.equal(byAlert.id, String(alert.investigationId));
  const missing = await call("/api/investigations/1");
  assert.equal(missing.status, 404);
  assert.equal(missing.json().error.code, "ResourceNotFound");
});

test("$filter on state, machineId, triggeringAlertId, startTime and id; $top and $skip; other properties → 400", async () => {
  const all = (await call("/api/investigations")).json().value as any[];
  const benign = (await call("/api/investigations?$filter=state eq 'Benign'")).json().value as any[];
  assert.deepEqual(benign.map((i) => i.id), all.filter((i) => i.state === "Benign").map((i) => i.id));
  const one = all[3];
  const byMachine = (await call(`/api/investigations?$filter=machineId eq '${one.machineId}'`)).json().value as any[];
  assert.ok(byMachine.length > 0 && byMachine.every((i) => i.machineId === one.machineId));
  const byAlert = (await call(`/api/investigations?$filter=triggeringAlertId eq '${one.triggeringAlertId}'`)).json().value;
  assert.deepEqual(byAlert.map((i: any) => i.id), [one.id]);
  assert.deepEqual((await call(`/api/investigations?$filter=id eq '${one.id}'`)).json().value.map((i: any) => i.id), [one.id]);
  const later = (await call(`/api/investigations?$filter=startTime gt ${one.startTime}`)).json().value as any[];
  assert.deepEqual(later.map((i) => i.id).sort(), all.filter((i) => i.startTime > one.startTime).map((i) => i.id).sort());
  const page = (await call("/api/investigations?$top=2&$skip=1")).json().value;
  assert.deepEqual(page.map((i: any) => i.id), all.slice(1, 3).map((i) => i.id));
  const bad = await call("/api/investigations?$filter=statusDetails eq 'x'");
  assert.equal(bad.status, 400);
  assert.equal(bad.json().error.code, "ODataError");
});

test("startInvestigation answers 201 Queued, shows in the list, and progresses Queued → Running → final on the clock", async () => {
  const machine = machines.find((m) => m.osPlatform === "Windows10" || m.osPlatform === "Windows11");
  const res = await call(`/api/machines/${machine.id}/startInvestigation`, { method: "POST", body: example("start-investigation.request.json") });
  assert.equal(res.status, 201, res.text);
  const inv = res.json();
  assertShape(inv, example("investigation-entity.json"), "started", new Set(["@odata.context"]));
  assert.equal(inv.state, "Queued");
  assert.equal(inv.machineId, machine.id);
  assert.equal(inv.computerDnsName, machine.computerDnsName);
  assert.equal(inv.endTime, null);
  const listed = (await call(`/api/investigations?$filter=machineId eq '${machine.id}' and state eq 'Queued'`)).json().value;
  assert.ok(listed.some((i: any) => i.id === inv.id));
  clock.advance(1_000);
  assert.equal((await call(`/api/investigations/${inv.id}`)).json().state, "Running");
  clock.advance(2_000);
  const done = (await call(`/api/investigations/${inv.id}`)).json();
  assert.ok(["Benign", "SuccessfullyRemediated"].includes(done.state), done.state);
  assert.ok(done.endTime > done.startTime);
});

test("startInvestigation errors: missing or miscased Comment 400, unknown machine 404, unsupported OS 400, read-only app 403", async () => {
  const machine = machines.find((m) => m.osPlatform.startsWith("Windows1"));
  const missing = await call(`/api/machines/${machine.id}/startInvestigation`, { method: "POST", body: {} });
  assert.equal(missing.status, 400);
  assert.equal(missing.json().error.code, "MissingRequiredParameter");
  const cased = await call(`/api/machines/${machine.id}/startInvestigation`, { method: "POST", body: { comment: "x" } });
  assert.equal(cased.json().error.code, "InvalidRequestBody");
  assert.equal((await call(`/api/machines/${"f".repeat(40)}/startInvestigation`, { method: "POST", body: { Comment: "x" } })).status, 404);
  const linux = machines.find((m) => m.osPlatform === "Linux" || m.osPlatform === "macOS");
  assert.ok(linux, "the tenant has a Linux or macOS device");
  const res = await call(`/api/machines/${linux.id}/startInvestigation`, { method: "POST", body: { Comment: "x" } });
  assert.equal(res.status, 400);
  assert.equal(res.json().error.code, "OsPlatformNotSupported");
  const reader = apiCaller(t.emulator, await tokenFor(t.emulator, tenantId, ["Alert.Read.All"]));
  assert.equal((await reader("/api/investigations?$top=1")).status, 200);
  const denied = await reader(`/api/machines/${machine.id}/startInvestigation`, { method: "POST", body: { Comment: "x" } });
  assert.equal(denied.status, 403);
});

test("startInvestigation is limited to 50 calls per hour per app and tenant", async () => {
  const machine = machines.find((m) => m.osPlatform.startsWith("Windows1"));
  const statuses: number[] = [];
  for (let i = 0; i < 51; i++) {
    statuses.push((await call(`/api/machines/${machine.id}/startInvestigation`, { method: "POST", body: { Comment: `n${i}` } })).status);
  }
  assert.equal(statuses.at(-1), 429);
  assert.ok(statuses.filter((s) => s === 201).length <= 50);
});
