import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { DIALECTS, randomTenantId, storePerTest } from "./helpers/databases.js";

const machine = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  computerDnsName: `${id.slice(0, 6)}.contoso.local`,
  healthStatus: "Active",
  riskScore: "Low",
  osPlatform: "Windows11",
  lastSeen: "2024-05-01T08:00:00.1234567Z",
  ...extra,
});

for (const dialect of DIALECTS) {
  describe(`store machines, actions, audit and runs (${dialect})`, () => {
    const { store } = storePerTest(dialect);
    let tenant: string;
    beforeEach(() => {
      tenant = randomTenantId();
    });

    it("upserts machines and replaces a tenant's inventory atomically", async () => {
      const a = "a".repeat(40);
      const b = "b".repeat(40);
      const c = "c".repeat(40);
      await store.upsertMachines(tenant, [machine(a), machine(b, { healthStatus: "Inactive" })]);
      await store.upsertMachines(tenant, [machine(a, { riskScore: "High" })]);
      assert.equal((await store.getMachine(tenant, a))?.riskScore, "High");
      assert.deepEqual(
        (await store.listMachines(tenant, { healthStatus: "Inactive" })).map((m) => m.id),
        [b],
      );
      assert.deepEqual(
        (await store.listMachines(tenant, { computerDnsName: "AAAAAA.CONTOSO.LOCAL" })).map((m) => m.id),
        [a],
      );

      await store.replaceMachines(tenant, [machine(c)], { value: "2024-05-02T00:00:00Z", seenIds: [] });
      assert.deepEqual(
        (await store.listMachines(tenant)).map((m) => m.id),
        [c],
      );
      assert.equal((await store.getCursor(tenant, "machines"))?.value, "2024-05-02T00:00:00Z");

      // An invalid row leaves the previous inventory in place.
      await assert.rejects(store.replaceMachines(tenant, [machine(a), { id: "" }]), { code: "ERR_STORE_INVALID_ROW" });
      assert.deepEqual(
        (await store.listMachines(tenant)).map((m) => m.id),
        [c],
      );
    });

    it("upserts machine actions; an older status never replaces a newer one", async () => {
      const id = "5382f7ea-7557-4ab7-9782-d50480024a4e";
      const base = {
        id,
        type: "Isolate",
        machineId: "a".repeat(40),
        requestor: "analyst@contoso.com",
        requestorComment: "isolate now",
        creationDateTimeUtc: "2024-05-01T08:00:00.0000000Z",
      };
      await store.upsertMachineActions(tenant, [{ ...base, status: "Succeeded", lastUpdateDateTimeUtc: "2024-05-01T08:05:00.0000000Z" }]);
      await store.upsertMachineActions(tenant, [{ ...base, status: "Pending", lastUpdateTimeUtc: "2024-05-01T08:00:01Z" }]);
      const stored = await store.getMachineAction(tenant, id);
      assert.equal(stored?.status, "Succeeded");
      assert.equal(stored?.comment, "isolate now");
      assert.deepEqual(
        (await store.listMachineActions(tenant, { machineId: "a".repeat(40) })).map((x) => x.id),
        [id],
      );
    });

    it("appends audit entries and queries them newest first", async () => {
      const requested = await store.appendAudit({
        actor: "analyst@contoso.com",
        action: "machine.isolate",
        phase: "requested",
        tenantId: tenant,
        target: "a".repeat(40),
        comment: "suspected ransomware",
        request: { IsolationType: "Full", Comment: "suspected ransomware" },
        correlationId: "req-1",
      });
      await store.appendAudit({
        actor: "analyst@contoso.com",
        action: "machine.isolate",
        phase: "completed",
        tenantId: tenant,
        result: "Pending",
        correlationId: "req-1",
      });
      await store.appendAudit({ actor: "ops@partner.example", action: "tenant.add", phase: "completed", tenantId: randomTenantId() });

      const mine = await store.queryAudit({ tenantId: tenant });
      assert.deepEqual(
        mine.map((e) => e.phase),
        ["completed", "requested"],
      );
      assert.deepEqual(mine[1]?.request, { IsolationType: "Full", Comment: "suspected ransomware" });
      assert.ok(requested.id > 0);
      assert.deepEqual((await store.queryAudit({ correlationId: "req-1" })).length, 2);
      assert.equal((await store.queryAudit({ limit: 1 })).length, 1);
      assert.deepEqual(
        (await store.queryAudit({ beforeId: mine[0]!.id, tenantId: tenant })).map((e) => e.id),
        [requested.id],
      );
      assert.equal((await store.queryAudit({ since: "2999-01-01" })).length, 0);
      await assert.rejects(store.appendAudit({ actor: "x", action: "y", phase: "done" as never }), TypeError);
    });

    it("audit entries outlive the tenant they are about", async () => {
      await store.upsertTenant({ id: tenant, name: "Leaving" });
      await store.appendAudit({ actor: "ops", action: "tenant.remove", phase: "requested", tenantId: tenant });
      await store.removeTenant(tenant);
      assert.equal((await store.queryAudit({ tenantId: tenant })).length, 1);
    });

    it("starts and finishes sync runs", async () => {
      const run = await store.startSyncRun(tenant, "alerts");
      assert.equal(run.status, "running");
      const done = await store.finishSyncRun(run.id, { status: "succeeded", pages: 3, items: 2500 });
      assert.deepEqual([done?.status, done?.pages, done?.items, done?.error], ["succeeded", 3, 2500, null]);
      assert.notEqual(done?.finishedAt, null);
      const failed = await store.startSyncRun(tenant, "alerts");
      await store.finishSyncRun(failed.id, { status: "failed", error: "ERR_MDE_RATE_LIMITED" });
      assert.deepEqual(
        (await store.listSyncRuns({ tenantId: tenant })).map((r) => r.status),
        ["failed", "succeeded"],
      );
      assert.equal(await store.finishSyncRun(999_999, { status: "failed" }), null);
    });
  });
}
