/** `mde-partner worker`: a distributed worker sharing work through pg-boss on PostgreSQL. */
import type { Command } from "commander";
import { lazyAction, type Wiring } from "../../context.js";
import { addFlags, type Flags } from "../../flags.js";
import { TVM_FLAGS } from "../../tvm-flags.js";
import type { WorkerCommandOptions } from "./run.js";

const FLAGS = {
  db: { flags: "--db <url>", description: "PostgreSQL URL of the shared store and queue" },
  concurrency: { flags: "--concurrency <n>", description: "tenants this worker syncs at once" },
  interval: { flags: "--interval <duration>", description: "how often each tenant is synced (e.g. 5m)" },
  ...TVM_FLAGS,
} satisfies Flags<WorkerCommandOptions>;

export function register(worker: Command, wiring: Wiring): void {
  addFlags(worker, FLAGS).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, options: WorkerCommandOptions) => m.runWorkerCommand(options, ctx)));
}
