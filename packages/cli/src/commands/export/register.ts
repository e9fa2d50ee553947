/** `mde-partner export`: the store's data as files. */
import type { Command } from "commander";
import { lazyAction, type Wiring } from "../../context.js";
import { addFlags, collect, DB_FLAG, type Flags, GROUP_FLAG } from "../../flags.js";
import type { ExportCommandOptions } from "./run.js";

const ALERTS = {
  format: { flags: "--format <format>", description: "ndjson or csv", default: "ndjson" },
  tenant: { flags: "--tenant <id>", description: "only these tenants", parse: collect },
  ...GROUP_FLAG,
  severity: { flags: "--severity <level>", description: "only these severities", parse: collect },
  status: { flags: "--status <status>", description: "only these statuses", parse: collect },
  since: { flags: "--since <time>", description: "lastUpdateTime at or after (ISO time or 7d)" },
  until: { flags: "--until <time>", description: "lastUpdateTime before" },
  out: { flags: "--out <file>", description: "write to a file instead of stdout" },
  ...DB_FLAG,
  quiet: { flags: "-q, --quiet", description: "no notes" },
} satisfies Flags<ExportCommandOptions>;

export function register(exp: Command, wiring: Wiring): void {
  addFlags(exp.command("alerts").description("the store's alerts as NDJSON or CSV"), ALERTS).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, options: ExportCommandOptions) => m.runExportAlerts(options, ctx)));
}
