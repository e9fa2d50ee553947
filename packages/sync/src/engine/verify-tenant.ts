/**
 * Verifies a customer tenant the way the partner-access pages walk through it
 * by hand (DESIGN.md steps 3–5): get a token for the tenant, inspect it (`tid`
 * is the customer, `roles` hold what the integration needs), make one API
 * call. The tenant's state follows: `verified`, or `degraded` with the reason.
 */
import { findMissingPermissions, type PartnerClient } from "@mde-partner/client";
import type { Store, TenantRecord } from "../store/index.js";
import { tenantApi } from "./tenant-api.js";
import { tenantProblem } from "./tenant-problem.js";
import type { TenantOnboardingState, VerifyResult } from "./types.js";

export interface VerifyTenantOptions {
  store: Store;
  partner: PartnerClient;
  tenantId: string;
  /** Application permissions the integration needs (e.g. `Alert.Read.All`, `Machine.Isolate`). */
  requiredPermissions: readonly string[];
  signal?: AbortSignal;
}

const READS: ReadonlyArray<readonly [string[], "alerts" | "machines"]> = [
  [["alert.read.all", "alert.readwrite.all"], "alerts"],
  [["machine.read.all", "machine.readwrite.all"], "machines"],
];

/**
 * @example
 * const v = await verifyTenant({ store, partner, tenantId, requiredPermissions: ["Alert.Read.All", "Machine.Isolate"] });
 * if (v.state !== "verified") console.error(v.action);
 */
export async function verifyTenant(options: VerifyTenantOptions): Promise<VerifyResult> {
  const { store, partner, tenantId } = options;
  if (!Array.isArray(options.requiredPermissions)) throw new TypeError("requiredPermissions must be an array of permission names");
  let tenant: TenantRecord | null = await store.getTenant(tenantId);
  tenant ??= await store.upsertTenant({ id: tenantId, name: tenantId, initialState: "consented" });
  const checks: VerifyResult["checks"] = [];
  let roles: string[] = [];
  let missing: string[] = [];
  let state: TenantOnboardingState = "verified";
  let reason = "verified";
  const result: Partial<VerifyResult> = {};

  const fail = (error: unknown, check: string) => {
    const p = tenantProblem(error);
    checks.push({ name: check, ok: false, detail: `${p.reason}: ${p.message}` });
    state = p.state ?? "degraded";
    reason = p.reason;
    result.error = { code: p.code, message: p.message };
    result.action = p.action;
    if (p.consentUrl) result.consentUrl = p.consentUrl;
    if (p.missingPermissions) missing = p.missingPermissions;
  };

  try {
    await partner.getToken(tenant.id, options.signal ? { signal: options.signal } : {});
    checks.push({ name: "token", ok: true, detail: "app-only token issued for the tenant" });
  } catch (error) {
    fail(error, "token");
  }

  if (!result.error) {
    try {
      const api = tenantApi(partner, tenant.id, tenant.region);
      const inspection = await api.inspectToken({ requiredRoles: options.requiredPermissions });
      roles = inspection.summary?.roles ?? [];
      // Alias- and hierarchy-aware: Alert.ReadWrite.All covers Alert.Read.All, Url = URL.
      missing = findMissingPermissions(roles, options.requiredPermissions);
      for (const c of inspection.checks) {
        if (c.status === "skipped" || c.name === "roles") continue;
        checks.push({ name: `token.${c.name}`, ok: c.status === "pass", detail: c.reason });
      }
      checks.push({
        name: "token.roles",
        ok: missing.length === 0,
        detail:
          missing.length === 0 ? `has ${options.requiredPermissions.length} required permission(s)` : `missing: ${missing.join(", ")}`,
      });
      const broken = inspection.checks.find((c) => c.status === "fail" && c.name !== "roles");
      if (broken) {
        state = "degraded";
        reason = `token ${broken.name} check failed`;
        result.error = { code: "ERR_TOKEN_INVALID", message: broken.reason };
        result.action = "the token does not belong to this tenant or cannot be trusted: check the tenant id and the cloud";
      } else if (missing.length > 0) {
        state = "degraded";
        reason = `permission missing: ${missing.join(", ")}`;
        result.error = { code: "ERR_MDE_FORBIDDEN", message: `the tenant granted no ${missing.join(", ")}` };
        result.action = `ask the customer's admin to consent again so the app gets ${missing.join(", ")}: ${partner.consentUrl(tenant.id)}`;
        result.consentUrl = partner.consentUrl(tenant.id);
      }

      // One API probe with a permission the token has.
      const lower = new Set(roles.map((r) => r.toLowerCase()));
      const probe = READS.find(([needs]) => needs.some((n) => lower.has(n)))?.[1];
      if (probe) {
        try {
          const opts = { top: 1, ...(options.signal ? { signal: options.signal } : {}) };
          if (probe === "alerts") await api.alerts.list(opts);
          else await api.machines.list(opts);
          checks.push({ name: "api", ok: true, detail: `GET /api/${probe} answered` });
        } catch (error) {
          fail(error, "api");
        }
      } else {
        checks.push({ name: "api", ok: false, detail: "no read permission (Alert.Read.All or Machine.Read.All) to probe the API with" });
      }
    } catch (error) {
      fail(error, "token.inspection");
    }
  }

  const lastError = state === "verified" ? null : `${reason}${result.error ? `: ${result.error.message}` : ""}`;
  if (state !== tenant.state || tenant.lastError !== lastError) await store.setTenantState(tenant.id, state, reason);
  await store.upsertTenant({ id: tenant.id, name: tenant.name, lastError, ...(roles.length ? { grantedRoles: roles } : {}) });
  return {
    tenantId: tenant.id,
    state,
    checks,
    roles,
    missingPermissions: missing,
    ...(result.consentUrl ? { consentUrl: result.consentUrl } : {}),
    ...(result.error ? { error: result.error } : {}),
    ...(result.action ? { action: result.action } : {}),
  };
}
