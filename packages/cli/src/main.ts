import { Command, CommanderError, Option } from "commander";
import { runEmulatorCommand } from "./commands/emulator.js";
import { CliError, EXIT } from "./errors.js";

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
    .option("--debug", "show stack traces for errors")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command("emulator")
    .description("run the offline Entra ID + Defender for Endpoint emulator; prints one JSON ready line")
    .option("--port <n>", "port to listen on (0 picks a free one)", "0")
    .option("--host <addr>", "address to listen on", "127.0.0.1")
    .option("--tenants <n>", "customer tenants to create", "3")
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
    .description("the whole partner flow end to end on the embedded emulator")
    .option("--no-serve", "end after the summary")
    .action(async (options: { serve: boolean }) => {
      const { runDemo } = await import("./commands/demo.js");
      result.exitCode = await runDemo(options, { stdout: process.stdout, stderr: process.stderr, env: process.env });
    });
  return program;
}

/** Runs the CLI; the one place that turns errors into exit codes and one-line messages. */
export async function main(argv: string[]): Promise<number> {
  const result = { exitCode: EXIT.ok as number };
  const program = createProgram(result);
  try {
    await program.parseAsync(argv, { from: "user" });
    return result.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help") return EXIT.ok;
      return EXIT.usage;
    }
    const debug = argv.includes("--debug");
    if (error instanceof CliError) {
      process.stderr.write(`error: ${error.message}\n`);
      if (error.hint) process.stderr.write(`hint: ${error.hint}\n`);
      if (debug && error.stack) process.stderr.write(`${error.stack}\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`error: ${message.split("\n")[0]}\n`);
    if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    else process.stderr.write("hint: run again with --debug for details\n");
    return EXIT.failed;
  }
}
