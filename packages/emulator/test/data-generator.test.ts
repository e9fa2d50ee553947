// The deterministic data generator: same seed → same ground truth, coherent
// alerts, bounded memory at scale, and the control-API helpers that add and
// change alerts.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createManualClock } from "@mde-partner/emulator";
import { DETERMINATIONS } from "../src/data/alert-catalog.js";
import { addAlerts, updateAlerts } from "../src/data/alert-changes.js";
import { groundTruth } from "../src/data/ground-truth.js";
import { startLiveMode } from "../src/data/live-mode.js";
import { example, makeEmulator } from "./mde-support.js";

const START = Date.UTC(2026, 4, 4, 12, 0);

test("the same seed gives identical ground truth; another seed does not", async () => {
  const make = (seed: string) => makeEmulator({ seed, clock: createManualClock(START), tenants: [{ alerts: 3000 }, { alerts: 500 }] });
  const a = await make("alpha");
  const b = await make("alpha");
  const c = await make("beta");
  try {
    const ids = (e: typeof a) => e.emulator.info().tenants.map((x) => x.id);
    assert.deepEqual(ids(a), ids(b));
    for (const id of ids(a)) {
      const ta = groundTruth(a.emulator.state, id);
      assert.deepEqual(groundTruth(b.emulator.state, id), ta);
      assert.ok(ta.alerts > 0);
    }
    const first = (e: typeof a) => e.emulator.state.db.prepare("SELECT json, evidence FROM alerts ORDER BY seq LIMIT 1").get();
    assert.deepEqual(first(a), first(b), "whole payloads, not just ids and times, are reproducible");
    const tc = ids(c)[0] as string;
    const ta0 = ids(a)[0] as string;
    assert.notEqual(groundTruth(c.emulator.state, tc).checksum, groundTruth(a.emulator.state, ta0).checksum);
  } finally {
    await Promise.all([a.stop(), b.stop(), c.stop()]);
  }
});

test("generated alerts are coherent and carry every documented property", async () => {
  const t = await makeEmulator({ clock: createManualClock(START), tenants: [{ alerts: 4000, machines: 60 }] });
  try {
    const tenantId = t.emulator.info().tenants[0]?.id as string;
    const db = t.emulator.state.db;
    const machines = new Map(
      (db.prepare("SELECT id, json FROM machines WHERE tenant_id = ?").all(tenantId) as Array<{ id: string; json: string }>).map((m) => [
        m.id,
        JSON.parse(m.json) as { computerDnsName: string },
      ]),
    );
    const documentedAlertKeys = Object.keys(example("get-alert.response.json"));
    const documentedEvidenceKeys = Object.keys(example("get-alert.response.json").evidence[0]);
    const now = new Date(START).toISOString();
    const rows = db.prepare("SELECT json, evidence, last_update_time, status FROM alerts WHERE tenant_id = ?").all(tenantId) as Array<{
      json: string;
      evidence: string;
      last_update_time: string;
      status: string;
    }>;
    assert.equal(rows.length, 4000);
    const statuses = new Set<string>();
    for (const row of rows) {
      const a = { ...JSON.parse(row.json), evidence: JSON.parse(row.evidence) };
      assert.deepEqual(Object.keys(a), documentedAlertKeys);
      assert.match(a.id, /^da\d{18}_-?\d{1,10}$/);
      assert.ok(a.firstEventTime <= a.lastEventTime && a.lastEventTime <= a.alertCreationTime, `event times before creation: ${a.id}`);
      assert.ok(
        a.alertCreationTime <= a.lastUpdateTime && a.lastUpdateTime.slice(0, 23) <= now.slice(0, 23),
        `creation ≤ update ≤ now: ${a.id}`,
      );
      assert.equal(row.last_update_time, a.lastUpdateTime, "the indexed column is byte-identical to the JSON");
      assert.equal(row.status, a.status);
      assert.equal(a.resolvedTime !== null, a.status === "Resolved");
      if (a.determination !== null)
        assert.ok(DETERMINATIONS[a.classification]?.includes(a.determination), `${a.classification}/${a.determination}`);
      assert.equal(a.aadTenantId, tenantId);
      assert.equal(machines.get(a.machineId)?.computerDnsName, a.computerDnsName);
      assert.ok(Array.isArray(a.mitreTechniques));
      for (const e of a.evidence) assert.deepEqual(Object.keys(e), documentedEvidenceKeys);
      statuses.add(a.status);
    }
    assert.deepEqual([...statuses].sort(), ["InProgress", "New", "Resolved"]);
    for (const m of machines.values()) assert.match(m.computerDnsName, /^[a-z0-9-]+\.[a-z0-9]+\.[a-z]+$/);
  } finally {
    await t.stop();
  }
});

