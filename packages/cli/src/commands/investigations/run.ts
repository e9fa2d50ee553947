/**
 * `mde-partner investigations list|get|start`: automated investigations (AIR) of
 * customer tenants (mde-api.md §5.6, §6.5). `list` pages through every matching
 * investigation of every tenant (`--state`, `--machine`, `--since`, `--top`);
 * `start` begins one on a machine and is audited as `investigation.start`
 * (the service allows 50 starts per hour per tenant).
 */
import type { Investigation } from "@mde-partner/client";
import { tenantOf } from "@mde-partner/sync";
import { auditedWrite } from "../../cli-audit.js";
import { loadConfig } from "../../config.js";
import type { CommandContext } from "../../context.js";
import { EXIT, parseCount, usageError } from "../../errors.js";
import { forEachTenantReported } from "../../fan-out.js";
import { enumValues, parseSince } from "../../odata-options.js";
import { createOutput, type Output, type OutputFlags } from "../../output/output.js";
import { openPartner, withPartner, withStore } from "../../partner.js";
import { parseTenantId, requireTenant, selectTenants } from "../../tenant-selection.js";
import { checkMachineId } from "../machines/run.js";

/** Investigation states (mde-api.md §6.5). */
export const INVESTIGATION_STATES = [
  "Unknown",
  "Terminated",
  "SuccessfullyRemediated",
  "Benign",
  "Failed",
  "PartiallyRemediated",
  "Running",
  "PendingApproval",
  "PendingResource",
  "PartiallyInvestigated",
  "TerminatedByUser",
  "TerminatedBySystem",
  "Queued",
  "InnerFailure",
  "PreexistingAlert",
  "UnsupportedOs",
  "UnsupportedAlertType",
  "SuppressedAlert",
] as const;

export interface InvestigationsListOptions extends OutputFlags {
  tenant?: string[];
  all?: boolean;
  group?: string[];
  state?: string[];
  machine?: string;
  since?: string;
  top?: string;
  concurrency?: string;
}

export type TenantInvestigation = { tenantId: string } & Investigation;

const withTenant = (tenantId: string, i: Investigation): TenantInvestigation => Object.assign({ tenantId }, i, { tenantId });

const columns = (out: Output, names: Map<string, string>) => [
  { header: "TENANT", value: (i: TenantInvestigation) => names.get(i.tenantId) ?? i.tenantId, max: 20 },
  { header: "INVESTIGATION", value: (i: TenantInvestigation) => i.id },
  {
    header: "STATE",
    value: (i: TenantInvestigation) => i.state,
    style: (t: string) => (t === "Running" || t === "PendingApproval" ? out.palette.yellow(t) : t === "Failed" ? out.palette.red(t) : t),
  },
  { header: "MACHINE", value: (i: TenantInvestigation) => i.computerDnsName ?? i.machineId, max: 32 },
  { header: "ALERT", value: (i: TenantInvestigation) => i.triggeringAlertId },
  { header: "STARTED", value: (i: TenantInvestigation) => (i.startTime ? String(i.startTime).slice(0, 19) : "") },
  { header: "DETAILS", value: (i: TenantInvestigation) => i.statusDetails, max: 40 },
];

export async function runInvestigationsList(options: InvestigationsListOptions, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  const states = enumValues("--state", options.state, INVESTIGATION_STATES);
  const machine = options.machine !== undefined ? checkMachineId(options.machine) : undefined;
  const since = options.since !== undefined ? parseSince("--since", options.since) : undefined;
  const top = options.top !== undefined ? parseCount("--top", options.top, { min: 1, max: 10_000 }) : undefined;
  const concurrency = options.concurrency !== undefined ? parseCount("--concurrency", options.concurrency, { min: 1, max: 64 }) : 4;
  for (const id of options.tenant ?? []) parseTenantId(id);
  const tenants = await withStore(config.storeUrl, (store) => selectTenants(store, options, out));
  const names = new Map(tenants.map((t) => [t.id, t.name]));
  return withPartner(config, ctx, async (partner) => {
    const rows: TenantInvestigation[] = [];
    const run = await forEachTenantReported(
      tenants,
      async (t) => {
        const filtered = states !== undefined || machine !== undefined || since !== undefined;
        const list = tenantOf(partner, t).mde.investigations.list({
          ...(top !== undefined ? { top } : {}),
          ...(filtered
            ? {
                filter: (f) => {
                  const parts = [];
                  if (states) parts.push(f.anyOf("state", states));
                  if (machine) parts.push(f.eq("machineId", machine));
                  if (since) parts.push(f.ge("startTime", since));
                  return parts.length === 1 ? parts[0]! : f.and(...parts);
                },
              }
            : {}),
        });
        for await (const i of list) {
          const row = withTenant(t.id, i);
          if (out.mode === "ndjson") out.record(row);
          else rows.push(row);
        }
      },
      out,
      { concurrency },
    );
    if (out.mode === "json") out.json(rows);
    else if (out.mode === "table") {
      out.table(columns(out, names), rows);
      if (run.results.length > 0) out.note(`${rows.length} investigation(s) from ${run.results.length} of ${tenants.length} tenant(s)`);
    }
    return run.exitCode;
  });
}

/** An investigation id (numeric) or the triggering alert's id; opaque but never with slashes, spaces or quotes. */
export function checkInvestigationId(value: string): string {
  const v = String(value ?? "").trim();
  if (!/^[A-Za-z0-9_.:-]{1,128}$/.test(v))
    throw usageError(`${JSON.stringify(v.slice(0, 60))} is not an investigation id`, "give the investigation id (e.g. 63004) or its triggering alert's id");
  return v;
}

function printInvestigation(out: Output, i: TenantInvestigation): void {
  if (out.mode === "ndjson") out.record(i);
  else if (out.mode === "json") out.json(i);
  else
    out.fields(
      (
        ["tenantId", "id", "state", "statusDetails", "machineId", "computerDnsName", "triggeringAlertId", "startTime", "endTime", "cancelledBy"] as const
      ).map((k) => [k, (i as unknown as Record<string, unknown>)[k]] as const),
    );
}

export async function runInvestigationsGet(tenantId: string, id: string, options: OutputFlags, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  parseTenantId(tenantId);
  const investigation = checkInvestigationId(id);
  const tenant = await withStore(config.storeUrl, (store) => requireTenant(store, tenantId));
  return withPartner(config, ctx, async (partner) => {
    printInvestigation(out, withTenant(tenant.id, await tenantOf(partner, tenant).mde.investigations.get(investigation)));
    return EXIT.ok;
  });
}

export interface InvestigationsStartOptions extends OutputFlags {
  comment?: string;
}

export async function runInvestigationsStart(tenantId: string, machineId: string, options: InvestigationsStartOptions, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  parseTenantId(tenantId);
  const machine = checkMachineId(machineId);
  const comment = options.comment?.trim();
  if (!comment) throw usageError('start needs --comment "why"', "the comment is recorded by MDE and in the audit log");
  if (comment.length > 1000) throw usageError("--comment is longer than 1000 characters");
  return withStore(config.storeUrl, async (store) => {
    const tenant = await requireTenant(store, tenantId);
    const partner = openPartner(config, ctx);
    try {
      const started = await auditedWrite(
        ctx,
        store,
        { action: "investigation.start", tenantId: tenant.id, target: machine, comment, request: { machineId: machine } },
        () => tenantOf(partner, tenant).mde.investigations.start(machine, { comment }),
        (i) => `investigation ${i.id} ${i.state}`,
      );
      printInvestigation(out, withTenant(tenant.id, started));
      return EXIT.ok;
    } finally {
      await partner.close();
    }
  });
}
