import { isGuid } from "@mde-partner/client";
import { randomUUID } from "node:crypto";
import type { Selectable } from "kysely";
import { chunks, parseJson, rowsPerStatement, type StoreContext, tenantKey } from "./context.js";
import type {
  BatchInput,
  BatchItemCounts,
  BatchItemFinish,
  BatchItemRecord,
  BatchItemState,
  BatchKind,
  BatchRecord,
  BatchState,
} from "./records.js";
import type { BatchesTable, BatchItemsTable } from "./schema-types.js";

const KINDS: ReadonlySet<string> = new Set<BatchKind>(["hunt", "response-action", "baseline"]);
const FINAL: readonly BatchItemState[] = ["done", "failed"];
const ITEM_COLUMNS = 12;
/** Machine ids are 40 hex characters (mde-api.md §6.2); kept loose here, the caller checks them. */
const MACHINE_ID = /^[0-9A-Za-z-]{1,64}$/;

function batchKey(id: string): string {
  if (typeof id !== "string" || !isGuid(id)) throw new TypeError(`batch id must be a GUID, got ${JSON.stringify(id)}`);
  return id.toLowerCase();
}

function toItem(row: Selectable<BatchItemsTable>): BatchItemRecord {
  return {
    batchId: row.batch_id,
    key: row.item_key,
    tenantId: row.tenant_id,
    machineId: row.machine_id,
    state: row.state as BatchItemState,
    attempts: Number(row.attempts),
    workerId: row.worker_id,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    result: parseJson<unknown>(row.result, null),
    error: row.error_code === null ? null : { code: row.error_code, message: row.error_message ?? "" },
  };
}

function toBatch(row: Selectable<BatchesTable>, counts: BatchItemCounts): BatchRecord {
  return {
    id: row.id,
    kind: row.kind as BatchKind,
    actor: row.actor,
    request: parseJson<Record<string, unknown>>(row.request, {}),
    state: row.state as BatchState,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    total: Number(row.total),
    counts,
  };
}

/**
 * Batches: a hunt over many tenants, or one response action on many machines,
 * run by the distributed workers as one job per item. The store keeps what
 * was asked and each item's state and result, so anyone (the CLI that
 * submitted it, the console, another operator) can follow it and read it back.
 */
