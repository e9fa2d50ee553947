/**
 * Fleet baselines in the store (schema v10): the last applied document of each baseline, apply runs
 * with each tenant's progress (so a killed apply resumes where it stopped), each tenant's drift
 * state, and the audit entries an apply writes (one per object, many at once).
 */
import { randomUUID } from "node:crypto";
import type { Selectable } from "kysely";
import { chunks, parseJson, rowsPerStatement, type StoreContext, tenantKey } from "./context.js";
import type { AuditInput } from "./records.js";
import type { BaselineRunTenantsTable, BaselineTenantsTable } from "./schema-types.js";

/** A tenant's state against a baseline: `in_sync`, `drifted` (the difference says how), or `failed` (could not be read or applied). */
export type BaselineTenantState = "in_sync" | "drifted" | "failed";

/** The last applied document of a baseline. */
export interface BaselineDocumentRecord {
  readonly name: string;
  readonly revision: string;
  readonly document: unknown;
  readonly updatedAt: string;
  readonly updatedBy: string | null;
}

/** A tenant of an apply run. */
export interface BaselineRunTenantRecord {
  readonly tenantId: string;
  readonly state: "pending" | "running" | "done" | "failed";
  readonly done: number;
  readonly total: number;
  readonly result: unknown;
  readonly error: string | null;
  readonly updatedAt: string;
}

/** One `baseline apply`. */
export interface BaselineRunRecord {
  readonly id: string;
  readonly baselineName: string;
  readonly revision: string;
  readonly actor: string;
  /** `superseded`: left unfinished, then another revision of the baseline was applied. */
  readonly state: "running" | "done" | "partial" | "failed" | "superseded";
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly tenants: readonly BaselineRunTenantRecord[];
}

/** A tenant's drift state against one baseline. */
export interface BaselineTenantRecord {
  readonly baselineName: string;
  readonly tenantId: string;
  readonly revision: string;
  readonly state: BaselineTenantState;
  readonly checkedAt: string;
  /** What differs (the planner's summary), or null when in sync. */
  readonly difference: unknown;
  readonly error: string | null;
}

const toRunTenant = (r: Selectable<BaselineRunTenantsTable>): BaselineRunTenantRecord => ({
  tenantId: r.tenant_id,
  state: r.state as BaselineRunTenantRecord["state"],
  done: Number(r.done),
  total: Number(r.total),
  result: parseJson(r.result, null),
  error: r.error,
  updatedAt: r.updated_at,
});

const toTenant = (r: Selectable<BaselineTenantsTable>): BaselineTenantRecord => ({
  baselineName: r.baseline_name,
  tenantId: r.tenant_id,
  revision: r.revision,
  state: r.state as BaselineTenantState,
  checkedAt: r.checked_at,
  difference: parseJson(r.difference, null),
  error: r.error,
});

