/** `mde-partner audit`: the audit log, newest first. */
import type { Command } from "commander";
import { lazyAction, type Wiring } from "../../context.js";
import { addFlags, DB_FLAG, type Flags, STREAM_OUTPUT_FLAGS } from "../../flags.js";
import type { AuditOptions } from "./run.js";

const FLAGS = {
  tenant: { flags: "--tenant <id>", description: "entries of this customer tenant" },
  actor: { flags: "--actor <name>", description: "entries of this actor (e.g. cli:alice, console:bob)" },
  action: { flags: "--action <action>", description: "entries of this action (e.g. tenant.add, indicator.add, machine.isolate)" },
  since: { flags: "--since <when>", description: "entries since a time or for a duration back (24h, 7d)" },
  result: { flags: "--result <result>", description: "ok, failed or requested" },
  top: { flags: "--top <n>", description: "at most this many entries (default 100)" },
  ...DB_FLAG,
  ...STREAM_OUTPUT_FLAGS,
} satisfies Flags<AuditOptions>;

export function register(audit: Command, wiring: Wiring): void {
  addFlags(audit, FLAGS).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, options: AuditOptions) => m.runAudit(options, ctx)));
}
