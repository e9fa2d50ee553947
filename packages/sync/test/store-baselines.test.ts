/**
 * Baseline state in the store, on every dialect: a schema v7 store upgrades to the baseline tables;
 * an apply run resumes (its finished tenants stay finished) until it is ended; each tenant's drift
 * state replaces the last one and lists narrow to the tenants asked for; many audit entries go in
 * at once.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { openStore } from "@mde-partner/sync";
import { migrations } from "../src/store/migrations.js";
import { createTestDatabase, DIALECTS, randomTenantId } from "./helpers/databases.js";

for (const dialect of DIALECTS) {
  describe(`store baselines (${dialect})`, () => {
    it("upgrades a v7 store, resumes an unfinished run, keeps drift states and bulk audit", async () => {
      const db = await createTestDatabase(dialect);
      try {
        const old = await openStore({ ...db.options, migrations: migrations.filter((m) => m.version <= 7) });
        const [a, b] = [randomTenantId(), randomTenantId()];
        await old.upsertTenant({ id: a, name: "Contoso" });
        await old.upsertTenant({ id: b, name: "Fabrikam" });
        await old.close();
        const store = await openStore(db.options);
        try {
          assert.ok(store.migration.applied.includes(8));
          assert.deepEqual(await store.listBaselineDocuments(), []);
          await store.saveBaselineDocument("fleet", "r1", { name: "fleet" }, "cli:alice");
          await store.saveBaselineDocument("fleet", "r2", { name: "fleet", revision: "r2" }, "cli:bob");
          const docs = await store.listBaselineDocuments();
          assert.deepEqual(docs.map((d) => [d.name, d.revision, d.updatedBy]), [["fleet", "r2", "cli:bob"]]);

          const first = await store.startBaselineRun({ baselineName: "fleet", revision: "r2", actor: "cli:bob", tenantIds: [a, b] });
          assert.equal(first.resumed, false);
          await store.updateBaselineRunTenant(first.run.id, a, { state: "done", done: 2, total: 2, result: { created: 2 } });
          assert.equal((await store.finishBaselineRun(first.run.id))?.state, "running", "b is not finished");
          const again = await store.startBaselineRun({ baselineName: "fleet", revision: "r2", actor: "cli:bob", tenantIds: [a, b] });
          assert.equal(again.resumed, true);
          assert.equal(again.run.id, first.run.id);
          assert.deepEqual(again.run.tenants.map((t) => [t.tenantId, t.state]).sort(), [[a, "done"], [b, "pending"]].sort());
          assert.deepEqual(again.run.tenants.find((t) => t.tenantId === a)?.result, { created: 2 });
          await store.updateBaselineRunTenant(first.run.id, b, { state: "failed", error: "ERR_MDE_FORBIDDEN: no" });
          assert.equal((await store.finishBaselineRun(first.run.id))?.state, "partial");
          assert.equal((await store.startBaselineRun({ baselineName: "fleet", revision: "r2", actor: "cli:bob", tenantIds: [a] })).resumed, false, "an ended run is not resumed");
          const open = await store.startBaselineRun({ baselineName: "fleet", revision: "r2", actor: "cli:bob", tenantIds: [a] });
          assert.equal(open.resumed, true, "the run just started is open");
          const r3 = await store.startBaselineRun({ baselineName: "fleet", revision: "r3", actor: "cli:bob", tenantIds: [a] });
          assert.equal(r3.resumed, false);
          assert.equal((await store.getBaselineRun(open.run.id))?.state, "superseded", "a new revision replaces the unfinished run");

          await store.recordBaselineState({ baselineName: "fleet", tenantId: a, revision: "r2", state: "drifted", difference: { create: 1 } });
          await store.recordBaselineState({ baselineName: "fleet", tenantId: a, revision: "r2", state: "in_sync" });
          await store.recordBaselineState({ baselineName: "fleet", tenantId: b, revision: "r2", state: "failed", error: "ERR_BASELINE_LIMIT: over" });
          assert.deepEqual((await store.listBaselineStates()).map((s) => [s.tenantId, s.state, s.difference]).sort(), [[a, "in_sync", null], [b, "failed", null]].sort());
          assert.deepEqual((await store.listBaselineStates({ tenantIds: [b] })).map((s) => s.tenantId), [b]);
          assert.deepEqual(await store.listBaselineStates({ tenantIds: [] }), []);

          await store.appendAuditMany(
            Array.from({ length: 1200 }, (_, i) => ({ actor: "cli:bob", action: "baseline.indicator.create", phase: "completed" as const, tenantId: a, target: `k${i}`, comment: "baseline fleet revision r2" })),
          );
          assert.equal((await store.queryAudit({ action: "baseline.indicator.create", limit: 5000 })).length, 1200);
        } finally {
          await store.close();
        }
      } finally {
        await db.drop();
      }
    });
  });
}
