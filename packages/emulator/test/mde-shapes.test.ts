// The emulator's MDE payloads against the documented examples, property for
// property: same names and casing, same JSON types, present-with-null rather
// than omitted. Extra properties are allowed only when the entity's doc table
// lists them (named per check, with the reason).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { assertShape } from "./shape-support.js";
import { apiCaller, example, makeEmulator, type TestEmulator, tokenFor } from "./mde-support.js";

/** Every item of a collection carries the same keys (nothing omitted when null). */
function assertUniformKeys(items: Array<Record<string, unknown>>, what: string): void {
  const first = JSON.stringify(Object.keys(items[0] ?? {}));
  for (const item of items) assert.equal(JSON.stringify(Object.keys(item)), first, `${what}: items differ in their keys`);
}

let t: TestEmulator;
let call: ReturnType<typeof apiCaller>;
let windowsMachineId = "";

before(async () => {
  t = await makeEmulator({ tenants: [{ alerts: 300, machines: 40 }], rateLimits: false });
  const tenant = t.emulator.info().tenants[0];
  assert.ok(tenant);
  call = apiCaller(t.emulator, await tokenFor(t.emulator, tenant.id));
  const list = await call("/api/machines?$filter=osPlatform in ('Windows10','Windows11')&$top=1");
  windowsMachineId = list.json().value[0].id;
});
after(async () => t.stop());

