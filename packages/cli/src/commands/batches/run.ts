/**
 * Work for the distributed workers (`mde-partner worker`): `hunt --workers`
 * and `machines <action> --workers` submit a batch (one job per tenant or
 * machine) instead of running it here, then follow it; `batches list|show|wait`
 * read batches back from the store. The store must be the workers'
 * PostgreSQL database.
 */
import { isGuid } from "@mde-partner/client";
import {
  type BatchRecord,
  openBatchQueue,
  parseStoreUrl,
  readHuntBatch,
  readResponseActionBatch,
  type ResponseActionOutcome,
  type Store,
  waitForBatch,
} from "@mde-partner/sync";
import { auditedWrite } from "../../cli-audit.js";
import { loadConfig } from "../../config.js";
import type { CommandContext } from "../../context.js";
import { EXIT, parseCount, toCliError, usageError } from "../../errors.js";
import { createOutput, type Output, type OutputFlags } from "../../output/output.js";
import { parseSince } from "../../odata-options.js";
import { openCliStore } from "../../partner.js";
import { resolveStoreUrl } from "../../store-password.js";
import { untilStopped } from "../../signals.js";
import { printActionOutcomes, printHuntResult } from "../results-output.js";

/** The workers' store URL (`--db` or the configured one), checked to be PostgreSQL. */
export function workersStoreUrl(db: string | undefined, configured: string, env: NodeJS.ProcessEnv = process.env): string {
  // Resolved here: the batch queue connects with this URL too, not only the store.
  const url = resolveStoreUrl(db ?? configured, env);
  let dialect: string;
  try {
    dialect = parseStoreUrl(url).dialect;
  } catch (error) {
    throw usageError(`bad store URL: ${(error as Error).message}`, "use --db postgres://user@host/db");
  }
  if (dialect !== "postgres")
    throw usageError(
      "--workers needs the workers' PostgreSQL store",
      "pass --db postgres://user@host/db (the URL the workers run with), or leave out --workers to run it here",
    );
  return url;
}

export interface FollowOptions {
  /** Submit and return the batch id without following it. */
  detach?: boolean;
}

/**
 * Follows a batch to its end, with progress notes; Ctrl+C stops following
 * (the batch carries on). Returns the finished batch, or undefined when the
 * user stopped following.
 */
async function follow(store: Store, batch: BatchRecord, out: Output): Promise<BatchRecord | undefined> {
  const stop = new AbortController();
  const stopped = untilStopped(stop.signal);
  try {
    return await Promise.race([
      waitForBatch(store, batch.id, {
        signal: stop.signal,
        onProgress: (b) => {
          if (out.interactive && b.counts.done + b.counts.failed > 0 && b.state !== "done")
            out.note(`batch ${b.id}: ${b.counts.done + b.counts.failed}/${b.total} finished, ${b.counts.running} running`);
        },
      }),
      stopped.then((why) => {
        if (why !== "abort") out.note(`${why}: stopped following; the workers carry on — mde-partner batches show ${batch.id}`);
        return undefined;
      }),
    ]);
  } finally {
    stop.abort();
    await stopped;
  }
}

/** Submits through `submit`, then follows the batch and prints it like the command run here would. */
export async function submitToWorkers(
  ctx: CommandContext,
  out: Output,
  store: Store,
  url: string,
  options: FollowOptions,
  submit: (queue: ReturnType<typeof openBatchQueue>) => Promise<BatchRecord>,
  kind: "hunt" | "response-actions" | "baseline" = "response-actions",
): Promise<number> {
  const queue = openBatchQueue({ url, store });
  let batch: BatchRecord;
  try {
    // The submission is on record (each item's action is audited again by the worker that runs it).
    batch = await auditedWrite(ctx, store, { action: "batch.submit", request: { kind } }, () => submit(queue), (b) => `batch ${b.id}: ${b.total} item(s)`);
  } catch (error) {
    throw toCliError(error);
  } finally {
    await queue.close();
  }
  if (options.detach) {
    const submitted = { batchId: batch.id, kind: batch.kind, items: batch.total };
    if (out.mode === "json") out.json(submitted);
    else if (out.mode === "ndjson") out.record(submitted);
    else out.data(batch.id);
    out.note(`batch of ${batch.total} item(s) queued for the workers; follow it: mde-partner batches wait ${batch.id}`);
    return EXIT.ok;
  }
  out.note(`batch ${batch.id}: ${batch.total} item(s) queued for the workers`);
  const finished = await follow(store, batch, out);
  if (!finished) return EXIT.failed;
  return printBatch(out, store, finished);
}

