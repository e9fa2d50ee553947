/**
 * The sync queue in pg-boss: one job per tenant (singleton key = tenant id)
 * under the `stately` policy, so PostgreSQL's own unique indexes refuse a
 * second queued or a second active job of a tenant. A tenant's job is created
 * by the scheduler once (schedule-tenants.ts); after that each run queues the
 * next one in the transaction that completes it (sync-worker.ts).
 */
import { isTenantGuid } from "@mde-partner/client";
import type pg from "pg";
import type PgBoss from "pg-boss";

/** Name of the sync queue. */
export const SYNC_QUEUE = "mde-partner.sync";

/** What a sync job carries. */
export interface SyncJobData {
  tenantId: string;
  /** Why the tenant was parked, when this run comes after a park. */
  parkedReason?: string;
}

/** pg-boss settings every sync job is sent with. */
export interface SyncJobSettings {
  /** Lease of a running job: after it, pg-boss hands the job to another worker (default 15 min). */
  readonly leaseSec: number;
  /** Retries after a failure before the tenant is parked (default 5). */
  readonly retryLimit: number;
  /** First retry delay; pg-boss doubles it per retry, with jitter (default 5 s). */
  readonly retryDelaySec: number;
}

export function jobOptions(settings: SyncJobSettings): PgBoss.SendOptions {
  return {
    expireInSeconds: settings.leaseSec,
    retryLimit: settings.retryLimit,
    retryDelay: settings.retryDelaySec,
    retryBackoff: true,
  };
}

/** Advisory-lock class of queue creation ("MDQ"). */
const CREATE_LOCK = 0x4d4451;

/**
 * Creates the queues when missing (the sync queue, and the task queue of
 * hunts and response actions, task-queue.ts). pg-boss ignores a second create,
 * but two creates at the same moment deadlock in PostgreSQL (its create_queue
 * inserts the queue row, then creates and attaches a partition): workers and
 * submitters starting together on a fresh database take turns under an
 * advisory lock.
 */
export async function createQueues(
  boss: PgBoss,
  pool: pg.Pool,
  queues: ReadonlyArray<{ name: string; options: PgBoss.SendOptions }>,
): Promise<void> {
  const missing = async () => {
    const out: typeof queues[number][] = [];
    for (const q of queues) if (!(await boss.getQueue(q.name))) out.push(q);
    return out;
  };
  if ((await missing()).length === 0) return;
  const client = await pool.connect();
  try {
    await client.query("select pg_advisory_lock($1::int, 0)", [CREATE_LOCK]);
    try {
      // Stately: one queued and one active job per key (tenant, or batch item).
      for (const q of await missing()) await boss.createQueue(q.name, { name: q.name, policy: "stately", ...q.options });
    } finally {
      await client.query("select pg_advisory_unlock($1::int, 0)", [CREATE_LOCK]);
    }
  } finally {
    client.release();
  }
}

/** The job's tenant id, or undefined for a job this version does not understand. */
export function jobTenant(data: unknown): SyncJobData | undefined {
  const d = data as Partial<SyncJobData> | null;
  if (!d || typeof d.tenantId !== "string" || !isTenantGuid(d.tenantId)) return undefined;
  return { tenantId: d.tenantId, ...(typeof d.parkedReason === "string" ? { parkedReason: d.parkedReason } : {}) };
}
