/** `mde-partner hunt`: an advanced hunting query across tenants. */
import type { Command } from "commander";
import { lazyAction, type Wiring } from "../../context.js";
import { addFlags, concurrencyFlag, type Flags, STREAM_OUTPUT_FLAGS, TENANT_FLAGS, workersFlags } from "../../flags.js";
import type { HuntCommandOptions } from "./run.js";

const FLAGS = {
  file: { flags: "--file <file>", description: "read the query from a file" },
  ...concurrencyFlag("8"),
  legacy: {
    flags: "--legacy",
    description: "use the legacy MDE hunting endpoint (stops returning data on 2027-02-01) instead of Microsoft Graph",
  },
  ...workersFlags("tenant"),
  ...TENANT_FLAGS,
  ...STREAM_OUTPUT_FLAGS,
} satisfies Flags<HuntCommandOptions>;

export function register(hunt: Command, wiring: Wiring): void {
  addFlags(hunt.argument("[kql]", "the query"), FLAGS).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, kql: string | undefined, options: HuntCommandOptions) => m.runHunt(kql, options, ctx)));
}
