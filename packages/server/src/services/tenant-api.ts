import type { PartnerClient, PartnerTenant } from "@mde-partner/client";
import type { Store } from "@mde-partner/sync";

/**
 * The typed API of a stored tenant. Its stored region is used only when the
 * partner's cloud knows it (a custom cloud such as the emulator has one host).
 */
export async function tenantApi(store: Store, partner: PartnerClient<PartnerTenant>, tenantId: string): Promise<PartnerTenant> {
  const tenant = await store.getTenant(tenantId);
  if (!tenant) throw new NotFoundError(`tenant ${tenantId} is not in the console`);
  const region = tenant.region?.toLowerCase();
  return partner.tenant(tenant.id, region && partner.cloud.regions[region] !== undefined ? { region } : {});
}

/** Something asked for does not exist (404). */
export class NotFoundError extends Error {
  override name = "NotFoundError";
  readonly code = "not_found";
}

/** The request is wrong (400); the message says what to change. */
export class InputError extends Error {
  override name = "InputError";
  readonly code = "bad_request";
}
