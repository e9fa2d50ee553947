/**
 * `mde-partner tenants verify [<id> | --all]`: for each tenant, a token, its
 * inspection (tid, signature, roles ⊇ the permissions the integration needs)
 * and one API probe, through the engine's `verifyTenant`, which records the
 * tenant's state. Says per tenant what it can and cannot do (each capability of
 * the CLI, with the permission and resource it lacks), and what to do; exit 3
 * when some fail.
 */

import { findPermission, mapWithConcurrency } from "@mde-partner/client";
import { type VerifyResult, verifyTenant } from "@mde-partner/sync";
import { DEFAULT_REQUIRED_PERMISSIONS, loadConfig, type PartnerConfig } from "../../config.js";
import type { CommandContext } from "../../context.js";
import { CliError, EXIT, multiTenantExit, toCliError, usageError } from "../../errors.js";
import { createOutput, type OutputFlags } from "../../output/output.js";
import { createProgress } from "../../output/progress.js";
import { openCliStore, openPartner } from "../../partner.js";
import { parseTenantId, requireTenant, selectTenants } from "../../tenant-selection.js";
import { CLI_CAPABILITIES } from "../app/run.js";

const RESOURCE_NAME = { mde: "WindowsDefenderATP", graph: "Microsoft Graph" } as const;

/**
 * The capabilities a tenant must be able to do: those of `init --for`; without it (and without a
 * permission list), what `sync` calls — the same as the default required permissions. `--require`
 * names permissions instead, and then no capability is required.
 */
function requiredCapabilities(config: PartnerConfig, options: TenantsVerifyOptions): string[] {
  if (options.require && options.require.length > 0) return [];
  if (config.capabilities) return [...config.capabilities];
  return config.permissions ? [] : ["sync"];
}

/** `hunting:run (ThreatHunting.Read.All on Microsoft Graph)` for each capability the tenant cannot do. */
function cannot(r: VerifyResult): string[] {
  return (r.capabilities ?? [])
    .filter((c) => c.status === "missing")
    .map((c) => `${c.capability} (${c.missing.map((m) => `${m.permission} on ${RESOURCE_NAME[m.resource]}`).join(", ")})`);
}

/** What `tenants verify` checks without `--require` (the configuration's needs); `tenants add` checks the same. */
export function verifyRequirements(config: PartnerConfig): {
  requiredPermissions: string[];
  capabilities: string[];
  reportCapabilities: string[];
} {
  const requiredPermissions = (config.permissions ?? DEFAULT_REQUIRED_PERMISSIONS).map((name) => findPermission(name)?.name ?? name);
  const capabilities = requiredCapabilities(config, {});
  return { requiredPermissions, capabilities, reportCapabilities: CLI_CAPABILITIES.filter((c) => !capabilities.includes(c)) };
}

export interface TenantsVerifyOptions extends OutputFlags {
  all?: boolean;
  tenant?: string[];
  require?: string[];
  db?: string;
}

export async function runTenantsVerify(tenantId: string | undefined, options: TenantsVerifyOptions, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  if (tenantId !== undefined && options.all) throw usageError("give a tenant id or --all, not both");
  if (tenantId !== undefined) parseTenantId(tenantId);
  for (const id of options.tenant ?? []) parseTenantId(id);
  const required = (
    options.require && options.require.length > 0 ? options.require : (config.permissions ?? DEFAULT_REQUIRED_PERMISSIONS)
  ).map((name) => {
    const p = findPermission(name);
    if (!p) throw usageError(`--require: ${JSON.stringify(name)} is not a permission of WindowsDefenderATP or Microsoft Graph`);
    return p.name;
  });
  const capabilities = requiredCapabilities(config, options);
  const reportCapabilities = CLI_CAPABILITIES.filter((c) => !capabilities.includes(c));
  const store = await openCliStore(options.db ?? config.storeUrl);
  try {
    const tenants =
      tenantId !== undefined
        ? [await requireTenant(store, tenantId)]
        : await selectTenants(store, { all: true, ...(options.tenant ? { tenant: options.tenant } : {}) });
    const partner = openPartner(config, ctx);
    const progress = createProgress(ctx.io.stderr, {
      enabled: out.mode === "table" && !out.quiet && tenants.length > 1,
      palette: out.errPalette,
    });
    let results: VerifyResult[];
    try {
      results = await mapWithConcurrency(tenants, 4, async (t): Promise<VerifyResult> => {
        progress.update(t.id, t.name, { done: 0, total: 1, status: "verifying" });
        let result: VerifyResult;
        try {
          result = await verifyTenant({ store, partner, tenantId: t.id, requiredPermissions: required, capabilities, reportCapabilities });
        } catch (error) {
          const e = toCliError(error);
          result = {
            tenantId: t.id,
            state: "failed",
            checks: [],
            roles: [],
            missingPermissions: [],
            error: { code: "ERR_CLI", message: e.message },
          };
        }
        progress.update(t.id, t.name, { done: 1, total: 1, status: result.state });
        return result;
      });
    } finally {
      progress.finish();
      await partner.close();
    }
    const names = new Map(tenants.map((t) => [t.id, t.name]));
    if (out.mode === "json") out.json(results);
    else if (out.mode === "ndjson") for (const r of results) out.record(r);
    else {
      const p = out.palette;
      out.table(
        [
          { header: "TENANT", value: (r: VerifyResult) => r.tenantId },
          { header: "NAME", value: (r: VerifyResult) => names.get(r.tenantId) ?? "", max: 24 },
          { header: "STATE", value: (r: VerifyResult) => r.state, style: (t: string) => (t === "verified" ? p.green(t) : p.red(t)) },
          { header: "ROLES", value: (r: VerifyResult) => r.roles.length, align: "right" as const },
          { header: "MISSING", value: (r: VerifyResult) => r.missingPermissions.join(", "), max: 40 },
          { header: "CANNOT", value: (r: VerifyResult) => (r.capabilities ?? []).filter((c) => c.status === "missing").map((c) => c.capability).join(", "), max: 40 },
          { header: "PROBLEM", value: (r: VerifyResult) => r.error?.message ?? "", max: 60 },
        ],
        results,
      );
      // What each tenant cannot do, and which permission on which resource it lacks for it.
      for (const r of results) {
        const lacking = cannot(r);
        if (lacking.length > 0) out.line(`${names.get(r.tenantId) ?? r.tenantId} (${r.tenantId}) cannot: ${lacking.join("; ")}`);
      }
    }
    const failures: CliError[] = [];
    for (const r of results) {
      if (r.state === "verified") continue;
      const label = `${names.get(r.tenantId) ?? r.tenantId} (${r.tenantId})`;
      const what = r.error ? `${r.error.message}${r.error.code.startsWith("ERR_") ? ` (${r.error.code})` : ""}` : r.state;
      out.error(
        `tenant ${label} is ${r.state}: ${what}`,
        r.consentUrl ? `send this consent link to the customer's Global Administrator: ${r.consentUrl}` : r.action,
      );
      failures.push(new CliError(what, EXIT.failed));
    }
    if (failures.length === 0 && out.mode === "table")
      out.note(`${results.length} tenant(s) verified: token, inspection and API probe passed`);
    return multiTenantExit(failures, results.length);
  } finally {
    await store.close();
  }
}
