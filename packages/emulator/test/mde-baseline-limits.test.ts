// The documented limits a fleet baseline runs into, over real HTTPS: 15,000 active
// indicators per tenant, at most 500 indicators per import, 30 imports per minute
// (with the emulator's manual clock), and device tags one machine or many at a time.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createManualClock } from "@mde-partner/emulator";
import { apiCaller, appToken, controlCaller, MDE_SCOPE, type StartedEmulator, startServed } from "./baseline-support.js";

// 10 s into a minute, so the import budget's window has 50 s left.
const clock = createManualClock(Date.UTC(2026, 11, 3, 7, 0, 10));
let env: StartedEmulator;
let full: string;
let other: string;
let apiFull: ReturnType<typeof apiCaller>;
let apiOther: ReturnType<typeof apiCaller>;
const control = () => controlCaller(env);

before(async () => {
  env = await startServed({ clock });
  full = env.info.tenants[0]!.id;
  other = env.info.tenants[1]!.id;
  apiFull = apiCaller(env, await appToken(env, full, MDE_SCOPE));
  apiOther = apiCaller(env, await appToken(env, other, MDE_SCOPE));
});
after(() => env.stop());

let serial = 0;
/** A fresh, valid FileSha256 indicator. */
function indicator(title = "Baseline block"): Record<string, unknown> {
  serial++;
  return {
    indicatorValue: serial.toString(16).padStart(64, "a"),
    indicatorType: "FileSha256",
    action: "Block",
    title,
    description: "Blocked at every customer.",
    severity: "High",
  };
}

const activeCount = async (tenantId: string) => (await control()(`/tenants/${tenantId}/indicators`)).json<{ active: number }>().active;

test("a tenant holds at most 15,000 active indicators: import and submit are refused beyond it, updates and expired ones are not counted against it", async () => {
  const start = await activeCount(full);
  const fill = await control()(`/tenants/${full}/indicators/fill`, { method: "POST", body: { count: 15_000 - start - 10 } });
  assert.equal(fill.status, 201, fill.text);
  assert.equal(await activeCount(full), 14_990);

  const batch = Array.from({ length: 20 }, () => indicator());
  const imported = await apiFull("/api/indicators/import", { method: "POST", body: { Indicators: batch } });
  assert.equal(imported.status, 200, imported.text);
  const results = imported.json<{ value: Array<{ id: string | null; indicator: string; isFailed: boolean; failureReason: string | null }> }>().value;
  assert.equal(results.length, 20);
  assert.equal(results.filter((r) => !r.isFailed).length, 10);
  for (const r of results.slice(10)) {
    assert.equal(r.isFailed, true);
    assert.equal(r.id, null);
    assert.match(String(r.failureReason), /maximum of 15000 active indicators/);
  }
  assert.equal(await activeCount(full), 15_000);

  const refused = await apiFull("/api/indicators", { method: "POST", body: indicator() });
  assert.equal(refused.status, 400, refused.text);
  assert.match(refused.json<{ error: { message: string } }>().error.message, /15000/);

  // Submitting an existing value + type is an update, allowed at the cap.
  const again = await apiFull("/api/indicators", { method: "POST", body: { ...batch[0], action: "Audit", generateAlert: true } });
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json<{ action: string }>().action, "Audit");

  // An indicator that expired no longer counts: there is room for one more.
  const firstId = fill.json<{ firstId: string }>().firstId;
  const expired = await control()(`/tenants/${full}/indicators/${firstId}`, { method: "PATCH", body: { expirationTime: "2026-01-01T00:00:00Z" } });
  assert.equal(expired.status, 200, expired.text);
  assert.equal((await apiFull("/api/indicators", { method: "POST", body: indicator() })).status, 200);
  assert.equal((await apiFull("/api/indicators", { method: "POST", body: indicator() })).status, 400);

  // The control API's fill stops at the cap too.
  assert.equal((await control()(`/tenants/${full}/indicators/fill`, { method: "POST", body: { count: 1 } })).status, 409);
});

