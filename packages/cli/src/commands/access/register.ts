/** `mde-partner access`: who may do what where — roles for users and Entra groups, on customer groups or every tenant. */
import type { Command } from "commander";
import { CONSOLE_ROLES } from "../../console-files.js";
import { lazyAction, type Wiring } from "../../context.js";
import { addFlags, DB_FLAG, type Flags, OUTPUT_FLAGS, STREAM_OUTPUT_FLAGS } from "../../flags.js";
import type { OutputFlags } from "../../output/output.js";
import type { AccessGrantOptions, AccessRevokeOptions } from "./run.js";

const WHO = {
  user: { flags: "--user <name>", description: "a console account (local name, or the UPN of a single sign-on user)" },
  entraGroup: { flags: "--entra-group <object-id>", description: "an Entra ID group of the partner tenant, by its object id" },
} satisfies Flags<Pick<AccessGrantOptions, "user" | "entraGroup">>;

const GRANT = {
  ...WHO,
  role: {
    flags: "--role <role>",
    description: "viewer reads, responder also acts, admin also manages",
    choices: CONSOLE_ROLES,
    mandatory: true,
  },
  group: { flags: "--group <name>", description: "only on the tenants of this customer group (default: every tenant)" },
  ...DB_FLAG,
  ...OUTPUT_FLAGS,
} satisfies Flags<AccessGrantOptions>;

const REVOKE = {
  ...WHO,
  group: { flags: "--group <name>", description: "the grant on this customer group (default: the one on every tenant)" },
  ...DB_FLAG,
  ...OUTPUT_FLAGS,
} satisfies Flags<AccessRevokeOptions>;

export function register(access: Command, wiring: Wiring): void {
  addFlags(access.command("grant").description("give a user or an Entra group a role on a customer group, or on every tenant"), GRANT).action(
    lazyAction(wiring, () => import("./run.js"), (m, ctx, options: AccessGrantOptions) => m.runAccessGrant(options, ctx)),
  );
  addFlags(access.command("list").description("every grant"), { ...DB_FLAG, ...STREAM_OUTPUT_FLAGS }).action(
    lazyAction(wiring, () => import("./run.js"), (m, ctx, options: OutputFlags & { db?: string }) => m.runAccessList(options, ctx)),
  );
  addFlags(access.command("revoke").description("take a grant away"), REVOKE).action(
    lazyAction(wiring, () => import("./run.js"), (m, ctx, options: AccessRevokeOptions) => m.runAccessRevoke(options, ctx)),
  );
}
