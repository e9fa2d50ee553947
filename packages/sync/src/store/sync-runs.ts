import type { Selectable } from "kysely";
import { type StoreContext, tenantKey } from "./context.js";
import type { SyncRunFinish, SyncRunRecord, SyncRunStatus } from "./records.js";
import type { SyncRunsTable } from "./schema-types.js";

function toRecord(row: Selectable<SyncRunsTable>): SyncRunRecord {
  return {
    id: Number(row.id),
    tenantId: row.tenant_id,
    stream: row.stream,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    status: row.status as SyncRunStatus,
    pages: row.pages,
    items: row.items,
    error: row.error,
  };
}

/** One row per sync of a tenant's stream: when, how much, and how it ended. */
export function createSyncRunRepository(ctx: StoreContext) {
  const { db } = ctx;
  return {
    async startSyncRun(tenantId: string, stream: string): Promise<SyncRunRecord> {
      const row = {
        tenant_id: tenantKey(tenantId),
        stream,
        started_at: ctx.now(),
        finished_at: null,
        status: "running",
        pages: 0,
        items: 0,
        error: null,
      };
      const { id } = await db.insertInto("sync_runs").values(row).returning("id").executeTakeFirstOrThrow();
      return toRecord({ ...row, id });
    },

    /** Records the end of a run; returns null for an unknown id. */
    async finishSyncRun(id: number, finish: SyncRunFinish): Promise<SyncRunRecord | null> {
      const row = await db
        .updateTable("sync_runs")
        .set({
          finished_at: ctx.now(),
          status: finish.status,
          ...(finish.pages !== undefined ? { pages: finish.pages } : {}),
          ...(finish.items !== undefined ? { items: finish.items } : {}),
          error: finish.error ?? null,
        })
        .where("id", "=", id)
        .returningAll()
        .executeTakeFirst();
      return row ? toRecord(row) : null;
    },

    /** Runs, newest first. */
    async listSyncRuns(
      filter: { readonly tenantId?: string; readonly tenantIds?: readonly string[]; readonly stream?: string; readonly limit?: number } = {},
    ): Promise<SyncRunRecord[]> {
      let q = db.selectFrom("sync_runs").selectAll();
      if (filter.tenantId !== undefined) q = q.where("tenant_id", "=", tenantKey(filter.tenantId));
      if (filter.tenantIds !== undefined) {
        if (filter.tenantIds.length === 0) return [];
        q = q.where("tenant_id", "in", filter.tenantIds.map(tenantKey));
      }
      if (filter.stream !== undefined) q = q.where("stream", "=", filter.stream);
      const rows = await q
        .orderBy("id", "desc")
        .limit(filter.limit ?? 100)
        .execute();
      return rows.map(toRecord);
    },
  };
}
