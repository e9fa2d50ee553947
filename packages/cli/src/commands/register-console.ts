/** Wires the partner console's commands: `serve` and the operator accounts (`users`). */
import { type Command, Option } from "commander";
import { CONSOLE_ROLES } from "../console-files.js";
import type { CommandContext } from "../context.js";
import { usageError } from "../errors.js";
import { PASSWORD_ENV } from "../password-input.js";
import { outputOptions } from "./register-data.js";

type Result = { exitCode: number };

const refusePassword = () =>
  new Option("--password <value>").hideHelp().argParser(() => {
    throw usageError(
      "passwords are never taken on the command line (they end up in shell history and ps)",
      `pipe it on stdin, type it at the prompt, or set ${PASSWORD_ENV}`,
    );
  });

export function registerConsoleCommands(program: Command, result: Result, context: () => CommandContext): void {
  outputOptions(
    program
      .command("serve")
      .description("the partner console: onboarding by consent, tenants, alerts, devices, hunting, audit (HTTPS)")
      .option("--port <n>", "port to listen on (default 8443, 8080 with --http; 0 picks a free one)")
      .option("--host <addr>", "address to listen on", "127.0.0.1")
      .option("--http", "plain HTTP (loopback addresses only)")
      .option("--cert <file>", "TLS certificate (PEM; default: one generated once into $MDE_PARTNER_HOME)")
      .option("--key <file>", "the certificate's private key (PEM)")
      .option("--db <url>", "store URL (default: the configured one)")
      .option("--consent-redirect-uri <url>", "the console's public /consent/callback URL (default: from the config, else its own)")
      .option("--one-time-login", "print a single-use admin sign-in link (expires in 10 minutes)"),
  ).action(async (o) => {
    const { runServe } = await import("./serve.js");
    result.exitCode = await runServe(o, context());
  });

  const users = program.command("users").description("the console's operator accounts ($MDE_PARTNER_HOME/console-users.json)");
  outputOptions(
    users
      .command("add")
      .description(`add an operator or change one's password and role (password from stdin, a prompt, or $${PASSWORD_ENV})`)
      .argument("<name>")
      .addOption(
        new Option("--role <role>", "viewer reads, responder also acts, admin also onboards and manages users")
          .choices(CONSOLE_ROLES)
          .makeOptionMandatory(),
      )
      .addOption(refusePassword()),
  ).action(async (name, o) => {
    const { runUsersAdd } = await import("./users.js");
    result.exitCode = await runUsersAdd(name, o, context());
  });
  outputOptions(users.command("list").description("the operators and their roles"), true).action(async (o) => {
    const { runUsersList } = await import("./users.js");
    result.exitCode = await runUsersList(o, context());
  });
  outputOptions(users.command("remove").description("remove an operator").argument("<name>")).action(async (name, o) => {
    const { runUsersRemove } = await import("./users.js");
    result.exitCode = await runUsersRemove(name, o, context());
  });
}
