/**
 * One tenant's streams side by side: the alert pass, the machines refresh and
 * the TVM snapshot of a tenant run at the same time, each with its own sync
 * run, and the tenant's outcome is recorded once after all of them. A failing
 * machines refresh does not lose the alert pass; a failing alert pass cancels
 * the machines refresh and the snapshot, and records no TVM failure. The
 * tenants next in line get their tokens while the running ones sync.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { syncOnce } from "@mde-partner/sync";
import { partnerFor } from "@mde-partner/test-kit";
import { mismatches, suiteEngineWorld } from "./fixtures/engine-world.js";

describe("a tenant's streams side by side", () => {
  const { world, store } = suiteEngineWorld({ seed: "engine-tenant-streams", tenants: 3, alertsPerTenant: 300, machinesPerTenant: 4, rateLimits: false });

  it("reads alerts, machines and the TVM parts at the same time, and records the tenant's outcome once", async () => {
    const { emulator, info } = world;
    const tenantId = info.tenants[0]!.id;
    const latency = emulator.control.addFault({ target: "api", tenantId, latencyMs: 150 });
    const before = (await store.listTenantTransitions(tenantId)).length;
    const partner = partnerFor(world);
    try {
      const after = emulator.state.journal.lastSeq();
      const report = await syncOnce({ store, partner, tenantIds: [tenantId], pageSize: 10_000 });
      const r = report.tenants[0]!;
      assert.equal(r.status, "ok", JSON.stringify(r));
      assert.equal(r.state, "verified");
      assert.equal(r.machines.fetched, 4);
      assert.equal(r.tvm?.status, "ok", JSON.stringify(r.tvm));
      assert.deepEqual(await mismatches(store, [{ id: tenantId }], (id) => emulator.control.groundTruth(id)), []);

      const calls = emulator.control.journal({ kind: "api", tenantId, afterSeq: after });
      const call = (operation: string) => {
        const found = calls.find((e) => e.operation === operation);
        assert.ok(found, `${operation} was called (${calls.map((e) => e.operation).join(", ")})`);
        return found;
      };
      const overlap = (a: { time: number; endTime: number }, b: { time: number; endTime: number }) => a.time < b.endTime && b.time < a.endTime;
      assert.ok(overlap(call("ListAlerts"), call("ListMachines")), "alerts and machines were read at the same time");
      // The snapshot waits for the first pages of both, then reads its parts side by side.
      const tvm = calls.filter((e) => /vulnerabilit|Software|Recommendation|Score/i.test(e.operation ?? ""));
      assert.ok(tvm.length >= 6, `every TVM part was read (${tvm.map((e) => e.operation).join(", ")})`);
      for (const e of tvm) assert.ok(e.time >= call("ListMachines").endTime - 5 && e.time >= call("ListAlerts").endTime - 5, "TVM starts once the tenant answered");
      assert.ok(overlap(call("GetExposureScore"), call("ListRecommendations")), "TVM parts were read at the same time");

      // One sync run per stream, all succeeded; one state transition.
      for (const stream of ["alerts", "machines", "tvm"]) {
        const runs = await store.listSyncRuns({ tenantId, stream, limit: 1 });
        assert.equal(runs[0]?.status, "succeeded", `${stream}: ${JSON.stringify(runs[0])}`);
      }
      assert.equal((await store.listTenantTransitions(tenantId)).length, before + 1);
    } finally {
      emulator.control.removeFault(latency.id);
      await partner.close();
    }
  });

  it("a failing machines refresh does not lose the alert pass; no snapshot is taken", async () => {
    const { emulator, info } = world;
    const tenantId = info.tenants[1]!.id;
    const fault = emulator.control.addFault({ target: "api", tenantId, pathContains: "/api/machines", status: 403 });
    const before = (await store.listTenantTransitions(tenantId)).length;
    const partner = partnerFor(world);
    try {
      const report = await syncOnce({ store, partner, tenantIds: [tenantId] });
      const r = report.tenants[0]!;
      assert.equal(report.ok, false);
      // The alerts are all in; the tenant's trouble is the machines'.
      assert.equal(r.status, "partial");
      assert.equal(r.alerts.inserted, 300);
      assert.deepEqual(await mismatches(store, [{ id: tenantId }], (id) => emulator.control.groundTruth(id)), []);
      assert.equal(r.state, "degraded");
      assert.ok(r.error, "the machines' failure is reported");
      assert.equal(r.tvm, undefined);
      assert.equal((await store.listSyncRuns({ tenantId, stream: "alerts", limit: 1 }))[0]?.status, "succeeded");
      assert.equal((await store.listSyncRuns({ tenantId, stream: "machines", limit: 1 }))[0]?.status, "failed");
      assert.equal((await store.listSyncRuns({ tenantId, stream: "tvm" })).length, 0);
      assert.equal(await store.getTvmSnapshot(tenantId), null);
      const transitions = await store.listTenantTransitions(tenantId);
      assert.equal(transitions.length, before + 1, "the outcome is recorded once");
      assert.equal(transitions.at(-1)?.to, "degraded");
    } finally {
      emulator.control.removeFault(fault.id);
      await partner.close();
    }
  });

  it("a failing alert pass cancels the machines refresh and the snapshot, and records no TVM failure", async () => {
    const { emulator, info } = world;
    const tenantId = info.tenants[2]!.id;
    // The machines answer slowly, so the alert pass fails while they are still being read.
    const slow = emulator.control.addFault({ target: "api", tenantId, pathContains: "/api/machines", latencyMs: 1500 });
    const fault = emulator.control.addFault({ target: "api", tenantId, pathContains: "/api/alerts", status: 403 });
    const before = (await store.listTenantTransitions(tenantId)).length;
    const partner = partnerFor(world);
    try {
      const report = await syncOnce({ store, partner, tenantIds: [tenantId] });
      const r = report.tenants[0]!;
      assert.equal(r.status, "failed");
      assert.equal(r.state, "degraded");
      assert.equal(r.alerts.fetched, 0);
      assert.equal(r.machines.fetched, 0);
      assert.equal(r.tvm, undefined);
      assert.equal((await store.listSyncRuns({ tenantId, stream: "alerts", limit: 1 }))[0]?.status, "failed");
      const machineRun = (await store.listSyncRuns({ tenantId, stream: "machines", limit: 1 }))[0];
      assert.equal(machineRun?.status, "failed");
      assert.match(machineRun?.error ?? "", /alert pass failed/);
      assert.equal(await store.getTvmSnapshot(tenantId), null, "no TVM failure recorded");
      assert.equal((await store.listTenantTransitions(tenantId)).length, before + 1, "the outcome is recorded once");
    } finally {
      emulator.control.removeFault(fault.id);
      emulator.control.removeFault(slow.id);
      await partner.close();
    }
  });
});

describe("tokens of the tenants next in line", () => {
  const { world, store } = suiteEngineWorld({ seed: "engine-token-warm", tenants: 6, alertsPerTenant: 20, machinesPerTenant: 1, rateLimits: false });

  it("are asked for while the running tenants sync, once per tenant", async () => {
    const { emulator, info } = world;
    const faults = [
      emulator.control.addFault({ target: "token", latencyMs: 200 }),
      emulator.control.addFault({ target: "api", latencyMs: 400 }),
    ];
    const partner = partnerFor(world);
    try {
      const after = emulator.state.journal.lastSeq();
      const report = await syncOnce({ store, partner, concurrency: 2, machines: false, tvm: false });
      assert.equal(report.ok, true, JSON.stringify(report.tenants.find((t) => t.status !== "ok")));
      // The report lists the tenants in the order they were taken.
      const order = report.tenants.map((t) => t.tenantId);
      assert.equal(order.length, info.tenants.length);
      for (const [index, tenantId] of order.entries()) {
        const tokens = emulator.control.journal({ kind: "token", tenantId, afterSeq: after });
        assert.equal(tokens.length, 1, "one token request per tenant");
        const first = emulator.control.journal({ kind: "api", tenantId, afterSeq: after })[0]!;
        // The first two start at once and wait for their tokens; the others find theirs ready.
        if (index >= 2) assert.ok(first.time - tokens[0]!.endTime >= 100, `tenant ${index}: its token was ready before its turn`);
      }
    } finally {
      for (const f of faults) emulator.control.removeFault(f.id);
      await partner.close();
    }
  });
});
