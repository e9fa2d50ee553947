/** `mde-partner machines list|get`: devices of one or many customer tenants, from the MDE API. (Response actions: machine-actions.ts.) */
import type { Machine, MachineAction, MdeApi, PagedResult } from "@mde-partner/client";
import { isMdeError, machineId } from "@mde-partner/client";
import { type IsolationState, isolationStateOf, tenantOf } from "@mde-partner/sync";
import { loadConfig } from "../../config.js";
import type { CommandContext } from "../../context.js";
import { EXIT, parseCount, usageError } from "../../errors.js";
import { forEachTenantReported } from "../../fan-out.js";
import { checkRawFilter, enumValues, rawFilterList } from "../../odata-options.js";
import { createOutput, type Output, type OutputFlags } from "../../output/output.js";
import { withPartner, withStore } from "../../partner.js";
import { parseTenantId, requireTenant, selectTenants } from "../../tenant-selection.js";

export interface MachinesListOptions extends OutputFlags {
  tenant?: string[];
  all?: boolean;
  group?: string[];
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
  return withPartner(config, ctx, async (partner) => {
    const rows: TenantMachine[] = [];
    const run = await forEachTenantReported(
      tenants,
      async (t) => {
        const api = tenantOf(partner, t).mde;
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
  });
}

export async function runMachinesGet(tenantId: string, id: string, options: OutputFlags, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  parseTenantId(tenantId);
  const mid = checkMachineId(id);
  const tenant = await withStore(config.storeUrl, (store) => requireTenant(store, tenantId));
  return withPartner(config, ctx, async (partner) => {
    const api = tenantOf(partner, tenant).mde;
    const machine = await api.machines.get(mid);
    const isolation = await isolationOf(api, machine, config.storeUrl, tenant.id, out);
    // `isolationState` as MDE would name it (the machine's own field when it has one), `isolation` with the details.
    const own = (machine as { isolationState?: unknown }).isolationState;
    const isolationState = typeof own === "string" && own !== "" ? own : isolation.state;
    const row = Object.assign({ tenantId: tenant.id }, machine, { tenantId: tenant.id, isolationState, isolation });
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
        ].map((key) => [key, key === "isolationState" ? isolationText(isolationState, isolation) : (row as unknown as Record<string, unknown>)[key]] as const),
      );
    return EXIT.ok;
  });
}

/** The machine's isolation: where it came from and what `isolationStateOf` makes of the actions. */
export interface MachineIsolation extends IsolationState {
  /** `machine-actions` (MDE's own list for the machine) or `store` (the actions this product recorded, when MDE's list could not be read). */
  readonly from: "machine-actions" | "store";
}

/**
 * MDE's machine entity has no isolation field (mde-api.md §6): the machine's
 * Isolate/Unisolate actions tell it, read from MDE (every action, also those
 * taken in the portal; the same Machine.Read.All permission as the machine),
 * or from the store when that list cannot be read.
 */
async function isolationOf(api: MdeApi, machine: Machine, storeUrl: string, tenantId: string, out: Output): Promise<MachineIsolation> {
  try {
    const actions: MachineAction[] = [];
    const list = api.machineActions.list({ filter: (f) => f.and(f.eq("machineId", machine.id), f.anyOf("type", ["Isolate", "Unisolate"])) });
    for await (const action of list) if (actions.push(action) >= 200) break;
    return { ...isolationStateOf(actions), from: "machine-actions" };
  } catch (error) {
    if (!isMdeError(error)) throw error;
    out.note(`the isolation state comes from the actions mde-partner recorded: MDE's machine actions could not be read (${error.code})`);
    return { ...(await withStore(storeUrl, (store) => store.machineIsolation(tenantId, machine.id))), from: "store" };
  }
}

/** `Isolated (Full, since …)`, `NotIsolated`, with an open action after it; `unknown` when no isolation action ever succeeded. */
function isolationText(state: string | null, isolation: MachineIsolation): string {
  const base = state ?? "unknown (no isolation action has succeeded)";
  const scope = state === isolation.state && isolation.scope ? `${isolation.scope}, ` : "";
  const since = state === isolation.state && isolation.since ? `${scope}since ${isolation.since.slice(0, 19)}` : scope.replace(/, $/, "");
  return `${base}${since ? ` (${since})` : ""}${isolation.pending ? `; ${isolation.pending} pending` : ""}`;
}
