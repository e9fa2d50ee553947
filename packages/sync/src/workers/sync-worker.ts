/**
 * A distributed sync worker: any number of them, on any machines, share one
 * PostgreSQL database and sync every tenant of the store through pg-boss.
 *
 * - One job per tenant (sync-queue.ts). A run that ends queues the tenant's
 *   next run `intervalMs` later in the same transaction that completes it, so
 *   a tenant is synced once per interval by whichever worker is free.
 * - At most one run per tenant at a time: pg-boss's stately policy allows one
 *   active job per tenant, and a tenant lock (tenant-lock.ts) covers a lease
 *   that ran out while its first runner was still alive.
 * - A transient failure goes back to pg-boss (`fail`): it retries the job with
 *   exponential backoff. A failure that needs someone to act, or one that
 *   outlived its retries, parks the tenant: its next run is queued after the
 *   park time, and its state in the store says why (job-outcome.ts).
 * - A killed worker's jobs stay active until their lease ends; pg-boss's
 *   maintenance then hands them to the other workers (as retries).
 * - Hunts and bulk response actions submitted as batches (batch-queue.ts)
 *   run here too, one job per tenant or machine, before sync jobs
 *   (task-runner.ts); the scheduler's pass also reconciles batches whose
 *   jobs were lost (reconcile-batches.ts).
 * - `stop()` (SIGINT/SIGTERM in the CLI) aborts the runs between pages: each
 *   commits the page it has, queues its tenant to continue at once, and the
 *   worker leaves. `start()` and `stop()` are safe to call twice.
 */
import type PgBoss from "pg-boss";
import { SYNCABLE_STATES } from "../engine/sync-all.js";
import { resolveSyncSettings, syncTenant } from "../engine/sync-tenant.js";
import type { TenantSyncResult } from "../engine/types.js";
import { inTransaction } from "./boss-transaction.js";
import { decideOutcome, type JobOutcome } from "./job-outcome.js";
import { scheduleMissing } from "./schedule-tenants.js";
import { reconcileBatches } from "./reconcile-batches.js";
import { createQueues, jobOptions, jobTenant, SYNC_QUEUE, type SyncJobData } from "./sync-queue.js";
import { TASK_QUEUE, type TaskJobData, taskJobOptions } from "./task-queue.js";
import { createTaskRunner } from "./task-runner.js";
import { createTenantLocks } from "./tenant-lock.js";
import { resolveWorkerOptions, type SyncWorkerOptions, type WorkerEvent } from "./worker-options.js";
import { firstLine } from "../engine/tenant-problem.js";
import { loadPg, loadPgBoss } from "../store/pg-modules.js";

/** A running (or stopped) sync worker. */
export interface SyncWorker {
  readonly id: string;
  /** Connects, creates the queue when missing, schedules new tenants and starts taking jobs. Safe to call twice. */
  start(): Promise<void>;
  /** Lets each running tenant commit its current page, hands it on, and disconnects. Safe to call twice. */
  stop(): Promise<void>;
  /** Settles when the worker has stopped. */
  readonly done: Promise<void>;
}

type Job = PgBoss.JobWithMetadata<SyncJobData>;

/**
 * Creates a worker (not started).
 *
 * @example
 * const budgetStore = createPostgresBudgetStore({ connectionString: url });
 * const partner = createPartnerClient({ ...options, budgetStore });
 * const store = await openStore({ url });
 * const worker = createSyncWorker({ url, store, partner, intervalMs: 5 * 60_000 });
 * await worker.start();
 * process.once("SIGTERM", () => void worker.stop());
 * await worker.done;
 */
