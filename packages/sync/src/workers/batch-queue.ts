/**
 * Submitting work to the distributed workers: a hunt over many tenants, or a
 * response action on many machines, recorded as a batch in the store and
 * queued as one pg-boss job per item. Any worker on the database runs the
 * items (task-runner.ts); `waitForBatch` follows the batch to its end and
 * `readHuntBatch` merges a hunt's rows as `huntAcrossTenants` would.
 *
 * The batch is recorded before its jobs are queued; if the submitter dies in
 * between, the workers' reconciler queues the missing jobs a minute later
 * (reconcile-batches.ts), so a recorded batch always runs.
 */
import { checkResponseActionRequest } from "../engine/response-actions.js";
import { mergeHuntParts, type TenantRows } from "../engine/hunt.js";
import type { HuntResult, ResponseActionOutcome } from "../engine/types.js";
import type { BatchRecord, Store } from "../store/index.js";
import { parseStoreUrl } from "../store/index.js";
import { loadPg, loadPgBoss } from "../store/pg-modules.js";
import { createQueues } from "./sync-queue.js";
import type { BaselineBatchRequest, HuntBatchRequest, ResponseActionBatchRequest } from "./task-runner.js";
import { DEFAULT_TASK_SETTINGS, TASK_QUEUE, type TaskJobSettings, taskJobOptions, taskJobs, taskLeaseFor } from "./task-queue.js";
import { resolveQueueSchema } from "./worker-options.js";

export interface BatchQueueOptions {
  /** `postgres://…` of the workers' database (as their `--db`). */
  url: string;
  /** The store on that database (opened and closed by the caller). */
  store: Store;
  /** pg-boss schema; default as the workers' (`<store schema>_jobs` or `pgboss`). */
  queueSchema?: string;
  /** Lease and retries of the jobs (defaults as the workers'). */
  taskSettings?: Partial<TaskJobSettings>;
}

export interface HuntSubmission {
  /** Who asks (recorded with the batch). */
  actor: string;
  query: string;
  tenantIds: readonly string[];
  backend?: "graph" | "legacy";
}

export interface ResponseActionSubmission extends ResponseActionBatchRequest {
  /** Who asks (recorded with the batch and in the audit log). */
  actor: string;
  targets: ReadonlyArray<{ tenantId: string; machineId: string }>;
}

/** What `submitBaselineApply` takes. */
export interface BaselineApplySubmission {
  actor: string;
  /** The store's apply run (`startBaselineRun`) the jobs record their progress in. */
  runId: string;
  /** The baseline's decoded document as written; each job validates it again. */
  document: unknown;
  tenantIds: readonly string[];
}

export interface BatchQueue {
  submitHunt(submission: HuntSubmission): Promise<BatchRecord>;
  submitResponseActions(submission: ResponseActionSubmission): Promise<BatchRecord>;
  /** A baseline apply as one job per tenant (the run is the store's: `startBaselineRun`). */
  submitBaselineApply(submission: BaselineApplySubmission): Promise<BatchRecord>;
  close(): Promise<void>;
}

/**
 * @example
 * const queue = openBatchQueue({ url, store });
 * const batch = await queue.submitHunt({ actor: "cli:alice", query: "DeviceInfo | take 5", tenantIds });
 * await waitForBatch(store, batch.id);
 * const result = await readHuntBatch(store, batch.id);
 * await queue.close();
 */
