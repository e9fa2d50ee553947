/**
 * `mde-partner alerts list|get|update`: alerts straight from the MDE API of one
 * or many customer tenants (the store's copy is `export alerts`). `list` pages
 * through every matching alert of every tenant, streaming, unless `--top`
 * caps it per tenant; each alert carries its `tenantId`.
 */
import {
  type Alert,
  ALERT_UPDATE_CLASSIFICATIONS,
  ALERT_UPDATE_DETERMINATIONS,
  ALERT_UPDATE_STATUSES,
  type AlertUpdate,
  type PagedResult,
} from "@mde-partner/client";
import { tenantOf, updateAlert } from "@mde-partner/sync";
import { loadConfig } from "../../config.js";
import type { CommandContext } from "../../context.js";
import { EXIT, parseCount, usageError } from "../../errors.js";
import { forEachTenantReported } from "../../fan-out.js";
import { checkRawFilter, enumValues, parseSince, rawFilterList, SEVERITIES, STATUSES } from "../../odata-options.js";
import { createOutput, type Output, type OutputFlags, type OutputOptions } from "../../output/output.js";
import { createProgress } from "../../output/progress.js";
import { withPartner, withStore } from "../../partner.js";
import { parseTenantId, requireTenant, selectTenants } from "../../tenant-selection.js";
import { actorName } from "../../cli-audit.js";

export interface AlertsListOptions extends OutputFlags {
  tenant?: string[];
  all?: boolean;
  group?: string[];
  filter?: string;
  severity?: string[];
  status?: string[];
  since?: string;
  top?: string;
  concurrency?: string;
}

/** An alert as printed: its tenant first. */
export type TenantAlert = { tenantId: string } & Alert;

function withTenant(tenantId: string, alert: Alert): TenantAlert {
  return Object.assign({ tenantId }, alert, { tenantId });
}

export const alertColumns = (out: Output, names: Map<string, string>) => {
  const sev = (t: string) => (t === "High" ? out.palette.red(t) : t === "Medium" ? out.palette.yellow(t) : t);
  return [
    { header: "TENANT", value: (a: TenantAlert) => names.get(a.tenantId) ?? a.tenantId, max: 20 },
    { header: "ALERT", value: (a: TenantAlert) => a.id },
    { header: "SEVERITY", value: (a: TenantAlert) => a.severity, style: sev },
    { header: "STATUS", value: (a: TenantAlert) => a.status },
    { header: "UPDATED", value: (a: TenantAlert) => (a.lastUpdateTime ? String(a.lastUpdateTime).slice(0, 19) : "") },
    { header: "TITLE", value: (a: TenantAlert) => a.title, max: 60 },
  ];
};

export async function runAlertsList(options: AlertsListOptions, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  const friendly = options.severity !== undefined || options.status !== undefined || options.since !== undefined;
  if (options.filter !== undefined && friendly)
    throw usageError("--filter cannot be combined with --severity, --status or --since", "put everything in the --filter expression");
  const raw = options.filter !== undefined ? checkRawFilter(options.filter) : undefined;
  const severities = enumValues("--severity", options.severity, SEVERITIES);
  const statuses = enumValues("--status", options.status, STATUSES);
  const since = options.since !== undefined ? parseSince("--since", options.since) : undefined;
  const top = options.top !== undefined ? parseCount("--top", options.top, { min: 1, max: 10_000 }) : undefined;
  const concurrency = options.concurrency !== undefined ? parseCount("--concurrency", options.concurrency, { min: 1, max: 64 }) : 4;
  for (const id of options.tenant ?? []) parseTenantId(id);

  const tenants = await withStore(config.storeUrl, (store) => selectTenants(store, options, out));
  const names = new Map(tenants.map((t) => [t.id, t.name]));
  return withPartner(config, ctx, async (partner) => {
    const progress = createProgress(ctx.io.stderr, {
      enabled: out.mode === "table" && !out.quiet && tenants.length > 1,
      palette: out.errPalette,
    });
    const rows: TenantAlert[] = [];
    const run = await forEachTenantReported(
      tenants,
      async (t) => {
        const api = tenantOf(partner, t).mde;
        let list: PagedResult<Alert>;
        if (raw !== undefined) list = rawFilterList<Alert>(api, "ListAlerts", "/api/alerts", raw, top);
        else {
          list = api.alerts.list({
            ...(top !== undefined ? { top } : {}),
            ...(friendly
              ? {
                  filter: (f) => {
                    const parts = [];
                    if (severities) parts.push(f.anyOf("severity", severities));
                    if (statuses) parts.push(f.anyOf("status", statuses));
                    if (since) parts.push(f.ge("lastUpdateTime", since));
                    return parts.length === 1 ? parts[0]! : f.and(...parts);
                  },
                }
              : {}),
          });
        }
        let n = 0;
        for await (const alert of list) {
          n++;
          const row = withTenant(t.id, alert);
          if (out.mode === "ndjson") out.record(row);
          else rows.push(row);
          if (n % 500 === 0) progress.update(t.id, t.name, { done: n });
        }
        progress.update(t.id, t.name, { done: n, total: n, status: "done" });
        return n;
      },
      out,
      { concurrency },
    );
    progress.finish();
    if (out.mode === "json") out.json(rows);
    else if (out.mode === "table") {
      out.table(alertColumns(out, names), rows);
      if (run.results.length > 0) out.note(`${rows.length} alerts from ${run.results.length} of ${tenants.length} tenants`);
    }
    return run.exitCode;
  });
}

