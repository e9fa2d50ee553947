import { Command, CommanderError, Option } from "commander";
import { runEmulatorCommand } from "./commands/emulator.js";
import { registerDataCommands } from "./commands/register-data.js";
import { registerConsoleCommands } from "./commands/register-console.js";
import { registerEngineCommands } from "./commands/register-engine.js";
import { createContext } from "./context.js";
import { CliError, EXIT, toCliError } from "./errors.js";
import { exitQuietlyOnBrokenPipe } from "./io.js";
import { errorText } from "./output/output.js";
import { neutralizeControls, terminalText } from "./output/terminal-text.js";
import { CLI_VERSION } from "./version.js";

function waitForStop(stop: () => Promise<void>): Promise<number> {
  return new Promise((resolve) => {
    const onSignal = () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      stop().then(
        () => resolve(EXIT.ok),
        () => resolve(EXIT.failed),
      );
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}

/** Builds the `mde-partner` program. Each action resolves to an exit code. */
export function createProgram(result: { exitCode: number }): Command {
  const program = new Command("mde-partner")
    .description("Operate Microsoft Defender for Endpoint for every customer tenant through one multi-tenant Entra ID app.")
    .version(CLI_VERSION, "-V, --version")
    .option("--debug", "show request logs and stack traces (secrets are never printed)")
    .showSuggestionAfterError(true)
    .exitOverride()
    // Usage errors quote the arguments given: shown with control characters made visible like every other message.
    .configureOutput({ writeErr: (s) => process.stderr.write(neutralizeControls(s)) });
  const context = () => createContext({ debug: program.opts().debug === true });

  program
    .command("emulator")
    .description("run the offline Entra ID + Defender for Endpoint emulator; prints one JSON ready line")
    .option("--port <n>", "port to listen on (0 picks a free one)", "0")
    .option("--host <addr>", "address to listen on (not loopback: needs a control token)", "127.0.0.1")
    .option("--control-token-env <VAR>", "environment variable holding the token /_control requires (Authorization: Bearer)")
    .option("--control-token-file <file>", "file holding the token /_control requires (Authorization: Bearer)")
    .option("--tenants <n>", "customer tenants to create", "3")
    .option("--hostile-tenants <n>", "hostile tenants to add: their data carries terminal escapes, HTML, formulas, javascript: URLs, huge titles")
    .option("--alerts-per-tenant <n>", "alerts generated per tenant", "100")
    .option("--machines-per-tenant <n>", "machines generated per tenant")
    .option("--seed <seed>", "seed of the data generator", "1")
    .option("--state-dir <dir>", "folder for the CA and credentials (default $MDE_PARTNER_HOME/emulator)")
    .option("--insecure-http", "serve plain HTTP instead of HTTPS")
    .option("--token-lifetime <seconds>", "access-token lifetime", "3599")
    .addOption(new Option("--token-version <v>", "MDE access-token format").choices(["1.0", "2.0"]).default("1.0"))
    .option("--live <interval>", "add and update alerts every interval (e.g. 5s)")
    .option("--no-rate-limits", "do not enforce the documented rate limits")
    .action(async (options) => {
      const { emulator } = await runEmulatorCommand(options, { stdout: process.stdout, env: process.env });
      result.exitCode = await waitForStop(() => emulator.stop());
    });

  program
    .command("demo")
    .description("the whole partner flow end to end on the embedded emulator (npm start)")
    .option("--no-serve", "end after the summary")
    .option("--tenants <n>", "customer tenants besides the two special ones", "3")
    .option("--alerts-per-tenant <n>", "alerts generated per tenant", "200")
    .option("--interval <duration>", "sync interval while serving", "10s")
    .action(async (options) => {
      const { runDemo } = await import("./commands/demo.js");
      result.exitCode = await runDemo(options, context());
    });

  registerDataCommands(program, result, context);
  registerEngineCommands(program, result, context);
  registerConsoleCommands(program, result, context);
  return program;
}

/** Runs the CLI; the one place that turns errors into exit codes and one-line messages. */
export async function main(argv: string[]): Promise<number> {
  const result = { exitCode: EXIT.ok as number };
  const program = createProgram(result);
  const debug = argv.includes("--debug");
  exitQuietlyOnBrokenPipe();
  try {
    await program.parseAsync(argv, { from: "user" });
    return result.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help") return EXIT.ok;
      return EXIT.usage;
    }
    const cli = error instanceof CliError ? error : toCliError(error);
    const hint = cli.hint && !(debug && cli.hint.startsWith("run again with --debug")) ? cli.hint : undefined;
    process.stderr.write(errorText(cli.message, hint));
    if (debug) {
      const stack = error instanceof Error ? error.stack : undefined;
      if (stack) process.stderr.write(`${terminalText(stack, { max: 20_000 }).text}\n`);
    }
    return cli.exitCode;
  }
}
