// The emulator's Graph security payloads against the documented examples in
// examples/graph/, property for property. Extra properties are allowed only when
// another documented example or the entity's doc table has them (named per check).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { assertGraphError, assertShape, caller, example, fetchToken, GRAPH_SCOPE, makeEmulator, type TestEmulator } from "./graph-support.js";

let t: TestEmulator;
let graph: ReturnType<typeof caller>;

before(async () => {
  t = await makeEmulator({ tenants: [{ alerts: 200, machines: 20 }], rateLimits: false, seed: 11 });
  const tenant = t.emulator.info().tenants[0];
  assert.ok(tenant);
  graph = caller(t.emulator, await fetchToken(t.emulator, tenant.id, { scope: GRAPH_SCOPE }));
});
after(async () => t.stop());

// Present in the 2026 example of an MDE alert inside an incident (list-incidents-expand-alerts) but not in the
// 2021-based list example; `categories` is the May 2026 replacement of `category` (graph-security.md §1, §4.3).
const ALERT_2026 = new Set(["productName", "alertPolicyId", "investigationState", "customDetails", "additionalData", "categories"]);
// deviceEvidence/userAccount/fileDetails keys of the 2026 example that the 2021 examples predate.
const EVIDENCE_2026 = new Set(["lastIpAddress", "lastExternalIpAddress", "resourceAccessEvents", "md5", "sha256Ac", "activeDirectoryObjectGuid"]);

/** Every evidence item against the documented item of the same `@odata.type`. */
function assertEvidence(evidence: Array<Record<string, unknown>>): void {
  const documented = new Map<string, unknown>();
  for (const item of [
    ...example("list-incidents-expand-alerts.response.json").value[0].alerts[0].evidence,
    ...example("list-alerts-v2.response.json").value[0].evidence,
  ]) {
    if (!documented.has(item["@odata.type"])) documented.set(item["@odata.type"], item);
  }
  // The properties every evidence type has (the v1.0 alertEvidence resource).
  const base = {
    "@odata.type": "",
    createdDateTime: "",
    verdict: "",
    remediationStatus: "",
    remediationStatusDetails: null,
    roles: [],
    detailedRoles: [],
    tags: [],
  };
  // registryValueEvidence has no example: its keys are the v1.0 resource table's.
  documented.set("#microsoft.graph.security.registryValueEvidence", {
    ...base,
    mdeDeviceId: "",
    registryHive: "",
    registryKey: "",
    registryValue: "",
    registryValueName: "",
    registryValueType: "",
  });
  // urlEvidence has no example either: base properties plus `url` (security-urlevidence.md).
  documented.set("#microsoft.graph.security.urlEvidence", {
    ...base,
    url: "",
  });
  for (const item of evidence) {
    const type = String(item["@odata.type"]);
    const doc = documented.get(type);
    assert.ok(doc, `evidence type ${type} is neither documented by an example nor known`);
    assertShape(item, doc, `evidence(${type})`, new Set([...EVIDENCE_2026, "stream"]));
  }
}