export async function runAlertsGet(tenantId: string, alertId: string, options: OutputFlags, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  parseTenantId(tenantId);
  const id = checkAlertId(alertId);
  const tenant = await withStore(config.storeUrl, (store) => requireTenant(store, tenantId));
  return withPartner(config, ctx, async (partner) => {
    const alert = withTenant(tenant.id, await tenantOf(partner, tenant).mde.alerts.get(id));
    printAlert(alert, out);
    return EXIT.ok;
  });
}

function printAlert(alert: TenantAlert, out: Output) {
  if (out.mode === "ndjson") out.record(alert);
  else if (out.mode === "json") out.json(alert);
  else {
    const fields = [
      "tenantId",
      "id",
      "title",
      "severity",
      "status",
      "classification",
      "determination",
      "assignedTo",
      "category",
      "machineId",
      "computerDnsName",
      "alertCreationTime",
      "lastUpdateTime",
    ] as const;
    out.fields(fields.map((key) => [key, (alert as unknown as Record<string, unknown>)[key]] as const));
  }
}

/** Alert ids are opaque (`da637…_-1234`, `ed637…`) but never contain slashes, spaces or quotes. */
export function checkAlertId(value: string): string {
  const v = String(value ?? "").trim();
  if (!/^[A-Za-z0-9_.:-]{1,128}$/.test(v))
    throw usageError(`${JSON.stringify(v.slice(0, 60))} is not an alert id`, "alert ids look like da637472900382838869_1364969609");
  return v;
}

export interface AlertsUpdateOptions extends OutputOptions {
  status?: string;
  assign?: string;
  classification?: string;
  determination?: string;
  comment?: string;
}

export async function runAlertsUpdate(
  tenantId: string,
  alertId: string,
  options: AlertsUpdateOptions,
  ctx: CommandContext,
): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  parseTenantId(tenantId);
  const id = checkAlertId(alertId);
  const update: AlertUpdate = {};
  // PATCH accepts New, InProgress, Resolved only (mde-api.md §6.1).
  if (options.status !== undefined) update.status = enumValues("--status", [options.status], ALERT_UPDATE_STATUSES)![0]!;
  if (options.assign !== undefined) {
    if (options.assign.trim() === "" || options.assign.length > 256) throw usageError("--assign takes a user (e.g. secop2@contoso.com)");
    update.assignedTo = options.assign.trim();
  }
  if (options.classification !== undefined)
    update.classification = enumValues("--classification", [options.classification], ALERT_UPDATE_CLASSIFICATIONS)![0]!;
  if (options.determination !== undefined)
    update.determination = enumValues("--determination", [options.determination], ALERT_UPDATE_DETERMINATIONS)![0]!;
  if (options.comment !== undefined) {
    if (options.comment.trim() === "") throw usageError("--comment is empty");
    update.comment = options.comment;
  }
  if (Object.keys(update).length === 0)
    throw usageError("nothing to update", "give --status, --assign, --classification, --determination or --comment");
  return withStore(config.storeUrl, async (store) => {
    const tenant = await requireTenant(store, tenantId);
    return withPartner(config, ctx, async (partner) => {
      const updated = await updateAlert({ store, partner, actor: actorName(ctx.io.env) }, { tenantId: tenant.id, alertId: id, update });
      printAlert(withTenant(tenant.id, updated), out);
      return EXIT.ok;
    });
  });
}
