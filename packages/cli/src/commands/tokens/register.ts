/** `mde-partner tokens`: API tokens for the console's JSON API (automation: SOAR, scripts). */
import type { Command } from "commander";
import { CONSOLE_ROLES } from "../../console-files.js";
import { lazyAction, type Wiring } from "../../context.js";
import { addFlags, DB_FLAG, type Flags, OUTPUT_FLAGS, STREAM_OUTPUT_FLAGS } from "../../flags.js";
import type { OutputFlags, OutputOptions } from "../../output/output.js";
import type { TokensCreateOptions } from "./run.js";

const CREATE = {
  name: { flags: "--name <name>", description: "what the token is for (unique among tokens not revoked)", mandatory: true },
  role: {
    flags: "--role <role>",
    description: "viewer reads, responder also acts, admin also manages",
    choices: CONSOLE_ROLES,
    mandatory: true,
  },
  group: { flags: "--group <name>", description: "only the tenants of this customer group (default: every tenant)" },
  expires: { flags: "--expires <duration>", description: "lifetime, e.g. 90d, 12h, or never (default 90d)" },
  ...DB_FLAG,
  ...OUTPUT_FLAGS,
} satisfies Flags<TokensCreateOptions>;

type Db = { db?: string };

export function register(tokens: Command, wiring: Wiring): void {
  addFlags(tokens.command("create").description("create an API token; it is printed once and only its hash is kept"), CREATE).action(
    lazyAction(wiring, () => import("./run.js"), (m, ctx, options: TokensCreateOptions) => m.runTokensCreate(options, ctx)),
  );
  addFlags(tokens.command("list").description("the API tokens: role, group, expiry, last use, revocation (never the token)"), {
    ...DB_FLAG,
    ...STREAM_OUTPUT_FLAGS,
  }).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, options: OutputFlags & Db) => m.runTokensList(options, ctx)));
  addFlags(tokens.command("revoke").description("revoke an API token at once").argument("<name-or-id>"), { ...DB_FLAG, ...OUTPUT_FLAGS }).action(
    lazyAction(wiring, () => import("./run.js"), (m, ctx, nameOrId: string, options: OutputOptions & Db) => m.runTokensRevoke(nameOrId, options, ctx)),
  );
}
