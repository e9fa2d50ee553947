// The store reads the console narrows to an operator's tenants, on every
// dialect: the audit log an operator scoped to some tenants may read (their
// tenants' entries and their own entries naming no tenant), sync runs of a
// list of tenants, and the batches wholly of a list of tenants.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DIALECTS, randomTenantId, storePerTest } from "./helpers/databases.js";

for (const dialect of DIALECTS) {
  describe(`store reads within tenants (${dialect})`, () => {
    const { store } = storePerTest(dialect);

    it("audit visibleTo: entries of the tenants, and the actor's own entries that name no tenant", async () => {
      const [a, b] = [randomTenantId(), randomTenantId()];
      await store.appendAudit({ actor: "admin", action: "alert.update", phase: "completed", tenantId: a });
      await store.appendAudit({ actor: "admin", action: "alert.update", phase: "completed", tenantId: b });
      await store.appendAudit({ actor: "alice", action: "hunting.query", phase: "completed" });
      await store.appendAudit({ actor: "admin", action: "operator.save", phase: "completed" });
      await store.appendAudit({ actor: "alice", action: "machine.isolate", phase: "failed", tenantId: b });
      const seen = await store.queryAudit({ visibleTo: { tenantIds: [a.toUpperCase()], actor: "alice" } });
      assert.deepEqual(
        seen.map((e) => [e.actor, e.action, e.tenantId]),
        [
          ["alice", "hunting.query", null],
          ["admin", "alert.update", a],
        ],
      );
      const none = await store.queryAudit({ visibleTo: { tenantIds: [], actor: "nobody" } });
      assert.deepEqual(none, []);
      // Combined with the other filters (AND).
      assert.deepEqual(await store.queryAudit({ tenantId: b, visibleTo: { tenantIds: [a], actor: "alice" } }), []);
    });

    it("sync runs of a list of tenants; an empty list is none", async () => {
      const [a, b, c] = [randomTenantId(), randomTenantId(), randomTenantId()];
      for (const t of [a, b, c]) await store.upsertTenant({ id: t, name: t.slice(0, 8) });
      for (const t of [a, b, c]) await store.startSyncRun(t, "alerts");
      const runs = await store.listSyncRuns({ tenantIds: [a, c] });
      assert.deepEqual(runs.map((r) => r.tenantId).sort(), [a, c].sort());
      assert.deepEqual(await store.listSyncRuns({ tenantIds: [] }), []);
    });

    it("batches wholly of a list of tenants: one reaching another tenant is left out", async () => {
      const [a, b] = [randomTenantId(), randomTenantId()];
      const onlyA = await store.createBatch({ kind: "hunt", actor: "cli", request: {}, items: [{ tenantId: a }] });
      await store.createBatch({ kind: "hunt", actor: "cli", request: {}, items: [{ tenantId: a }, { tenantId: b }] });
      await store.createBatch({ kind: "hunt", actor: "cli", request: {}, items: [{ tenantId: b }] });
      assert.deepEqual((await store.listBatches({ tenantIds: [a] })).map((x) => x.id), [onlyA.batch.id]);
      assert.equal((await store.listBatches({ tenantIds: [a, b] })).length, 3);
      assert.deepEqual(await store.listBatches({ tenantIds: [] }), []);
    });
  });
}
