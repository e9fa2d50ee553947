/** `mde-partner tenants add|list|remove`: the customer tenants the partner serves. (`verify` is in tenants-verify.ts.) */
import type { TenantRecord } from "@mde-partner/sync";
import { loadConfig } from "../config.js";
import type { CommandContext } from "../context.js";
import { EXIT, usageError } from "../errors.js";
import { createOutput, type OutputFlags } from "../output/output.js";
import { withStore } from "../partner.js";
import { parseTenantId, requireTenant } from "../tenant-selection.js";
import { confirm } from "./confirm.js";

export interface TenantAddOptions extends OutputFlags {
  name?: string;
  region?: string;
  db?: string;
}

/** Regions of the MDE API hosts (mde-api.md §2), current and old style. */
export const REGIONS = ["us", "eu", "uk", "au", "swa", "ina", "api-us", "api-eu", "api-uk", "api-au"];

const STORE_CLOUD: Record<string, string> = { public: "commercial", gcc: "gcc", "gcc-high": "gcc-high", dod: "dod", custom: "custom" };

export async function runTenantsAdd(tenantId: string, options: TenantAddOptions, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  const id = parseTenantId(tenantId);
  const name = options.name?.trim();
  if (options.name !== undefined && (!name || name.length > 256)) throw usageError("--name must be 1–256 characters");
  let region: string | undefined;
  if (options.region !== undefined) {
    region = options.region.toLowerCase();
    if (config.cloud.name !== "public")
      throw usageError(`--region applies to the public cloud only (this config uses ${config.cloud.name})`);
    if (!REGIONS.includes(region))
      throw usageError(
        `unknown --region ${JSON.stringify(options.region)}`,
        `one of ${REGIONS.join(", ")}; leave it out for the global host`,
      );
  }
  return withStore(options.db ?? config.storeUrl, async (store) => {
    const existing = await store.getTenant(id);
    const record = await store.upsertTenant({
      id,
      name: name ?? existing?.name ?? id,
      cloud: STORE_CLOUD[config.cloud.name] ?? config.cloud.name,
      ...(region !== undefined ? { region } : {}),
    });
    if (out.mode !== "table") out.json(record);
    else {
      out.line(`${existing ? "updated" : "added"} tenant ${record.id} (${record.name}), state ${record.state}`);
      if (!existing) out.line(`next: mde-partner consent link ${record.id}   (send it to the customer's Global Administrator)`);
    }
    return EXIT.ok;
  });
}

export async function runTenantsList(options: OutputFlags & { db?: string }, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  return withStore(options.db ?? config.storeUrl, async (store) => {
    const tenants = await store.listTenants();
    if (out.mode === "json") out.json(tenants);
    else if (out.mode === "ndjson") for (const t of tenants) out.record(t);
    else if (tenants.length === 0) out.line('no tenants yet: mde-partner tenants add <tenant-id> --name "…"');
    else out.table(tenantColumns(out.palette), tenants);
    return EXIT.ok;
  });
}

export function tenantColumns(palette: { green(t: string): string; yellow(t: string): string; red(t: string): string }) {
  const stateStyle = (t: string) =>
    t === "verified" || t === "consented" ? palette.green(t) : t === "pending_consent" ? palette.yellow(t) : palette.red(t);
  return [
    { header: "TENANT", value: (t: TenantRecord) => t.id },
    { header: "NAME", value: (t: TenantRecord) => t.name, max: 28 },
    { header: "REGION", value: (t: TenantRecord) => t.region ?? "" },
    { header: "STATE", value: (t: TenantRecord) => t.state, style: stateStyle },
    { header: "ROLES", value: (t: TenantRecord) => t.grantedRoles.length, align: "right" as const },
    { header: "LAST SYNC", value: (t: TenantRecord) => t.lastSyncAt ?? "" },
    { header: "LAST ERROR", value: (t: TenantRecord) => t.lastError ?? "", max: 50 },
  ];
}

export async function runTenantsRemove(
  tenantId: string,
  options: OutputFlags & { yes?: boolean; db?: string },
  ctx: CommandContext,
): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  parseTenantId(tenantId);
  return withStore(options.db ?? config.storeUrl, async (store) => {
    const tenant = await requireTenant(store, tenantId);
    if (!options.yes && !(await confirm(ctx.io, `Remove tenant ${tenant.id} (${tenant.name}) and its synced alerts and machines?`))) {
      out.note("nothing removed");
      return EXIT.failed;
    }
    await store.removeTenant(tenant.id);
    await store.appendAudit({
      actor: actorName(ctx.io.env),
      action: "tenant.remove",
      phase: "completed",
      tenantId: tenant.id,
      target: tenant.id,
    });
    if (out.mode !== "table") out.json({ removed: tenant.id });
    else out.line(`removed tenant ${tenant.id} (${tenant.name}); its audit entries are kept`);
    return EXIT.ok;
  });
}

/** Who the audit log names for CLI actions. */
export function actorName(env: NodeJS.ProcessEnv): string {
  return `cli:${env.MDE_PARTNER_ACTOR || env.USER || env.USERNAME || "unknown"}`;
}
