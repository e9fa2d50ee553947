import type { PartnerClient, PartnerTenant } from "@mde-partner/client";
import type { TenantRecord } from "../store/index.js";

/**
 * The client of a stored customer tenant: the one way the engine, the console and the CLI turn a
 * `TenantRecord` into a `PartnerTenant`. The stored region is used only when the partner's cloud
 * knows it (a custom cloud, such as the emulator, has one API host).
 *
 * @example
 * const tenant = tenantOf(partner, await store.getTenant(id));
 * const alert = await tenant.mde.alerts.get(alertId);
 */
export function tenantOf(partner: PartnerClient<PartnerTenant>, record: Pick<TenantRecord, "id"> & { readonly region?: string | null | undefined }): PartnerTenant {
  const region = record.region?.toLowerCase();
  return partner.tenant(record.id, region && partner.cloud.regions[region] !== undefined ? { region } : {});
}