test("list alerts_v2 matches list-alerts-v2.response.json, with typed evidence", async () => {
  const res = await graph("/v1.0/security/alerts_v2?$top=50");
  assert.equal(res.status, 200, res.text);
  const body = res.json();
  assert.match(body["@odata.context"], /^https:\/\/[^/]+\/v1\.0\/\$metadata#security\/alerts_v2$/);
  // @odata.context/@odata.nextLink: Graph collections carry them (list-incidents.response.json shows the context).
  assertShape(body, example("list-alerts-v2.response.json"), "ListAlertsV2", new Set([...ALERT_2026, ...EVIDENCE_2026, "@odata.context", "@odata.nextLink"]));
  assert.equal(body.value.length, 50);
  const types = new Set<string>();
  for (const alert of body.value) {
    assert.equal(alert["@odata.type"], "#microsoft.graph.security.alert");
    assert.equal(alert.serviceSource, "microsoftDefenderForEndpoint");
    assert.match(alert.id, /^da\d{18}_-?\d+$/);
    assert.ok(alert.evidence.length > 0);
    assertEvidence(alert.evidence);
    for (const e of alert.evidence) types.add(e["@odata.type"]);
  }
  for (const kind of ["deviceEvidence", "fileEvidence", "processEvidence", "userEvidence"]) {
    assert.ok(types.has(`#microsoft.graph.security.${kind}`), `no ${kind} in 50 alerts`);
  }
  // Enum values are Graph's camelCase members.
  const statuses = new Set(body.value.map((a: { status: string }) => a.status));
  for (const s of statuses) assert.ok(["new", "inProgress", "resolved"].includes(s as string), String(s));
});

test("get alert matches get-alert-v2.response.json and the 2026 MDE alert of the incident example", async () => {
  const id = (await graph("/v1.0/security/alerts_v2?$top=1")).json().value[0].id;
  const res = await graph(`/v1.0/security/alerts_v2/${id}`);
  assert.equal(res.status, 200, res.text);
  const body = res.json();
  assert.match(body["@odata.context"], /\/v1\.0\/\$metadata#security\/alerts_v2\/\$entity$/);
  // hostName/ntDomain/dnsDomain: in the list example, absent from the older get example (examples/graph/README.md).
  const newer = new Set([...ALERT_2026, ...EVIDENCE_2026, "@odata.context", "hostName", "ntDomain", "dnsDomain", "stream"]);
  assertShape(body, example("get-alert-v2.response.json"), "GetAlertV2", newer);
  const doc2026 = example("list-incidents-expand-alerts.response.json").value[0].alerts[0];
  assertShape(body, doc2026, "GetAlertV2(2026)", new Set(["@odata.context", "@odata.type", "categories", ...EVIDENCE_2026, "stream"]));
  assert.equal(body.id, id);
  assert.equal(body.providerAlertId, id);
});

test("update alert: the documented request answers the documented response shape and values", async () => {
  const id = (await graph("/v1.0/security/alerts_v2?$top=1&$filter=status eq 'new'")).json().value[0].id;
  const request = example("update-alert-v2.request.json");
  const res = await graph(`/v1.0/security/alerts_v2/${id}`, { method: "PATCH", body: request });
  assert.equal(res.status, 200, res.text);
  const body = res.json();
  assertShape(body, example("update-alert-v2.response.json"), "UpdateAlertV2", new Set([...ALERT_2026, "@odata.context"]));
  assertEvidence(body.evidence);
  for (const key of ["assignedTo", "classification", "determination", "status"]) assert.equal(body[key], request[key], key);
});

test("create alert comment answers all comments shaped like create-alert-comment.response.json", async () => {
  const id = (await graph("/v1.0/security/alerts_v2?$top=1")).json().value[0].id;
  const before = (await graph(`/v1.0/security/alerts_v2/${id}`)).json().comments.length;
  const res = await graph(`/v1.0/security/alerts_v2/${id}/comments`, { method: "POST", body: example("create-alert-comment.request.json") });
  assert.equal(res.status, 200, res.text);
  const body = res.json();
  assertShape(body, example("create-alert-comment.response.json"), "CreateAlertComment");
  assert.match(body["@odata.context"], new RegExp(`#security/alerts_v2\\('${id}'\\)/comments$`));
  assert.equal(body.value.length, before + 1);
  assert.equal(body.value.at(-1).comment, "Demo for docs");
});

test("list incidents matches list-incidents.response.json; $expand=alerts matches the expanded example", async () => {
  const res = await graph("/v1.0/security/incidents");
  assert.equal(res.status, 200, res.text);
  const body = res.json();
  assertShape(body, example("list-incidents.response.json"), "ListIncidents", new Set(["@odata.nextLink"]));
  assert.ok(body.value.length > 0);
  for (const incident of body.value) assert.match(incident.id, /^\d+$/);

  const expanded = await graph("/v1.0/security/incidents?$expand=alerts&$top=5");
  assert.equal(expanded.status, 200, expanded.text);
  const eb = expanded.json();
  assert.match(eb["@odata.context"], /#security\/incidents\(alerts\(\)\)$/);
  assertShape(eb, example("list-incidents-expand-alerts.response.json"), "ListIncidents($expand)", new Set(["@odata.nextLink", "categories", ...EVIDENCE_2026, "stream"]));
  for (const incident of eb.value) {
    assert.ok(incident.alerts.length > 0);
    for (const alert of incident.alerts) {
      assert.equal(alert.incidentId, incident.id);
      assertEvidence(alert.evidence);
    }
  }
});

test("get incident matches get-incident.response.json", async () => {
  const id = (await graph("/v1.0/security/incidents?$top=1")).json().value[0].id;
  const res = await graph(`/v1.0/security/incidents/${id}`);
  assert.equal(res.status, 200, res.text);
  const body = res.json();
  assertShape(body, example("get-incident.response.json"), "GetIncident");
  assert.match(body["@odata.context"], /\/v1\.0\/\$metadata#security\/incidents\/\$entity$/);
  assert.match(body.incidentWebUrl, new RegExp(`^https://security\\.microsoft\\.com/incident2/${id}/overview\\?tid=`));
});

test("update incident: the documented PascalCase request answers camelCase like update-incident.response.json", async () => {
  const id = (await graph("/v1.0/security/incidents?$top=1")).json().value[0].id;
  const res = await graph(`/v1.0/security/incidents/${id}`, { method: "PATCH", body: example("update-incident.request.json") });
  assert.equal(res.status, 200, res.text);
  const body = res.json();
  assertShape(body, example("update-incident.response.json"), "UpdateIncident");
  assert.equal(body.classification, "truePositive");
  assert.equal(body.determination, "multiStagedAttack");
  assert.deepEqual(body.customTags, ["Demo"]);
  assert.match(body.lastModifiedBy, /^API-App:/);
});

test("runHuntingQuery: the documented Example 1 answers like run-hunting-query.response.json", async () => {
  const res = await graph("/v1.0/security/runHuntingQuery", { method: "POST", body: example("run-hunting-query.request.json") });
  assert.equal(res.status, 200, res.text);
  const body = res.json();
  const doc = example("run-hunting-query.response.json");
  assertShape(body, doc, "RunHuntingQuery");
  assert.deepEqual(body.schema, doc.schema);
  assert.equal(body["@odata.context"].replace(/^https:\/\/[^/]+/, "https://graph.microsoft.com"), doc["@odata.context"]);
  assert.equal(body.results.length, 2);
  for (const row of body.results) assert.equal(row.InitiatingProcessFileName, "powershell.exe");
  assert.ok(body.results[0].Timestamp >= body.results[1].Timestamp, "order by Timestamp desc");
});

test("runHuntingQuery: Example 2 (Timespan P90D) and the beta form with lowercase keys and workspaceId", async () => {
  const res = await graph("/v1.0/security/runHuntingQuery", { method: "POST", body: example("run-hunting-query-timespan.request.json") });
  assert.equal(res.status, 200, res.text);
  const body = res.json();
  assert.deepEqual(Object.keys(body), ["@odata.context", "schema", "results"]);
  assert.ok(body.results.length > 0);
  const beta = await graph("/beta/security/runHuntingQuery", { method: "POST", body: example("run-hunting-query-beta-workspace.request.json") });
  assert.equal(beta.status, 200, beta.text);
  const bb = beta.json();
  assertShape(bb, example("run-hunting-query-beta-workspace.response.json"), "RunHuntingQuery(beta)", new Set(["@odata.context"]));
  assert.match(bb["@odata.context"], /\/beta\/\$metadata#microsoft\.graph\.security\.huntingQueryResults$/);
});

test("errors carry Graph's envelope and ids: bad KQL, unknown segment, unknown alert, $top over the cap", async () => {
  const kql = await graph("/v1.0/security/runHuntingQuery", { method: "POST", body: { Query: "DeviceProcessEvents | wherex true" }, headers: { "client-request-id": "3e9d4a3c-0000-4000-8000-000000000001" } });
  const error = assertGraphError(kql, 400, "BadRequest");
  assert.match(error.message, /wherex/);
  assert.equal(kql.headers.get("client-request-id"), "3e9d4a3c-0000-4000-8000-000000000001");
  assertGraphError(await graph("/v1.0/security/nothingHere"), 400, "BadRequest");
  assertGraphError(await graph("/v1.0/security/alerts_v2/da000000000000000000_1"), 404, "NotFound");
  const top = await graph("/v1.0/security/incidents?$top=100");
  const topError = assertGraphError(top, 400, "");
  assert.equal(topError.message, "The query specified in the URI is not valid. The limit of '50' for Top query has been exceeded. The value from the incoming request is '100'.");
  assert.deepEqual(topError.details, []);
  assertGraphError(await graph("/v1.0/security/alerts_v2?$filter=title eq 'x'"), 400, "BadRequest");
  assertGraphError(await graph("/v1.0/security/alerts_v2/x", { method: "PATCH", body: { severity: "high" } }), 400, "BadRequest");
});
