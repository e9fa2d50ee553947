/**
 * The applier: carries out one tenant's plan through the partner client, within the tenant's rate
 * budgets (the client's per-tenant budget waits before each call: indicator imports count against
 * `indicators-import`, 30/min, at most 500 indicators a call; deletes against
 * `indicators-batch-delete`). Every create, update and delete is an audit entry naming the
 * baseline and its revision.
 *
 * Safe to repeat: indicator imports upsert by type + value, and the caller plans from a fresh read
 * of the tenant, where a rule created by an interrupted run is found by its ownership mark. So an
 * apply killed halfway and started again does not create anything twice.
 */
import { type AuditInput, type Store } from "../../store/index.js";
import { isMdeError, MAX_INDICATORS_PER_BATCH, type PartnerTenant } from "@mde-partner/client";
import type { Baseline } from "./model.js";
import { indicatorKey } from "./model.js";
import type { TenantPlan } from "./planner.js";
import { firstLine } from "../tenant-problem.js";

/** What applying one tenant's plan did. */
export interface TenantApplyResult {
  readonly tenantId: string;
  readonly created: number;
  readonly updated: number;
  readonly deleted: number;
  /** Items the service refused (import results with `isFailed`, failed rule writes), with why. */
  readonly failures: ReadonlyArray<{ key: string; reason: string }>;
  /** Write calls sent. */
  readonly calls: number;
}

/** Calls a plan needs (the progress bar's total). */
export function callsOf(plan: TenantPlan): number {
  const w = plan.work;
  return (
    Math.ceil(w.indicatorUpserts.length / MAX_INDICATORS_PER_BATCH) +
    Math.ceil(w.indicatorDeletes.length / MAX_INDICATORS_PER_BATCH) +
    w.ruleCreates.length +
    w.ruleUpdates.length +
    w.ruleDeletes.length +
    w.tagAdds.reduce((n, t) => n + Math.ceil(t.machineIds.length / 500), 0)
  );
}

export interface ApplyTenantOptions {
  readonly store: Store;
  readonly actor: string;
  readonly signal?: AbortSignal;
  /** Told after every write call. */
  readonly onCall?: (done: number, total: number) => void;
}

/**
 * Applies a tenant's plan (never a refused one).
 *
 * @example
 * const result = await applyTenantPlan(tenantOf(partner, record), baseline, plan, { store, actor: "cli:alice" });
 */
export async function applyTenantPlan(tenant: PartnerTenant, baseline: Baseline, plan: TenantPlan, options: ApplyTenantOptions): Promise<TenantApplyResult> {
  if (plan.refused) throw new TypeError(`the plan of tenant ${plan.tenantId} is refused: ${plan.refused}`);
  const { store, actor } = options;
  const req = options.signal ? { signal: options.signal } : {};
  const total = callsOf(plan);
  let calls = 0;
  let created = 0;
  let updated = 0;
  let deleted = 0;
  const failures: Array<{ key: string; reason: string }> = [];
  const comment = `baseline ${baseline.name} revision ${baseline.revision}`;
  const entry = (object: string, action: string, key: string, phase: "completed" | "failed", result?: string): AuditInput => ({
    actor,
    action: `baseline.${object}.${action}`,
    phase,
    tenantId: plan.tenantId,
    target: key,
    comment,
    request: { baseline: baseline.name, revision: baseline.revision },
    ...(result !== undefined ? { result } : {}),
  });
  const tick = () => options.onCall?.(++calls, total);
  const w = plan.work;
  const updates = new Set(plan.changes.filter((c) => c.object === "indicator" && c.action === "update").map((c) => c.key));

  for (let i = 0; i < w.indicatorUpserts.length; i += MAX_INDICATORS_PER_BATCH) {
    const chunk = w.indicatorUpserts.slice(i, i + MAX_INDICATORS_PER_BATCH);
    const results = await tenant.mde.indicators.import(chunk, req);
    tick();
    const audit: AuditInput[] = [];
    chunk.forEach((body, n) => {
      const key = indicatorKey(body);
      const r = results[n];
      const action = updates.has(key) ? "update" : "create";
      if (r?.isFailed) {
        failures.push({ key, reason: r.failureReason ?? "refused by the service" });
        audit.push(entry("indicator", action, key, "failed", r.failureReason ?? "refused"));
      } else {
        if (action === "update") updated++;
        else created++;
        audit.push(entry("indicator", action, key, "completed", r?.id ? `id ${r.id}` : undefined));
      }
    });
    await store.appendAuditMany(audit);
  }
  const deleteKeys = plan.changes.filter((c) => c.object === "indicator" && c.action === "delete").map((c) => c.key);
  for (let i = 0; i < w.indicatorDeletes.length; i += MAX_INDICATORS_PER_BATCH) {
    const ids = w.indicatorDeletes.slice(i, i + MAX_INDICATORS_PER_BATCH);
    try {
      await tenant.mde.indicators.batchDelete(ids, req);
    } catch (error) {
      // BatchDelete answers 404 when any one id is gone (someone deleted it since the read): delete one by one, a 404 being done.
      if (!isMdeError(error) || error.code !== "ERR_MDE_NOT_FOUND") throw error;
      for (const id of ids)
        await tenant.mde.indicators.delete(id, req).catch((e: unknown) => {
          if (!isMdeError(e) || e.code !== "ERR_MDE_NOT_FOUND") throw e;
        });
    }
    tick();
    deleted += ids.length;
    await store.appendAuditMany(ids.map((id, n) => entry("indicator", "delete", deleteKeys[i + n] ?? id, "completed", `id ${id}`)));
  }

  const ruleCall = async (action: "create" | "update" | "delete", key: string, run: () => Promise<unknown>) => {
    try {
      await run();
      tick();
      if (action === "create") created++;
      else if (action === "update") updated++;
      else deleted++;
      await store.appendAuditMany([entry("detectionRule", action, key, "completed")]);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      tick();
      failures.push({ key, reason: firstLine(error) });
      await store.appendAuditMany([entry("detectionRule", action, key, "failed", firstLine(error))]);
    }
  };
  for (const r of w.ruleCreates) await ruleCall("create", r.key, () => tenant.graph.detectionRules.create(r.input, req));
  for (const r of w.ruleUpdates) await ruleCall("update", r.key, () => tenant.graph.detectionRules.update(r.id, r.input, req));
  for (const r of w.ruleDeletes) await ruleCall("delete", r.key, () => tenant.graph.detectionRules.delete(r.id, req));

  for (const t of w.tagAdds) {
    for (let i = 0; i < t.machineIds.length; i += 500) {
      const ids = t.machineIds.slice(i, i + 500);
      await tenant.mde.machines.tagMany(ids, t.tag, "Add", req);
      tick();
      created += ids.length;
      await store.appendAuditMany(ids.map((id) => entry("deviceTag", "create", `${t.tag}@${id}`, "completed")));
    }
  }
  return { tenantId: plan.tenantId, created, updated, deleted, failures, calls };
}
