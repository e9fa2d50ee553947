/**
 * The scheduler: every syncable tenant of the store gets a job in the sync
 * queue if it has none (a new tenant, or one whose job pg-boss failed for
 * good). Each worker runs it at start and then periodically; an advisory lock
 * makes the runs take turns, so two workers never both see "no job" for one
 * tenant and queue it twice.
 *
 * It reads pg-boss's job table directly (`state < 'completed'`: created, retry
 * or active): pg-boss 10 has no call that answers "does key K have a live job".
 * Queuing blindly instead would add a second job beside an active one, and
 * pg-boss's fetch then fails on the unique index for every worker until the
 * active one ends (timgit/pg-boss#535).
 */
import type PgBoss from "pg-boss";
import type pg from "pg";
import { inTransaction } from "./boss-transaction.js";
import { jobOptions, SYNC_QUEUE, type SyncJobSettings } from "./sync-queue.js";
import { advisoryLockKey } from "../store/advisory-lock.js";

/** Advisory-lock class of the scheduler ("MDS"). */
const SCHEDULE_LOCK = 0x4d4453;

/** Queues a job for each of `tenantIds` that has no live job; returns the ids it queued. */
export async function scheduleMissing(
  pool: pg.Pool,
  boss: PgBoss,
  queueSchema: string,
  tenantIds: readonly string[],
  settings: SyncJobSettings,
): Promise<string[]> {
  if (tenantIds.length === 0) return [];
  return inTransaction(pool, async (db) => {
    await db.executeSql("select pg_advisory_xact_lock($1::int, $2::int)", [SCHEDULE_LOCK, advisoryLockKey(queueSchema)]);
    const { rows } = await db.executeSql(
      `select distinct singleton_key as key from "${queueSchema}".job where name = $1 and state < 'completed'`,
      [SYNC_QUEUE],
    );
    const live = new Set(rows.map((r) => String(r.key)));
    const missing = tenantIds.filter((id) => !live.has(id));
    if (missing.length === 0) return [];
    const options = jobOptions(settings);
    await boss.insert(
      missing.map((tenantId) => ({
        name: SYNC_QUEUE,
        data: { tenantId },
        singletonKey: tenantId,
        ...(options.retryLimit !== undefined ? { retryLimit: options.retryLimit } : {}),
        ...(options.retryDelay !== undefined ? { retryDelay: options.retryDelay } : {}),
        retryBackoff: true,
        ...(options.expireInSeconds !== undefined ? { expireInSeconds: options.expireInSeconds } : {}),
      })),
      { db },
    );
    return missing;
  });
}
