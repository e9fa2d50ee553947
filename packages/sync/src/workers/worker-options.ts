/**
 * Options of a sync worker, checked once (STYLE.md habit 3), and the events it
 * reports.
 */
import { hostname } from "node:os";
import type { Clock, PartnerClient, PartnerTenant } from "@mde-partner/client";
import type { SyncProgressEvent, TenantSyncResult } from "../engine/types.js";
import type { Store } from "../store/index.js";
import { parseStoreUrl } from "../store/index.js";
import type { SyncJobSettings } from "./sync-queue.js";
import { DEFAULT_TASK_SETTINGS, type TaskJobSettings } from "./task-queue.js";

/** Options of {@link createSyncWorker}. */
export interface SyncWorkerOptions {
  /** `postgres://…` of the shared database (an optional `?schema=` names the store's schema). */
  url: string;
  /** The store on that database (opened by the caller, closed by the caller). */
  store: Store;
  /** The partner client; give it a shared budget store (`createPostgresBudgetStore`) so workers share the app+tenant budgets. */
  partner: PartnerClient<PartnerTenant>;
  /** How often each tenant is synced. */
  intervalMs: number;
  /** Tenants (and hunt or response-action items) this worker runs at once (default 4). */
  concurrency?: number;
  /** Response actions this worker may follow to their end beyond `concurrency` (default 16 × concurrency): waiting is polling, not work. */
  maxWaiting?: number;
  /** Schema of pg-boss's tables (default `<store schema>_jobs`, or `pgboss` without a store schema). */
  queueSchema?: string;
  /** Lease of a running job, seconds: a killed worker's tenant is taken over after it (default 900). */
  leaseSec?: number;
  /** Retries of a failing tenant before it is parked (default 5). */
  retryLimit?: number;
  /** First retry delay, seconds; doubled per retry by pg-boss (default 5). */
  retryDelaySec?: number;
  /** How long a parked tenant waits before it is tried again (default 1 h). */
  parkMs?: number;
  /** Lease of a running hunt or response action, seconds (default 600). */
  taskLeaseSec?: number;
  /** Retries of a hunt or response action after a transient failure (default 3). */
  taskRetryLimit?: number;
  /** First retry delay of a task, seconds (default 5). */
  taskRetryDelaySec?: number;
  /** How old a batch must be before the reconciler re-queues its lost items, ms (default 60 s). */
  reconcileAfterMs?: number;
  /** How often an idle worker asks for due jobs (default 1 s; pg-boss's minimum is 0.5 s). */
  pollMs?: number;
  /** How often pg-boss's maintenance (lease expiry) runs, seconds (default 30). */
  maintenanceIntervalSec?: number;
  /** How often tenants without a job (new ones) are scheduled (default: the interval, at most 1 min). */
  scheduleEveryMs?: number;
  /** Name of this worker in events and logs (default host-pid). */
  workerId?: string;
  /** Engine settings of each tenant's run. */
  pageSize?: number;
  overlapMs?: number;
  machines?: boolean;
  /** Take each tenant's TVM snapshot when due (default true), every `tvmIntervalMs` (default 6 h). */
  tvm?: boolean;
  tvmIntervalMs?: number;
  clock?: Clock;
  onEvent?: (event: WorkerEvent) => void;
  /** Page-level progress of the runs (as `syncOnce`'s). */
  onProgress?: (event: SyncProgressEvent) => void;
}

/** What a worker reports. */
export type WorkerEvent =
  | { type: "started"; workerId: string }
  | { type: "scheduled"; workerId: string; tenantIds: string[] }
  | { type: "job-start"; workerId: string; jobId: string; tenantId: string; attempt: number }
  | {
      type: "job-done";
      workerId: string;
      jobId: string;
      tenantId: string;
      /** next: next run queued; retry: pg-boss retries; park: parked; busy: another worker holds the tenant; lost: the lease had passed to another worker; skipped: tenant not syncable. */
      outcome: "next" | "retry" | "park" | "busy" | "lost" | "skipped";
      reason?: string;
      result?: TenantSyncResult;
      durationMs: number;
    }
  | { type: "task-start"; workerId: string; jobId: string; batchId: string; key: string; kind: string; attempt: number }
  /** A response action was sent and the task now only polls its status: its slot is free for other work. */
  | { type: "task-waiting"; workerId: string; jobId: string; batchId: string; key: string }
  | {
      type: "task-done";
      workerId: string;
      jobId: string;
      batchId: string;
      key: string;
      kind?: string;
      /** done/failed: the item's result is in the store; retry: pg-boss retries it; skipped: already final, or its batch is gone. */
      outcome: "done" | "failed" | "retry" | "skipped";
      reason?: string;
      durationMs: number;
    }
  | { type: "reconciled"; workerId: string; requeued: number; failed: number }
  | { type: "error"; workerId: string; where: string; message: string }
  | { type: "stopped"; workerId: string };

