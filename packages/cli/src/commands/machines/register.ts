/** `mde-partner machines`: devices and the response actions on them. */
import type { Command } from "commander";
import { lazyAction, type Wiring } from "../../context.js";
import { addFlags, collect, type Flags, STREAM_OUTPUT_FLAGS, TENANT_FLAGS, workersFlags } from "../../flags.js";
import type { OutputFlags } from "../../output/output.js";
import type { MachineActionOptions } from "./actions.js";
import type { MachineCancelOptions } from "./cancel.js";
import type { LiveResponseOptions } from "./live-response.js";
import { MACHINE_ACTIONS } from "./response-actions.js";
import type { MachinesListOptions } from "./run.js";

const LIST = {
  ...TENANT_FLAGS,
  filter: { flags: "--filter <odata>", description: "raw OData $filter" },
  health: { flags: "--health <status>", description: "Active, Inactive, … (repeat or comma-separate)", parse: collect },
  risk: { flags: "--risk <score>", description: "None, Informational, Low, Medium, High", parse: collect },
  top: { flags: "--top <n>", description: "at most N machines per tenant" },
  ...STREAM_OUTPUT_FLAGS,
} satisfies Flags<MachinesListOptions>;

const ACTION = {
  comment: { flags: "--comment <text>", description: "why (required; recorded by MDE and in the audit log)" },
  wait: { flags: "--wait", description: "wait until each action is final" },
  timeout: { flags: "--timeout <duration>", description: "how long --wait waits", default: "10m" },
  yes: { flags: "-y, --yes", description: "do not ask for confirmation" },
  ...workersFlags("machine"),
} satisfies Flags<Omit<MachineActionOptions, "type" | "sha1" | keyof OutputFlags>>;

const SHA1 = {
  sha1: { flags: "--sha1 <sha1>", description: "the file's SHA-1 (required)" },
} satisfies Flags<Pick<MachineActionOptions, "sha1">>;

const CANCEL = {
  comment: { flags: "--comment <text>", description: "why (required; recorded by MDE and in the audit log)" },
  ...STREAM_OUTPUT_FLAGS,
} satisfies Flags<MachineCancelOptions>;

/** `--type`, for the actions that have types. */
const typeFlag = (types: readonly string[]) =>
  ({ type: { flags: "--type <type>", description: types.join(" | ") } }) satisfies Flags<Pick<MachineActionOptions, "type">>;

const LIVE_RESPONSE = {
  script: { flags: "--script <name>", description: "a script of the tenant's live response library to run (mde-partner library list)" },
  args: { flags: "--args <text>", description: "the script's arguments, as one string" },
  putFile: { flags: "--put-file <name>", description: "put a library file on the machine first (repeat)", parse: collect },
  getFile: { flags: "--get-file <path>", description: "fetch a file from the machine afterwards (repeat; saved with --out)", parse: collect },
  target: { flags: "--target <tenant:machine>", description: "a machine of any tenant (repeat, or comma-separate)", parse: collect },
  targetsFile: { flags: "--targets-file <file>", description: "targets, one TENANT:MACHINE a line (# comments)" },
  comment: { flags: "--comment <text>", description: "why (required; recorded by MDE and in the audit log)" },
  timeout: { flags: "--timeout <duration>", description: "how long to wait for each session", default: "15m" },
  out: { flags: "--out <dir>", description: "write transcripts and fetched files there (DIR/<tenant-id>/<machine-id>_<action>_<n>-…)" },
  concurrency: { flags: "--concurrency <n>", description: "sessions at once (at most 25)", default: "5" },
  yes: { flags: "-y, --yes", description: "do not ask for confirmation" },
  ...STREAM_OUTPUT_FLAGS,
} satisfies Flags<LiveResponseOptions>;

export function register(machines: Command, wiring: Wiring): void {
  addFlags(machines.command("list").description("machines of the tenants"), LIST).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, options: MachinesListOptions) => m.runMachinesList(options, ctx)));
  addFlags(machines.command("get").argument("<tenant-id>").argument("<machine-id>"), STREAM_OUTPUT_FLAGS).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, tenantId: string, machineId: string, options: OutputFlags) => m.runMachinesGet(tenantId, machineId, options, ctx)));
  for (const [name, spec] of Object.entries(MACHINE_ACTIONS)) {
    addFlags(
      machines
        .command(name)
        .description(`${spec.verb.toLowerCase()} machines (audited${spec.irreversible ? "; asks first, and needs --yes without a terminal" : ""})`)
        .argument("<tenant-id>")
        .argument("<machine-id...>"),
      { ...ACTION, ...(spec.types ? typeFlag(spec.types) : {}), ...(spec.sha1 ? SHA1 : {}), ...STREAM_OUTPUT_FLAGS },
    ).action(lazyAction(wiring, () => import("./actions.js"), (m, ctx, tenantId: string, machineIds: string[], options: MachineActionOptions) => m.runMachineAction(name, tenantId, machineIds, options, ctx)));
  }
  addFlags(
    machines.command("cancel").description("cancel a response action that is not final yet (audited)").argument("<tenant-id>").argument("<action-id>"),
    CANCEL,
  ).action(lazyAction(wiring, () => import("./cancel.js"), (m, ctx, tenantId: string, id: string, options: MachineCancelOptions) => m.runMachineCancel(tenantId, id, options, ctx)));
  addFlags(
    machines
      .command("live-response")
      .description("run a library script (and put/get files) on machines of one or many tenants, wait, and print or save each result (audited)")
      .argument("[tenant-id]")
      .argument("[machine-id...]"),
    LIVE_RESPONSE,
  ).action(lazyAction(wiring, () => import("./live-response.js"), (m, ctx, tenantId: string | undefined, machineIds: string[], options: LiveResponseOptions) => m.runLiveResponseCommand(tenantId, machineIds, options, ctx)));
}
