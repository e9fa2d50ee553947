/**
 * `mde-partner sync [--once | --watch --interval 5m]`: copies every consented
 * tenant's alerts (incrementally, by cursor) and machines into the store,
 * through the engine of @mde-partner/sync. Progress bars on a terminal only.
 */
import {
  DEFAULT_SYNC_CONCURRENCY,
  partitionSyncable,
  type SkippedTenant,
  type SyncProgressEvent,
  type SyncReport,
  syncOnce,
  syncWatch,
  type TenantRecord,
  type TenantSyncResult,
} from "@mde-partner/sync";
import { loadConfig } from "../../config.js";
import type { CommandContext } from "../../context.js";
import { parseDuration } from "../../duration.js";
import { EXIT, multiTenantExit, parseCount, toCliError, usageError } from "../../errors.js";
import { parseSince } from "../../odata-options.js";
import { createOutput, type Output, type OutputFlags } from "../../output/output.js";
import { createProgress, type Progress } from "../../output/progress.js";
import { openCliStore, openPartner } from "../../partner.js";
import { checkTenantChoice, parseTenantId, requireTenant, skippedLine, tenantIdsOfGroups } from "../../tenant-selection.js";
import { type TvmFlagOptions, tvmEngineOptions } from "../../tvm-flags.js";
import { startConfiguredWebhook, webhookPassLine } from "../../webhook-config.js";
import { notifyAfterSync, startNotifier } from "../notify/running.js";

export interface SyncCommandOptions extends OutputFlags, TvmFlagOptions {
  once?: boolean;
  watch?: boolean;
  interval?: string;
  db?: string;
  tenant?: string[];
  group?: string[];
  since?: string;
  concurrency?: string;
  machines?: boolean;
}

/** Feeds engine progress events into the progress bars. */
export function progressListener(progress: Progress, names: Map<string, string>) {
  const fetched = new Map<string, number>();
  return (event: SyncProgressEvent) => {
    const label = names.get(event.tenantId) ?? event.tenantId;
    if (event.type === "tenant-start")
      progress.update(event.tenantId, label, { done: fetched.get(event.tenantId) ?? 0, status: event.stream });
    else if (event.type === "page") {
      fetched.set(event.tenantId, event.total);
      progress.update(event.tenantId, label, { done: event.total, status: event.stream });
    } else if (event.type === "tenant-done") {
      const n = event.result.alerts.fetched;
      progress.update(event.tenantId, label, { done: n, total: n, status: event.result.status === "ok" ? "done" : event.result.status });
    } else if (event.type === "backoff")
      progress.update(event.tenantId, label, { done: fetched.get(event.tenantId) ?? 0, status: "backing off" });
  };
}

/**
 * Names on stderr each tenant a default sync left out, and why; `--watch` passes `seen` so a
 * tenant is named once per state it is skipped in, not every interval.
 */
export function announceSkipped(skipped: readonly SkippedTenant[], out: Output, seen?: Map<string, string>): void {
  for (const s of skipped) {
    if (seen?.get(s.tenantId) === s.state) continue;
    out.warn(skippedLine(s));
    seen?.set(s.tenantId, s.state);
  }
  if (seen) for (const id of [...seen.keys()]) if (!skipped.some((s) => s.tenantId === id)) seen.delete(id);
}