test("200,000 alerts over several tenants: bounded heap growth", async () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const t = await makeEmulator({
    clock: createManualClock(START),
    tenants: [{ alerts: 80_000 }, { alerts: 60_000 }, { alerts: 40_000 }, { alerts: 20_000 }],
  });
  try {
    gc?.();
    const growthMb = (process.memoryUsage().heapUsed - heapBefore) / 1e6;
    const total = t.emulator.info().tenants.reduce((n, x) => n + x.alerts, 0);
    assert.equal(total, 200_000);
    // The alerts live in SQLite, not on the JS heap: growth stays far below the ~600 MB they occupy as JSON.
    assert.ok(growthMb < 120, `heap grew by ${growthMb.toFixed(1)} MB`);
    // No wall-clock bound: generation time follows the machine's load (performance belongs in bench/, not in tests).
  } finally {
    await t.stop();
  }
});

test("addAlerts, updateAlerts (also with one shared timestamp) and live mode change the ground truth", async () => {
  const clock = createManualClock(START);
  const t = await makeEmulator({ clock, tenants: [{ alerts: 100, machines: 10 }] });
  try {
    const state = t.emulator.state;
    const tenantId = t.emulator.info().tenants[0]?.id as string;
    const before = groundTruth(state, tenantId);
    clock.advance(60_000);
    const added = addAlerts(state, tenantId, 25);
    assert.equal(added.length, 25);
    const afterAdd = groundTruth(state, tenantId);
    assert.equal(afterAdd.alerts, 125);
    const fresh = state.db.prepare("SELECT json FROM alerts WHERE tenant_id = ? AND id = ?").get(tenantId, added[0]) as { json: string };
    assert.equal(JSON.parse(fresh.json).status, "New");

    clock.advance(60_000);
    const maxBefore = (state.db.prepare("SELECT max(last_update_time) AS m FROM alerts WHERE tenant_id = ?").get(tenantId) as { m: string })
      .m;
    const updated = updateAlerts(state, tenantId, 8, { sameTimestamp: true });
    assert.equal(updated.length, 8);
    const times = updated.map(
      (id) =>
        (state.db.prepare("SELECT last_update_time AS t FROM alerts WHERE tenant_id = ? AND id = ?").get(tenantId, id) as { t: string }).t,
    );
    assert.equal(new Set(times).size, 1, "one shared lastUpdateTime");
    assert.ok((times[0] as string) > maxBefore);
    const afterUpdate = groundTruth(state, tenantId);
    assert.equal(afterUpdate.alerts, 125);
    assert.notEqual(afterUpdate.checksum, afterAdd.checksum);
    assert.notEqual(afterAdd.checksum, before.checksum);

    const stop = startLiveMode(state, { intervalMs: 10, newAlerts: 2, updatedAlerts: 1 });
    await new Promise((resolve) => setTimeout(resolve, 80));
    stop();
    stop();
    const live = groundTruth(state, tenantId).alerts;
    assert.ok(live > 125 && (live - 125) % 2 === 0, `live mode added alerts (${live})`);
  } finally {
    await t.stop();
  }
});
