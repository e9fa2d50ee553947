import {
  createGraphClient,
  createTenantClient,
  type GraphClient,
  type PartnerClient,
  type TenantClient,
  type TenantHandle,
} from "@mde-partner/client";

/** A tenant's handle and its typed API. */
export type TenantApi = TenantHandle & TenantClient;

/**
 * The typed API of one customer tenant from any partner client: the one
 * `createPartnerClient` returns already carries it; a bare handle gets it from
 * its transport (same pipeline, budgets and token cache). The tenant's stored
 * region is used only when the partner's cloud knows it (a custom cloud, such
 * as the emulator, has one API host).
 */
export function tenantApi(partner: PartnerClient, tenantId: string, region?: string | null): TenantApi {
  const known = region ? partner.cloud.regions[region.toLowerCase()] !== undefined : false;
  const handle = partner.tenant(tenantId, known && region ? { region } : {});
  if ("alerts" in handle && "machineActions" in handle && "hunting" in handle) return handle as TenantApi;
  return Object.freeze({ ...createTenantClient(handle.transport), ...handle }) as TenantApi;
}

/**
 * The Microsoft Graph security API of one customer tenant: the partner
 * tenant's own `graph` when it has one, else built over the handle's Graph
 * transport (its own token audience, budgets and origin).
 */
export function graphApi(partner: PartnerClient, tenantId: string, region?: string | null): GraphClient {
  const known = region ? partner.cloud.regions[region.toLowerCase()] !== undefined : false;
  const handle = partner.tenant(tenantId, known && region ? { region } : {});
  if ("graph" in handle && handle.graph) return handle.graph as GraphClient;
  return createGraphClient(handle.graphTransport);
}
