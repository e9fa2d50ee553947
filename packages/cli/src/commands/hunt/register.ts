/** `mde-partner hunt`: an advanced hunting query across tenants. */
import type { Command } from "commander";
import type { Wiring } from "../../context.js";
import { addFlags, type Flags, STREAM_OUTPUT_FLAGS, TENANT_FLAGS } from "../../flags.js";
import type { HuntCommandOptions } from "./run.js";

const FLAGS = {
  file: { flags: "--file <file>", description: "read the query from a file" },
  concurrency: { flags: "--concurrency <n>", description: "tenants at once", default: "8" },
  legacy: {
    flags: "--legacy",
    description: "use the legacy MDE hunting endpoint (stops returning data on 2027-02-01) instead of Microsoft Graph",
  },
  workers: { flags: "--workers", description: "run as jobs on the distributed workers (mde-partner worker), one per tenant" },
  db: { flags: "--db <url>", description: "with --workers: the workers' PostgreSQL store (default: the configured one)" },
  detach: { flags: "--detach", description: "with --workers: print the batch id and return instead of following it" },
  ...TENANT_FLAGS,
  ...STREAM_OUTPUT_FLAGS,
} satisfies Flags<HuntCommandOptions>;

export function register(hunt: Command, { result, context }: Wiring): void {
  addFlags(hunt.argument("[kql]", "the query"), FLAGS).action(async (kql: string | undefined, options: HuntCommandOptions) => {
    const { runHunt } = await import("./run.js");
    result.exitCode = await runHunt(kql, options, context());
  });
}
