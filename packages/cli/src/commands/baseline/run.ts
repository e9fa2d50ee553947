/**
 * `mde-partner baseline plan|apply|drift FILE`. The file is read and validated here
 * (file.ts); planning, applying and drift are the engine's (sync `engine/baseline`). `plan --json`
 * and `drift --json` print `{"baseline": {name, revision}, "tenants": [{tenantId, create, update,
 * delete, …}]}` with one entry per tenant in scope.
 */
import {
  applyBaseline,
  type Baseline,
  type BaselineTargets,
  baselineTargets,
  checkBaselineDrift,
  planBaseline,
  planSummary,
  type Store,
  type TenantApplyOutcome,
  type TenantPlanOutcome,
} from "@mde-partner/sync";
import { actorName } from "../../cli-audit.js";
import { loadConfig } from "../../config.js";
import type { CommandContext } from "../../context.js";
import { CliError, EXIT, multiTenantExit, parseCount, toCliError, usageError } from "../../errors.js";
import { createOutput, type Output, type OutputOptions } from "../../output/output.js";
import { createProgress } from "../../output/progress.js";
import { openPartner, withStore } from "../../partner.js";
import { checkTenantChoice, parseTenantId, skippedLine, type TenantChoice, tenantIdsOfGroups } from "../../tenant-selection.js";
import { workersStoreUrl } from "../batches/run.js";
import { confirm } from "../confirm.js";
import { readBaselineFile } from "./file.js";

export interface BaselinePlanOptions extends OutputOptions, TenantChoice {
  db?: string;
  concurrency?: string;
}

export interface BaselineApplyOptions extends BaselinePlanOptions {
  yes?: boolean;
  workers?: boolean;
}

/** One tenant of plan/drift output. */
type PlanRow = ReturnType<typeof planRow>;

function planRow(o: TenantPlanOutcome, drift: boolean) {
  if ("error" in o) return { tenantId: o.tenantId, tenantName: o.tenantName, create: 0, update: 0, delete: 0, ...(drift ? { state: "failed" } : {}), error: o.error };
  const s = planSummary(o.plan);
  const changed = s.create + s.update + s.delete > 0;
  return { ...s, tenantName: o.tenantName, ...(drift ? { state: s.refused ? "failed" : changed ? "drifted" : "in_sync" } : {}) };
}

async function targetsOf(store: Store, baseline: Baseline, out: Output, choice: TenantChoice): Promise<BaselineTargets> {
  const groups = checkTenantChoice(choice);
  const named = (choice.tenant ?? []).map(parseTenantId);
  if (named.length > 0 && choice.all) throw usageError("use either --tenant or --all, not both");
  const found = await baselineTargets(store, baseline);
  let targets = found;
  if (named.length > 0 || groups) {
    const wanted = new Set(named.length > 0 ? named : await tenantIdsOfGroups(store, groups!));
    const outside = named.filter((id) => !found.tenants.some((t) => t.id === id));
    if (outside.length > 0) throw usageError(`not in the baseline's scope (or not ready): ${outside.join(", ")}`, "--tenant and --group narrow the file's scope; they never widen it");
    targets = { tenants: found.tenants.filter((t) => wanted.has(t.id)), unknown: found.unknown, skipped: found.skipped.filter((s) => wanted.has(s.tenantId)) };
  }
  for (const s of targets.skipped) out.warn(skippedLine(s));
  if (targets.unknown.length > 0)
    throw usageError(`the baseline's scope names tenant${targets.unknown.length === 1 ? "" : "s"} not in the store: ${targets.unknown.join(", ")}`, "add them: mde-partner tenants add <tenant-id>");
  if (targets.tenants.length === 0) throw usageError("the baseline's scope selects no tenant that is ready", "mde-partner tenants list; after consent: mde-partner tenants verify --all");
  return targets;
}