test("an import takes at most 500 indicators", async () => {
  await control()("/rate-limits/reset", { method: "POST" });
  const tooMany = await apiOther("/api/indicators/import", { method: "POST", body: { Indicators: Array.from({ length: 501 }, () => indicator()) } });
  assert.equal(tooMany.status, 400, tooMany.text);
  const error = tooMany.json<{ error: { code: string; message: string } }>().error;
  assert.equal(error.code, "MaximumBatchSizeExceeded");
  assert.match(error.message, /Received: 501, allowed: 500/);

  const before = await activeCount(other);
  const ok = await apiOther("/api/indicators/import", { method: "POST", body: { Indicators: Array.from({ length: 500 }, () => indicator()) } });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json<{ value: Array<{ isFailed: boolean }> }>().value.filter((r) => !r.isFailed).length, 500);
  assert.equal(await activeCount(other), before + 500);
});

test("30 imports a minute per app and tenant; the 31st gets 429 with the seconds left in the minute, then the next minute is open", async () => {
  await control()("/rate-limits/reset", { method: "POST" });
  for (let i = 0; i < 30; i++) {
    const res = await apiOther("/api/indicators/import", { method: "POST", body: { Indicators: [indicator()] } });
    assert.equal(res.status, 200, `import ${i + 1}: ${res.text}`);
  }
  const throttled = await apiOther("/api/indicators/import", { method: "POST", body: { Indicators: [indicator()] } });
  assert.equal(throttled.status, 429, throttled.text);
  assert.equal(throttled.json<{ error: { code: string } }>().error.code, "TooManyRequests");
  const retryAfter = Number(throttled.headers["retry-after"]);
  assert.equal(retryAfter, 50);
  // Other calls of the same app and tenant have their own budget.
  assert.equal((await apiOther("/api/indicators", { method: "POST", body: indicator() })).status, 200);
  // Another tenant's budget is its own.
  assert.equal((await apiFull("/api/indicators/import", { method: "POST", body: { Indicators: [{ ...indicator(), action: "Allowed" }] } })).status, 200);

  clock.advance(retryAfter * 1000);
  assert.equal((await apiOther("/api/indicators/import", { method: "POST", body: { Indicators: [indicator()] } })).status, 200);
});

test("device tags: add and remove on one machine, on many at once, and as machineTags on the machine", async () => {
  const token = await appToken(env, other, MDE_SCOPE);
  const api = apiCaller(env, token);
  const machines = (await api("/api/machines")).json<{ value: Array<{ id: string; machineTags: string[] }> }>().value;
  assert.ok(machines.length >= 3);
  const [one, two, three] = machines as [{ id: string }, { id: string }, { id: string }];

  const added = await api(`/api/machines/${one.id}/tags`, { method: "POST", body: { Value: "baseline:servers", Action: "Add" } });
  assert.equal(added.status, 200, added.text);
  assert.ok(added.json<{ machineTags: string[] }>().machineTags.includes("baseline:servers"));

  const many = await api("/api/machines/AddOrRemoveTagForMultipleMachines", {
    method: "POST",
    body: { Value: "baseline:all", Action: "Add", MachineIds: [one.id, two.id, three.id] },
  });
  assert.equal(many.status, 200, many.text);
  assert.equal(many.json<{ value: unknown[] }>().value.length, 3);
  const tagged = (await api("/api/machines/findbytag?tag=baseline:all")).json<{ value: Array<{ id: string }> }>().value;
  assert.deepEqual(tagged.map((m) => m.id).sort(), [one.id, two.id, three.id].sort());

  const removed = await api(`/api/machines/${one.id}/tags`, { method: "POST", body: { Value: "baseline:servers", Action: "Remove" } });
  assert.deepEqual(
    removed.json<{ machineTags: string[] }>().machineTags.filter((t) => t.startsWith("baseline:")),
    ["baseline:all"],
  );
  const tooMany = await api("/api/machines/AddOrRemoveTagForMultipleMachines", {
    method: "POST",
    body: { Value: "x", Action: "Add", MachineIds: Array.from({ length: 501 }, (_, i) => i.toString(16).padStart(40, "0")) },
  });
  assert.equal(tooMany.status, 400);

  // A tag changed by hand in the portal shows on the machine.
  const byHand = await control()(`/tenants/${other}/machines/${two.id}/tags`, { method: "PUT", body: { tags: ["portal-tag"] } });
  assert.equal(byHand.status, 200, byHand.text);
  assert.deepEqual((await api(`/api/machines/${two.id}`)).json<{ machineTags: string[] }>().machineTags, ["portal-tag"]);
  assert.equal((await control()(`/tenants/${other}/machines/${"0".repeat(40)}/tags`, { method: "PUT", body: { tags: ["x"] } })).status, 404);
});
