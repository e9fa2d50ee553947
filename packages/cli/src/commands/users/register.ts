/** `mde-partner users`: the console's operator accounts. */
import type { Command } from "commander";
import { CONSOLE_ROLES } from "../../console-files.js";
import { lazyAction, type Wiring } from "../../context.js";
import { addFlags, collect, type Flags, OUTPUT_FLAGS, refusedOnCommandLine, STREAM_OUTPUT_FLAGS } from "../../flags.js";
import type { OutputFlags, OutputOptions } from "../../output/output.js";
import { PASSWORD_ENV } from "../../password-input.js";
import type { UsersAddOptions } from "./run.js";

const ADD = {
  role: {
    flags: "--role <role>",
    description: "viewer reads, responder also acts, admin also onboards and manages users",
    choices: CONSOLE_ROLES,
    mandatory: true,
  },
  group: {
    flags: "--group <name>",
    description: "the role on this customer group's tenants only (an access grant; repeat for more groups)",
    parse: collect,
  },
  ...OUTPUT_FLAGS,
} satisfies Flags<UsersAddOptions>;

export function register(users: Command, wiring: Wiring): void {
  addFlags(
    users
      .command("add")
      .description(`add an operator or change one's password and role (password from stdin, a prompt, or $${PASSWORD_ENV})`)
      .argument("<name>"),
    ADD,
  )
    .addOption(
      refusedOnCommandLine("--password <value>", "passwords", `pipe it on stdin, type it at the prompt, or set ${PASSWORD_ENV}`),
    )
    .action(lazyAction(wiring, () => import("./run.js"), (m, ctx, name: string, options: UsersAddOptions) => m.runUsersAdd(name, options, ctx)));
  addFlags(users.command("list").description("the operators and their roles"), STREAM_OUTPUT_FLAGS).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, options: OutputFlags) => m.runUsersList(options, ctx)));
  addFlags(users.command("remove").description("remove an operator").argument("<name>"), OUTPUT_FLAGS).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, name: string, options: OutputOptions) => m.runUsersRemove(name, options, ctx)));
}