/** Skipped tenants are not failures: the exit code speaks of the tenants that ran. */
export function printSyncReport(report: SyncReport, out: Output, names: Map<string, string>): number {
  const withSkipped = { ...report, skipped: report.skipped ?? [] };
  announceSkipped(withSkipped.skipped, out);
  if (out.mode === "json") out.json(withSkipped);
  else if (out.mode === "ndjson") for (const t of report.tenants) out.record(t);
  else {
    out.table(
      [
        { header: "TENANT", value: (r: TenantSyncResult) => names.get(r.tenantId) ?? r.tenantId, max: 24 },
        {
          header: "RESULT",
          value: (r: TenantSyncResult) => r.status,
          style: (t: string) => (t === "ok" ? out.palette.green(t) : out.palette.red(t)),
        },
        { header: "STATE", value: (r: TenantSyncResult) => r.state },
        { header: "FETCHED", value: (r: TenantSyncResult) => r.alerts.fetched, align: "right" as const },
        { header: "NEW", value: (r: TenantSyncResult) => r.alerts.inserted, align: "right" as const },
        { header: "UPDATED", value: (r: TenantSyncResult) => r.alerts.updated, align: "right" as const },
        { header: "UNCHANGED", value: (r: TenantSyncResult) => r.alerts.unchanged ?? 0, align: "right" as const },
        { header: "MACHINES", value: (r: TenantSyncResult) => r.machines.fetched, align: "right" as const },
        { header: "TVM", value: (r: TenantSyncResult) => (r.tvm ? r.tvm.status : "-") },
        { header: "TIME", value: (r: TenantSyncResult) => `${(r.durationMs / 1000).toFixed(1)}s`, align: "right" as const },
        { header: "ERROR", value: (r: TenantSyncResult) => (r.error ? `${r.error.code}: ${r.error.message}` : ""), max: 60 },
      ],
      report.tenants,
    );
  }
  for (const r of report.tenants) {
    // TVM trouble is the tenant's to fix, but it does not fail the run: alerts and machines synced.
    if (r.tvm?.status === "failed" && r.tvm.error)
      out.warn(`tenant ${names.get(r.tenantId) ?? r.tenantId} (${r.tenantId}): TVM snapshot not taken, the last one stays: ${r.tvm.error.message} (${r.tvm.error.code})`);
    else if (r.tvm?.missingPermissions?.length)
      out.warn(`tenant ${names.get(r.tenantId) ?? r.tenantId} (${r.tenantId}): TVM snapshot without the parts needing ${r.tvm.missingPermissions.join(", ")} (not granted)`);
  }
  for (const r of report.tenants) {
    if (r.status === "ok" || !r.error) continue;
    const hint = r.error.consentUrl ? `re-consent link for the customer's Global Administrator: ${r.error.consentUrl}` : undefined;
    out.error(`tenant ${names.get(r.tenantId) ?? r.tenantId} (${r.tenantId}): ${r.error.message} (${r.error.code})`, hint);
  }
  const failures = report.tenants
    .filter((r) => r.status !== "ok")
    .map((r) => toCliError(Object.assign(new Error(r.error?.message ?? r.status), { code: r.error?.code })));
  return multiTenantExit(failures, report.tenants.length);
}

