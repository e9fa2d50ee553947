/**
 * Customer tenants for the console: the overview (state, permission drift,
 * last sync, alert counts, last error) and starting an onboarding (a consent
 * request with a single-use state and the admin-consent link).
 */
import { adminConsentUrl, isTenantGuid, normalizeTenantId } from "@mde-partner/client";
import type { SyncRunRecord, TenantRecord } from "@mde-partner/sync";
import type { ResolvedConsoleOptions } from "../options.js";
import { InputError } from "./tenant-api.js";

export const SEVERITIES = ["High", "Medium", "Low", "Informational", "UnSpecified"] as const;

export interface TenantOverview {
  readonly tenant: TenantRecord;
  /** Required permissions the tenant has not granted (empty while its roles are unknown). */
  readonly missingPermissions: readonly string[];
  /** Whether a verification has recorded the roles the tenant granted. */
  readonly rolesKnown: boolean;
  readonly alertCounts: Readonly<Record<string, number>>;
  readonly alertTotal: number;
  readonly lastRun: SyncRunRecord | undefined;
}

/** Permissions in `required` that `granted` lacks (case-insensitive, as role values are compared by Entra ID). */
export function missingPermissions(required: readonly string[], granted: readonly string[]): string[] {
  const have = new Set(granted.map((g) => g.toLowerCase()));
  return required.filter((r) => !have.has(r.toLowerCase()));
}

export async function tenantOverview(options: ResolvedConsoleOptions, only?: string): Promise<TenantOverview[]> {
  const { store } = options;
  const tenants = only ? [await store.getTenant(only)].filter((t): t is TenantRecord => t !== null) : await store.listTenants();
  const counts = await store.countAlertsByTenantAndSeverity(only ? { tenantIds: [only] } : {});
  const runs = await store.listSyncRuns({ limit: Math.max(100, tenants.length * 4), ...(only ? { tenantId: only } : {}) });
  return tenants.map((tenant) => {
    const alertCounts: Record<string, number> = {};
    let alertTotal = 0;
    for (const c of counts) {
      if (c.tenantId !== tenant.id) continue;
      alertCounts[c.severity ?? "UnSpecified"] = (alertCounts[c.severity ?? "UnSpecified"] ?? 0) + c.count;
      alertTotal += c.count;
    }
    // Only a verification reads the granted roles (from the token); until then drift is unknown, not "everything missing".
    const rolesKnown = tenant.grantedRoles.length > 0;
    return {
      tenant,
      rolesKnown,
      missingPermissions: rolesKnown ? missingPermissions(options.requiredPermissions, tenant.grantedRoles) : [],
      alertCounts,
      alertTotal,
      lastRun: runs.find((r) => r.tenantId === tenant.id),
    };
  });
}

/** How a tenant's stored state reads on the console. */
export function stateLabel(state: string): string {
  return (
    {
      pending_consent: "pending",
      consented: "consented, not verified",
      verified: "verified",
      degraded: "degraded",
      failed: "failed",
    }[state] ?? state
  );
}

export interface OnboardingInput {
  readonly name: string;
  /** Tenant id or verified domain, when the operator knows it. */
  readonly tenant?: string | undefined;
}

export interface StartedOnboarding {
  readonly consentUrl: string;
  readonly requestId: string;
  readonly expiresAt: string;
  readonly tenantId: string | null;
  readonly name: string;
}

/**
 * Creates a consent request (single-use, expiring state kept hashed by the
 * store) and the admin-consent link for the customer (mde-api.md §1.2, v2
 * form). A tenant given by GUID is listed at once as `pending_consent`.
 */
export async function startOnboarding(options: ResolvedConsoleOptions, actor: string, input: OnboardingInput): Promise<StartedOnboarding> {
  const { store, partner } = options;
  const name = typeof input.name === "string" ? input.name.trim() : "";
  if (name === "" || name.length > 120) throw new InputError("give the customer a name (at most 120 characters)");
  let tenant: string | undefined;
  const given = input.tenant?.trim();
  if (given) {
    try {
      tenant = normalizeTenantId(given, "tenant");
    } catch {
      throw new InputError("the tenant must be a tenant id (GUID) or a verified domain such as contoso.onmicrosoft.com");
    }
  }
  const tenantId = tenant !== undefined && isTenantGuid(tenant) ? tenant.toLowerCase() : null;
  const existing = tenantId ? await store.getTenant(tenantId) : null;
  const request = await store.createConsentRequest({
    redirectUri: options.consentRedirectUri,
    tenantHint: tenant ?? null,
    ttlMs: options.consentTtlMs,
  });
  if (tenantId && !existing) await store.upsertTenant({ id: tenantId, name, initialState: "pending_consent" });
  const consentUrl = adminConsentUrl({
    loginUrl: partner.cloud.loginUrl,
    clientId: partner.clientId,
    redirectUri: options.consentRedirectUri,
    scope: options.consentScope,
    state: request.state,
    ...(tenant !== undefined ? { tenant } : {}),
  });
  await store.appendAudit({
    actor,
    action: existing ? "tenant.reconsent" : "tenant.onboard",
    phase: "requested",
    tenantId,
    target: tenant ?? null,
    request: { name, tenant: tenant ?? null, consentRequestId: request.id, expiresAt: request.expiresAt },
    correlationId: request.id,
  });
  return { consentUrl, requestId: request.id, expiresAt: request.expiresAt, tenantId, name: existing?.name ?? name };
}
