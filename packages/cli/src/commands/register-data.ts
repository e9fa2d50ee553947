/** Wires the commands that talk to the client and the store directly. */
import { type Command, Option } from "commander";
import type { CommandContext } from "../context.js";
import { usageError } from "../errors.js";
import { collect } from "../tenant-selection.js";
import { runAlertsGet, runAlertsList, runAlertsUpdate } from "./alerts.js";
import { runAppAz, runAppManifest, runAppPermissions } from "./app.js";
import { runConsentLink } from "./consent.js";
import { runIndicatorsAdd, runIndicatorsList, runIndicatorsRemove } from "./indicators.js";
import { runInit } from "./init.js";
import { runMachinesGet, runMachinesList } from "./machines.js";
import { runTenantsAdd, runTenantsList, runTenantsRemove } from "./tenants.js";
import { runTokenGet, runTokenInspect } from "./token.js";

type Result = { exitCode: number };

/** `--json`, `--ndjson` (streams), `--quiet`. */
export function outputOptions(command: Command, stream = false): Command {
  command.option("--json", "print JSON");
  if (stream) command.option("--ndjson", "print one JSON object per line (streams)");
  return command.option("-q, --quiet", "print only data (no tables, notes or progress)");
}

export function tenantOptions(command: Command): Command {
  return command
    .option("--tenant <id>", "customer tenant (repeat, or comma-separate)", collect)
    .option("--all", "every added tenant (the default)");
}

