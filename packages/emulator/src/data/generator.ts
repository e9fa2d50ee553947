import type { EmulatorState, Tenant } from "../core/state.js";

/** Generates a tenant's machines and alerts deterministically from the seed. (Stub: filled in by the data module.) */
export function generateTenantData(_state: EmulatorState, _tenant: Tenant, _counts: { alerts: number; machines: number }): void {}

export function tenantCounts(state: EmulatorState, tenantId: string): { alerts: number; machines: number } {
  const a = state.db.prepare("SELECT count(*) AS n FROM alerts WHERE tenant_id = ?").get(tenantId) as { n: number };
  const m = state.db.prepare("SELECT count(*) AS n FROM machines WHERE tenant_id = ?").get(tenantId) as { n: number };
  return { alerts: a.n, machines: m.n };
}
