/**
 * The reconciler: every batch item that is not final must have a live task
 * job. Each worker runs it with the scheduler; an advisory lock makes the runs
 * take turns. Two gaps it closes:
 *
 * - an item still `queued` without a job: its submitter died between
 *   recording the batch and queuing the jobs (only batches older than
 *   `reconcileAfterMs` are looked at, so a submission in progress is left
 *   alone): the job is queued now;
 * - an item still `running` without a job: its worker died on the job's last
 *   attempt and pg-boss failed the job for good: the item is failed with a
 *   reason the operator can act on.
 *
 * Like the scheduler it reads pg-boss's job table directly (`state <
 * 'completed'`): pg-boss 10 has no call that answers "does key K have a live job".
 */
import type PgBoss from "pg-boss";
import type pg from "pg";
import type { Store } from "../store/index.js";
import { inTransaction } from "./boss-transaction.js";
import { TASK_QUEUE, type TaskJobSettings, taskJobs, taskKey, taskLeaseFor } from "./task-queue.js";
import { advisoryLockKey } from "../store/advisory-lock.js";

/** Advisory-lock class of the reconciler ("MDR"). */
const RECONCILE_LOCK = 0x4d4452;

/** Code of an item whose last attempt's worker died. */
export const WORKER_LOST = "ERR_WORKER_LOST";

export interface ReconcileSettings extends TaskJobSettings {
  readonly reconcileAfterMs: number;
}

/** Re-queues lost items and fails orphaned ones; returns how many of each. */
export async function reconcileBatches(
  pool: pg.Pool,
  boss: PgBoss,
  store: Store,
  queueSchema: string,
  settings: ReconcileSettings,
  now: number,
): Promise<{ requeued: number; failed: number }> {
  const open = await store.listOpenBatchItems(new Date(now - settings.reconcileAfterMs).toISOString());
  if (open.length === 0) return { requeued: 0, failed: 0 };
  const { requeued, orphans } = await inTransaction(pool, async (db) => {
    await db.executeSql("select pg_advisory_xact_lock($1::int, $2::int)", [RECONCILE_LOCK, advisoryLockKey(queueSchema)]);
    const { rows } = await db.executeSql(
      `select distinct singleton_key as key from "${queueSchema}".job where name = $1 and state < 'completed' and singleton_key = any($2::text[])`,
      [TASK_QUEUE, open.map(taskKey)],
    );
    const live = new Set(rows.map((r) => String(r.key)));
    const lost = open.filter((item) => !live.has(taskKey(item)));
    const byBatch = new Map<string, string[]>();
    for (const item of lost) if (item.state === "queued") byBatch.set(item.batchId, [...(byBatch.get(item.batchId) ?? []), item.key]);
    let count = 0;
    for (const [batchId, keys] of byBatch) {
      const batch = await store.getBatch(batchId);
      if (!batch) continue;
      await boss.insert(taskJobs(batchId, keys, settings, taskLeaseFor(batch.request, settings)), { db });
      count += keys.length;
    }
    return { requeued: count, orphans: lost.filter((item) => item.state === "running") };
  });
  let failed = 0;
  for (const item of orphans) {
    const ended = await store.finishBatchItem(item.batchId, item.key, {
      state: "failed",
      error: {
        code: WORKER_LOST,
        message: `the worker of its last attempt (${item.attempts}) stopped before recording the result; for a response action, check the machine's actions before asking again`,
      },
    });
    if (ended) failed++;
  }
  return { requeued, failed };
}
