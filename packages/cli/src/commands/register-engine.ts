/** Wires the commands that run on the multi-tenant engine of @mde-partner/sync. */
import type { Command } from "commander";
import type { CommandContext } from "../context.js";
import { collect } from "../tenant-selection.js";
import { runExportAlerts } from "./export.js";
import { runHunt } from "./hunt.js";
import { MACHINE_ACTIONS, runMachineAction } from "./machine-actions.js";
import { outputOptions, tenantOptions } from "./register-data.js";
import { runSync } from "./sync.js";
import { runTenantsVerify } from "./tenants-verify.js";

type Result = { exitCode: number };

function group(program: Command, name: string): Command {
  const found = program.commands.find((c) => c.name() === name);
  if (!found) throw new Error(`command group ${name} is missing`);
  return found;
}

export function registerEngineCommands(program: Command, result: Result, context: () => CommandContext): void {
  const incidents = program.command("incidents").description("incidents (Microsoft Graph) of the tenants synced from Graph, from the store");
  outputOptions(
    tenantOptions(
      incidents
        .command("list")
        .description("incidents across tenants, newest first")
        .option("--status <status>", "active, inProgress, awaitingAction, resolved or redirected (comma-separate several)")
        .option("--top <n>", "at most this many")
        .option("--db <url>", "store URL (default: the configured one)"),
    ),
    true,
  ).action(async (o) => {
    const { runIncidentsList } = await import("./incidents.js");
    result.exitCode = await runIncidentsList(o, context());
  });
  outputOptions(
    group(program, "tenants")
      .command("verify")
      .description("token + inspection + one API probe per tenant; records the state and says what to do")
      .argument("[tenant-id]")
      .option("--all", "every added tenant (the default without a tenant id)")
      .option("--require <permission>", "permissions the tenant must have granted (default: from init --for)", collect),
    true,
  ).action(async (id, o) => {
    result.exitCode = await runTenantsVerify(id, o, context());
  });

  const machines = group(program, "machines");
  for (const [name, spec] of Object.entries(MACHINE_ACTIONS)) {
    const command = machines
      .command(name)
      .description(`${spec.verb.toLowerCase()} machines (audited)`)
      .argument("<tenant-id>")
      .argument("<machine-id...>")
      .option("--comment <text>", "why (required; recorded by MDE and in the audit log)")
      .option("--wait", "wait until each action is final")
      .option("--timeout <duration>", "how long --wait waits", "10m")
      .option("-y, --yes", "do not ask for confirmation")
      .option("--workers", "run as jobs on the distributed workers (mde-partner worker), one per machine")
      .option("--db <url>", "with --workers: the workers' PostgreSQL store (default: the configured one)")
      .option("--detach", "with --workers: print the batch id and return instead of following it");
    if (spec.types) command.option("--type <type>", spec.types.join(" | "));
    outputOptions(command, true).action(async (tenant, ids, o) => {
      result.exitCode = await runMachineAction(name, tenant, ids, o, context());
    });
  }

  outputOptions(
    tenantOptions(
      program
        .command("hunt")
        .description("an advanced hunting query across tenants, merged with TenantId/TenantName")
        .argument("[kql]", "the query")
        .option("--file <file>", "read the query from a file")
        .option("--concurrency <n>", "tenants at once", "8")
        .option("--legacy", "use the legacy MDE hunting endpoint (stops returning data on 2027-02-01) instead of Microsoft Graph")
        .option("--workers", "run as jobs on the distributed workers (mde-partner worker), one per tenant")
        .option("--db <url>", "with --workers: the workers' PostgreSQL store (default: the configured one)")
        .option("--detach", "with --workers: print the batch id and return instead of following it"),
    ),
    true,
  ).action(async (kql, o) => {
    result.exitCode = await runHunt(kql, o, context());
  });

  outputOptions(
    program
      .command("sync")
      .description("copy alerts (incrementally) and machines of every consented tenant into the store")
      .option("--once", "one pass (the default)")
      .option("--watch", "keep syncing")
      .option("--interval <duration>", "with --watch: time between passes", "5m")
      .option("--db <url>", "store URL (default: the configured one)")
      .option("--tenant <id>", "only these tenants (repeat, or comma-separate)", collect)
      .option("--since <time>", "first sync of a tenant: only alerts updated since (ISO time or 30d)")
      .option("--concurrency <n>", "tenants at once", "8")
      .option("--no-machines", "skip the machines refresh"),
    true,
  ).action(async (o, cmd: Command) => {
    // Commander fills the default; only an explicit --interval without --watch is a mistake.
    const explicit = cmd.getOptionValueSource("interval") === "cli";
    result.exitCode = await runSync({ ...o, ...(explicit ? {} : { interval: o.watch ? o.interval : undefined }) }, context());
  });

  const webhook = program.command("webhook").description("where sync --watch, worker and serve forward new and changed alerts");
  outputOptions(
    webhook
      .command("set")
      .description("forward alerts to this https URL (http only for 127.0.0.1/localhost); secrets by reference only")
      .argument("<url>")
      .option("--secret-env <var>", "environment variable holding the HMAC signing secret (X-Signature-256)")
      .option("--secret-file <file>", "file holding the HMAC signing secret")
      .option("--api-key-env <var>", "environment variable holding the receiver's API key (sent as x-api-key)")
      .option("--allow-private", "allow private and link-local receivers (never cloud metadata addresses)")
      .option("--interval <duration>", "time between delivery passes (default 10s)"),
  ).action(async (url, o) => {
    const { runWebhookSet } = await import("./webhook.js");
    result.exitCode = await runWebhookSet(url, o, context());
  });
  outputOptions(webhook.command("show").description("the configured webhook")).action(async (o) => {
    const { runWebhookShow } = await import("./webhook.js");
    result.exitCode = await runWebhookShow(o, context());
  });
  outputOptions(webhook.command("clear").description("stop forwarding alerts")).action(async (o) => {
    const { runWebhookClear } = await import("./webhook.js");
    result.exitCode = await runWebhookClear(o, context());
  });

  const exp = program.command("export").description("export from the store");
  exp
    .command("alerts")
    .description("the store's alerts as NDJSON or CSV")
    .option("--format <format>", "ndjson or csv", "ndjson")
    .option("--tenant <id>", "only these tenants", collect)
    .option("--severity <level>", "only these severities", collect)
    .option("--status <status>", "only these statuses", collect)
    .option("--since <time>", "lastUpdateTime at or after (ISO time or 7d)")
    .option("--until <time>", "lastUpdateTime before")
    .option("--out <file>", "write to a file instead of stdout")
    .option("--db <url>", "store URL (default: the configured one)")
    .option("-q, --quiet", "no notes")
    .action(async (o) => {
      result.exitCode = await runExportAlerts(o, context());
    });

  const batches = program.command("batches").description("hunts and response actions run by the distributed workers");
  const batchDb = (c: Command) => c.option("--db <url>", "the workers' PostgreSQL store (default: the configured one)");
  outputOptions(
    batchDb(
      batches
        .command("list")
        .description("the newest batches and their progress")
        .option("--state <state>", "running or done")
        .option("--top <n>", "at most this many", "20"),
    ),
    true,
  ).action(async (o) => {
    const { runBatchesList } = await import("./batches.js");
    result.exitCode = await runBatchesList(o, context());
  });
  outputOptions(batchDb(batches.command("show").description("a batch's results so far").argument("<batch-id>")), true).action(async (id, o) => {
    const { runBatchesShow } = await import("./batches.js");
    result.exitCode = await runBatchesShow(id, o, context());
  });
  outputOptions(batchDb(batches.command("wait").description("follow a batch to its end, then print its results").argument("<batch-id>")), true).action(
    async (id, o) => {
      const { runBatchesShow } = await import("./batches.js");
      result.exitCode = await runBatchesShow(id, { ...o, wait: true }, context());
    },
  );

  outputOptions(
    batchDb(
      batches
        .command("prune")
        .description("delete finished batches and their results")
        .option("--older-than <age>", "finished before this long ago (e.g. 30d) or an ISO time"),
    ),
    true,
  ).action(async (o) => {
    const { runBatchesPrune } = await import("./batches.js");
    result.exitCode = await runBatchesPrune(o, context());
  });

  program
    .command("worker")
    .description("a distributed worker (sync, hunts and response actions) sharing work through pg-boss on PostgreSQL")
    .option("--db <url>", "PostgreSQL URL of the shared store and queue")
    .option("--concurrency <n>", "tenants this worker syncs at once")
    .option("--interval <duration>", "how often each tenant is synced (e.g. 5m)")
    .action(async (o) => {
      const { runWorkerCommand } = await import("./worker.js");
      result.exitCode = await runWorkerCommand(o, context());
    });
}
