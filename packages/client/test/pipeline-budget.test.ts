import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fakeTime, json, listAlerts, mdeError, pipelineClient, scriptedFetch, TENANT_A, TENANT_B } from "./pipeline-fakes.js";

const ok = () => json(200, { value: [] });
const hunting = {
  method: "POST" as const,
  path: "/api/advancedqueries/run",
  operation: "RunHuntingQuery",
  permissions: ["AdvancedQuery.Read.All"],
  idempotent: true,
  budget: "hunting",
  body: { Query: "x" },
};

describe("rate budgets", () => {
  it("queues calls beyond the per-minute budget instead of sending them into 429s", async () => {
    const time = fakeTime();
    const { fetch, seen } = scriptedFetch([ok()], time);
    const { partner } = pipelineClient({ fetch, rateBudgets: { alerts: { perMinute: 3, perHour: 100 } } }, time);
    const t0 = time.now;
    const tenant = partner.tenant(TENANT_A);
    const results = await Promise.all(Array.from({ length: 7 }, () => tenant.transport.send(listAlerts)));
    assert.ok(results.every((r) => r.status === 200));
    const offsets = seen.map((s) => s.at - t0);
    assert.deepEqual(offsets, [0, 0, 0, 60_000, 60_000, 60_000, 120_000]);
  });

  it("applies the per-hour window too", async () => {
    const time = fakeTime();
    const { fetch, seen } = scriptedFetch([ok()], time);
    const { partner } = pipelineClient({ fetch, rateBudgets: { alerts: { perMinute: 100, perHour: 2 } } }, time);
    const t0 = time.now;
    await Promise.all(Array.from({ length: 3 }, () => partner.tenant(TENANT_A).transport.send(listAlerts)));
    assert.deepEqual(
      seen.map((s) => s.at - t0),
      [0, 0, 3_600_000],
    );
  });

  it("keeps one budget per tenant and hunting apart from the rest", async () => {
    const time = fakeTime();
    const { fetch, seen } = scriptedFetch([ok()], time);
    const { partner } = pipelineClient({ fetch, rateBudgets: { alerts: { perMinute: 1 }, hunting: { perMinute: 1 } } }, time);
    const t0 = time.now;
    await Promise.all([
      partner.tenant(TENANT_A).transport.send(listAlerts),
      partner.tenant(TENANT_B).transport.send(listAlerts),
      partner.tenant(TENANT_A).transport.send(hunting),
    ]);
    assert.deepEqual(
      seen.map((s) => s.at - t0),
      [0, 0, 0],
      "different tenants and the hunting budget do not wait for each other",
    );
  });

  it("holds the whole bucket for a 429's Retry-After", async () => {
    const time = fakeTime();
    let first = true;
    const { fetch, seen } = scriptedFetch(
      [
        () => {
          if (first) {
            first = false;
            return mdeError(429, "TooManyRequests", "quota", { "Retry-After": "30" });
          }
          return ok();
        },
      ],
      time,
    );
    const { partner } = pipelineClient({ fetch }, time);
    const t0 = time.now;
    const tenant = partner.tenant(TENANT_A);
    const a = tenant.transport.send(listAlerts);
    await new Promise((r) => setImmediate(r));
    const b = tenant.transport.send(listAlerts);
    await Promise.all([a, b]);
    // The retry of the first call and the queued second call both go after the 30 s pause.
    assert.equal(seen.length, 3);
    assert.ok(
      seen.slice(1).every((s) => s.at - t0 >= 30_000),
      JSON.stringify(seen.map((s) => s.at - t0)),
    );
  });

  it("lets a queued caller give up with its AbortSignal", async () => {
    const time = fakeTime();
    const { fetch, seen } = scriptedFetch([ok()], time);
    // A sleep that never finishes by itself: the second call stays queued until aborted.
    const { partner } = pipelineClient({ fetch, rateBudgets: { alerts: { perMinute: 1 } }, sleep: () => new Promise(() => {}) }, time);
    const tenant = partner.tenant(TENANT_A);
    await tenant.transport.send(listAlerts);
    const controller = new AbortController();
    const queued = tenant.transport.send({ ...listAlerts, signal: controller.signal });
    controller.abort(new Error("operator cancelled"));
    await assert.rejects(queued, { message: "operator cancelled" });
    assert.equal(seen.length, 1);
  });

  it("sends at once when budgets are disabled", async () => {
    const time = fakeTime();
    const { fetch, seen } = scriptedFetch([ok()], time);
    const { partner } = pipelineClient({ fetch, rateBudgets: false }, time);
    await Promise.all(Array.from({ length: 150 }, () => partner.tenant(TENANT_A).transport.send(listAlerts)));
    assert.ok(seen.every((s) => s.at === seen[0]!.at));
  });
});