function printPlan(out: Output, baseline: Baseline, rows: PlanRow[], drift: boolean): void {
  if (out.mode !== "table") {
    out.json({ baseline: { name: baseline.name, revision: baseline.revision }, tenants: rows });
    return;
  }
  out.table(
    [
      { header: "TENANT", value: (r: PlanRow) => r.tenantId },
      { header: "NAME", value: (r: PlanRow) => r.tenantName, max: 28 },
      ...(drift ? [{ header: "STATE", value: (r: PlanRow) => ("state" in r ? String(r.state) : "") }] : []),
      { header: "CREATE", value: (r: PlanRow) => String(r.create) },
      { header: "UPDATE", value: (r: PlanRow) => String(r.update) },
      { header: "DELETE", value: (r: PlanRow) => String(r.delete) },
      { header: "NOTE", value: (r: PlanRow) => note(r), max: 80 },
    ],
    rows,
  );
  const sum = (k: "create" | "update" | "delete") => rows.reduce((n, r) => n + r[k], 0);
  const total = sum("create") + sum("update") + sum("delete");
  out.line(
    total === 0
      ? `${baseline.name} (revision ${baseline.revision}): no changes at ${rows.length} tenant(s)`
      : `${baseline.name} (revision ${baseline.revision}): ${sum("create")} to create, ${sum("update")} to update, ${sum("delete")} to delete at ${rows.filter((r) => r.create + r.update + r.delete > 0).length} of ${rows.length} tenant(s)`,
  );
}

function note(r: PlanRow): string {
  if ("error" in r && r.error) return `${r.error.code}: ${r.error.message}`;
  const parts: string[] = [];
  if ("refused" in r && r.refused) parts.push(`refused: ${r.refused}`);
  if ("conflicts" in r && r.conflicts > 0) parts.push(`${r.conflicts} not created by this baseline (left alone; adopt: true takes them over)`);
  if ("changes" in r) {
    const updates = r.changes.filter((c) => c.action === "update").slice(0, 2);
    for (const u of updates) parts.push(`${u.key}: ${(u.fields ?? []).join(", ")}`);
  }
  return parts.join("; ");
}

function planExit(rows: PlanRow[]): number {
  const failures = rows.filter((r) => ("error" in r && r.error) || ("refused" in r && r.refused)).map((r) => new CliError(note(r)));
  return multiTenantExit(failures, rows.length);
}

async function planOrDrift(file: string, options: BaselinePlanOptions, ctx: CommandContext, drift: boolean): Promise<number> {
  const out = createOutput(ctx.io, options);
  const { baseline } = readBaselineFile(file, { problem: (l) => out.error(l) });
  const concurrency = parseCount("--concurrency", options.concurrency ?? "16", { min: 1, max: 64 });
  const config = loadConfig(ctx.home);
  return withStore(options.db ?? config.storeUrl, async (store) => {
    const { tenants } = await targetsOf(store, baseline, out, options);
    const partner = openPartner(config, ctx);
    try {
      const outcomes = drift ? await checkBaselineDrift({ store, partner, concurrency }, baseline, tenants) : await planBaseline({ store, partner, concurrency }, baseline, tenants);
      const rows = outcomes.map((o) => planRow(o, drift));
      printPlan(out, baseline, rows, drift);
      return planExit(rows);
    } catch (error) {
      throw toCliError(error);
    } finally {
      await partner.close();
    }
  });
}

/** `baseline plan FILE`: per tenant, what apply would create, update and delete; exit 3/1 when some/all tenants are refused or unreadable. */
export function runBaselinePlan(file: string, options: BaselinePlanOptions, ctx: CommandContext): Promise<number> {
  return planOrDrift(file, options, ctx, false);
}

/** `baseline drift FILE`: like plan, and each tenant's state (in_sync, drifted, failed) is stored for the console and metrics. */
export function runBaselineDrift(file: string, options: BaselinePlanOptions, ctx: CommandContext): Promise<number> {
  return planOrDrift(file, options, ctx, true);
}