/** Prints a batch's results as the command run here prints them; the exit code follows its failed items. */
async function printBatch(out: Output, store: Store, batch: BatchRecord): Promise<number> {
  if (batch.kind === "baseline") return (await import("../baseline/workers.js")).printBaselineBatch(out, store, batch);
  if (batch.kind === "hunt") {
    const result = await readHuntBatch(store, batch.id);
    return printHuntResult(out, result, batch.total);
  }
  const items = await readResponseActionBatch(store, batch.id);
  const outcomes: ResponseActionOutcome[] = items.map(
    (i) =>
      i.outcome ?? {
        tenantId: i.tenantId,
        machineId: i.machineId,
        action: String(batch.request.action) as ResponseActionOutcome["action"],
        result: i.state === "failed" ? "failed" : ("created" as const),
        ...(i.error ? { error: i.error } : {}),
        auditIds: [],
      },
  );
  const unfinished = items.filter((i) => i.state !== "done" && i.state !== "failed").length;
  const exit = printActionOutcomes(out, outcomes, new Map());
  if (unfinished > 0) out.note(`${unfinished} of ${items.length} item(s) not finished yet`);
  return exit;
}

function checkBatchId(id: string): string {
  if (!isGuid(id)) throw usageError(`not a batch id: ${JSON.stringify(id)}`, "list them: mde-partner batches list");
  return id.toLowerCase();
}

export interface BatchesOptions extends OutputFlags {
  db?: string;
  state?: string;
  top?: string;
}

function describeRequest(b: BatchRecord): string {
  if (b.kind === "hunt") return String(b.request.query ?? "").replace(/\s+/g, " ");
  if (b.kind === "baseline") return `baseline ${String((b.request.document as { name?: unknown } | null)?.name ?? "")}`;
  return `${String(b.request.action)}: ${String(b.request.comment ?? "")}`;
}

/** `mde-partner batches list`: the newest batches with their progress. */
export async function runBatchesList(options: BatchesOptions, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const url = workersStoreUrl(options.db, loadConfig(ctx.home).storeUrl);
  if (options.state !== undefined && options.state !== "running" && options.state !== "done")
    throw usageError(`--state must be running or done, got ${JSON.stringify(options.state)}`);
  const limit = options.top !== undefined ? parseCount("--top", options.top, { min: 1, max: 1000 }) : 20;
  const store = await openCliStore(url);
  try {
    const batches = await store.listBatches({ limit, ...(options.state ? { state: options.state as "running" | "done" } : {}) });
    if (out.mode === "json") out.json(batches);
    else if (out.mode === "ndjson") for (const b of batches) out.record(b);
    else
      out.table(
        [
          { header: "ID", value: (b: BatchRecord) => b.id },
          { header: "KIND", value: (b: BatchRecord) => b.kind },
          { header: "STATE", value: (b: BatchRecord) => b.state },
          { header: "DONE", value: (b: BatchRecord) => `${b.counts.done}/${b.total}` },
          { header: "FAILED", value: (b: BatchRecord) => b.counts.failed },
          { header: "ACTOR", value: (b: BatchRecord) => b.actor, max: 24 },
          { header: "CREATED", value: (b: BatchRecord) => b.createdAt },
          { header: "REQUEST", value: describeRequest, max: 50 },
        ],
        batches,
      );
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

/** `mde-partner batches show <id>` / `batches wait <id>`: a batch's results (after waiting for its end with `wait`). */
export async function runBatchesShow(id: string, options: BatchesOptions & { wait?: boolean }, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const batchId = checkBatchId(id);
  const url = workersStoreUrl(options.db, loadConfig(ctx.home).storeUrl);
  const store = await openCliStore(url);
  try {
    let batch = await store.getBatch(batchId);
    if (!batch) throw usageError(`no batch ${batchId} in this store`, "list them: mde-partner batches list");
    if (options.wait && batch.state !== "done") {
      const finished = await follow(store, batch, out);
      if (!finished) return EXIT.failed;
      batch = finished;
    }
    const exit = await printBatch(out, store, batch);
    if (batch.state !== "done") out.note(`batch ${batch.id} is still running: ${batch.counts.done + batch.counts.failed}/${batch.total} finished`);
    return exit;
  } finally {
    await store.close();
  }
}

/** `mde-partner batches prune --older-than 30d`: deletes finished batches (hunt rows included) that ended before then. */
export async function runBatchesPrune(options: BatchesOptions & { olderThan?: string }, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  if (options.olderThan === undefined) throw usageError("prune needs --older-than", "e.g. mde-partner batches prune --older-than 30d");
  const before = parseSince("--older-than", options.olderThan);
  const url = workersStoreUrl(options.db, loadConfig(ctx.home).storeUrl);
  const store = await openCliStore(url);
  try {
    const deleted = await auditedWrite(
      ctx,
      store,
      { action: "batches.prune", request: { finishedBefore: before.toISOString() } },
      () => store.deleteBatches(before.toISOString()),
      (n) => `${n} deleted`,
    );
    if (out.mode === "json") out.json({ deleted, finishedBefore: before.toISOString() });
    else out.note(`${deleted} finished batch(es) deleted (finished before ${before.toISOString()})`);
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
