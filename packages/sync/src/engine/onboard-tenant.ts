/**
 * Onboarding a customer tenant: record it (a new tenant starts in the given state, an existing one
 * keeps its history), mark it consented when its admin's consent just arrived, and verify it at once
 * (token, inspection, one API probe) so a customer who has consented is usable without another step.
 * The CLI's `tenants add` and the console's consent callback both come through here.
 */
import type { Store, TenantRecord, TenantState } from "../store/index.js";
import { firstLine } from "./tenant-problem.js";
import type { VerifyResult } from "./types.js";

export interface TenantOnboarding {
  readonly tenantId: string;
  /** The customer's name (default: the stored name, else the tenant id). */
  readonly name?: string | undefined;
  /** The tenant's data region (left as stored when absent). */
  readonly region?: string;
  /** The tenant's cloud as the store names it (`commercial`, `gcc`, …; default `commercial`). */
  readonly cloud?: string;
  /** The customer's admin consent just arrived: a new tenant starts `consented`, a stored one in another state becomes it. */
  readonly consented?: boolean;
}

export interface OnboardingOptions {
  /** Verifies the recorded tenant (`verifyTenant` with the edge's requirements); absent: not verified. */
  readonly verify?: ((tenantId: string) => Promise<VerifyResult>) | undefined;
  /** Records the onboarding as `tenant.add` (or `tenant.update` for a stored tenant) under this operator. */
  readonly actor?: string | undefined;
}

export interface OnboardedTenant {
  /** The tenant as stored after onboarding (and verification). */
  readonly tenant: TenantRecord;
  /** The tenant as it was stored before, or null for a new one. */
  readonly existing: TenantRecord | null;
  /** The verification's result, when it ran to the end. */
  readonly verification?: VerifyResult;
  /** Why the verification could not run (the tenant is recorded all the same). */
  readonly verifyError?: unknown;
}

/**
 * Records a customer tenant and verifies it.
 *
 * @example
 * const { tenant, verification } = await onboardTenant(store, { tenantId, name: "Contoso" }, { verify: (id) => verifyTenant({ store, partner, tenantId: id, requiredPermissions }) });
 */
export async function onboardTenant(store: Store, input: TenantOnboarding, options: OnboardingOptions = {}): Promise<OnboardedTenant> {
  const existing = await store.getTenant(input.tenantId);
  const audit = options.actor === undefined
    ? undefined
    : { actor: options.actor, action: existing ? "tenant.update" : "tenant.add", tenantId: input.tenantId, target: input.tenantId };
  const request = { name: input.name ?? existing?.name ?? input.tenantId, ...(input.region !== undefined ? { region: input.region } : {}) };
  let tenant: TenantRecord;
  try {
    tenant = await store.upsertTenant({
      id: input.tenantId,
      ...request,
      ...(input.cloud !== undefined ? { cloud: input.cloud } : {}),
      ...(input.consented ? { initialState: "consented" as TenantState } : {}),
    });
    if (input.consented && existing && existing.state !== "consented") await store.setTenantState(input.tenantId, "consented", "admin consent received");
  } catch (error) {
    if (audit) await store.appendAudit({ ...audit, phase: "failed", request, result: firstLine(error) }).catch(() => {});
    throw error;
  }
  let verification: VerifyResult | undefined;
  let verifyError: unknown;
  if (options.verify) {
    try {
      verification = await options.verify(input.tenantId);
    } catch (error) {
      verifyError = error;
    }
  }
  if (options.verify || input.consented) tenant = (await store.getTenant(input.tenantId)) ?? tenant;
  if (audit) await store.appendAudit({ ...audit, phase: "completed", request, result: `state ${tenant.state}` });
  return { tenant, existing, ...(verification ? { verification } : {}), ...(options.verify && !verification ? { verifyError } : {}) };
}
