import { Command, CommanderError } from "commander";
import { createContext, type Wiring } from "./context.js";
import { CliError, EXIT, toCliError } from "./errors.js";
import { exitQuietlyOnBrokenPipe } from "./io.js";
import { errorText } from "./output/output.js";
import { neutralizeControls, terminalText } from "./output/terminal-text.js";
import { CLI_VERSION } from "./version.js";

/** A noun's module: registers the noun's options, arguments and subcommands on its command. */
type NounModule = { register(command: Command, wiring: Wiring): void };

/**
 * The command tree by noun, in help order. A noun's module is imported only
 * when the noun is used (or when the whole tree is shown), so a command loads
 * only what it runs.
 */
const NOUNS: ReadonlyArray<{ name: string; description: string; load: () => Promise<NounModule> }> = [
  {
    name: "emulator",
    description: "run the offline Entra ID + Defender for Endpoint emulator; prints one JSON ready line",
    load: () => import("./commands/emulator/register.js"),
  },
  {
    name: "demo",
    description: "the whole partner flow end to end on the embedded emulator (npm start)",
    load: () => import("./commands/demo/register.js"),
  },
  {
    name: "init",
    description: "create the configuration in $MDE_PARTNER_HOME (secrets are referenced, never stored)",
    load: () => import("./commands/init/register.js"),
  },
  {
    name: "app",
    description: "the partner app registration: least-privilege permissions",
    load: () => import("./commands/app/register.js"),
  },
  {
    name: "tenants",
    description: "customer tenants",
    load: () => import("./commands/tenants/register.js"),
  },
  {
    name: "groups",
    description: "customer groups: named sets of tenants for --group and scoped access",
    load: () => import("./commands/groups/register.js"),
  },
  {
    name: "audit",
    description: "the audit log: every write from the CLI, the console and the workers, newest first",
    load: () => import("./commands/audit/register.js"),
  },
  {
    name: "consent",
    description: "admin consent of customer tenants",
    load: () => import("./commands/consent/register.js"),
  },
  {
    name: "token",
    description: "app-only access tokens",
    load: () => import("./commands/token/register.js"),
  },
  {
    name: "alerts",
    description: "alerts of customer tenants (live from the API)",
    load: () => import("./commands/alerts/register.js"),
  },
  {
    name: "machines",
    description: "devices and response actions",
    load: () => import("./commands/machines/register.js"),
  },
  {
    name: "indicators",
    description: "custom threat indicators",
    load: () => import("./commands/indicators/register.js"),
  },
  {
    name: "investigations",
    description: "automated investigations (AIR) of customer tenants",
    load: () => import("./commands/investigations/register.js"),
  },
  {
    name: "library",
    description: "the live response library of customer tenants (scripts and files live response uses)",
    load: () => import("./commands/library/register.js"),
  },
  {
    name: "lookup",
    description: "a file, IP, domain or user across tenants: prevalence, first/last seen, related alerts and machines",
    load: () => import("./commands/lookup/register.js"),
  },
  {
    name: "tvm",
    description: "vulnerability management: vulnerabilities, software, recommendations, missing KBs, scores",
    load: () => import("./commands/tvm/register.js"),
  },
  {
    name: "incidents",
    description: "incidents (Microsoft Graph) of the tenants synced from Graph, from the store",
    load: () => import("./commands/incidents/register.js"),
  },
  {
    name: "hunt",
    description: "an advanced hunting query across tenants, merged with TenantId/TenantName",
    load: () => import("./commands/hunt/register.js"),
  },
  {
    name: "baseline",
    description: "the same indicators, detection rules and device tags at every customer: plan, apply, drift",
    load: () => import("./commands/baseline/register.js"),
  },
  {
    name: "sync",
    description: "copy alerts (incrementally) and machines of every consented tenant into the store",
    load: () => import("./commands/sync/register.js"),
  },
  {
    name: "webhook",
    description: "where sync --watch, worker and serve forward new and changed alerts",
    load: () => import("./commands/webhook/register.js"),
  },
  {
    name: "notify",
    description: "notification rules: which alerts go to Teams, Slack, email, PagerDuty, syslog, Splunk or a webhook",
    load: () => import("./commands/notify/register.js"),
  },
  {
    name: "export",
    description: "export from the store",
    load: () => import("./commands/export/register.js"),
  },
  {
    name: "report",
    description: "a customer's report (alerts, response times, actions, devices, exposure) as HTML or PDF, once or monthly",
    load: () => import("./commands/report/register.js"),
  },
  {
    name: "batches",
    description: "hunts and response actions run by the distributed workers",
    load: () => import("./commands/batches/register.js"),
  },
  {
    name: "worker",
    description: "a distributed worker (sync, hunts and response actions) sharing work through pg-boss on PostgreSQL",
    load: () => import("./commands/worker/register.js"),
  },
  {
    name: "serve",
    description: "the partner console: onboarding by consent, tenants, alerts, devices, hunting, audit (HTTPS)",
    load: () => import("./commands/serve/register.js"),
  },
  {
    name: "users",
    description: "the console's operator accounts ($MDE_PARTNER_HOME/console-users.json)",
    load: () => import("./commands/users/register.js"),
  },
  {
    name: "access",
    description: "roles of users and Entra groups on customer groups or every tenant",
    load: () => import("./commands/access/register.js"),
  },
  {
    name: "tokens",
    description: "API tokens for the console's JSON API (shown once, stored hashed)",
    load: () => import("./commands/tokens/register.js"),
  },
];