export interface ResolvedWorkerOptions extends SyncJobSettings, TaskJobSettings {
  readonly reconcileAfterMs: number;
  readonly maxWaiting: number;
  readonly connectionString: string;
  readonly storeSchema: string | undefined;
  readonly queueSchema: string;
  readonly intervalMs: number;
  readonly concurrency: number;
  readonly parkMs: number;
  readonly pollMs: number;
  readonly maintenanceIntervalSec: number;
  readonly scheduleEveryMs: number;
  readonly workerId: string;
  readonly clock: Clock;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The pg-boss schema beside a store: `<store schema>_jobs`, or `pgboss` without a store schema. */
export function resolveQueueSchema(url: string, queueSchema?: string): string {
  const location = parseStoreUrl(url);
  if (location.dialect !== "postgres") throw new TypeError("workers coordinate through PostgreSQL: url must be postgres://…");
  const name = queueSchema ?? (location.schema ? `${location.schema}_jobs` : "pgboss");
  if (!SCHEMA_NAME.test(name)) throw new TypeError(`invalid queue schema name ${JSON.stringify(name)}`);
  return name;
}

function positive(value: number | undefined, what: string, fallback: number, { integer = false, min = 0 } = {}): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= min || (integer && !Number.isInteger(value)))
    throw new TypeError(`${what} must be a ${integer ? "whole " : ""}number above ${min}`);
  return value;
}

function retryCount(value: number | undefined, what: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) throw new TypeError(`${what} must be a whole number ≥ 0`);
  return value;
}

export function resolveWorkerOptions(options: SyncWorkerOptions): ResolvedWorkerOptions {
  if (!options || typeof options !== "object") throw new TypeError("createSyncWorker needs an options object");
  if (!options.store || !options.partner) throw new TypeError("a worker needs a store and a partner client");
  const location = parseStoreUrl(options.url);
  if (location.dialect !== "postgres") throw new TypeError("workers coordinate through PostgreSQL: url must be postgres://…");
  if (options.store.dialect !== "postgres") throw new TypeError("the worker's store must be the PostgreSQL store of url");
  const storeSchema = location.schema;
  const queueSchema = resolveQueueSchema(options.url, options.queueSchema);
  const intervalMs = positive(options.intervalMs, "intervalMs", Number.NaN);
  if (Number.isNaN(intervalMs)) throw new TypeError("intervalMs is required");
  const retryLimit = retryCount(options.retryLimit, "retryLimit", 5);
  const pollMs = positive(options.pollMs, "pollMs", 1000);
  if (pollMs < 500) throw new TypeError("pollMs must be at least 500");
  return Object.freeze({
    connectionString: location.connectionString,
    storeSchema,
    queueSchema,
    intervalMs,
    concurrency: positive(options.concurrency, "concurrency", 4, { integer: true }),
    maxWaiting: retryCount(options.maxWaiting, "maxWaiting", 16 * (options.concurrency ?? 4)),
    leaseSec: positive(options.leaseSec, "leaseSec", 900, { integer: true }),
    retryLimit,
    retryDelaySec: positive(options.retryDelaySec, "retryDelaySec", 5, { integer: true }),
    taskLeaseSec: positive(options.taskLeaseSec, "taskLeaseSec", DEFAULT_TASK_SETTINGS.taskLeaseSec, { integer: true }),
    taskRetryLimit: retryCount(options.taskRetryLimit, "taskRetryLimit", DEFAULT_TASK_SETTINGS.taskRetryLimit),
    taskRetryDelaySec: positive(options.taskRetryDelaySec, "taskRetryDelaySec", DEFAULT_TASK_SETTINGS.taskRetryDelaySec, { integer: true }),
    reconcileAfterMs: positive(options.reconcileAfterMs, "reconcileAfterMs", 60_000),
    parkMs: positive(options.parkMs, "parkMs", 3_600_000),
    pollMs,
    maintenanceIntervalSec: positive(options.maintenanceIntervalSec, "maintenanceIntervalSec", 30, { integer: true }),
    scheduleEveryMs: positive(options.scheduleEveryMs, "scheduleEveryMs", Math.min(intervalMs, 60_000)),
    workerId: options.workerId ?? `${hostname()}-${process.pid}`,
    clock: options.clock ?? { now: () => Date.now() },
  });
}