export function createSyncWorker(options: SyncWorkerOptions): SyncWorker {
  const settings = resolveWorkerOptions(options);
  const { workerId, clock } = settings;
  const stopController = new AbortController();
  const engine = resolveSyncSettings({
    store: options.store,
    partner: options.partner,
    signal: stopController.signal,
    clock,
    ...(options.pageSize !== undefined ? { pageSize: options.pageSize } : {}),
    ...(options.overlapMs !== undefined ? { overlapMs: options.overlapMs } : {}),
    ...(options.machines !== undefined ? { machines: options.machines } : {}),
    ...(options.tvm !== undefined ? { tvm: options.tvm } : {}),
    ...(options.tvmIntervalMs !== undefined ? { tvmIntervalMs: options.tvmIntervalMs } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const pool = new (loadPg().Pool)({
    connectionString: settings.connectionString,
    // A lock connection per running tenant, plus transactions of finishing jobs and the scheduler.
    max: settings.concurrency * 2 + 2,
    application_name: `mde-partner-worker ${workerId}`.slice(0, 63),
  });
  // A connection broken by a server restart (idle, or checked out between queries) must not crash the
  // process: the query that needs it fails instead, and the pool replaces it.
  pool.on("error", () => {});
  pool.on("connect", (client) => client.on("error", () => {}));
  const boss = new (loadPgBoss())({
    connectionString: settings.connectionString,
    schema: settings.queueSchema,
    application_name: `mde-partner-queue ${workerId}`.slice(0, 63),
    max: 4,
    schedule: false,
    supervise: true,
    maintenanceIntervalSeconds: settings.maintenanceIntervalSec,
  });
  const locks = createTenantLocks(pool);
  const running = new Set<Promise<void>>();
  let wake: (() => void) | undefined;
  let started: Promise<void> | undefined;
  let stopped: Promise<void> | undefined;
  let scheduleTimer: NodeJS.Timeout | undefined;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });

  const emit = (event: WorkerEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // A listener's bug must not stop the worker.
    }
  };
  const report = (where: string, error: unknown) => emit({ type: "error", workerId, where, message: firstLine(error) });
  boss.on("error", (error) => report("queue", error));

  // Jobs whose response action only waits for the service: their slots count as free (up to maxWaiting).
  const waiting = new Set<string>();
  const runTask = createTaskRunner({
    store: options.store,
    partner: options.partner,
    boss,
    workerId,
    signal: stopController.signal,
    emit,
    report,
    onWaiting(jobId) {
      if (waiting.size >= settings.maxWaiting) return;
      waiting.add(jobId);
      wake?.();
    },
  });

  const schedule = async () => {
    try {
      const fixed = await reconcileBatches(pool, boss, options.store, settings.queueSchema, settings, clock.now());
      if (fixed.requeued + fixed.failed > 0) emit({ type: "reconciled", workerId, ...fixed });
    } catch (error) {
      report("reconcile", error);
    }
    try {
      const tenants = await options.store.listTenants({ states: SYNCABLE_STATES });
      const added = await scheduleMissing(
        pool,
        boss,
        settings.queueSchema,
        tenants.map((t) => t.id),
        settings,
      );
      if (added.length > 0) {
        emit({ type: "scheduled", workerId, tenantIds: added });
        wake?.();
      }
    } catch (error) {
      report("schedule", error);
    }
  };

  /** Completes the job and queues the tenant's next run, together; false when the lease had passed on. */
  const handOn = async (job: Job, data: SyncJobData, delayMs: number, output: object): Promise<boolean> =>
    inTransaction(pool, async (db) => {
      // pg-boss 10 answers { jobs, requested, affected } (its typings say void): 0 = the job is no longer ours.
      const r = (await boss.complete(SYNC_QUEUE, job.id, output, { db })) as unknown as { affected?: number } | undefined;
      if (r?.affected === 0) return false;
      await boss.send(SYNC_QUEUE, data, {
        ...jobOptions(settings),
        singletonKey: data.tenantId,
        ...(delayMs > 0 ? { startAfter: Math.max(1, Math.ceil(delayMs / 1000)) } : {}),
        db,
      });
      return true;
    });

  const finish = async (job: Job, tenantId: string, outcome: JobOutcome, result: TenantSyncResult | undefined) => {
    if (outcome.kind === "retry") {
      await boss.fail(SYNC_QUEUE, job.id, { reason: outcome.reason, ...(result?.error ? { code: result.error.code } : {}) });
      return { outcome: "retry" as const, reason: outcome.reason };
    }
    const parked = outcome.kind === "park";
    const data: SyncJobData = parked ? { tenantId, parkedReason: outcome.reason } : { tenantId };
    const output = parked ? { parked: outcome.reason, until: new Date(clock.now() + outcome.delayMs).toISOString() } : { note: outcome.note };
    const kept = await handOn(job, data, outcome.delayMs, { ...output, workerId, ...(result ? { status: result.status } : {}) });
    if (!kept) return { outcome: "lost" as const, reason: "the lease had passed to another worker" };
    if (parked) {
      const minutes = Math.round(outcome.delayMs / 60_000);
      const until = minutes >= 1 ? `${minutes} min` : `${Math.round(outcome.delayMs / 1000)} s`;
      const state = result?.state === "failed" ? "failed" : "degraded";
      await options.store.setTenantState(tenantId, state, `parked for ${until}: ${outcome.reason}`).catch((e) => report("park", e));
      return { outcome: "park" as const, reason: outcome.reason };
    }
    return { outcome: "next" as const, reason: outcome.note };
  };

  const runJob = async (job: Job) => {
    const startedAt = clock.now();
    const data = jobTenant(job.data);
    if (!data) {
      await boss.fail(SYNC_QUEUE, job.id, { reason: "not a sync job of this version" }).catch((e) => report("job", e));
      return;
    }
    const { tenantId } = data;
    emit({ type: "job-start", workerId, jobId: job.id, tenantId, attempt: job.retryCount + 1 });
    const finished = (outcome: Extract<WorkerEvent, { type: "job-done" }>["outcome"], extra: { reason?: string; result?: unknown } = {}) =>
      emit({ type: "job-done", workerId, jobId: job.id, tenantId, outcome, durationMs: clock.now() - startedAt, ...(extra as object) });
    let lock: Awaited<ReturnType<typeof locks.tryLock>>;
    try {
      lock = await locks.tryLock(tenantId);
    } catch (error) {
      // No database: the job stays active until its lease ends, then pg-boss retries it.
      report("lock", error);
      return;
    }
    if (!lock) {
      // Another worker still runs this tenant (its lease ran out while it worked): retry later.
      await boss.fail(SYNC_QUEUE, job.id, { reason: "tenant busy in another worker" }).catch((e) => report("job", e));
      finished("busy", { reason: "tenant busy in another worker" });
      return;
    }
    try {
      if (stopController.signal.aborted) {
        await handOn(job, { tenantId }, 0, { note: "worker stopping", workerId });
        finished("next", { reason: "worker stopping" });
        return;
      }
      const tenant = await options.store.getTenant(tenantId);
      if (!tenant || !SYNCABLE_STATES.includes(tenant.state)) {
        // Removed, or waiting for consent: the scheduler queues it again when it becomes syncable.
        await boss.complete(SYNC_QUEUE, job.id, { skipped: tenant ? `state ${tenant.state}` : "not in the store", workerId });
        finished("skipped", { reason: tenant ? `state ${tenant.state}` : "not in the store" });
        return;
      }
      const result = await syncTenant(engine, tenant);
      const outcome = decideOutcome(result, job, settings);
      const r = await finish(job, tenantId, outcome, result);
      finished(r.outcome, { reason: r.reason, result });
    } catch (error) {
      // Our database failed under the run: hand the job back for a retry (or, with no database, let the lease end).
      report("job", error);
      await boss.fail(SYNC_QUEUE, job.id, { reason: firstLine(error) }).catch(() => {});
      finished("retry", { reason: firstLine(error) });
    } finally {
      await lock.release();
    }
  };

  const idle = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(finishWait, ms);
      function finishWait() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = finishWait;
    });

  const loop = async () => {
    while (!stopController.signal.aborted) {
      const free = settings.concurrency - (running.size - waiting.size);
      if (free <= 0) {
        await Promise.race([...running, idle(settings.pollMs)]);
        continue;
      }
      // Hunts and response actions first: someone is waiting for them; syncs take the slots left.
      let tasks: Array<PgBoss.JobWithMetadata<TaskJobData>> = [];
      let jobs: Job[] = [];
      try {
        tasks = await boss.fetch<TaskJobData>(TASK_QUEUE, { batchSize: free, includeMetadata: true });
        if (free > tasks.length) jobs = await boss.fetch<SyncJobData>(SYNC_QUEUE, { batchSize: free - tasks.length, includeMetadata: true });
      } catch (error) {
        report("fetch", error);
      }
      const track = (p: Promise<void>, jobId: string) => {
        const tracked: Promise<void> = p
          .catch((error) => report("job", error))
          .finally(() => {
            running.delete(tracked);
            waiting.delete(jobId);
            wake?.();
          });
        running.add(tracked);
      };
      for (const task of tasks) track(runTask(task), task.id);
      for (const job of jobs) track(runJob(job), job.id);
      if (jobs.length + tasks.length === 0) await idle(settings.pollMs);
    }
    await Promise.allSettled([...running]);
  };

  let looping: Promise<void> | undefined;
  return {
    id: workerId,
    start() {
      started ??= (async () => {
        await boss.start();
        await createQueues(boss, pool, [
          { name: SYNC_QUEUE, options: jobOptions(settings) },
          { name: TASK_QUEUE, options: taskJobOptions(settings) },
        ]);
        await schedule();
        scheduleTimer = setInterval(() => void schedule(), settings.scheduleEveryMs);
        looping = loop();
        emit({ type: "started", workerId });
      })();
      return started;
    },
    stop() {
      stopped ??= (async () => {
        stopController.abort();
        if (scheduleTimer) clearInterval(scheduleTimer);
        wake?.();
        await started?.catch(() => {});
        await looping;
        await boss.stop({ graceful: false, close: true, wait: true }).catch((e) => report("stop", e));
        await pool.end().catch(() => {});
        emit({ type: "stopped", workerId });
        resolveDone();
      })();
      return stopped;
    },
    done,
  };
}
