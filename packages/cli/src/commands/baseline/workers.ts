/**
 * `baseline apply --workers`: the apply as one job per tenant on the distributed workers (pg-boss on
 * the PostgreSQL store). The run is recorded here first (resuming an unfinished run of the same
 * revision: its finished tenants are not sent again); each job reads its tenant, plans it and applies
 * the plan (task-runner.ts); this command follows the batch and prints each tenant's result.
 */
import type { Baseline, BatchRecord, Store, TenantApplyOutcome, TenantRecord } from "@mde-partner/sync";
import type { CommandContext } from "../../context.js";
import { EXIT } from "../../errors.js";
import type { Output } from "../../output/output.js";
import { submitToWorkers } from "../batches/run.js";
import { printApply } from "./run.js";

export async function applyOnWorkers(args: {
  store: Store;
  url: string;
  baseline: Baseline;
  document: unknown;
  tenants: TenantRecord[];
  actor: string;
  out: Output;
  ctx: CommandContext;
}): Promise<number> {
  const { store, baseline, tenants, out } = args;
  await store.saveBaselineDocument(baseline.name, baseline.revision, args.document, args.actor);
  const { run, resumed } = await store.startBaselineRun({ baselineName: baseline.name, revision: baseline.revision, actor: args.actor, tenantIds: tenants.map((t) => t.id) });
  if (resumed) out.note(`resuming the unfinished apply of ${baseline.name} revision ${baseline.revision} (run ${run.id})`);
  const done = new Set(run.tenants.filter((t) => t.state === "done").map((t) => t.tenantId));
  const pending = tenants.filter((t) => !done.has(t.id));
  if (pending.length === 0) return printBaselineRun(out, store, baseline, run.id);
  const submit = (queue: Parameters<Parameters<typeof submitToWorkers>[5]>[0]) =>
    queue.submitBaselineApply({ actor: args.actor, runId: run.id, document: args.document, tenantIds: pending.map((t) => t.id) });
  return submitToWorkers(args.ctx, out, store, args.url, {}, submit, "baseline");
}

/** Prints a finished baseline batch (for `baseline apply --workers` and `batches wait`), ending its run. */
export async function printBaselineBatch(out: Output, store: Store, batch: BatchRecord): Promise<number> {
  const runId = String(batch.request.runId ?? "");
  const { parseBaseline } = await import("@mde-partner/sync");
  const baseline = parseBaseline(batch.request.document, 0);
  // A job whose worker died before it recorded anything left its tenant "running" in the run: the item says why.
  const items = new Map((await store.listBatchItems(batch.id)).map((i) => [i.tenantId, i]));
  return printBaselineRun(out, store, baseline, runId, (tenantId) => items.get(tenantId)?.error ?? undefined);
}

async function printBaselineRun(
  out: Output,
  store: Store,
  baseline: Baseline,
  runId: string,
  itemError: (tenantId: string) => { code: string; message: string } | undefined = () => undefined,
): Promise<number> {
  const run = (await store.finishBaselineRun(runId)) ?? (await store.getBaselineRun(runId));
  if (!run) {
    out.warn(`no baseline run ${runId}`);
    return EXIT.failed;
  }
  const names = new Map((await store.listTenants()).map((t) => [t.id, t.name]));
  const outcomes: TenantApplyOutcome[] = run.tenants.map((t) =>
    t.state === "done"
      ? { tenantId: t.tenantId, status: "done", result: t.result as Extract<TenantApplyOutcome, { status: "done" }>["result"] }
      : {
          tenantId: t.tenantId,
          status: "failed",
          error: t.error
            ? { code: t.error.split(":")[0]!, message: t.error.slice(t.error.indexOf(":") + 1).trim() }
            : (itemError(t.tenantId) ?? { code: "ERR_BATCH_UNFINISHED", message: `the tenant's job is ${t.state}` }),
        },
  );
  return printApply(out, baseline, outcomes, names);
}
