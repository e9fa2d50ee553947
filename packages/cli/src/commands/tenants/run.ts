/** `mde-partner tenants add|list|remove`: the customer tenants the partner serves. (`verify` is in tenants-verify.ts.) */
import { type OnboardedTenant, onboardTenant, type Store, type TenantRecord, type VerifyResult, verifyTenant } from "@mde-partner/sync";
import { loadConfig, type PartnerConfig } from "../../config.js";
import type { CommandContext } from "../../context.js";
import { EXIT, firstLine, toCliError, usageError } from "../../errors.js";
import { createOutput, type OutputFlags, type OutputOptions } from "../../output/output.js";
import { openPartner, withStore } from "../../partner.js";
import { parseTenantId, requireTenant } from "../../tenant-selection.js";
import { actorName } from "../../cli-audit.js";
import { confirm } from "../confirm.js";
import { verifyRequirements } from "./verify.js";

export interface TenantAddOptions extends OutputOptions {
  name?: string;
  region?: string;
  db?: string;
  /** `--no-verify`: record the tenant without checking its consent (no token request). */
  verify?: boolean;
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
    let onboarded: OnboardedTenant;
    try {
      onboarded = await onboardTenant(
        store,
        { tenantId: id, name, ...(region !== undefined ? { region } : {}), cloud: STORE_CLOUD[config.cloud.name] ?? config.cloud.name },
        {
          actor: actorName(ctx.io.env),
          // A customer who already consented is usable at once: check now (token + probe), unless told not to.
          verify: options.verify === false ? undefined : (tenant) => verifyAdded(store, config, tenant, ctx),
        },
      );
    } catch (error) {
      throw toCliError(error);
    }
    const { tenant: record, existing, verification } = onboarded;
    const check = options.verify === false ? undefined : verification ? { result: verification } : { skipped: firstLine(onboarded.verifyError) };
    if (out.mode !== "table") out.json({ ...record, ...(check?.result ? { verification: check.result } : {}) });
    else {
      out.line(`${existing ? "updated" : "added"} tenant ${record.id} (${record.name}), state ${record.state}`);
      if (check?.skipped) out.warn(`not verified: ${check.skipped}; later: mde-partner tenants verify ${record.id}`);
      if (record.state === "pending_consent") {
        out.line(`next: mde-partner consent link ${record.id}   (send it to the customer's Global Administrator)`);
        if (check?.result) out.note(`hint: the customer has not consented yet; after they do: mde-partner tenants verify ${record.id}`);
      } else if (check?.result && record.state !== "verified") {
        const r = check.result;
        out.warn(`tenant ${record.id} is ${r.state}: ${r.error?.message ?? r.state}`);
        if (r.consentUrl ?? r.action) out.note(`hint: ${r.consentUrl ? `consent link: ${r.consentUrl}` : r.action}`);
      }
    }
    return EXIT.ok;
  });
}

/**
 * Verifies a just-added tenant as `tenants verify` would. A credential that cannot be read (its
 * variable unset in this shell) fails the check rather than the add: the tenant is recorded.
 */
async function verifyAdded(store: Store, config: PartnerConfig, tenantId: string, ctx: CommandContext): Promise<VerifyResult> {
  const partner = openPartner(config, ctx);
  try {
    return await verifyTenant({ store, partner, tenantId, ...verifyRequirements(config) });
  } finally {
    await partner.close();
  }
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
  options: OutputOptions & { yes?: boolean; db?: string },
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
    const audit = { actor: actorName(ctx.io.env), action: "tenant.remove", tenantId: tenant.id, target: tenant.id };
    try {
      await store.removeTenant(tenant.id);
    } catch (error) {
      await store.appendAudit({ ...audit, phase: "failed", result: firstLine(error) }).catch(() => {});
      throw toCliError(error);
    }
    await store.appendAudit({ ...audit, phase: "completed" });
    if (out.mode !== "table") out.json({ removed: tenant.id });
    else out.line(`removed tenant ${tenant.id} (${tenant.name}); its audit entries are kept`);
    return EXIT.ok;
  });
}
