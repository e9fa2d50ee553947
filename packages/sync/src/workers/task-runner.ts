/**
 * What a worker does with a task job (task-queue.ts): take the batch item in
 * the store, run it — the hunt in one tenant, or the response action on one
 * machine — and record its result, or hand the job back to pg-boss for a
 * retry when the failure may pass.
 *
 * Exactly-once where it matters: the item is finished in the store before the
 * job is completed, and a job whose item is already final is only completed.
 * A response action is never sent twice for one item: a retry (after a dead
 * worker or a stop while waiting) first looks for the action its first
 * attempt created (`adoptSince`) and continues with that one.
 */
import type PgBoss from "pg-boss";
import { FINAL_MACHINE_ACTION_STATUSES, type PartnerClient, type PartnerTenant } from "@mde-partner/client";
import { parseBaseline } from "../engine/baseline/model.js";
import { applyBaselineToTenant } from "../engine/baseline/run.js";
import { huntTenant } from "../engine/hunt.js";
import { runResponseAction } from "../engine/response-actions.js";
import type { ResponseActionOutcome, ResponseActionRequest } from "../engine/types.js";
import type { BatchItemRecord, BatchRecord, Store } from "../store/index.js";
import { isTransientCode } from "./job-outcome.js";
import { TASK_QUEUE, type TaskJobData, taskJobData } from "./task-queue.js";
import type { WorkerEvent } from "./worker-options.js";
import { firstLine } from "../engine/tenant-problem.js";

type Job = PgBoss.JobWithMetadata<TaskJobData>;
type TaskDone = Extract<WorkerEvent, { type: "task-done" }>;

/** The request of a hunt batch (`submitHunt`). */
export interface HuntBatchRequest {
  query: string;
  backend?: "graph" | "legacy";
}

/** The request of a response-action batch (`submitResponseActions`): what each machine's action needs, less who and where. */
export type ResponseActionBatchRequest = Pick<
  ResponseActionRequest,
  "action" | "comment" | "isolationType" | "scanType" | "sha1" | "tag" | "wait" | "waitTimeoutMs" | "pollIntervalMs"
>;

/** The request of a baseline batch (`submitBaselineApply`): the store's run and the document as written. */
export interface BaselineBatchRequest {
  runId: string;
  document: unknown;
}

/** What a finished item gives back: done/failed with a result, or "try again". */
type ItemEnd =
  | { kind: "finish"; state: "done" | "failed"; result: unknown; error: { code: string; message: string } | null }
  | { kind: "retry"; reason: string };

export interface TaskRunnerDeps {
  store: Store;
  partner: PartnerClient<PartnerTenant>;
  boss: PgBoss;
  workerId: string;
  /** The worker's stop signal: a hunt or a wait in progress ends and its job goes back for another worker. */
  signal: AbortSignal;
  emit(event: WorkerEvent): void;
  report(where: string, error: unknown): void;
  /**
   * A response action now only waits for the service (polling): the worker may
   * count its slot as free while it waits (the job stays this worker's).
   */
  onWaiting?(jobId: string): void;
}

