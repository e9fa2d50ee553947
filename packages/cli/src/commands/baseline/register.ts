/** `mde-partner baseline`: the same indicators, detection rules and device tags at every customer — plan, apply, drift. */
import type { Command } from "commander";
import { lazyAction, type Wiring } from "../../context.js";
import { addFlags, concurrencyFlag, DB_FLAG, type Flags, OUTPUT_FLAGS, TENANT_FLAGS } from "../../flags.js";
import type { BaselineApplyOptions, BaselinePlanOptions } from "./run.js";

// --tenant/--group/--all narrow the file's scope (they never widen it).
const COMMON = { ...TENANT_FLAGS, ...DB_FLAG, ...concurrencyFlag("16"), ...OUTPUT_FLAGS } satisfies Flags<BaselinePlanOptions>;

export function register(baseline: Command, wiring: Wiring): void {
  addFlags(
    baseline.command("plan").description("per tenant, what apply would create, update and delete").argument("<file>", "the baseline file (YAML)"),
    COMMON,
  ).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, file: string, options: BaselinePlanOptions) => m.runBaselinePlan(file, options, ctx)));
  addFlags(
    baseline
      .command("apply")
      .description("apply the baseline to every tenant in its scope (resumes an interrupted apply of the same revision)")
      .argument("<file>", "the baseline file (YAML)"),
    {
      ...COMMON,
      yes: { flags: "-y, --yes", description: "apply without asking" },
      workers: { flags: "--workers", description: "run as jobs on the distributed workers (PostgreSQL store), one per tenant" },
    } satisfies Flags<BaselineApplyOptions>,
  ).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, file: string, options: BaselineApplyOptions) => m.runBaselineApply(file, options, ctx)));
  addFlags(
    baseline.command("drift").description("per tenant, whether it still matches the baseline (the state is stored for the console)").argument("<file>", "the baseline file (YAML)"),
    COMMON,
  ).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, file: string, options: BaselinePlanOptions) => m.runBaselineDrift(file, options, ctx)));
}
