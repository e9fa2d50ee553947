/**
 * The task queue in pg-boss: hunts and bulk response actions, one job per
 * batch item (a tenant of a hunt, a machine of a response action). Unlike
 * sync jobs, a task runs once: its result goes to the batch in the store
 * (store/batches.ts), where whoever submitted it reads it back.
 *
 * Jobs carry only the batch id and the item key; what to run is the batch's
 * request in the store, so a job never holds more than it needs.
 */
import { isGuid } from "@mde-partner/client";
import type PgBoss from "pg-boss";

/** Name of the task queue. */
export const TASK_QUEUE = "mde-partner.task";

/** What a task job carries. */
export interface TaskJobData {
  batchId: string;
  /** The item's key in the batch: a tenant id, or `tenantId/machineId`. */
  key: string;
}

/** pg-boss settings of task jobs. */
export interface TaskJobSettings {
  /** Lease of a running task, seconds (default 600; a waited-for response action gets its wait time on top). */
  readonly taskLeaseSec: number;
  /** Retries of a task after a transient failure (default 3). */
  readonly taskRetryLimit: number;
  /** First retry delay, seconds, doubled per retry (default 5). */
  readonly taskRetryDelaySec: number;
}

export const DEFAULT_TASK_SETTINGS: TaskJobSettings = Object.freeze({ taskLeaseSec: 600, taskRetryLimit: 3, taskRetryDelaySec: 5 });

export function taskJobOptions(settings: TaskJobSettings, leaseSec = settings.taskLeaseSec): PgBoss.SendOptions {
  return {
    expireInSeconds: leaseSec,
    retryLimit: settings.taskRetryLimit,
    retryDelay: settings.taskRetryDelaySec,
    retryBackoff: true,
  };
}

/** The job's singleton key: one live job per batch item. */
export function taskKey(data: TaskJobData): string {
  return `${data.batchId}:${data.key}`;
}

/** One job per item, ready for `boss.insert`. */
export function taskJobs(batchId: string, keys: readonly string[], settings: TaskJobSettings, leaseSec?: number): PgBoss.JobInsert[] {
  const options = taskJobOptions(settings, leaseSec);
  return keys.map((key) => ({
    name: TASK_QUEUE,
    data: { batchId, key },
    singletonKey: taskKey({ batchId, key }),
    retryLimit: options.retryLimit!,
    retryDelay: options.retryDelay!,
    retryBackoff: true,
    expireInSeconds: options.expireInSeconds!,
  }));
}

/** The job's batch and item, or undefined for a job this version does not understand. */
export function taskJobData(data: unknown): TaskJobData | undefined {
  const d = data as Partial<TaskJobData> | null;
  if (!d || typeof d.batchId !== "string" || !isGuid(d.batchId) || typeof d.key !== "string" || d.key === "") return undefined;
  return { batchId: d.batchId, key: d.key };
}

/**
 * The lease of a batch's jobs: a waited-for response action gets its wait time
 * on top. (A lease that runs out early is harmless, only wasteful: the next
 * worker adopts the action and waits too; the item is finished once.)
 */
export function taskLeaseFor(request: { wait?: unknown; waitTimeoutMs?: unknown }, settings: TaskJobSettings): number {
  if (request.wait !== true) return settings.taskLeaseSec;
  const waitMs = typeof request.waitTimeoutMs === "number" ? request.waitTimeoutMs : 10 * 60_000;
  return settings.taskLeaseSec + Math.ceil(waitMs / 1000);
}