export function openBatchQueue(options: BatchQueueOptions): BatchQueue {
  if (!options?.store || options.store.dialect !== "postgres") throw new TypeError("batches run on the workers' PostgreSQL store");
  const queueSchema = resolveQueueSchema(options.url, options.queueSchema);
  const location = parseStoreUrl(options.url);
  if (location.dialect !== "postgres") throw new TypeError("batches run on the workers' PostgreSQL store: url must be postgres://…");
  const { connectionString } = location;
  const settings: TaskJobSettings = { ...DEFAULT_TASK_SETTINGS, ...options.taskSettings };
  const pool = new (loadPg().Pool)({ connectionString, max: 2, application_name: "mde-partner-submit" });
  pool.on("error", () => {});
  const boss = new (loadPgBoss())({ connectionString, schema: queueSchema, max: 2, schedule: false, supervise: false, application_name: "mde-partner-submit" });
  boss.on("error", () => {});
  let ready: Promise<void> | undefined;
  const start = () =>
    (ready ??= (async () => {
      await boss.start();
      // Only the queue it sends to: the sync queue is the workers' (and its settings theirs).
      await createQueues(boss, pool, [{ name: TASK_QUEUE, options: taskJobOptions(settings) }]);
    })());

  async function submit(kind: BatchRecord["kind"], actor: string, request: Record<string, unknown>, items: Array<{ tenantId: string; machineId?: string }>) {
    await start();
    const { batch, items: recorded } = await options.store.createBatch({ kind, actor, request, items });
    await boss.insert(
      taskJobs(
        batch.id,
        recorded.map((i) => i.key),
        settings,
        taskLeaseFor(request, settings),
      ),
    );
    return batch;
  }

  return {
    async submitHunt(s) {
      if (!s || typeof s.query !== "string" || s.query.trim() === "") throw new TypeError("hunt needs a non-empty query");
      if (!Array.isArray(s.tenantIds) || s.tenantIds.length === 0) throw new TypeError("hunt needs at least one tenant");
      if (s.backend !== undefined && s.backend !== "graph" && s.backend !== "legacy") throw new TypeError("backend must be graph or legacy");
      const request: HuntBatchRequest = { query: s.query, ...(s.backend ? { backend: s.backend } : {}) };
      return submit("hunt", s.actor, { ...request }, s.tenantIds.map((tenantId) => ({ tenantId })));
    },
    async submitResponseActions(s) {
      if (!s || !Array.isArray(s.targets) || s.targets.length === 0) throw new TypeError("a response action needs at least one machine");
      for (const t of s.targets) checkResponseActionRequest({ ...s, tenantId: t.tenantId, machineId: t.machineId });
      const request: ResponseActionBatchRequest = { action: s.action, comment: s.comment };
      for (const k of ["isolationType", "scanType", "sha1", "tag", "waitTimeoutMs", "pollIntervalMs"] as const)
        if (s[k] !== undefined) (request as unknown as Record<string, unknown>)[k] = s[k];
      if (s.wait) request.wait = true;
      return submit("response-action", s.actor, { ...request }, s.targets.map((t) => ({ tenantId: t.tenantId, machineId: t.machineId })));
    },
    async submitBaselineApply(s) {
      if (!s || typeof s.runId !== "string" || s.runId === "") throw new TypeError("a baseline apply needs its run id");
      if (!Array.isArray(s.tenantIds) || s.tenantIds.length === 0) throw new TypeError("a baseline apply needs at least one tenant");
      const request: BaselineBatchRequest = { runId: s.runId, document: s.document };
      return submit("baseline", s.actor, { ...request }, s.tenantIds.map((tenantId) => ({ tenantId })));
    },
    async close() {
      await ready?.catch(() => {});
      await boss.stop({ graceful: false, close: true, wait: true }).catch(() => {});
      await pool.end().catch(() => {});
    },
  };
}

export interface WaitForBatchOptions {
  signal?: AbortSignal;
  /** How often the store is read (default 500 ms). */
  pollMs?: number;
  /** Called whenever the counts change. */
  onProgress?: (batch: BatchRecord) => void;
}

/** Resolves with the batch once every item is final; rejects on abort (the batch carries on). */
export async function waitForBatch(store: Store, id: string, options: WaitForBatchOptions = {}): Promise<BatchRecord> {
  const pollMs = options.pollMs ?? 500;
  let last = "";
  for (;;) {
    options.signal?.throwIfAborted();
    const batch = await store.getBatch(id);
    if (!batch) throw new TypeError(`no batch ${id}`);
    const seen = JSON.stringify(batch.counts);
    if (seen !== last) {
      last = seen;
      options.onProgress?.(batch);
    }
    if (batch.state === "done") return batch;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(done, pollMs);
      function done() {
        options.signal?.removeEventListener("abort", aborted);
        resolve();
      }
      function aborted() {
        clearTimeout(timer);
        reject(options.signal?.reason);
      }
      options.signal?.addEventListener("abort", aborted, { once: true });
    });
  }
}

/** A hunt batch's rows and per-tenant errors, merged as `huntAcrossTenants` merges them; unfinished tenants are errors. */
export async function readHuntBatch(store: Store, id: string): Promise<HuntResult> {
  const batch = await store.getBatch(id);
  if (!batch || batch.kind !== "hunt") throw new TypeError(`no hunt batch ${id}`);
  const parts: TenantRows[] = [];
  for (const item of await store.listBatchItems(id)) {
    const r = (item.result ?? {}) as { schema?: TenantRows["schema"]; rows?: TenantRows["rows"]; durationMs?: number; tenantName?: string };
    const named = r.tenantName !== undefined ? { tenantName: r.tenantName } : {};
    const error =
      item.error ??
      (item.state === "done" || item.state === "failed" ? null : { code: "ERR_BATCH_UNFINISHED", message: `still ${item.state} (attempt ${item.attempts})` });
    parts.push({
      outcome: { tenantId: item.tenantId, ...named, rows: r.rows?.length ?? 0, durationMs: r.durationMs ?? 0, ...(error ? { error } : {}) },
      schema: r.schema ?? [],
      rows: r.rows ?? [],
    });
  }
  return mergeHuntParts(parts);
}

/** A response-action batch's outcomes, one per machine; unfinished items have none yet. */
export async function readResponseActionBatch(
  store: Store,
  id: string,
): Promise<Array<{ tenantId: string; machineId: string; state: string; outcome: ResponseActionOutcome | null; error: { code: string; message: string } | null }>> {
  const batch = await store.getBatch(id);
  if (!batch || batch.kind !== "response-action") throw new TypeError(`no response-action batch ${id}`);
  return (await store.listBatchItems(id)).map((item) => ({
    tenantId: item.tenantId,
    machineId: item.machineId ?? "",
    state: item.state,
    outcome: (item.result as ResponseActionOutcome | null) ?? null,
    error: item.error,
  }));
}
