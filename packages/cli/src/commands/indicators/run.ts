/** `mde-partner indicators list|add|remove`: custom threat indicators (mde-api.md §5.5). */
import type { Indicator, IndicatorSubmission } from "@mde-partner/client";
import { removeIndicator, submitIndicator, tenantOf } from "@mde-partner/sync";
import { loadConfig } from "../../config.js";
import type { CommandContext } from "../../context.js";
import { EXIT, usageError } from "../../errors.js";
import { forEachTenantReported } from "../../fan-out.js";
import { enumValues, parseSince } from "../../odata-options.js";
import { createOutput, type OutputFlags, type OutputOptions } from "../../output/output.js";
import { withPartner, withStore } from "../../partner.js";
import { parseTenantId, requireTenant, selectTenants } from "../../tenant-selection.js";
import { actorName } from "../../cli-audit.js";

const TYPES = ["FileSha1", "FileSha256", "FileMd5", "CertificateThumbprint", "IpAddress", "DomainName", "Url"];
const ACTIONS = ["Warn", "Block", "Audit", "BlockAndRemediate", "Allowed"];
const SEVERITIES = ["Informational", "Low", "Medium", "High"];

export async function runIndicatorsList(options: OutputFlags & { tenant?: string[]; all?: boolean }, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  for (const id of options.tenant ?? []) parseTenantId(id);
  const tenants = await withStore(config.storeUrl, (store) => selectTenants(store, options, out));
  return withPartner(config, ctx, async (partner) => {
    const rows: Array<{ tenantId: string } & Indicator> = [];
    const run = await forEachTenantReported(
      tenants,
      async (t) => {
        for await (const indicator of tenantOf(partner, t).mde.indicators.list()) {
          const row = Object.assign({ tenantId: t.id }, indicator, { tenantId: t.id });
          if (out.mode === "ndjson") out.record(row);
          else rows.push(row);
        }
      },
      out,
    );
    if (out.mode === "json") out.json(rows);
    else if (out.mode === "table")
      out.table(
        [
          { header: "TENANT", value: (r: (typeof rows)[number]) => r.tenantId },
          { header: "ID", value: (r: (typeof rows)[number]) => r.id },
          { header: "TYPE", value: (r: (typeof rows)[number]) => r.indicatorType },
          { header: "VALUE", value: (r: (typeof rows)[number]) => r.indicatorValue, max: 48 },
          { header: "ACTION", value: (r: (typeof rows)[number]) => r.action },
          { header: "TITLE", value: (r: (typeof rows)[number]) => r.title, max: 40 },
        ],
        rows,
      );
    return run.exitCode;
  });
}

export interface IndicatorAddOptions extends OutputOptions {
  type?: string;
  value?: string;
  action?: string;
  title?: string;
  description?: string;
  severity?: string;
  expires?: string;
}

export async function runIndicatorsAdd(tenantId: string, options: IndicatorAddOptions, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  parseTenantId(tenantId);
  for (const flag of ["type", "value", "action", "title"] as const) {
    if (options[flag] === undefined || options[flag]!.trim() === "") throw usageError(`--${flag} is required`);
  }
  const submission: IndicatorSubmission = {
    indicatorType: enumValues("--type", [options.type!], TYPES)![0]!,
    indicatorValue: options.value!.trim(),
    action: enumValues("--action", [options.action!], ACTIONS)![0]!,
    title: options.title!,
    description: options.description ?? options.title!,
    ...(options.severity !== undefined ? { severity: enumValues("--severity", [options.severity], SEVERITIES)![0]! } : {}),
    ...(options.expires !== undefined ? { expirationTime: expiry(options.expires) } : {}),
    ...(options.action?.toLowerCase() === "audit" ? { generateAlert: true } : {}),
  };
  return withStore(config.storeUrl, async (store) => {
    const tenant = await requireTenant(store, tenantId);
    return withPartner(config, ctx, async (partner) => {
      const created = await submitIndicator({ store, partner, actor: actorName(ctx.io.env) }, { tenantId: tenant.id, submission });
      if (out.mode !== "table") out.json(Object.assign({ tenantId: tenant.id }, created));
      else out.line(`added indicator ${created.id} (${created.indicatorType} ${created.indicatorValue} → ${created.action})`);
      return EXIT.ok;
    });
  });
}

/** `--expires`: an ISO time in the future, or a duration from now (`30d`, `12h`). */
function expiry(value: string): string {
  const rel = /^(\d+)(m|h|d)$/.exec(value.trim());
  if (rel) {
    const unit = rel[2] === "m" ? 60_000 : rel[2] === "h" ? 3_600_000 : 86_400_000;
    return new Date(Date.now() + Number(rel[1]) * unit).toISOString();
  }
  const date = parseSince("--expires", value);
  if (date.getTime() <= Date.now()) throw usageError("--expires is in the past");
  return date.toISOString();
}

export async function runIndicatorsRemove(tenantId: string, id: string, options: OutputOptions, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  parseTenantId(tenantId);
  if (!/^\d{1,20}$/.test(String(id).trim()))
    throw usageError(`${JSON.stringify(String(id).slice(0, 40))} is not an indicator id (a number)`);
  return withStore(config.storeUrl, async (store) => {
    const tenant = await requireTenant(store, tenantId);
    return withPartner(config, ctx, async (partner) => {
      await removeIndicator({ store, partner, actor: actorName(ctx.io.env) }, { tenantId: tenant.id, indicatorId: id.trim() });
      if (out.mode !== "table") out.json({ tenantId: tenant.id, removed: id.trim() });
      else out.line(`removed indicator ${id.trim()}`);
      return EXIT.ok;
    });
  });
}
