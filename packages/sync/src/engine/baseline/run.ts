/**
 * Baselines across tenants: the scope resolved against the store, plan and drift (read-only), and
 * apply as a run in the store — each tenant's progress recorded as it goes, so a killed apply
 * started again with the same revision skips the tenants it finished and re-plans the others from
 * a fresh read (nothing is created twice).
 */
import { mapWithConcurrency, type PartnerClient, type PartnerTenant } from "@mde-partner/client";
import type { Store, TenantRecord } from "../../store/index.js";
import type { SkippedTenant } from "../types.js";
import { selectTenants } from "../sync-all.js";
import { tenantOf } from "../tenant-of.js";
import { firstLine, tenantProblem } from "../tenant-problem.js";
import { applyTenantPlan, callsOf, type TenantApplyResult } from "./applier.js";
import { type Baseline, parseBaseline } from "./model.js";
import { planSummary, planTenant, type TenantPlan } from "./planner.js";
import { readTenantState } from "./state.js";

/** The tenants a baseline's scope names. */
export interface BaselineTargets {
  readonly tenants: TenantRecord[];
  /** Listed tenant ids that are not in the store. */
  readonly unknown: string[];
  /** Tenants `tenants: all` or a group leaves out (not consented…), with why. */
  readonly skipped: SkippedTenant[];
}

/** Resolves a baseline's scope: `tenants: all` (those a sync takes), listed ids, customer groups, minus `exclude`. */
export async function baselineTargets(store: Store, baseline: Baseline): Promise<BaselineTargets> {
  const { scope } = baseline;
  const out = new Map<string, TenantRecord>();
  const skipped: SkippedTenant[] = [];
  let unknown: string[] = [];
  if (scope.all || scope.groups.length > 0) {
    const r = await selectTenants(store, scope.all ? {} : { groups: scope.groups });
    for (const t of r.tenants) out.set(t.id, t);
    skipped.push(...r.skipped);
  }
  if (scope.tenantIds.length > 0) {
    const r = await selectTenants(store, { tenantIds: scope.tenantIds });
    for (const t of r.tenants) out.set(t.id, t);
    unknown = r.unknown;
  }
  const excluded = new Set(scope.exclude);
  return {
    tenants: [...out.values()].filter((t) => !excluded.has(t.id)),
    unknown: unknown.filter((id) => !excluded.has(id)),
    skipped: skipped.filter((s) => !excluded.has(s.tenantId)),
  };
}

/** What plan/drift/apply need. */
export interface BaselineContext {
  readonly store: Store;
  readonly partner: PartnerClient<PartnerTenant>;
  /** The operator the audit log names (apply only). */
  readonly actor?: string;
  readonly signal?: AbortSignal;
  /** Tenants worked on at once (default 16). */
  readonly concurrency?: number;
}

/** One tenant's plan, or why it could not be read. */
export type TenantPlanOutcome =
  | { readonly tenantId: string; readonly tenantName: string; readonly plan: TenantPlan }
  | { readonly tenantId: string; readonly tenantName: string; readonly error: { code: string; message: string } };

/** Reads every tenant in scope and plans it. */
export async function planBaseline(ctx: BaselineContext, baseline: Baseline, tenants?: readonly TenantRecord[]): Promise<TenantPlanOutcome[]> {
  const list = tenants ?? (await baselineTargets(ctx.store, baseline)).tenants;
  return mapWithConcurrency(list, ctx.concurrency ?? 16, async (t): Promise<TenantPlanOutcome> => {
    try {
      const state = await readTenantState(tenantOf(ctx.partner, t), baseline, ctx.signal);
      return { tenantId: t.id, tenantName: t.name, plan: planTenant(baseline, t.id, state) };
    } catch (error) {
      const p = tenantProblem(error);
      return { tenantId: t.id, tenantName: t.name, error: { code: p.code, message: p.message } };
    }
  });
}

/** Plans every tenant in scope and records each one's drift state (in_sync, drifted, failed). */
export async function checkBaselineDrift(ctx: BaselineContext, baseline: Baseline, tenants?: readonly TenantRecord[]): Promise<TenantPlanOutcome[]> {
  const outcomes = await planBaseline(ctx, baseline, tenants);
  for (const o of outcomes) {
    const base = { baselineName: baseline.name, tenantId: o.tenantId, revision: baseline.revision };
    if ("error" in o) await ctx.store.recordBaselineState({ ...base, state: "failed", error: `${o.error.code}: ${o.error.message}` });
    else {
      const drifted = o.plan.create + o.plan.update + o.plan.delete > 0;
      await ctx.store.recordBaselineState({
        ...base,
        state: o.plan.refused ? "failed" : drifted ? "drifted" : "in_sync",
        difference: drifted || o.plan.refused ? planSummary(o.plan, 50) : null,
        error: o.plan.refused ?? null,
      });
    }
  }
  return outcomes;
}

/**
 * Checks every baseline applied so far against its tenants (the scheduled check of `sync --watch`
 * and `worker`). Resolves with the number of tenants checked per baseline; never rejects for one tenant.
 */
export async function checkStoredBaselines(ctx: BaselineContext): Promise<Array<{ name: string; tenants: number; drifted: number; failed: number }>> {
  const out: Array<{ name: string; tenants: number; drifted: number; failed: number }> = [];
  for (const doc of await ctx.store.listBaselineDocuments()) {
    let baseline: Baseline;
    try {
      baseline = parseBaseline(doc.document, 0);
    } catch {
      continue; // written by a newer version; its own check covers it
    }
    const outcomes = await checkBaselineDrift(ctx, baseline);
    out.push({
      name: baseline.name,
      tenants: outcomes.length,
      drifted: outcomes.filter((o) => "plan" in o && o.plan.create + o.plan.update + o.plan.delete > 0).length,
      failed: outcomes.filter((o) => "error" in o || o.plan.refused).length,
    });
  }
  return out;
}

