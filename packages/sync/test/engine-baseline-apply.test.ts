/**
 * The baseline applier against the emulator in-process: a tenant that never granted
 * CustomDetection.ReadWrite.All takes an indicators-only baseline (its rules are not needed);
 * an indicator the baseline would delete that someone removed by hand in the meantime does not
 * fail the delete (BatchDelete answers 404 for the whole batch: the applier goes one by one).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyBaseline, applyTenantPlan, parseBaseline, planTenant, readTenantState, tenantOf } from "@mde-partner/sync";
import { partnerFor } from "@mde-partner/test-kit";
import { suiteEngineWorld } from "./fixtures/engine-world.js";

const sha = (n: number) => n.toString(16).padStart(64, "0");
const doc = (count: number) => ({
  name: "iocs",
  scope: { tenants: "all" },
  indicators: Array.from({ length: count }, (_, i) => ({ indicatorType: "FileSha256", indicatorValue: sha(i + 1), action: "Block", title: `file ${i}` })),
});

describe("baseline applier against the emulator", () => {
  const { world, store } = suiteEngineWorld({ tenants: [{}, { graphRoles: ["ThreatHunting.Read.All"] }], alertsPerTenant: 1, machinesPerTenant: 1, seed: "baseline-apply" });

  it("applies an indicators-only baseline at a tenant without the detection-rules permission", async () => {
    const partner = partnerFor(world);
    const result = await applyBaseline({ store, partner, actor: "test" }, parseBaseline(doc(3)), { document: doc(3) });
    assert.deepEqual(result.outcomes.map((o) => [o.status, o.status === "done" ? o.result.created : o.error.code]), [["done", 3], ["done", 3]]);
    const states = await store.listBaselineStates({ baselineName: "iocs" });
    assert.deepEqual(states.map((s) => s.state), ["in_sync", "in_sync"]);
  });

  it("deletes what the baseline dropped even when one of them was removed by hand since the read", async () => {
    const partner = partnerFor(world);
    const tenantId = world.info.tenants[0]!.id;
    const tenant = tenantOf(partner, { id: tenantId });
    const smaller = parseBaseline(doc(1));
    const plan = planTenant(smaller, tenantId, await readTenantState(tenant, smaller));
    assert.equal(plan.delete, 2);
    world.emulator.control.deleteIndicator(tenantId, plan.work.indicatorDeletes[0]!);
    const result = await applyTenantPlan(tenant, smaller, plan, { store, actor: "test" });
    assert.equal(result.deleted, 2);
    const after = planTenant(smaller, tenantId, await readTenantState(tenant, smaller));
    assert.deepEqual([after.create, after.update, after.delete], [0, 0, 0]);
  });
});