export function createBatchRepository(ctx: StoreContext) {
  const { db, dialect } = ctx;

  async function countsOf(ids: readonly string[]): Promise<Map<string, BatchItemCounts>> {
    const out = new Map<string, { queued: number; running: number; done: number; failed: number }>();
    if (ids.length === 0) return out;
    const rows = await db
      .selectFrom("batch_items")
      .select(["batch_id", "state", (eb) => eb.fn.countAll<number>().as("n")])
      .where("batch_id", "in", ids)
      .groupBy(["batch_id", "state"])
      .execute();
    for (const r of rows) {
      const c = out.get(r.batch_id) ?? { queued: 0, running: 0, done: 0, failed: 0 };
      if (r.state in c) c[r.state as keyof typeof c] = Number(r.n);
      out.set(r.batch_id, c);
    }
    return out;
  }
  const none: BatchItemCounts = Object.freeze({ queued: 0, running: 0, done: 0, failed: 0 });

  return {
    /** Records a batch with every item `queued`; the caller then queues a job per item. */
    async createBatch(input: BatchInput): Promise<{ batch: BatchRecord; items: BatchItemRecord[] }> {
      if (!input || !KINDS.has(input.kind)) throw new TypeError(`batch kind must be hunt, response-action or baseline, got ${JSON.stringify(input?.kind)}`);
      if (typeof input.actor !== "string" || input.actor.trim() === "") throw new TypeError("batch actor is required");
      if (!input.request || typeof input.request !== "object") throw new TypeError("batch request must be an object");
      if (!Array.isArray(input.items) || input.items.length === 0) throw new TypeError("a batch needs at least one item");
      const id = randomUUID();
      const now = ctx.now();
      const seen = new Set<string>();
      const items: Array<Selectable<BatchItemsTable>> = [];
      for (const item of input.items) {
        const tenantId = tenantKey(item.tenantId);
        let machineId: string | null = null;
        if (input.kind === "response-action") {
          if (typeof item.machineId !== "string" || !MACHINE_ID.test(item.machineId))
            throw new TypeError(`machine id must be 1-64 letters, digits or dashes, got ${JSON.stringify(item.machineId)}`);
          machineId = item.machineId.toLowerCase();
        }
        const key = machineId === null ? tenantId : `${tenantId}/${machineId}`;
        if (seen.has(key)) continue;
        seen.add(key);
        items.push({
          batch_id: id,
          item_key: key,
          tenant_id: tenantId,
          machine_id: machineId,
          state: "queued",
          attempts: 0,
          worker_id: null,
          started_at: null,
          finished_at: null,
          result: null,
          error_code: null,
          error_message: null,
        });
      }
      const row: Selectable<BatchesTable> = {
        id,
        kind: input.kind,
        actor: input.actor,
        request: JSON.stringify(input.request),
        state: "running",
        created_at: now,
        finished_at: null,
        total: items.length,
      };
      await dialect.writeTransaction(async (trx) => {
        await trx.insertInto("batches").values(row).execute();
        for (const slice of chunks(items, rowsPerStatement(dialect, ITEM_COLUMNS))) await trx.insertInto("batch_items").values(slice).execute();
      });
      return { batch: toBatch(row, { ...none, queued: items.length }), items: items.map(toItem) };
    },

    /** The batch with its item counts, or null. */
    async getBatch(id: string): Promise<BatchRecord | null> {
      const key = batchKey(id);
      const row = await db.selectFrom("batches").selectAll().where("id", "=", key).executeTakeFirst();
      if (!row) return null;
      return toBatch(row, (await countsOf([key])).get(key) ?? none);
    },

    /** Newest first (default 50); with `tenantIds`, only batches whose every item is of those tenants. */
    async listBatches(
      query: { limit?: number; state?: BatchState; kind?: BatchKind; tenantIds?: readonly string[] } = {},
    ): Promise<BatchRecord[]> {
      let q = db.selectFrom("batches").selectAll();
      if (query.tenantIds !== undefined) {
        const keys = query.tenantIds.map(tenantKey);
        if (keys.length === 0) return [];
        q = q.where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom("batch_items")
                .select("batch_items.item_key")
                .whereRef("batch_items.batch_id", "=", "batches.id")
                .where("batch_items.tenant_id", "not in", keys),
            ),
          ),
        );
      }
      if (query.state !== undefined) q = q.where("state", "=", query.state);
      if (query.kind !== undefined) q = q.where("kind", "=", query.kind);
      const rows = await q
        .orderBy("created_at", "desc")
        .orderBy("id", "desc")
        .limit(query.limit ?? 50)
        .execute();
      const counts = await countsOf(rows.map((r) => r.id));
      return rows.map((r) => toBatch(r, counts.get(r.id) ?? none));
    },

    /** The batch's items with their results, in key order. */
    async listBatchItems(batchId: string): Promise<BatchItemRecord[]> {
      const rows = await db.selectFrom("batch_items").selectAll().where("batch_id", "=", batchKey(batchId)).orderBy("item_key").execute();
      return rows.map(toItem);
    },

    /**
     * A worker takes an item: `running`, one more attempt, first start kept.
     * Returns the item as it was before (null when unknown); a final item is
     * returned unchanged and must not be run again.
     */
    async claimBatchItem(batchId: string, key: string, workerId: string): Promise<BatchItemRecord | null> {
      const id = batchKey(batchId);
      return dialect.writeTransaction(async (trx) => {
        const row = await trx.selectFrom("batch_items").selectAll().where("batch_id", "=", id).where("item_key", "=", key).executeTakeFirst();
        if (!row) return null;
        if (FINAL.includes(row.state as BatchItemState)) return toItem(row);
        await trx
          .updateTable("batch_items")
          .set({ state: "running", attempts: Number(row.attempts) + 1, worker_id: workerId, started_at: row.started_at ?? ctx.now() })
          .where("batch_id", "=", id)
          .where("item_key", "=", key)
          .execute();
        return toItem(row);
      });
    },

    /**
     * Records an item's end, once: false when it was already final. The batch
     * becomes `done` with its last item.
     */
    async finishBatchItem(batchId: string, key: string, finish: BatchItemFinish): Promise<boolean> {
      const id = batchKey(batchId);
      if (finish.state !== "done" && finish.state !== "failed") throw new TypeError("an item finishes done or failed");
      return dialect.writeTransaction(async (trx) => {
        const now = ctx.now();
        // Finishers of one batch take turns on its row (PostgreSQL row lock; SQLite's write transaction
        // already runs alone): two last items finishing at once must not each see the other still open.
        await trx.updateTable("batches").set({ id }).where("id", "=", id).execute();
        const r = await trx
          .updateTable("batch_items")
          .set({
            state: finish.state,
            finished_at: now,
            result: finish.result === undefined ? null : JSON.stringify(finish.result),
            error_code: finish.error?.code ?? null,
            error_message: finish.error?.message ?? null,
          })
          .where("batch_id", "=", id)
          .where("item_key", "=", key)
          .where("state", "not in", FINAL)
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) === 0) return false;
        const open = await trx
          .selectFrom("batch_items")
          .select("item_key")
          .where("batch_id", "=", id)
          .where("state", "not in", FINAL)
          .limit(1)
          .executeTakeFirst();
        if (!open) await trx.updateTable("batches").set({ state: "done", finished_at: now }).where("id", "=", id).execute();
        return true;
      });
    },

    /** Deletes finished batches (and their items and results) that ended before `finishedBefore`; returns how many. Running batches stay. */
    async deleteBatches(finishedBefore: string): Promise<number> {
      if (typeof finishedBefore !== "string" || Number.isNaN(Date.parse(finishedBefore))) throw new TypeError("finishedBefore must be an ISO time");
      const bound = new Date(finishedBefore).toISOString();
      return dialect.writeTransaction(async (trx) => {
        const old = await trx.selectFrom("batches").select("id").where("state", "=", "done").where("finished_at", "<", bound).execute();
        const ids = old.map((r) => r.id);
        for (const slice of chunks(ids, 500)) {
          await trx.deleteFrom("batch_items").where("batch_id", "in", slice).execute();
          await trx.deleteFrom("batches").where("id", "in", slice).execute();
        }
        return ids.length;
      });
    },

    /** Items not yet final of running batches created before `createdBefore` (the workers' reconciler). */
    async listOpenBatchItems(createdBefore: string, limit = 1000): Promise<Array<{ batchId: string; key: string; state: BatchItemState; attempts: number }>> {
      const rows = await db
        .selectFrom("batch_items")
        .innerJoin("batches", "batches.id", "batch_items.batch_id")
        .select(["batch_items.batch_id", "batch_items.item_key", "batch_items.state", "batch_items.attempts"])
        .where("batches.state", "=", "running")
        .where("batches.created_at", "<", createdBefore)
        .where("batch_items.state", "not in", FINAL)
        .limit(limit)
        .execute();
      return rows.map((r) => ({ batchId: r.batch_id, key: r.item_key, state: r.state as BatchItemState, attempts: Number(r.attempts) }));
    },
  };
}