/** Progress of an apply, per tenant. */
export type BaselineApplyEvent =
  | { type: "tenant-start"; tenantId: string; total: number }
  | { type: "call"; tenantId: string; done: number; total: number }
  | { type: "tenant-done"; tenantId: string; outcome: TenantApplyOutcome };

/** How one tenant's apply ended. */
export type TenantApplyOutcome =
  | { readonly tenantId: string; readonly status: "done"; readonly result: TenantApplyResult; readonly skipped?: "done before" }
  | { readonly tenantId: string; readonly status: "failed"; readonly error: { code: string; message: string } };

/** Options of {@link applyBaseline}. */
export interface ApplyBaselineOptions {
  /** The decoded document as written (stored for the scheduled drift check). */
  readonly document: unknown;
  readonly onEvent?: (event: BaselineApplyEvent) => void;
  /** Tenants to apply (default: the scope's). */
  readonly tenants?: readonly TenantRecord[];
}

/**
 * Applies one tenant: a fresh read, a plan, the plan's calls; its drift state is then in sync
 * (or failed, with why). Used by {@link applyBaseline} and by the workers' baseline jobs.
 */
export async function applyBaselineToTenant(
  ctx: BaselineContext & { actor: string },
  baseline: Baseline,
  tenant: TenantRecord,
  runId: string,
  onEvent?: (event: BaselineApplyEvent) => void,
): Promise<TenantApplyOutcome> {
  const { store } = ctx;
  const base = { baselineName: baseline.name, tenantId: tenant.id, revision: baseline.revision };
  await store.updateBaselineRunTenant(runId, tenant.id, { state: "running", done: 0 });
  let outcome: TenantApplyOutcome;
  try {
    const client = tenantOf(ctx.partner, tenant);
    const plan = planTenant(baseline, tenant.id, await readTenantState(client, baseline, ctx.signal));
    if (plan.refused) {
      const error = { code: "ERR_BASELINE_LIMIT", message: plan.refused };
      await store.recordBaselineState({ ...base, state: "failed", difference: planSummary(plan, 50), error: plan.refused });
      outcome = { tenantId: tenant.id, status: "failed", error };
    } else {
      const total = callsOf(plan);
      await store.updateBaselineRunTenant(runId, tenant.id, { total });
      onEvent?.({ type: "tenant-start", tenantId: tenant.id, total });
      const result = await applyTenantPlan(client, baseline, plan, {
        store,
        actor: ctx.actor,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
        onCall: (done, all) => {
          onEvent?.({ type: "call", tenantId: tenant.id, done, total: all });
          void store.updateBaselineRunTenant(runId, tenant.id, { done }).catch(() => {});
        },
      });
      const failed = result.failures.length > 0;
      await store.recordBaselineState({
        ...base,
        state: failed ? "failed" : "in_sync",
        difference: failed ? { failures: result.failures.slice(0, 50) } : null,
        error: failed ? `${result.failures.length} object(s) refused: ${result.failures[0]!.reason}` : null,
      });
      outcome = { tenantId: tenant.id, status: "done", result };
    }
  } catch (error) {
    if (ctx.signal?.aborted) throw error;
    const p = tenantProblem(error);
    const e = { code: p.code, message: p.message };
    await store.recordBaselineState({ ...base, state: "failed", error: `${e.code}: ${firstLine(error)}` }).catch(() => {});
    outcome = { tenantId: tenant.id, status: "failed", error: e };
  }
  await store.updateBaselineRunTenant(runId, tenant.id, {
    state: outcome.status,
    ...(outcome.status === "done" ? { result: outcome.result, error: null } : { error: `${outcome.error.code}: ${outcome.error.message}` }),
  });
  onEvent?.({ type: "tenant-done", tenantId: tenant.id, outcome });
  return outcome;
}

/**
 * Applies a baseline to every tenant in scope, resuming an unfinished run of the same revision.
 *
 * @example
 * const { outcomes } = await applyBaseline({ store, partner, actor: "cli:alice" }, baseline, { document });
 */
export async function applyBaseline(
  ctx: BaselineContext & { actor: string },
  baseline: Baseline,
  options: ApplyBaselineOptions,
): Promise<{ runId: string; resumed: boolean; outcomes: TenantApplyOutcome[] }> {
  const tenants = options.tenants ?? (await baselineTargets(ctx.store, baseline)).tenants;
  await ctx.store.saveBaselineDocument(baseline.name, baseline.revision, options.document, ctx.actor);
  const { run, resumed } = await ctx.store.startBaselineRun({
    baselineName: baseline.name,
    revision: baseline.revision,
    actor: ctx.actor,
    tenantIds: tenants.map((t) => t.id),
  });
  const finished = new Map(run.tenants.filter((t) => t.state === "done").map((t) => [t.tenantId, t]));
  const outcomes = await mapWithConcurrency(tenants, ctx.concurrency ?? 16, async (t): Promise<TenantApplyOutcome> => {
    const before = finished.get(t.id);
    if (before) {
      const outcome: TenantApplyOutcome = { tenantId: t.id, status: "done", result: before.result as TenantApplyResult, skipped: "done before" };
      options.onEvent?.({ type: "tenant-done", tenantId: t.id, outcome });
      return outcome;
    }
    return applyBaselineToTenant(ctx, baseline, t, run.id, options.onEvent);
  });
  await ctx.store.finishBaselineRun(run.id);
  return { runId: run.id, resumed, outcomes };
}
