/** `mde-partner investigations`: automated investigations (AIR) of customer tenants. */
import type { Command } from "commander";
import { lazyAction, type Wiring } from "../../context.js";
import { addFlags, collect, concurrencyFlag, type Flags, STREAM_OUTPUT_FLAGS, TENANT_FLAGS } from "../../flags.js";
import type { OutputFlags } from "../../output/output.js";
import type { InvestigationsListOptions, InvestigationsStartOptions } from "./run.js";

const LIST = {
  ...TENANT_FLAGS,
  state: { flags: "--state <state>", description: "Running, PendingApproval, SuccessfullyRemediated, Benign, Failed, … (repeat or comma-separate)", parse: collect },
  machine: { flags: "--machine <machine-id>", description: "investigations of one machine" },
  since: { flags: "--since <time>", description: "started since an ISO time or a duration (24h, 7d)" },
  top: { flags: "--top <n>", description: "at most N investigations per tenant" },
  ...concurrencyFlag("4"),
  ...STREAM_OUTPUT_FLAGS,
} satisfies Flags<InvestigationsListOptions>;

const START = {
  comment: { flags: "--comment <text>", description: "why (required; recorded by MDE and in the audit log)" },
  ...STREAM_OUTPUT_FLAGS,
} satisfies Flags<InvestigationsStartOptions>;

export function register(investigations: Command, wiring: Wiring): void {
  addFlags(investigations.command("list").description("investigations of the tenants, each with its tenant id"), LIST).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, options: InvestigationsListOptions) => m.runInvestigationsList(options, ctx)));
  addFlags(investigations.command("get").description("one investigation (by its id or its triggering alert's id)").argument("<tenant-id>").argument("<id>"), STREAM_OUTPUT_FLAGS).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, tenantId: string, id: string, options: OutputFlags) => m.runInvestigationsGet(tenantId, id, options, ctx)));
  addFlags(investigations.command("start").description("start an automated investigation on a machine (audited; 50 per hour per tenant)").argument("<tenant-id>").argument("<machine-id>"), START).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, tenantId: string, machineId: string, options: InvestigationsStartOptions) => m.runInvestigationsStart(tenantId, machineId, options, ctx)));
}
