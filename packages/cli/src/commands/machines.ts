/** `mde-partner machines list|get`: devices of one or many customer tenants, from the MDE API. (Response actions: machine-actions.ts.) */
import type { Machine, PagedResult } from "@mde-partner/client";
import { machineId } from "@mde-partner/client";
import { loadConfig } from "../config.js";
import type { CommandContext } from "../context.js";
import { EXIT, parseCount, toCliError, usageError } from "../errors.js";
import { forEachTenantReported } from "../fan-out.js";
import { checkRawFilter, enumValues, rawFilterList } from "../odata-options.js";
import { createOutput, type Output, type OutputFlags } from "../output/output.js";
import { openPartner, withStore } from "../partner.js";
import { parseTenantId, requireTenant, selectTenants } from "../tenant-selection.js";

export interface MachinesListOptions extends OutputFlags {
  tenant?: string[];
  all?: boolean;
  filter?: string;
  health?: string[];
  risk?: string[];
  top?: string;
}

export type TenantMachine = { tenantId: string } & Machine;

const HEALTH = ["Active", "Inactive", "ImpairedCommunication", "NoSensorData", "NoSensorDataImpairedCommunication", "Unknown"];
const RISK = ["None", "Informational", "Low", "Medium", "High"];

/** A machine id as the API takes it (40 hex characters or a computer name); bad input otherwise. */
export function checkMachineId(value: string): string {
  try {
    return machineId(String(value ?? "").trim());
  } catch (error) {
    throw usageError((error as Error).message, "machine ids are 40 hex characters, e.g. 1e5bc9d7e413ddd7902c2932e418702b84d0cc07");
  }
}

const columns = (out: Output, names: Map<string, string>) => [
  { header: "TENANT", value: (m: TenantMachine) => names.get(m.tenantId) ?? m.tenantId, max: 20 },
  { header: "MACHINE", value: (m: TenantMachine) => m.id },
  { header: "NAME", value: (m: TenantMachine) => m.computerDnsName, max: 32 },
  { header: "OS", value: (m: TenantMachine) => m.osPlatform },
  { header: "HEALTH", value: (m: TenantMachine) => m.healthStatus },
  { header: "RISK", value: (m: TenantMachine) => m.riskScore, style: (t: string) => (t === "High" ? out.palette.red(t) : t) },
  { header: "LAST SEEN", value: (m: TenantMachine) => (m.lastSeen ? String(m.lastSeen).slice(0, 19) : "") },
];

export async function runMachinesList(options: MachinesListOptions, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  const friendly = options.health !== undefined || options.risk !== undefined;
  if (options.filter !== undefined && friendly) throw usageError("--filter cannot be combined with --health or --risk");
  const raw = options.filter !== undefined ? checkRawFilter(options.filter) : undefined;
  const health = enumValues("--health", options.health, HEALTH);
  const risk = enumValues("--risk", options.risk, RISK);
  const top = options.top !== undefined ? parseCount("--top", options.top, { min: 1, max: 10_000 }) : undefined;
  for (const id of options.tenant ?? []) parseTenantId(id);
  const tenants = await withStore(config.storeUrl, (store) => selectTenants(store, options, out));
  const names = new Map(tenants.map((t) => [t.id, t.name]));
  const partner = openPartner(config, ctx);
  const rows: TenantMachine[] = [];
  try {
    const run = await forEachTenantReported(
      tenants,
      async (t) => {
        const api = partner.tenant(t.id, t.region ? { region: t.region } : {});
        let list: PagedResult<Machine>;
        if (raw !== undefined) list = rawFilterList<Machine>(api, "ListMachines", "/api/machines", raw, top);
        else
          list = api.machines.list({
            ...(top !== undefined ? { top } : {}),
            ...(friendly
              ? {
                  filter: (f) => {
                    const parts = [];
                    if (health) parts.push(f.anyOf("healthStatus", health));
                    if (risk) parts.push(f.anyOf("riskScore", risk));
                    return parts.length === 1 ? parts[0]! : f.and(...parts);
                  },
                }
              : {}),
          });
        for await (const machine of list) {
          const row = Object.assign({ tenantId: t.id }, machine, { tenantId: t.id });
          if (out.mode === "ndjson") out.record(row);
          else rows.push(row);
        }
      },
      out,
    );
    if (out.mode === "json") out.json(rows);
    else if (out.mode === "table") out.table(columns(out, names), rows);
    return run.exitCode;
  } finally {
    await partner.close();
  }
}

export async function runMachinesGet(tenantId: string, id: string, options: OutputFlags, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  parseTenantId(tenantId);
  const mid = checkMachineId(id);
  const tenant = await withStore(config.storeUrl, (store) => requireTenant(store, tenantId));
  const partner = openPartner(config, ctx);
  try {
    const machine = await partner.tenant(tenant.id, tenant.region ? { region: tenant.region } : {}).machines.get(mid);
    const row = Object.assign({ tenantId: tenant.id }, machine, { tenantId: tenant.id });
    if (out.mode === "ndjson") out.record(row);
    else if (out.mode === "json") out.json(row);
    else
      out.fields(
        [
          "tenantId",
          "id",
          "computerDnsName",
          "osPlatform",
          "osVersion",
          "healthStatus",
          "riskScore",
          "exposureLevel",
          "isolationState",
          "lastSeen",
          "lastIpAddress",
          "machineTags",
        ].map((key) => [key, (row as unknown as Record<string, unknown>)[key]] as const),
      );
    return EXIT.ok;
  } catch (error) {
    throw toCliError(error);
  } finally {
    await partner.close();
  }
}
