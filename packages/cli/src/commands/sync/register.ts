/** `mde-partner sync`: alerts and machines of every consented tenant into the store. */
import type { Command } from "commander";
import type { Wiring } from "../../context.js";
import { addFlags, collect, concurrencyFlag, DB_FLAG, type Flags, GROUP_FLAG, STREAM_OUTPUT_FLAGS } from "../../flags.js";
import { TVM_FLAGS } from "../../tvm-flags.js";
import type { SyncCommandOptions } from "./run.js";

const FLAGS = {
  once: { flags: "--once", description: "one pass (the default)" },
  watch: { flags: "--watch", description: "keep syncing" },
  interval: { flags: "--interval <duration>", description: "with --watch: time between passes", default: "5m" },
  ...DB_FLAG,
  tenant: { flags: "--tenant <id>", description: "only these tenants (repeat, or comma-separate)", parse: collect },
  ...GROUP_FLAG,
  since: { flags: "--since <time>", description: "first sync of a tenant: only alerts updated since (ISO time or 30d)" },
  // The engine's DEFAULT_SYNC_CONCURRENCY (not imported here: registering a command loads no engine).
  ...concurrencyFlag("16"),
  machines: { flags: "--no-machines", description: "skip the machines refresh" },
  ...TVM_FLAGS,
  ...STREAM_OUTPUT_FLAGS,
} satisfies Flags<SyncCommandOptions>;

export function register(sync: Command, { result, context }: Wiring): void {
  addFlags(sync, FLAGS).action(async (options: SyncCommandOptions, command: Command) => {
    const { runSync } = await import("./run.js");
    // Commander fills the default; only an explicit --interval without --watch is a mistake.
    const { interval, ...rest } = options;
    const given = command.getOptionValueSource("interval") === "cli" || options.watch;
    result.exitCode = await runSync(given && interval !== undefined ? { ...rest, interval } : rest, context());
  });
}