export function createTaskRunner(deps: TaskRunnerDeps) {
  const { store, partner, boss, workerId, signal, emit, report } = deps;
  // Batch requests never change: keep the few recent ones instead of reading each per item.
  const batches = new Map<string, BatchRecord>();
  const batchOf = async (id: string): Promise<BatchRecord | null> => {
    const known = batches.get(id);
    if (known) return known;
    const batch = await store.getBatch(id);
    if (batch) {
      if (batches.size >= 64) batches.delete(batches.keys().next().value!);
      batches.set(id, batch);
    }
    return batch;
  };

  const lastAttempt = (job: Job) => job.retryCount >= job.retryLimit;

  async function runHunt(job: Job, batch: BatchRecord, item: BatchItemRecord): Promise<ItemEnd> {
    const request = batch.request as unknown as HuntBatchRequest;
    const tenant = await store.getTenant(item.tenantId);
    const part = await huntTenant(
      { partner, query: request.query, ...(request.backend ? { backend: request.backend } : {}), signal },
      item.tenantId,
      tenant ? { name: tenant.name, region: tenant.region } : undefined,
    );
    const error = part.outcome.error ?? null;
    if (error && signal.aborted) return { kind: "retry", reason: "worker stopping" };
    if (error && isTransientCode(error.code) && !lastAttempt(job)) return { kind: "retry", reason: `${error.code}: ${error.message}` };
    return {
      kind: "finish",
      state: error ? "failed" : "done",
      result: { schema: part.schema, rows: part.rows, durationMs: part.outcome.durationMs, ...(tenant ? { tenantName: tenant.name } : {}) },
      error,
    };
  }

  async function runAction(job: Job, batch: BatchRecord, item: BatchItemRecord): Promise<ItemEnd> {
    const r = batch.request as unknown as ResponseActionBatchRequest;
    const outcome: ResponseActionOutcome = await runResponseAction({
      store,
      partner,
      actor: batch.actor,
      tenantId: item.tenantId,
      machineId: item.machineId ?? "",
      action: r.action,
      comment: r.comment,
      ...(r.isolationType !== undefined ? { isolationType: r.isolationType } : {}),
      ...(r.scanType !== undefined ? { scanType: r.scanType } : {}),
      ...(r.sha1 !== undefined ? { sha1: r.sha1 } : {}),
      ...(r.tag !== undefined ? { tag: r.tag } : {}),
      ...(r.wait ? { wait: true } : {}),
      ...(r.waitTimeoutMs !== undefined ? { waitTimeoutMs: r.waitTimeoutMs } : {}),
      ...(r.pollIntervalMs !== undefined ? { pollIntervalMs: r.pollIntervalMs } : {}),
      // A second attempt: the first may have created the action before its worker died.
      ...(item.attempts > 0 && item.startedAt ? { adoptSince: item.startedAt } : {}),
      ...(r.wait
        ? {
            onAction: (a: { status: string }) => {
              if (!FINAL_MACHINE_ACTION_STATUSES.includes(a.status)) {
                emit({ type: "task-waiting", workerId, jobId: job.id, batchId: item.batchId, key: item.key });
                deps.onWaiting?.(job.id);
              }
            },
          }
        : {}),
      signal,
    });
    const code = outcome.error?.code;
    if (code !== undefined && signal.aborted) return { kind: "retry", reason: "worker stopping" };
    // Sent, or not sent for a reason that may pass: the next attempt adopts what this one created.
    if (outcome.result === "failed" && code !== undefined && isTransientCode(code) && !lastAttempt(job))
      return { kind: "retry", reason: `${code}: ${outcome.error?.message ?? ""}` };
    return { kind: "finish", state: outcome.result === "failed" ? "failed" : "done", result: outcome, error: outcome.error ?? null };
  }

  async function runBaseline(job: Job, batch: BatchRecord, item: BatchItemRecord): Promise<ItemEnd> {
    const r = batch.request as unknown as BaselineBatchRequest;
    // Validated when submitted; `now` 0: an expiry that has passed since then is the service's to judge.
    const baseline = parseBaseline(r.document, 0);
    const tenant = await store.getTenant(item.tenantId);
    if (!tenant) return { kind: "finish", state: "failed", result: null, error: { code: "ERR_STORE_TENANT_UNKNOWN", message: `tenant ${item.tenantId} is not in the store` } };
    // A retry after a lost worker re-reads the tenant and plans again: nothing is created twice.
    const outcome = await applyBaselineToTenant({ store, partner, actor: batch.actor, signal }, baseline, tenant, r.runId);
    const error = outcome.status === "failed" ? outcome.error : null;
    if (error && signal.aborted) return { kind: "retry", reason: "worker stopping" };
    if (error && isTransientCode(error.code) && !lastAttempt(job)) return { kind: "retry", reason: `${error.code}: ${error.message}` };
    return { kind: "finish", state: error ? "failed" : "done", result: outcome, error };
  }

  /** Runs one task job to its end (finished, handed back, or skipped); never rejects. */
  return async function runTask(job: Job): Promise<void> {
    const started = Date.now();
    const data = taskJobData(job.data);
    if (!data) {
      await boss.fail(TASK_QUEUE, job.id, { reason: "not a task job of this version" }).catch((e) => report("task", e));
      return;
    }
    const done = (outcome: TaskDone["outcome"], extra: { kind?: string; reason?: string } = {}) =>
      emit({ type: "task-done", workerId, jobId: job.id, batchId: data.batchId, key: data.key, outcome, durationMs: Date.now() - started, ...extra });
    try {
      const item = await store.claimBatchItem(data.batchId, data.key, workerId);
      const batch = item ? await batchOf(data.batchId) : null;
      if (!item || !batch || item.state === "done" || item.state === "failed") {
        // Finished by an earlier attempt whose job was not completed, or a batch that is gone.
        await boss.complete(TASK_QUEUE, job.id, { skipped: item ? `item ${item.state}` : "not in the store", workerId });
        done("skipped", { reason: item ? `already ${item.state}` : "not in the store" });
        return;
      }
      emit({ type: "task-start", workerId, jobId: job.id, batchId: data.batchId, key: data.key, kind: batch.kind, attempt: job.retryCount + 1 });
      const end =
        batch.kind === "hunt" ? await runHunt(job, batch, item) : batch.kind === "baseline" ? await runBaseline(job, batch, item) : await runAction(job, batch, item);
      if (end.kind === "retry") {
        await boss.fail(TASK_QUEUE, job.id, { reason: end.reason, workerId });
        done("retry", { kind: batch.kind, reason: end.reason });
        return;
      }
      await store.finishBatchItem(data.batchId, data.key, { state: end.state, result: end.result, error: end.error });
      await boss.complete(TASK_QUEUE, job.id, { state: end.state, workerId });
      done(end.state, { kind: batch.kind, ...(end.error ? { reason: `${end.error.code}: ${end.error.message}` } : {}) });
    } catch (error) {
      // Our database failed under the task: hand it back (with no database, its lease ends and pg-boss retries it).
      report("task", error);
      await boss.fail(TASK_QUEUE, job.id, { reason: firstLine(error), workerId }).catch(() => {});
      done("retry", { reason: firstLine(error) });
    }
  };
}
