/**
 * `mde-partner export alerts --format ndjson|csv`: the store's alerts (as the
 * last sync left them), streamed by the engine's `exportAlerts` to stdout or a file.
 */
import { createWriteStream, renameSync, rmSync } from "node:fs";
import { exportAlerts } from "@mde-partner/sync";
import { absolutePath, loadConfig } from "../../config.js";
import type { CommandContext } from "../../context.js";
import { EXIT, toCliError, usageError } from "../../errors.js";
import { enumValues, parseSince, SEVERITIES, STATUSES } from "../../odata-options.js";
import { createOutput } from "../../output/output.js";
import { openCliStore } from "../../partner.js";
import { checkTenantChoice, parseTenantId, requireTenant, tenantIdsOfGroups } from "../../tenant-selection.js";

export interface ExportCommandOptions {
  format?: string;
  tenant?: string[];
  group?: string[];
  severity?: string[];
  status?: string[];
  since?: string;
  until?: string;
  out?: string;
  db?: string;
  quiet?: boolean;
}

export async function runExportAlerts(options: ExportCommandOptions, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, { quiet: options.quiet });
  const config = loadConfig(ctx.home);
  const format = options.format ?? "ndjson";
  if (format !== "ndjson" && format !== "csv") throw usageError(`--format must be ndjson or csv, got ${JSON.stringify(format)}`);
  const severity = enumValues("--severity", options.severity, SEVERITIES);
  const status = enumValues("--status", options.status, STATUSES);
  const since = options.since !== undefined ? parseSince("--since", options.since).toISOString() : undefined;
  const until = options.until !== undefined ? parseSince("--until", options.until).toISOString() : undefined;
  for (const id of options.tenant ?? []) parseTenantId(id);
  const groups = checkTenantChoice(options);
  const store = await openCliStore(options.db ?? config.storeUrl);
  try {
    const tenantIds: string[] = [];
    for (const id of options.tenant ?? []) tenantIds.push((await requireTenant(store, id)).id);
    if (groups) {
      tenantIds.push(...(await tenantIdsOfGroups(store, groups)));
      // An empty group must not widen to every tenant.
      if (tenantIds.length === 0) throw usageError(`there are no tenants in group ${groups.join(", ")}`, `add some: mde-partner groups add ${groups[0]} <tenant-id>…`);
    }
    const file = options.out !== undefined ? absolutePath(options.out) : undefined;
    const tmp = file ? `${file}.${process.pid}.partial` : undefined;
    const target = tmp ? createWriteStream(tmp, { mode: 0o600 }) : (ctx.io.stdout as unknown as NodeJS.WritableStream);
    try {
      const { count } = await exportAlerts({
        store,
        format,
        out: target,
        ...(tenantIds.length > 0 ? { tenantIds } : {}),
        ...(severity ? { severity } : {}),
        ...(status ? { status } : {}),
        ...(since ? { since } : {}),
        ...(until ? { until } : {}),
      });
      if (tmp && file) {
        await new Promise<void>((resolve, reject) =>
          (target as ReturnType<typeof createWriteStream>).end((err?: Error | null) => (err ? reject(err) : resolve())),
        );
        renameSync(tmp, file);
      }
      out.note(`exported ${count} alert(s)${file ? ` to ${file}` : ""}`);
      return EXIT.ok;
    } catch (error) {
      if (tmp) rmSync(tmp, { force: true });
      throw toCliError(error);
    }
  } finally {
    await store.close();
  }
}