/** `baseline apply FILE`: plans, asks (unless `--yes`), applies; resumes an interrupted apply of the same revision. */
export async function runBaselineApply(file: string, options: BaselineApplyOptions, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const { baseline, document } = readBaselineFile(file, { problem: (l) => out.error(l) });
  const concurrency = parseCount("--concurrency", options.concurrency ?? "16", { min: 1, max: 64 });
  const config = loadConfig(ctx.home);
  const actor = actorName(ctx.io.env);
  const url = options.workers ? workersStoreUrl(options.db, config.storeUrl) : (options.db ?? config.storeUrl);
  return withStore(url, async (store) => {
    const { tenants } = await targetsOf(store, baseline, out, options);
    if (options.workers) {
      if (!options.yes) {
        if (ctx.io.stdin.isTTY !== true || ctx.io.stderr.isTTY !== true)
          throw usageError("baseline apply changes customer tenants and there is no terminal to ask", "run it again with --yes to apply");
        if (!(await confirm(ctx.io, `apply ${baseline.name} (revision ${baseline.revision}) to ${tenants.length} tenant(s) on the workers?`))) {
          out.note("nothing applied");
          return EXIT.failed;
        }
      }
      const { applyOnWorkers } = await import("./workers.js");
      return applyOnWorkers({ store, url, baseline, document, tenants, actor, out, ctx });
    }
    const partner = openPartner(config, ctx);
    try {
      const outcomes = await planBaseline({ store, partner, concurrency }, baseline, tenants);
      const rows = outcomes.map((o) => planRow(o, false));
      const changes = rows.reduce((n, r) => n + r.create + r.update + r.delete, 0);
      if (out.mode === "table") printPlan(out, baseline, rows, false);
      if (changes > 0 && !options.yes) {
        if (ctx.io.stdin.isTTY !== true || ctx.io.stderr.isTTY !== true)
          throw usageError("baseline apply changes customer tenants and there is no terminal to ask", "run it again with --yes to apply");
        if (!(await confirm(ctx.io, `apply ${changes} change(s) to ${rows.filter((r) => r.create + r.update + r.delete > 0).length} tenant(s)?`))) {
          out.note("nothing applied");
          return EXIT.failed;
        }
      }
      const names = new Map(tenants.map((t) => [t.id, t.name]));
      const progress = createProgress(ctx.io.stderr, { enabled: out.mode === "table" && !out.quiet, palette: out.errPalette });
      let result: Awaited<ReturnType<typeof applyBaseline>>;
      try {
        result = await applyBaseline({ store, partner, actor, concurrency }, baseline, {
          document,
          tenants,
          onEvent: (e) => {
            const label = names.get(e.tenantId) ?? e.tenantId;
            if (e.type === "tenant-start") progress.update(e.tenantId, label, { done: 0, total: e.total, status: "applying" });
            else if (e.type === "call") progress.update(e.tenantId, label, { done: e.done, total: e.total, status: "applying" });
            else progress.update(e.tenantId, label, { done: 1, total: 1, status: e.outcome.status === "done" ? "done" : "failed" });
          },
        });
      } finally {
        progress.finish();
      }
      if (result.resumed) out.note(`resumed the interrupted apply of ${baseline.name} revision ${baseline.revision} (run ${result.runId})`);
      return printApply(out, baseline, result.outcomes, names);
    } catch (error) {
      throw toCliError(error);
    } finally {
      await partner.close();
    }
  });
}

type ApplyRow = { tenantId: string; tenantName: string; status: string; created: number; updated: number; deleted: number; failed: number; note: string };

/** Prints per-tenant results; exit 0, 3 (some tenants failed) or 1 (all did). */
export function printApply(out: Output, baseline: Baseline, outcomes: readonly TenantApplyOutcome[], names: ReadonlyMap<string, string>): number {
  const rows: ApplyRow[] = outcomes.map((o) =>
    o.status === "done"
      ? {
          tenantId: o.tenantId,
          tenantName: names.get(o.tenantId) ?? "",
          status: o.result.failures.length > 0 ? "partial" : "done",
          created: o.result.created,
          updated: o.result.updated,
          deleted: o.result.deleted,
          failed: o.result.failures.length,
          note: o.skipped ? "applied by the interrupted run" : o.result.failures.length ? `${o.result.failures[0]!.key}: ${o.result.failures[0]!.reason}` : "",
        }
      : { tenantId: o.tenantId, tenantName: names.get(o.tenantId) ?? "", status: "failed", created: 0, updated: 0, deleted: 0, failed: 0, note: `${o.error.code}: ${o.error.message}` },
  );
  if (out.mode !== "table") out.json({ baseline: { name: baseline.name, revision: baseline.revision }, tenants: rows });
  else {
    out.table(
      [
        { header: "TENANT", value: (r: ApplyRow) => r.tenantId },
        { header: "NAME", value: (r: ApplyRow) => r.tenantName, max: 28 },
        { header: "STATUS", value: (r: ApplyRow) => r.status },
        { header: "CREATED", value: (r: ApplyRow) => String(r.created) },
        { header: "UPDATED", value: (r: ApplyRow) => String(r.updated) },
        { header: "DELETED", value: (r: ApplyRow) => String(r.deleted) },
        { header: "FAILED", value: (r: ApplyRow) => String(r.failed) },
        { header: "NOTE", value: (r: ApplyRow) => r.note, max: 80 },
      ],
      rows,
    );
  }
  return multiTenantExit(
    rows.filter((r) => r.status !== "done").map((r) => new CliError(r.note)),
    rows.length,
  );
}