test("list alerts matches list-alerts.response.json (evidence empty without $expand)", async () => {
  const res = await call("/api/alerts?$top=200");
  assert.equal(res.status, 200);
  const body = res.json();
  assert.match(body["@odata.context"], /^https:\/\/[^/]+\/api\/\$metadata#Alerts$/);
  // detectorId: alerts.md lists it (added 03.01.2021); the older list example predates it.
  assertShape(body, example("list-alerts.response.json"), "ListAlerts", new Set(["detectorId"]));
  assertUniformKeys(body.value, "alerts");
  for (const alert of body.value) assert.deepEqual(alert.evidence, []);
});

test("list alerts with $expand=evidence matches list-alerts-top10-expand-evidence.response.json", async () => {
  const res = await call("/api/alerts?$top=10&$expand=evidence");
  assert.equal(res.status, 200);
  const body = res.json();
  assertShape(body, example("list-alerts-top10-expand-evidence.response.json"), "ListAlerts($expand)");
  assert.ok(body.value.some((a: { evidence: unknown[] }) => a.evidence.length > 0));
  const documented = Object.keys(example("get-alert.response.json").evidence[0]);
  for (const alert of body.value) for (const item of alert.evidence) assert.deepEqual(Object.keys(item), documented);
});

test("get alert matches get-alert.response.json, with evidence", async () => {
  const id = (await call("/api/alerts?$top=1")).json().value[0].id;
  const res = await call(`/api/alerts/${id}`);
  assert.equal(res.status, 200);
  const body = res.json();
  assert.match(body["@odata.context"], /\/api\/\$metadata#Alerts\/\$entity$/);
  assertShape(body, example("get-alert.response.json"), "GetAlert", new Set(["@odata.context"]));
  assert.ok(body.evidence.length > 0);
});

test("list machines matches list-machines.response.json and odata-machines-filter.response.json", async () => {
  const res = await call("/api/machines");
  assert.equal(res.status, 200);
  const body = res.json();
  assert.match(body["@odata.context"], /\/api\/\$metadata#Machines$/);
  // machine.md lists onboardingStatus and osArchitecture; neither example shows them.
  const tableOnly = new Set(["onboardingStatus", "osArchitecture"]);
  const listExample = example("list-machines.response.json");
  const filterExample = example("odata-machines-filter.response.json");
  assertShape(body, listExample, "ListMachines", new Set([...tableOnly, ...Object.keys(filterExample.value[0])]));
  assertShape(body, filterExample, "ListMachines(filter example)", new Set([...tableOnly, ...Object.keys(listExample.value[0])]));
  assertUniformKeys(body.value, "machines");
  // rbacGroupId is a number in the examples (machine.md types it String: DOC-CONFLICT).
  assert.equal(typeof body.value[0].rbacGroupId, "number");
});

test("get machine matches get-machine.response.json (context #Machines/$entity, not the example's singular #Machine)", async () => {
  const res = await call(`/api/machines/${windowsMachineId}`);
  assert.equal(res.status, 200);
  const body = res.json();
  assert.match(body["@odata.context"], /\/api\/\$metadata#Machines\/\$entity$/);
  const extras = new Set(["onboardingStatus", "osArchitecture", "deviceValue", "ipAddresses"]);
  assertShape(body, example("get-machine.response.json"), "GetMachine", extras);
});

// machineaction.md's table lists these; the JSON examples show only a subset.
const ACTION_TABLE_ONLY = new Set([
  "title",
  "requestSource",
  "cancellationRequestor",
  "cancellationComment",
  "cancellationDateTimeUtc",
  "errorHResult",
  "externalId",
  "commands",
]);

test("isolate answers 201 with a MachineAction shaped like isolate-machine.response.json", async () => {
  const res = await call(`/api/machines/${windowsMachineId}/isolate`, {
    method: "POST",
    body: example("isolate-machine.request.json"),
  });
  assert.equal(res.status, 201, res.text);
  const body = res.json();
  assert.match(body["@odata.context"], /#MachineActions\/\$entity$/);
  assertShape(body, example("isolate-machine.response.json"), "Isolate", new Set([...ACTION_TABLE_ONLY, "@odata.context"]));
  assert.equal(body.type, "Isolate");
  assert.equal(body.status, "Pending");
  assertShape(body, example("get-machineaction.response.json"), "GetMachineAction", ACTION_TABLE_ONLY);
});

test("list machine actions matches list-machineactions.response.json except the documented lastUpdateTimeUtc conflict", async () => {
  const res = await call("/api/machineactions?$top=50");
  assert.equal(res.status, 200);
  const body = res.json();
  assert.ok(body.value.length > 0);
  // The list example says lastUpdateTimeUtc, the entity table lastUpdateDateTimeUtc (DOC-CONFLICT, mde-api.md §8.6).
  const doc = example("list-machineactions.response.json");
  for (const item of doc.value) {
    item.lastUpdateDateTimeUtc = item.lastUpdateTimeUtc;
    delete item.lastUpdateTimeUtc;
  }
  assertShape(body, doc, "ListMachineActions", ACTION_TABLE_ONLY);
  assertUniformKeys(body.value, "machine actions");
  const file = body.value.find((a: { type: string }) => a.type === "StopAndQuarantineFile");
  if (file) assertShape(file, doc.value[2], "StopAndQuarantineFile", ACTION_TABLE_ONLY);
});

test("indicators: list, submit and import match their examples", async () => {
  // ti-indicator.md lists generateAlert and rbacGroupIds; the examples omit them.
  const extras = new Set(["generateAlert", "rbacGroupIds"]);
  const list = await call("/api/indicators");
  assert.equal(list.status, 200);
  assertShape(list.json(), example("list-indicators.response.json"), "ListIndicators", extras);
  const submitted = await call("/api/indicators", { method: "POST", body: example("submit-indicator.request.json") });
  assert.equal(submitted.status, 200, submitted.text);
  assertShape(submitted.json(), example("indicator-entity.json"), "SubmitIndicator", new Set([...extras, "@odata.context"]));
  const imported = await call("/api/indicators/import", { method: "POST", body: example("import-indicators.request.json") });
  assert.equal(imported.status, 200, imported.text);
  assertShape(imported.json(), example("import-indicators.response.json"), "ImportIndicators");
  assert.deepEqual(
    imported.json().value.map((r: { isFailed: boolean }) => r.isFailed),
    [false, false],
  );
});

test("errors match the documented error bodies", async () => {
  const missing = await call("/api/machines/123123123");
  assert.equal(missing.status, 404);
  assertShape(missing.json(), example("error-resource-not-found.response.json"), "ResourceNotFound");
  assert.deepEqual(missing.json().error.code, "ResourceNotFound");
  assert.equal(missing.json().error.message, "Machine 123123123 was not found");
  const bad = await call("/api/alerts/whatever", { method: "PATCH", body: { Status: "Resolved" } });
  assert.equal(bad.status, 400);
  assertShape(bad.json(), example("error-invalid-request-body.response.json"), "InvalidRequestBody");
  assert.equal(bad.json().error.code, "InvalidRequestBody");
});