export function createBaselineRepository(ctx: StoreContext) {
  const { db, dialect } = ctx;

  async function readRun(id: string): Promise<BaselineRunRecord | null> {
    const run = await db.selectFrom("baseline_runs").selectAll().where("id", "=", id).executeTakeFirst();
    if (!run) return null;
    const tenants = await db.selectFrom("baseline_run_tenants").selectAll().where("run_id", "=", id).orderBy("tenant_id").execute();
    return {
      id: run.id,
      baselineName: run.baseline_name,
      revision: run.revision,
      actor: run.actor,
      state: run.state as BaselineRunRecord["state"],
      startedAt: run.started_at,
      finishedAt: run.finished_at,
      tenants: tenants.map(toRunTenant),
    };
  }

  return {
    /** Records the document a baseline was last applied with (the scheduled drift check reads it). */
    async saveBaselineDocument(name: string, revision: string, document: unknown, actor?: string): Promise<void> {
      const row = { name, revision, document: JSON.stringify(document), updated_at: ctx.now(), updated_by: actor ?? null };
      await db
        .insertInto("baselines")
        .values(row)
        .onConflict((oc) => oc.column("name").doUpdateSet({ revision: row.revision, document: row.document, updated_at: row.updated_at, updated_by: row.updated_by }))
        .execute();
    },

    /** Every baseline applied so far, by name. */
    async listBaselineDocuments(): Promise<BaselineDocumentRecord[]> {
      const rows = await db.selectFrom("baselines").selectAll().orderBy("name").execute();
      return rows.map((r) => ({ name: r.name, revision: r.revision, document: JSON.parse(r.document), updatedAt: r.updated_at, updatedBy: r.updated_by }));
    },

    /**
     * The unfinished run of this baseline revision, if any (a killed apply), else a new run over
     * `tenantIds`. A resumed run keeps its tenants' states: those `done` are not applied again.
     */
    async startBaselineRun(input: { baselineName: string; revision: string; actor: string; tenantIds: readonly string[] }): Promise<{ run: BaselineRunRecord; resumed: boolean }> {
      const ids = [...new Set(input.tenantIds.map(tenantKey))];
      const open = await db
        .selectFrom("baseline_runs")
        .select("id")
        .where("baseline_name", "=", input.baselineName)
        .where("revision", "=", input.revision)
        .where("state", "=", "running")
        .orderBy("started_at", "desc")
        .executeTakeFirst();
      if (open) {
        const now = ctx.now();
        const known = new Set((await db.selectFrom("baseline_run_tenants").select("tenant_id").where("run_id", "=", open.id).execute()).map((r) => r.tenant_id));
        const added = ids.filter((id) => !known.has(id));
        if (added.length)
          await db
            .insertInto("baseline_run_tenants")
            .values(added.map((tenant_id) => ({ run_id: open.id, tenant_id, state: "pending", done: 0, total: 0, updated_at: now })))
            .execute();
        return { run: (await readRun(open.id))!, resumed: true };
      }
      const id = randomUUID();
      const now = ctx.now();
      await dialect.writeTransaction(async (trx) => {
        // An unfinished run of another revision is not resumed any more: the new revision replaces it.
        await trx
          .updateTable("baseline_runs")
          .set({ state: "superseded", finished_at: now })
          .where("baseline_name", "=", input.baselineName)
          .where("state", "=", "running")
          .execute();
        await trx
          .insertInto("baseline_runs")
          .values({ id, baseline_name: input.baselineName, revision: input.revision, actor: input.actor, state: "running", started_at: now, finished_at: null })
          .execute();
        for (const part of chunks(ids, rowsPerStatement(dialect, 6)))
          await trx
            .insertInto("baseline_run_tenants")
            .values(part.map((tenant_id) => ({ run_id: id, tenant_id, state: "pending", done: 0, total: 0, updated_at: now })))
            .execute();
      });
      return { run: (await readRun(id))!, resumed: false };
    },

    getBaselineRun: readRun,

    /** The most recent runs, newest first. */
    async listBaselineRuns(limit = 20): Promise<Omit<BaselineRunRecord, "tenants">[]> {
      const rows = await db.selectFrom("baseline_runs").selectAll().orderBy("started_at", "desc").limit(limit).execute();
      return rows.map((r) => ({
        id: r.id,
        baselineName: r.baseline_name,
        revision: r.revision,
        actor: r.actor,
        state: r.state as BaselineRunRecord["state"],
        startedAt: r.started_at,
        finishedAt: r.finished_at,
      }));
    },

    /** Updates one tenant of a run (its state, progress, result). */
    async updateBaselineRunTenant(
      runId: string,
      tenantId: string,
      change: { state?: BaselineRunTenantRecord["state"]; done?: number; total?: number; result?: unknown; error?: string | null },
    ): Promise<void> {
      await db
        .updateTable("baseline_run_tenants")
        .set({
          updated_at: ctx.now(),
          ...(change.state !== undefined ? { state: change.state } : {}),
          ...(change.done !== undefined ? { done: change.done } : {}),
          ...(change.total !== undefined ? { total: change.total } : {}),
          ...(change.result !== undefined ? { result: JSON.stringify(change.result) } : {}),
          ...(change.error !== undefined ? { error: change.error } : {}),
        })
        .where("run_id", "=", runId)
        .where("tenant_id", "=", tenantKey(tenantId))
        .execute();
    },

    /** Ends a run: `done` when every tenant is done, `partial` when some failed, `failed` when all did. */
    async finishBaselineRun(runId: string): Promise<BaselineRunRecord | null> {
      const run = await readRun(runId);
      if (!run) return null;
      const failed = run.tenants.filter((t) => t.state === "failed").length;
      const open = run.tenants.filter((t) => t.state === "pending" || t.state === "running").length;
      if (open > 0) return run;
      const state = failed === 0 ? "done" : failed === run.tenants.length ? "failed" : "partial";
      await db.updateTable("baseline_runs").set({ state, finished_at: ctx.now() }).where("id", "=", runId).execute();
      return readRun(runId);
    },

    /** Records a tenant's drift state against a baseline (replacing the last one). */
    async recordBaselineState(input: {
      baselineName: string;
      tenantId: string;
      revision: string;
      state: BaselineTenantState;
      difference?: unknown;
      error?: string | null;
    }): Promise<void> {
      const row = {
        baseline_name: input.baselineName,
        tenant_id: tenantKey(input.tenantId),
        revision: input.revision,
        state: input.state,
        checked_at: ctx.now(),
        difference: input.difference === undefined || input.difference === null ? null : JSON.stringify(input.difference),
        error: input.error ?? null,
      };
      await db
        .insertInto("baseline_tenants")
        .values(row)
        .onConflict((oc) =>
          oc.columns(["baseline_name", "tenant_id"]).doUpdateSet({ revision: row.revision, state: row.state, checked_at: row.checked_at, difference: row.difference, error: row.error }),
        )
        .execute();
    },

    /** Drift states, by baseline then tenant; `tenantIds` limits them (an operator's scope). */
    async listBaselineStates(query: { baselineName?: string; tenantIds?: readonly string[] } = {}): Promise<BaselineTenantRecord[]> {
      let q = db.selectFrom("baseline_tenants").selectAll();
      if (query.baselineName !== undefined) q = q.where("baseline_name", "=", query.baselineName);
      if (query.tenantIds !== undefined) {
        if (query.tenantIds.length === 0) return [];
        q = q.where("tenant_id", "in", query.tenantIds.map(tenantKey));
      }
      return (await q.orderBy("baseline_name").orderBy("tenant_id").execute()).map(toTenant);
    },

    /** Appends many audit entries in one transaction (an apply writes one per object). */
    async appendAuditMany(entries: readonly AuditInput[]): Promise<void> {
      if (entries.length === 0) return;
      const at = ctx.now();
      const rows = entries.map((e) => ({
        at,
        actor: e.actor,
        action: e.action,
        phase: e.phase,
        tenant_id: e.tenantId == null ? null : tenantKey(e.tenantId),
        target: e.target ?? null,
        comment: e.comment ?? null,
        request: e.request === undefined ? null : JSON.stringify(e.request),
        result: e.result ?? null,
        correlation_id: e.correlationId ?? null,
      }));
      await dialect.writeTransaction(async (trx) => {
        for (const part of chunks(rows, rowsPerStatement(dialect, 10))) await trx.insertInto("audit_log").values(part).execute();
      });
    },
  };
}