/**
 * The nouns a command line needs registered in full: the one it names (also
 * after `help`); none for `--version` or an unknown command; every noun when
 * the program's own help may be shown (it lists each noun's usage).
 */
export function nounsFor(argv: readonly string[]): readonly string[] {
  const words = argv.filter((a) => !a.startsWith("-"));
  const named = words[0] === "help" ? words[1] : words[0];
  if (named !== undefined && NOUNS.some((n) => n.name === named)) return [named];
  const asksHelp = words.length === 0 || words[0] === "help" || argv.some((a) => a === "-h" || a === "--help");
  const asksVersion = argv.some((a) => a === "-V" || a === "--version");
  return asksHelp && !(words.length === 0 && asksVersion) ? NOUNS.map((n) => n.name) : [];
}

/**
 * Builds the `mde-partner` program. Each action resolves to an exit code in
 * `result`. `nouns` are registered in full (default: all of them); the others
 * only by name and description.
 */
export async function createProgram(
  result: { exitCode: number },
  nouns: readonly string[] = NOUNS.map((n) => n.name),
): Promise<Command> {
  const program = new Command("mde-partner")
    .description("Operate Microsoft Defender for Endpoint for every customer tenant through one multi-tenant Entra ID app.")
    .version(CLI_VERSION, "-V, --version")
    .option("--debug", "show request logs and stack traces (secrets are never printed)")
    .showSuggestionAfterError(true)
    .exitOverride()
    // Usage errors quote the arguments given: shown with control characters made visible like every other message.
    .configureOutput({ writeErr: (s) => process.stderr.write(neutralizeControls(s)) });
  const wiring: Wiring = { result, context: () => createContext({ debug: program.opts().debug === true }) };
  const modules = await Promise.all(NOUNS.map((n) => (nouns.includes(n.name) ? n.load() : undefined)));
  NOUNS.forEach((noun, i) => {
    const command = program.command(noun.name).description(noun.description);
    modules[i]?.register(command, wiring);
  });
  return program;
}

/** Runs the CLI; the one place that turns errors into exit codes and one-line messages. */
export async function main(argv: string[]): Promise<number> {
  const result = { exitCode: EXIT.ok as number };
  const program = await createProgram(result, nounsFor(argv));
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
