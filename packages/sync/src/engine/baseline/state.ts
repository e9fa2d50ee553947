/**
 * Reads what one tenant has for a baseline: its active indicators, its custom detection rules,
 * and (only when the baseline tags devices) its machines. Each read streams every page.
 */
import { type GraphDetectionRule, type Indicator, isMdeError, type PartnerTenant } from "@mde-partner/client";
import type { Baseline } from "./model.js";
import type { TenantState } from "./planner.js";

/**
 * Reads the tenant's state. A baseline without detection rules still lists them: a rule it created
 * earlier and since dropped must be found to be deleted. But a tenant that never granted the
 * permission for a kind the baseline does not use (no indicators, or no rules, anywhere in the
 * file) is read as having none of that kind, instead of failing the whole tenant.
 *
 * @example
 * const state = await readTenantState(tenantOf(partner, record), baseline);
 */
export async function readTenantState(tenant: PartnerTenant, baseline: Baseline, signal?: AbortSignal): Promise<TenantState> {
  const opts = signal ? { signal } : {};
  const indicators: Indicator[] = [];
  const rules: GraphDetectionRule[] = [];
  const machines: TenantState["machines"][number][] = [];
  const overrides = Object.values(baseline.overrides);
  const usesIndicators = baseline.indicators.length > 0 || overrides.some((o) => o.indicators.length > 0);
  const usesRules = baseline.detectionRules.length > 0 || overrides.some((o) => o.detectionRules.length > 0);
  const optional = (used: boolean) => (error: unknown) => {
    if (!used && isMdeError(error) && error.code === "ERR_MDE_FORBIDDEN") return;
    throw error;
  };
  const reads: Promise<void>[] = [
    (async () => {
      for await (const i of tenant.mde.indicators.list(opts)) indicators.push(i);
    })().catch(optional(usesIndicators)),
    (async () => {
      for await (const r of tenant.graph.detectionRules.list(opts)) rules.push(r);
    })().catch(optional(usesRules)),
  ];
  if (baseline.deviceTags.length > 0)
    reads.push(
      (async () => {
        for await (const m of tenant.mde.machines.list(opts))
          machines.push({ id: m.id, computerDnsName: m.computerDnsName ?? null, osPlatform: m.osPlatform ?? null, rbacGroupName: m.rbacGroupName ?? null, machineTags: m.machineTags ?? [] });
      })(),
    );
  await Promise.all(reads);
  return { indicators, detectionRules: rules, machines };
}
