// Hand-made changes through the control API (what a customer's analyst does in
// the portal) and the journal's write counts, over real HTTPS: a drift test
// changes one tenant by hand and counts a client's write calls per tenant and
// operation.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { apiCaller, appToken, controlCaller, GRAPH_SCOPE, graphCaller, MDE_SCOPE, ruleBody, type StartedEmulator, startServed } from "./baseline-support.js";

let env: StartedEmulator;
let a: string;
let b: string;
let control: ReturnType<typeof controlCaller>;
before(async () => {
  env = await startServed();
  a = env.info.tenants[0]!.id;
  b = env.info.tenants[1]!.id;
  control = controlCaller(env);
});
after(() => env.stop());

const RULES = "/v1.0/security/rules/detectionRules";

interface WriteCount {
  tenantId: string | null;
  kind: string;
  operation: string | null;
  method: string;
  count: number;
  failed: number;
}

async function writesSince(afterSeq: number, query = ""): Promise<{ total: number; writes: WriteCount[] }> {
  const res = await control(`/journal/writes?afterSeq=${afterSeq}${query}`);
  assert.equal(res.status, 200, res.text);
  return res.json();
}

const lastSeq = async () => (await control("/journal?limit=1")).json<{ lastSeq: number }>().lastSeq;

test("a rule changed, deleted or added by hand is what the client reads next, attributed to the tenant's admin", async () => {
  const graph = graphCaller(env, await appToken(env, a, GRAPH_SCOPE));
  const created = (await graph(RULES, { method: "POST", body: ruleBody("Baseline rule") })).json<{ id: string; createdBy: string }>();

  const changed = await control(`/tenants/${a}/detection-rules/${created.id}`, { method: "PATCH", body: { queryCondition: { queryText: "DeviceEvents | take 5" } } });
  assert.equal(changed.status, 200, changed.text);
  const seen = (await graph(`${RULES}/${created.id}`)).json<{ queryCondition: { queryText: string }; lastModifiedBy: string; createdBy: string }>();
  assert.equal(seen.queryCondition.queryText, "DeviceEvents | take 5");
  assert.match(seen.lastModifiedBy, /^admin@/);
  assert.equal(seen.createdBy, created.createdBy);

  const extra = await control(`/tenants/${a}/detection-rules`, { method: "POST", body: ruleBody("Analyst's own rule") });
  assert.equal(extra.status, 201, extra.text);
  const listed = (await control(`/tenants/${a}/detection-rules`)).json<{ value: Array<{ displayName: string }> }>().value;
  assert.deepEqual(listed.map((r) => r.displayName), ["Baseline rule", "Analyst's own rule"]);

  assert.equal((await control(`/tenants/${a}/detection-rules/${created.id}`, { method: "DELETE" })).status, 204);
  assert.equal((await graph(`${RULES}/${created.id}`)).status, 404);
  // Only tenant a changed.
  const graphB = graphCaller(env, await appToken(env, b, GRAPH_SCOPE));
  assert.equal((await graphB(RULES)).json<{ value: unknown[] }>().value.length, 0);

  // The same validation as Graph's, as plain control errors.
  const bad = await control(`/tenants/${a}/detection-rules`, { method: "POST", body: ruleBody("x", { queryCondition: { queryText: "" } }) });
  assert.equal(bad.status, 400);
  assert.match(bad.json<{ error: string }>().error, /queryText/);
  assert.equal((await control(`/tenants/${a}/detection-rules/999999`, { method: "DELETE" })).status, 404);
  assert.equal((await control("/tenants/00000000-0000-0000-0000-000000000000/detection-rules")).status, 404);
});