export async function runSync(options: SyncCommandOptions, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  if (options.once && options.watch) throw usageError("use either --once or --watch");
  if (options.interval !== undefined && !options.watch) throw usageError("--interval goes with --watch");
  const intervalMs = options.watch ? parseDuration("--interval", options.interval ?? "5m", { minMs: 5000 }) : 0;
  const concurrency = options.concurrency !== undefined ? parseCount("--concurrency", options.concurrency, { min: 1, max: 64 }) : DEFAULT_SYNC_CONCURRENCY;
  const since = options.since !== undefined ? parseSince("--since", options.since).toISOString() : undefined;
  const tvm = tvmEngineOptions(options);
  for (const id of options.tenant ?? []) parseTenantId(id);
  const groups = checkTenantChoice(options);
  const store = await openCliStore(options.db ?? config.storeUrl);
  try {
    let selected: TenantRecord[] | undefined;
    if (options.tenant && options.tenant.length > 0) {
      selected = [];
      for (const id of options.tenant) selected.push(await requireTenant(store, id));
    }
    let all = await store.listTenants();
    if (groups) {
      const members = new Set(await tenantIdsOfGroups(store, groups));
      all = all.filter((t) => members.has(t.id));
    }
    const names = new Map(all.map((t) => [t.id, t.name]));
    const { syncable: ready, skipped } = partitionSyncable(all);
    const syncable = selected ?? ready;
    if (syncable.length === 0) {
      announceSkipped(skipped, out);
      const where = groups ? ` in group ${groups.join(", ")}` : "";
      throw usageError(
        all.length === 0 ? (groups ? `there are no tenants${where}` : "no customer tenants have been added yet") : `no tenant${where} is ready to sync (none is consented or verified)`,
        all.length === 0
          ? groups
            ? `add some: mde-partner groups add ${groups[0]} <tenant-id>…`
            : "mde-partner tenants add <tenant-id>"
          : "after the customer consents: mde-partner tenants verify --all",
      );
    }
    const partner = openPartner(config, ctx);
    const progress = createProgress(ctx.io.stderr, { enabled: out.mode === "table" && !out.quiet, palette: out.errPalette });
    const base = {
      store,
      partner,
      concurrency,
      ...(selected ? { tenantIds: selected.map((t) => t.id) } : {}),
      // The engine selects the groups' tenants again on every --watch pass.
      ...(groups ? { groups } : {}),
      ...(since !== undefined ? { since } : {}),
      ...(options.machines === false ? { machines: false } : {}),
      ...tvm,
      onProgress: progressListener(progress, names),
    };
    try {
      if (!options.watch) {
        let report: SyncReport;
        try {
          report = await syncOnce(base);
        } catch (error) {
          throw toCliError(error);
        } finally {
          progress.finish();
        }
        // Notification rules see what this run wrote (a failed delivery is retried by the next run).
        const notified = await notifyAfterSync(store, ctx.io.env);
        if (notified) out.note(notified);
        return printSyncReport(report, out, names);
      }
      // Listening for the signal before saying so: a SIGTERM sent on seeing the line must not find the default action.
      let watch: ReturnType<typeof syncWatch> | undefined;
      let stopRequested = false;
      const stop = () => {
        stopRequested = true;
        void watch?.stop();
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      let webhook: ReturnType<typeof startConfiguredWebhook> | undefined;
      let notifier: ReturnType<typeof startNotifier> | undefined;
      let drift: { stop(): Promise<void> } | undefined;
      try {
        out.note(`syncing ${syncable.length} tenant(s) every ${options.interval ?? "5m"}; Ctrl+C stops after the current page`);
        // New and changed alerts go to the configured webhook while watching.
        const seenSkipped = new Map<string, string>();
        webhook = startConfiguredWebhook(config.webhook, ctx.io.env, store, (r) => out.note(webhookPassLine(r)));
        if (webhook) out.note(`forwarding new alerts to the webhook every ${config.webhook?.intervalSec ?? 10}s`);
        notifier = startNotifier(store, ctx.io.env, (line) => out.note(line));
        drift = (await import("../baseline/drift-schedule.js")).startBaselineDriftChecks(store, partner, out, ctx.io.env);
        watch = syncWatch({
          ...base,
          intervalMs,
          onReport: (report) => {
            progress.finish();
            announceSkipped(report.skipped ?? [], out, seenSkipped);
            const inserted = report.tenants.reduce((n, r) => n + r.alerts.inserted, 0);
            const updated = report.tenants.reduce((n, r) => n + r.alerts.updated, 0);
            const unchanged = report.tenants.reduce((n, r) => n + (r.alerts.unchanged ?? 0), 0);
            const failed = report.tenants.filter((r) => r.status !== "ok").length;
            if (out.mode === "table")
              out.line(
                `${report.finishedAt}  ${report.tenants.length} tenants  ${inserted} new  ${updated} updated  ${unchanged} unchanged${failed ? `  ${failed} failed` : ""}`,
              );
            else out.record(report);
          },
        });
        if (stopRequested) void watch.stop();
        await watch.done;
      } finally {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        await webhook?.stop();
        await notifier?.stop();
        await drift?.stop();
      }
      return EXIT.ok;
    } finally {
      await partner.close();
    }
  } finally {
    await store.close();
  }
}
