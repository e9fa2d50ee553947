/**
 * `mde-partner hunt "<KQL>" | --file q.kql [--tenant …|--all]`: one advanced
 * hunting query in every tenant, merged into one result with `TenantId` and
 * `TenantName` first (the engine's `huntAcrossTenants`). A tenant's error goes
 * to stderr beside the rows of the others; exit 3 when some tenants failed.
 */
import { readFileSync } from "node:fs";
import { type HuntResult, huntAcrossTenants } from "@mde-partner/sync";
import { loadConfig } from "../../config.js";
import type { CommandContext } from "../../context.js";
import { parseCount, toCliError, usageError } from "../../errors.js";
import { createOutput, type OutputFlags } from "../../output/output.js";
import { openCliStore, openPartner } from "../../partner.js";
import { parseTenantId, selectTenants } from "../../tenant-selection.js";
import { submitToWorkers, workersStoreUrl } from "../batches/run.js";
import { printHuntResult } from "../results-output.js";
import { actorName } from "../../cli-audit.js";

export interface HuntCommandOptions extends OutputFlags {
  /** Run as jobs on the distributed workers (the store must be their PostgreSQL database). */
  workers?: boolean;
  /** With --workers: the workers' store (default: the configured one). */
  db?: string;
  /** With --workers: print the batch id and return instead of following it. */
  detach?: boolean;
  file?: string;
  tenant?: string[];
  all?: boolean;
  group?: string[];
  concurrency?: string;
  /** Use the legacy MDE endpoint (stops returning data on 2027-02-01) instead of Microsoft Graph. */
  legacy?: boolean;
}

/** The query from the argument or `--file`: exactly one, not empty. */
export function readQuery(query: string | undefined, file: string | undefined): string {
  if (query !== undefined && file !== undefined) throw usageError("give the query as an argument or with --file, not both");
  let text: string;
  if (file !== undefined) {
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw usageError(`cannot read the query file ${file} (${(error as NodeJS.ErrnoException).code ?? "error"})`);
    }
  } else if (query !== undefined) text = query;
  else throw usageError("no query", 'mde-partner hunt "DeviceInfo | take 10" or --file query.kql');
  if (text.trim() === "") throw usageError("the query is empty");
  if (text.length > 100_000) throw usageError("the query is longer than 100,000 characters");
  return text;
}

export async function runHunt(query: string | undefined, options: HuntCommandOptions, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  const kql = readQuery(query, options.file);
  const concurrency = options.concurrency !== undefined ? parseCount("--concurrency", options.concurrency, { min: 1, max: 64 }) : 8;
  for (const id of options.tenant ?? []) parseTenantId(id);
  if (!options.workers && (options.db !== undefined || options.detach))
    throw usageError("--db and --detach go with --workers", "mde-partner hunt --workers --db postgres://… \"…\"");
  const url = options.workers ? workersStoreUrl(options.db, config.storeUrl) : config.storeUrl;
  const store = await openCliStore(url);
  try {
    const tenants = await selectTenants(store, options, out);
    if (options.workers) {
      return await submitToWorkers(ctx, out, store, url, options, (queue) =>
        queue.submitHunt({
          actor: actorName(ctx.io.env),
          query: kql,
          tenantIds: tenants.map((t) => t.id),
          ...(options.legacy ? { backend: "legacy" as const } : {}),
        }),
      "hunt",
      );
    }
    const partner = openPartner(config, ctx);
    let result: HuntResult;
    try {
      result = await huntAcrossTenants({
        partner,
        store,
        tenantIds: tenants.map((t) => t.id),
        query: kql,
        concurrency,
        backend: options.legacy ? "legacy" : "graph",
      });
    } catch (error) {
      throw toCliError(error);
    } finally {
      await partner.close();
    }
    return printHuntResult(out, result, tenants.length);
  } finally {
    await store.close();
  }
}