export function registerDataCommands(program: Command, result: Result, context: () => CommandContext): void {
  outputOptions(
    program
      .command("init")
      .description("create the configuration in $MDE_PARTNER_HOME (secrets are referenced, never stored)")
      .option("--client-id <guid>", "Application (client) ID of your multi-tenant app")
      .option("--partner-tenant <guid>", "your own tenant (where the app is registered)")
      .addOption(new Option("--cloud <name>", "cloud").choices(["public", "gcc", "gcc-high", "dod", "custom"]).default("public"))
      .option("--login-url <url>", "custom cloud: Entra ID authority host")
      .option("--api-url <url>", "custom cloud: MDE API base URL")
      .option("--ca-cert <file>", "custom cloud: CA certificate (PEM) to trust")
      .option("--client-secret-env <VAR>", "environment variable holding the client secret")
      .option("--client-secret-file <file>", "file holding the client secret")
      .option("--certificate <file>", "app certificate (PEM)")
      .option("--private-key <file>", "the certificate's private key (PEM)")
      .option("--db <url>", "store: sqlite:<path> or postgres://… (default: a SQLite file in the home)")
      .option("--db-password-env <VAR>", "postgres store: environment variable holding the database password")
      .option("--db-password-file <file>", "postgres store: file holding the database password")
      .option("--consent-redirect-uri <url>", "redirect URI registered on the app (v2 consent links; the console's /consent/callback)")
      .option("--admin-user <name>", "also create the console's first admin (password from $MDE_PARTNER_PASSWORD, stdin or a prompt)")
      .option(
        "--for <capabilities>",
        "what the integration does (alerts:read,machines:isolate,…): tenants verify checks these permissions",
        collect,
      )
      .addOption(
        new Option("--client-secret <value>").hideHelp().argParser(() => {
          throw usageError(
            "secrets are never taken on the command line (they end up in shell history and ps)",
            "export it and pass its name: --client-secret-env MDE_CLIENT_SECRET",
          );
        }),
      ),
  ).action(async (options) => {
    result.exitCode = await runInit(options, context());
  });

  const app = program.command("app").description("the partner app registration: least-privilege permissions");
  const forOption = (c: Command) =>
    c.option(
      "--for <capabilities>",
      "what the app does: alerts:read,machines:isolate,hunting:run,… (default: what this CLI uses)",
      collect,
    );
  outputOptions(forOption(app.command("permissions").description("the least-privilege WindowsDefenderATP permissions"))).action(
    async (o) => {
      result.exitCode = await runAppPermissions(o, context());
    },
  );
  forOption(app.command("manifest").description("the app manifest's requiredResourceAccess fragment (JSON)")).action(async (o) => {
    result.exitCode = await runAppManifest(o, context());
  });
  outputOptions(
    forOption(app.command("az").description("the az CLI commands that add the permissions")).option(
      "--app-id <guid>",
      "app id (default: the configured one)",
    ),
  ).action(async (o) => {
    result.exitCode = await runAppAz(o, context());
  });

  const tenants = program.command("tenants").description("customer tenants");
  outputOptions(
    tenants
      .command("add")
      .argument("<tenant-id>", "the customer's Directory (tenant) ID")
      .option("--name <name>", "display name")
      .option("--region <region>", "data region: us, eu, uk, au, swa, ina")
      .option("--no-verify", "do not check the customer's consent now (no token request)"),
  ).action(async (id, o) => {
    result.exitCode = await runTenantsAdd(id, o, context());
  });
  outputOptions(tenants.command("list").description("added tenants with their state"), true).action(async (o) => {
    result.exitCode = await runTenantsList(o, context());
  });
  outputOptions(tenants.command("remove").argument("<tenant-id>").option("-y, --yes", "do not ask"))
    .description("remove a tenant and its synced data")
    .action(async (id, o) => {
      result.exitCode = await runTenantsRemove(id, o, context());
    });

  outputOptions(
    program
      .command("audit")
      .description("the audit log: every write from the CLI, the console and the workers, newest first")
      .option("--tenant <id>", "entries of this customer tenant")
      .option("--actor <name>", "entries of this actor (e.g. cli:alice, console:bob)")
      .option("--action <action>", "entries of this action (e.g. tenant.add, indicator.add, machine.isolate)")
      .option("--since <when>", "entries since a time or for a duration back (24h, 7d)")
      .option("--result <result>", "ok, failed or requested")
      .option("--top <n>", "at most this many entries (default 100)")
      .option("--db <url>", "store URL (default: the configured one)"),
    true,
  ).action(async (o) => {
    const { runAudit } = await import("./audit.js");
    result.exitCode = await runAudit(o, context());
  });

  const consent = program.command("consent").description("admin consent of customer tenants");
  outputOptions(
    consent
      .command("link")
      .description("the link to send to the customer's Global Administrator")
      .argument("<tenant-id>")
      .option("--v2", "tenant-specific v2 admin-consent link with a one-time state")
      .option("--redirect-uri <url>", "redirect URI registered on the app (with --v2)")
      .option("--valid-hours <n>", "how long the v2 link's state stays valid", "168"),
  ).action(async (id, o) => {
    result.exitCode = await runConsentLink(id, o, context());
  });

  const token = program.command("token").description("app-only access tokens");
  outputOptions(
    token
      .command("get")
      .description("print a tenant's access token (for curl)")
      .argument("<tenant-id>")
      .option("--v1", "v1 endpoint (resource=)")
      .option("--v2", "v2 endpoint (scope=…/.default; the default)"),
  ).action(async (id, o) => {
    result.exitCode = await runTokenGet(id, o, context());
  });
  outputOptions(
    token
      .command("inspect")
      .description("check a token: signature, issuer, audience, tenant, lifetime, roles (offline jwt.ms)")
      .argument("[tenant-id|-]", "a tenant (its current token), or - to read a token from stdin")
      .option("--token <jwt>", "the token itself (prefer - and stdin: argv is visible to other users)")
      .option("--tenant <id>", "the customer the token must belong to (with - or --token)")
      .option("--require <permission>", "a role the token must carry (repeat, or comma-separate)", collect)
      .option("--v1", "get the tenant's token from the v1 endpoint")
      .option("--v2", "get the tenant's token from the v2 endpoint"),
  ).action(async (target, o) => {
    result.exitCode = await runTokenInspect(target, o, context());
  });

  const alerts = program.command("alerts").description("alerts of customer tenants (live from the API)");
  outputOptions(
    tenantOptions(alerts.command("list").description("every matching alert of the tenants, each with its tenant id"))
      .option("--filter <odata>", "raw OData $filter, e.g. \"status eq 'New'\"")
      .option("--severity <level>", "UnSpecified, Informational, Low, Medium, High (repeat or comma-separate)", collect)
      .option("--status <status>", "New, InProgress, Resolved (repeat or comma-separate)", collect)
      .option("--since <time>", "updated since an ISO time or a duration (24h, 7d)")
      .option("--top <n>", "at most N alerts per tenant")
      .option("--concurrency <n>", "tenants at once", "4"),
    true,
  ).action(async (o) => {
    result.exitCode = await runAlertsList(o, context());
  });
  outputOptions(alerts.command("get").argument("<tenant-id>").argument("<alert-id>"), true).action(async (t, a, o) => {
    result.exitCode = await runAlertsGet(t, a, o, context());
  });
  outputOptions(
    alerts
      .command("update")
      .argument("<tenant-id>")
      .argument("<alert-id>")
      .option("--status <status>", "New, InProgress, Resolved")
      .option("--assign <user>", "assign to a user")
      .option("--classification <c>", "TruePositive, InformationalExpectedActivity, FalsePositive")
      .option("--determination <d>", "Malware, Phishing, SecurityTesting, …")
      .option("--comment <text>", "add a comment"),
  ).action(async (t, a, o) => {
    result.exitCode = await runAlertsUpdate(t, a, o, context());
  });

  const machines = program.command("machines").description("devices and response actions");
  outputOptions(
    tenantOptions(machines.command("list").description("machines of the tenants"))
      .option("--filter <odata>", "raw OData $filter")
      .option("--health <status>", "Active, Inactive, … (repeat or comma-separate)", collect)
      .option("--risk <score>", "None, Informational, Low, Medium, High", collect)
      .option("--top <n>", "at most N machines per tenant"),
    true,
  ).action(async (o) => {
    result.exitCode = await runMachinesList(o, context());
  });
  outputOptions(machines.command("get").argument("<tenant-id>").argument("<machine-id>"), true).action(async (t, m, o) => {
    result.exitCode = await runMachinesGet(t, m, o, context());
  });

  const indicators = program.command("indicators").description("custom threat indicators");
  outputOptions(tenantOptions(indicators.command("list")), true).action(async (o) => {
    result.exitCode = await runIndicatorsList(o, context());
  });
  outputOptions(
    indicators
      .command("add")
      .argument("<tenant-id>")
      .option("--type <type>", "FileSha1, FileSha256, FileMd5, CertificateThumbprint, IpAddress, DomainName, Url")
      .option("--value <value>", "the indicator value")
      .option("--action <action>", "Warn, Block, Audit, BlockAndRemediate, Allowed")
      .option("--title <title>", "title")
      .option("--description <text>", "description (default: the title)")
      .option("--severity <level>", "Informational, Low, Medium, High")
      .option("--expires <time>", "ISO time or a duration from now (30d)"),
  ).action(async (t, o) => {
    result.exitCode = await runIndicatorsAdd(t, o, context());
  });
  outputOptions(indicators.command("remove").argument("<tenant-id>").argument("<indicator-id>")).action(async (t, i, o) => {
    result.exitCode = await runIndicatorsRemove(t, i, o, context());
  });
}
