/**
 * `mde-partner worker --db postgres://… [--concurrency 4] [--interval 5m]`: a
 * distributed sync worker. Start as many as you like, on as many machines:
 * they share the store, the pg-boss queue and the app+tenant rate budgets in
 * one PostgreSQL database, each tenant is synced once per interval by one of
 * them, and a worker that dies leaves its tenants to the others after their
 * lease. Ctrl+C / SIGTERM lets the running tenants commit their current page
 * and hands them on.
 */
import { hostname } from "node:os";
import { createPartnerClient, type PartnerClient, type PartnerTenant } from "@mde-partner/client";
import { createPostgresBudgetStore, createSyncWorker, parseStoreUrl, type WorkerEvent } from "@mde-partner/sync";
import { clientOptions } from "../../client-config.js";
import { cloudOption, loadConfig, type PartnerConfig, resolveCredential } from "../../config.js";
import { type CommandContext, createDebugLogger } from "../../context.js";
import { parseDuration } from "../../duration.js";
import { EXIT, parseCount, toCliError, usageError } from "../../errors.js";
import { createOutput } from "../../output/output.js";
import { openCliStore } from "../../partner.js";
import { resolveStoreUrl } from "../../store-password.js";
import { untilStopped } from "../../signals.js";
import { type TvmFlagOptions, tvmEngineOptions } from "../../tvm-flags.js";
import { CLI_VERSION } from "../../version.js";
import { type RunningWebhook, startConfiguredWebhook, webhookPassLine } from "../../webhook-config.js";
import { startNotifier } from "../notify/running.js";

/** Options of `mde-partner worker`. */
export interface WorkerCommandOptions extends TvmFlagOptions {
  /** PostgreSQL URL of the shared store and queue (required). */
  db?: string;
  /** Tenants this worker syncs at once. */
  concurrency?: string;
  /** How often each tenant is synced (e.g. 5m). */
  interval?: string;
}

/** The partner client of a worker: the configured app, budgets counted in the shared database, calls marked with the worker's name. */
function openWorkerPartner(
  config: PartnerConfig,
  ctx: CommandContext,
  workerId: string,
  budgetStore: ReturnType<typeof createPostgresBudgetStore>,
): PartnerClient<PartnerTenant> {
  const { credential, secrets } = resolveCredential(config, ctx.io.env);
  try {
    return createPartnerClient({
      clientId: config.clientId,
      credential,
      cloud: cloudOption(config),
      // The worker's name in the User-Agent tells the workers' calls apart in logs and traces.
      userAgent: `mde-partner-cli/${CLI_VERSION} worker/${workerId.replace(/[^\x21-\x7e]/g, "_")}`,
      budgetStore,
      ...clientOptions(config.client),
      ...(config.consentRedirectUri ? { consentRedirectUri: config.consentRedirectUri } : {}),
      ...(ctx.debug ? { logger: createDebugLogger(ctx.io, secrets) } : {}),
    });
  } catch (error) {
    throw toCliError(error);
  }
}

function describeEvent(e: WorkerEvent): string | undefined {
  if (e.type === "scheduled") return `scheduled ${e.tenantIds.length} new tenant(s)`;
  if (e.type === "job-done" && e.outcome !== "next") return `tenant ${e.tenantId}: ${e.outcome}${e.reason ? ` (${e.reason})` : ""}`;
  if (e.type === "job-done" && e.result)
    return `tenant ${e.tenantId}: ${e.result.alerts.inserted} new, ${e.result.alerts.updated} updated, ${e.result.alerts.unchanged ?? 0} unchanged in ${(e.durationMs / 1000).toFixed(1)}s`;
  if (e.type === "task-done" && e.outcome !== "skipped")
    return `${e.kind ?? "task"} ${e.key} of batch ${e.batchId}: ${e.outcome}${e.reason ? ` (${e.reason})` : ""}`;
  if (e.type === "reconciled") return `batches: ${e.requeued} lost item(s) queued again, ${e.failed} failed (worker lost)`;
  if (e.type === "error") return `error (${e.where}): ${e.message}`;
  return undefined;
}

/** `mde-partner worker`: a distributed sync worker (pg-boss on PostgreSQL). */
export async function runWorkerCommand(options: WorkerCommandOptions, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, {});
  const config = loadConfig(ctx.home);
  // The workers' queue and budget connect with the same resolved URL as the store (password from its reference).
  const url = resolveStoreUrl(options.db ?? config.storeUrl, ctx.io.env);
  let location: ReturnType<typeof parseStoreUrl>;
  try {
    location = parseStoreUrl(url);
  } catch (error) {
    throw usageError(`bad store URL: ${(error as Error).message}`, "use --db postgres://user@host/db");
  }
  if (location.dialect !== "postgres") {
    throw usageError(
      "workers share their work through PostgreSQL: the store must be postgres://…",
      "mde-partner worker --db postgres://user@host/db (or mde-partner sync --watch for one process with SQLite)",
    );
  }
  const intervalMs = parseDuration("--interval", options.interval ?? "5m", { minMs: 5000 });
  const tvm = tvmEngineOptions(options);
  const concurrency = options.concurrency !== undefined ? parseCount("--concurrency", options.concurrency, { min: 1, max: 64 }) : 4;
  const workerId = `${hostname()}-${process.pid}`;

  const store = await openCliStore(url);
  const budgetStore = createPostgresBudgetStore({
    connectionString: location.connectionString,
    ...(location.schema ? { schema: location.schema } : {}),
  });
  let partner: PartnerClient<PartnerTenant> | undefined;
  let webhook: RunningWebhook | undefined;
  let notifier: { stop(): Promise<void> } | undefined;
  let drift: { stop(): Promise<void> } | undefined;
  try {
    partner = openWorkerPartner(config, ctx, workerId, budgetStore);
    // Every worker forwards from the shared store: delivery is at least once, deduplicated by the Idempotency-Key.
    webhook = startConfiguredWebhook(config.webhook, ctx.io.env, store, (r) => out.note(`${new Date().toISOString()} ${webhookPassLine(r)}`));
    notifier = startNotifier(store, ctx.io.env, (line) => out.note(`${new Date().toISOString()} ${line}`));
    // Each worker checks the applied baselines for drift; they record the same states.
    drift = (await import("../baseline/drift-schedule.js")).startBaselineDriftChecks(store, partner, out, ctx.io.env);
    const worker = createSyncWorker({
      url,
      store,
      partner,
      intervalMs,
      concurrency,
      workerId,
      ...tvm,
      onEvent: (e) => {
        const text = describeEvent(e);
        if (text) out.note(`${new Date().toISOString()} ${text}`);
      },
    });
    try {
      await worker.start();
    } catch (error) {
      await worker.stop();
      throw toCliError(error);
    }
    // Listening for the signal before saying so: a SIGTERM sent on seeing the line must not find the default action.
    const stopped = untilStopped();
    out.note(`worker ${workerId} started: ${concurrency} at a time, each tenant every ${options.interval ?? "5m"}; Ctrl+C stops after the current page`);
    const why = await Promise.race([stopped, worker.done.then(() => "done" as const)]);
    if (why !== "done") out.note(`${why}: finishing the current pages…`);
    await worker.stop();
    out.note(`worker ${workerId} stopped`);
    return EXIT.ok;
  } finally {
    await webhook?.stop();
    await notifier?.stop();
    await drift?.stop();
    await partner?.close();
    await budgetStore.close();
    await store.close();
  }
}