test("an indicator added, changed or deleted by hand shows in the API", async () => {
  const api = apiCaller(env, await appToken(env, b, MDE_SCOPE));
  const value = "c".repeat(64);
  const put = await control(`/tenants/${b}/indicators`, {
    method: "PUT",
    body: { indicatorType: "FileSha256", indicatorValue: value, action: "Audit", title: "Portal entry", generateAlert: true },
  });
  assert.equal(put.status, 200, put.text);
  const record = put.json<{ id: string; createdBy: string; sourceType: string }>();
  assert.equal(record.sourceType, "User");

  const find = async () =>
    (await api(`/api/indicators?$filter=${encodeURIComponent(`indicatorValue eq '${value}'`)}`)).json<{ value: Array<{ id: string; action: string }> }>().value;
  assert.deepEqual(
    (await find()).map((i) => i.action),
    ["Audit"],
  );
  assert.equal((await control(`/tenants/${b}/indicators/${record.id}`, { method: "PATCH", body: { action: "Allowed" } })).status, 200);
  assert.deepEqual(
    (await find()).map((i) => i.action),
    ["Allowed"],
  );
  assert.equal((await control(`/tenants/${b}/indicators/${record.id}`, { method: "PATCH", body: { indicatorType: "x", owner: "me" } })).status, 400);
  assert.equal((await control(`/tenants/${b}/indicators/${record.id}`, { method: "DELETE" })).status, 204);
  assert.deepEqual(await find(), []);
  assert.equal((await control(`/tenants/${b}/indicators/${record.id}`, { method: "DELETE" })).status, 404);
});

test("the journal counts a client's write calls per tenant, kind and operation; hand-made changes are kind control", async () => {
  const seq = await lastSeq();
  const apiA = apiCaller(env, await appToken(env, a, MDE_SCOPE));
  const graphA = graphCaller(env, await appToken(env, a, GRAPH_SCOPE));
  const graphB = graphCaller(env, await appToken(env, b, GRAPH_SCOPE));

  const body = (n: number) => ({ Indicators: Array.from({ length: n }, (_, i) => ({ indicatorValue: `${i}`.padStart(40, "e"), indicatorType: "FileSha1", action: "Block", title: "t", description: "d" })) });
  assert.equal((await apiA("/api/indicators/import", { method: "POST", body: body(3) })).status, 200);
  assert.equal((await apiA("/api/indicators/import", { method: "POST", body: body(2) })).status, 200);
  const rule = (await graphA(RULES, { method: "POST", body: ruleBody("counted") })).json<{ id: string }>();
  assert.equal((await graphA(`${RULES}/${rule.id}`, { method: "PATCH", body: { isEnabled: false } })).status, 200);
  assert.equal((await graphA(`${RULES}/${rule.id}`, { method: "DELETE" })).status, 204);
  assert.equal((await graphA(RULES, { method: "POST", body: ruleBody("") })).status, 400);
  assert.equal((await graphB(RULES, { method: "POST", body: ruleBody("tenant b") })).status, 201);
  // Reads are not writes.
  await graphA(RULES);
  await apiA("/api/indicators");
  // A hand-made change.
  await control(`/tenants/${a}/detection-rules`, { method: "POST", body: ruleBody("by hand") });

  const forA = await writesSince(seq, `&tenantId=${a}`);
  const summary = forA.writes.map((w) => `${w.kind} ${w.method} ${w.operation} ${w.count}/${w.failed}`);
  assert.deepEqual(summary, [
    "api POST ImportIndicators 2/0",
    "graph POST CreateDetectionRule 2/1",
    "graph PATCH UpdateDetectionRule 1/0",
    "graph DELETE DeleteDetectionRule 1/0",
  ]);
  assert.equal(forA.total, 6);
  // The same count in-process, as the other packages' tests read it.
  assert.deepEqual(env.emulator.control.writes({ afterSeq: seq, tenantId: a }), forA.writes);
  assert.ok(forA.writes.every((w) => w.tenantId === a));
  const forB = await writesSince(seq, `&tenantId=${b}`);
  assert.deepEqual(
    forB.writes.map((w) => `${w.operation} ${w.count}`),
    ["CreateDetectionRule 1"],
  );
  const byHand = await writesSince(seq, "&kind=control");
  assert.deepEqual(
    byHand.writes.map((w) => [w.tenantId, w.operation, w.count]),
    [[a, "ControlCreateDetectionRule", 1]],
  );
  // The plain journal filters by operation and method as well.
  const entries = (await control(`/journal?afterSeq=${seq}&operation=CreateDetectionRule&method=post`)).json<{ entries: Array<{ status: number }> }>().entries;
  assert.deepEqual(
    entries.map((e) => e.status),
    [201, 400, 201],
  );
  // Nothing after the last sequence number: zero writes.
  const none = await writesSince(await lastSeq());
  assert.equal(none.total, 0);
  assert.deepEqual(none.writes, []);
});
