// Custom detection rules on Microsoft Graph (/security/rules/detectionRules), over
// real HTTPS: create → list → get → update → delete, the CustomDetection
// permissions, Graph's validation errors, the per-tenant cap and OData options.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { appToken, controlCaller, GRAPH_SCOPE, graphCaller, type HttpsResponse, ruleBody, type StartedEmulator, startServed } from "./baseline-support.js";

let env: StartedEmulator;
let tenantId: string;
let graph: ReturnType<typeof graphCaller>;
before(async () => {
  env = await startServed({ detectionRulesPerTenant: 6 });
  tenantId = env.info.tenants[0]!.id;
  graph = graphCaller(env, await appToken(env, tenantId, GRAPH_SCOPE));
});
after(() => env.stop());

const RULES = "/v1.0/security/rules/detectionRules";

function graphError(res: HttpsResponse, status: number, code: string): string {
  assert.equal(res.status, status, res.text);
  const body = res.json<{ error: { code: string; message: string; innerError: Record<string, string> } }>();
  assert.equal(body.error.code, code);
  assert.equal(body.error.innerError["request-id"], res.headers["request-id"]);
  return body.error.message;
}

test("a rule goes through create, list, get, update and delete with the documented shapes", async () => {
  const created = await graph(RULES, { method: "POST", body: ruleBody("Mimikatz run") });
  assert.equal(created.status, 201, created.text);
  const rule = created.json<Record<string, any>>();
  assert.match(rule.id, /^\d+$/);
  assert.equal(rule["@odata.type"], "#microsoft.graph.security.detectionRule");
  assert.match(rule["@odata.context"], /\/v1\.0\/\$metadata#security\/rules\/detectionRules\/\$entity$/);
  assert.equal(rule.displayName, "Mimikatz run");
  assert.equal(rule.isEnabled, true);
  assert.equal(rule.queryCondition.queryText, "DeviceProcessEvents | where FileName =~ 'mimikatz.exe'");
  assert.deepEqual(rule.schedule, { frequency: "PT1H" });
  assert.equal(rule.detectionAction.alertTemplate.severity, "high");
  assert.deepEqual(rule.detectionAction.alertTemplate.tactics, ["credentialAccess"]);
  assert.deepEqual(rule.lastRunDetails, { lastRunDateTime: null, status: null, failureReason: null, errorCode: null });
  assert.equal(typeof rule.createdBy, "string");
  assert.match(rule.createdDateTime, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/);
  assert.equal(rule.lastModifiedDateTime, rule.createdDateTime);

  const list = (await graph(RULES)).json<{ "@odata.context": string; value: Array<Record<string, any>> }>();
  assert.match(list["@odata.context"], /#security\/rules\/detectionRules$/);
  assert.deepEqual(
    list.value.map((r) => r.id),
    [rule.id],
  );
  assert.deepEqual((await graph(`${RULES}/${rule.id}`)).json<Record<string, unknown>>().queryCondition, rule.queryCondition);

  const patched = await graph(`${RULES}/${rule.id}`, {
    method: "PATCH",
    body: { isEnabled: false, queryCondition: { queryText: "DeviceProcessEvents | take 1" }, detectionAction: { alertTemplate: { severity: "Medium" } } },
  });
  assert.equal(patched.status, 200, patched.text);
  const after = patched.json<Record<string, any>>();
  assert.equal(after.isEnabled, false);
  assert.equal(after.queryCondition.queryText, "DeviceProcessEvents | take 1");
  assert.equal(after.detectionAction.alertTemplate.severity, "medium");
  // Only what was sent changed: the title and the schedule are as before.
  assert.equal(after.detectionAction.alertTemplate.title, "Mimikatz run fired");
  assert.deepEqual(after.schedule, { frequency: "PT1H" });
  assert.equal(after.createdDateTime, rule.createdDateTime);

  const deleted = await graph(`${RULES}/${rule.id}`, { method: "DELETE" });
  assert.equal(deleted.status, 204);
  graphError(await graph(`${RULES}/${rule.id}`), 404, "NotFound");
  graphError(await graph(`${RULES}/${rule.id}`, { method: "DELETE" }), 404, "NotFound");
});

test("the beta path serves the same rules", async () => {
  const created = (await graph(RULES, { method: "POST", body: ruleBody("Seen on beta") })).json<{ id: string }>();
  const beta = await graph(`/beta/security/rules/detectionRules/${created.id}`);
  assert.equal(beta.status, 200, beta.text);
  assert.match(beta.json<Record<string, string>>()["@odata.context"], /\/beta\/\$metadata#/);
  await graph(`${RULES}/${created.id}`, { method: "DELETE" });
});

test("CustomDetection.Read.All can list but not write; no CustomDetection role gets 403; an MDE token gets 401", async () => {
  const other = env.info.tenants[1]!.id;
  const control = controlCaller(env);
  const seeded = await control(`/tenants/${other}/detection-rules`, { method: "POST", body: ruleBody("Made in the portal") });
  assert.equal(seeded.status, 201, seeded.text);

  await control(`/tenants/${other}/consent`, { method: "PUT", body: { graphRoles: ["CustomDetection.Read.All"] } });
  const reader = graphCaller(env, await appToken(env, other, GRAPH_SCOPE));
  assert.equal((await reader(RULES)).json<{ value: unknown[] }>().value.length, 1);
  const refused = graphError(await reader(RULES, { method: "POST", body: ruleBody("Not allowed") }), 403, "Forbidden");
  assert.match(refused, /CustomDetection\.ReadWrite\.All/);
  graphError(await reader(`${RULES}/${seeded.json<{ id: string }>().id}`, { method: "DELETE" }), 403, "Forbidden");

  await control(`/tenants/${other}/consent`, { method: "PUT", body: { graphRoles: ["SecurityAlert.Read.All"] } });
  const none = graphCaller(env, await appToken(env, other, GRAPH_SCOPE));
  graphError(await none(RULES), 403, "Forbidden");

  const mde = graphCaller(env, await appToken(env, other, "https://api.securitycenter.microsoft.com/.default"));
  graphError(await mde(RULES), 401, "InvalidAuthenticationToken");
  await control(`/tenants/${other}/consent`, { method: "PUT", body: {} });
});

test("bad rules are refused with Graph's 400: empty or oversized KQL, unknown or removed properties, bad schedule and severity", async () => {
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ["empty query", ruleBody("x", { queryCondition: { queryText: "   " } }), /queryText/],
    ["oversized query", ruleBody("x", { queryCondition: { queryText: `DeviceEvents | where ${"a".repeat(30_001)}` } }), /maximum is 30000/],
    ["no display name", ruleBody(""), /displayName/],
    ["unknown property", ruleBody("x", { owner: "me" }), /'owner' does not exist on type 'microsoft\.graph\.security\.detectionRule'/],
    // Removed from the API on 2026-10-01: the deprecated beta names are unknown now.
    ["removed period", ruleBody("x", { schedule: { period: "1H" } }), /'period' does not exist on type 'microsoft\.graph\.security\.ruleSchedule'/],
    [
      "removed responseActions",
      ruleBody("x", { detectionAction: { alertTemplate: { title: "t", severity: "low" }, responseActions: [] } }),
      /'responseActions' does not exist/,
    ],
    ["bad frequency", ruleBody("x", { schedule: { frequency: "PT2H" } }), /frequency/],
    ["bad severity", ruleBody("x", { detectionAction: { alertTemplate: { title: "t", severity: "critical" } } }), /severity/],
    ["no alert title", ruleBody("x", { detectionAction: { alertTemplate: { severity: "low" } } }), /title/],
    ["wrong type", ruleBody("x", { isEnabled: "yes" }), /isEnabled/],
  ];
  for (const [what, body, message] of cases) {
    const res = await graph(RULES, { method: "POST", body });
    assert.match(graphError(res, 400, "BadRequest"), message, what);
  }
  const notJson = await graph(RULES, { method: "POST", body: "{nope" });
  graphError(notJson, 400, "BadRequest");
  assert.equal((await graph(RULES)).json<{ value: unknown[] }>().value.length, 0, "nothing was created");
});

test("every documented frequency spelling is accepted and kept as sent", async () => {
  const ids: string[] = [];
  for (const frequency of ["PT0S", "PT3H", "PT12H", "P1D", "PT24H"]) {
    const res = await graph(RULES, { method: "POST", body: ruleBody(`every ${frequency}`, { schedule: { frequency } }) });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json<{ schedule: { frequency: string } }>().schedule.frequency, frequency);
    ids.push(res.json<{ id: string }>().id);
  }
  for (const id of ids) assert.equal((await graph(`${RULES}/${id}`, { method: "DELETE" })).status, 204);
});

test("$filter, $top, $count and next links over the rules; unsupported options are refused", async () => {
  for (const name of ["alpha", "beta", "gamma"]) await graph(RULES, { method: "POST", body: ruleBody(name, { isEnabled: name !== "beta" }) });
  const enabled = (await graph(`${RULES}?$filter=isEnabled eq true&$count=true`)).json<{ "@odata.count": number; value: Array<{ displayName: string }> }>();
  assert.equal(enabled["@odata.count"], 2);
  assert.deepEqual(enabled.value.map((r) => r.displayName).sort(), ["alpha", "gamma"]);
  const byName = (await graph(`${RULES}?$filter=${encodeURIComponent("startswith(displayName,'gam')")}`)).json<{ value: Array<{ displayName: string }> }>();
  assert.deepEqual(byName.value.map((r) => r.displayName), ["gamma"]);
  const first = (await graph(`${RULES}?$top=2`)).json<{ "@odata.nextLink": string; value: unknown[] }>();
  assert.equal(first.value.length, 2);
  assert.ok(first["@odata.nextLink"].startsWith(env.info.graphUrl));
  const rest = await graph(first["@odata.nextLink"].slice(env.info.graphUrl.length));
  assert.equal(rest.json<{ value: unknown[] }>().value.length, 1);
  const newest = (await graph(`${RULES}?$orderby=createdDateTime desc`)).json<{ value: Array<{ createdDateTime: string }> }>().value;
  const times = newest.map((r) => r.createdDateTime);
  assert.equal(times.length, 3);
  assert.deepEqual(times, [...times].sort().reverse());
  graphError(await graph(`${RULES}?$orderby=displayName`), 400, "BadRequest");
  graphError(await graph(`${RULES}?$search=x`), 400, "BadRequest");
  graphError(await graph(`${RULES}?$filter=owner eq 'x'`), 400, "BadRequest");
});

test("a tenant's rules are its own, and a full tenant refuses another rule", async () => {
  const other = env.info.tenants[1]!.id;
  const mine = (await graph(RULES)).json<{ value: Array<{ id: string }> }>().value;
  const theirs = graphCaller(env, await appToken(env, other, GRAPH_SCOPE));
  for (const r of mine) graphError(await theirs(`${RULES}/${r.id}`), 404, "NotFound");

  // The cap (6 in this world) counts rules made by hand in the portal too.
  const control = controlCaller(env);
  while ((await graph(RULES)).json<{ value: unknown[] }>().value.length < 5) {
    assert.equal((await control(`/tenants/${tenantId}/detection-rules`, { method: "POST", body: ruleBody("by hand") })).status, 201);
  }
  assert.equal((await graph(RULES, { method: "POST", body: ruleBody("sixth") })).status, 201);
  assert.match(graphError(await graph(RULES, { method: "POST", body: ruleBody("seventh") }), 400, "BadRequest"), /maximum of 6 custom detection rules/);
  assert.equal((await control(`/tenants/${tenantId}/detection-rules`, { method: "POST", body: ruleBody("by hand") })).status, 409);
  assert.equal((await graph(RULES)).json<{ value: unknown[] }>().value.length, 6);
});
