// Graph throttling (graph-security.md §3.3, §6) on a manual clock: 45 hunting
// calls a minute and 150 security calls a minute per app and tenant, each its
// own budget, answered with Graph's 429 body and a fractional Retry-After.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createManualClock, type TenantInfo } from "@mde-partner/emulator";
import { createAppBudget, GRAPH_APP_PER_SECOND } from "../src/graph/authorize.js";
import { caller, example, fetchToken, GRAPH_SCOPE, MDE_SCOPE, makeEmulator, type TestEmulator } from "./graph-support.js";

// 12.345 s into a minute: a minute window has 47.655 s left.
const START = Date.UTC(2026, 4, 20, 9, 30, 12, 345);

describe("Graph throttling", () => {
  const clock = createManualClock(START);
  let t: TestEmulator;
  let a: TenantInfo;
  let b: TenantInfo;

  before(async () => {
    t = await makeEmulator({ tenants: [{ alerts: 10, machines: 3 }, { alerts: 10, machines: 3 }], clock, seed: 3 });
    [a, b] = t.emulator.info().tenants as [TenantInfo, TenantInfo];
  });
  after(async () => t.stop());

  const hunt = (call: ReturnType<typeof caller>) => call("/v1.0/security/runHuntingQuery", { method: "POST", body: { Query: "DeviceInfo | take 1" } });

  test("runHuntingQuery: 45 calls a minute per app+tenant, then 429 with Graph's body and a fractional Retry-After", async () => {
    const graphA = caller(t.emulator, await fetchToken(t.emulator, a.id, { scope: GRAPH_SCOPE }));
    for (let i = 0; i < 45; i++) assert.equal((await hunt(graphA)).status, 200, `call ${i + 1}`);
    const throttled = await hunt(graphA);
    assert.equal(throttled.status, 429, throttled.text);
    assert.equal(throttled.headers.get("retry-after"), "47.655");
    const body = throttled.json();
    const doc = example("graph-throttled-429.response.json");
    assert.deepEqual(Object.keys(body.error), Object.keys(doc.error));
    assert.deepEqual(Object.keys(body.error.innerError), Object.keys(doc.error.innerError));
    assert.equal(body.error.code, "TooManyRequests");
    assert.equal(body.error.innerError.status, "429");
    assert.equal(body.error.innerError["request-id"], throttled.headers.get("request-id"));

    // Other budgets are untouched: the same app on another tenant, alerts_v2 on this tenant, the MDE hunting endpoint.
    const graphB = caller(t.emulator, await fetchToken(t.emulator, b.id, { scope: GRAPH_SCOPE }));
    assert.equal((await hunt(graphB)).status, 200);
    assert.equal((await graphA("/v1.0/security/alerts_v2?$top=1")).status, 200);
    const mdeA = caller(t.emulator, await fetchToken(t.emulator, a.id, { scope: MDE_SCOPE }));
    assert.equal((await mdeA("/api/advancedqueries/run", { method: "POST", body: { Query: "DeviceInfo | take 1" } })).status, 200);

    const journal = t.emulator.control.journal({ kind: "graph", tenantId: a.id });
    assert.equal(journal.filter((e) => e.error === "TooManyRequests").length, 1);

    clock.advance(47_655);
    assert.equal((await hunt(graphA)).status, 200, "the next minute has room again");
  });

  test("alerts_v2 and incidents share 150 calls a minute per app+tenant", async () => {
    clock.set(START + 5 * 60_000);
    const graphB = caller(t.emulator, await fetchToken(t.emulator, b.id, { scope: GRAPH_SCOPE }));
    for (let i = 0; i < 150; i++) {
      const path = i % 2 === 0 ? "/v1.0/security/alerts_v2?$top=1" : "/v1.0/security/incidents?$top=1";
      assert.equal((await graphB(path)).status, 200, `call ${i + 1}`);
    }
    const throttled = await graphB("/v1.0/security/incidents?$top=1");
    assert.equal(throttled.status, 429);
    assert.match(throttled.headers.get("retry-after") ?? "", /^\d+(\.\d{1,3})?$/);
    assert.equal(Number(throttled.headers.get("retry-after")), 47.655);
    assert.equal((await hunt(graphB)).status, 200, "hunting has its own budget");
  });
});

test("the global budget: 2,000 requests a second per app across tenants, Retry-After to the next second", () => {
  const clock = createManualClock(Date.UTC(2026, 0, 1, 0, 0, 0, 250));
  const budget = createAppBudget(clock, GRAPH_APP_PER_SECOND);
  for (let i = 0; i < 2000; i++) assert.deepEqual(budget.take("app-1"), { ok: true });
  assert.deepEqual(budget.take("app-1"), { ok: false, retryAfterMs: 750 });
  assert.deepEqual(budget.take("app-2"), { ok: true }, "another app has its own budget");
  clock.advance(750);
  assert.deepEqual(budget.take("app-1"), { ok: true });
});
