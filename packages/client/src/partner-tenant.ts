/**
 * What a customer tenant of the partner client offers beyond the typed MDE API: the Microsoft Graph
 * security API (`tenant.graph`), hunting that goes to Graph by default (`tenant.hunt`), and a
 * per-resource permission check (`tenant.checkPermissions`).
 */
import { decodeJwt } from "jose";
import { MdeInvalidResponseError } from "./errors.js";
import { createGraphClient, type GraphClient } from "./graph/graph-api.js";
import type { GraphHuntingOptions } from "./graph/hunting.js";
import type { GraphHuntingResult, GraphHuntingRow } from "./graph/models/hunting.js";
import type { HuntingResult, HuntingRow } from "./mde/models/hunting.js";
import { type DriftReport, detectDrift } from "./permissions/drift.js";
import { type ApiResource, type PlanInput, requirementsOf } from "./permissions/planner.js";
import type { RequestOptions } from "./mde/call.js";
import type { TenantClient } from "./mde/mde-api.js";

/** Options of `tenant.hunt` on Graph (the default backend). */
export interface TenantHuntOptions extends GraphHuntingOptions {
  backend?: "graph";
}

/** Options of `tenant.hunt` on the legacy MDE endpoint (retiring 2027-02-01; warns once per client). */
export interface LegacyHuntOptions extends RequestOptions {
  backend: "legacy";
}

/** A tenant's permission check: {@link DriftReport} plus the link its admin needs to consent again. */
export interface TenantDriftReport extends DriftReport {
  readonly tenantId: string;
  /** The re-consent link (both resources, v2 form when `consentRedirectUri` is set). */
  readonly consentUrl: string;
}

/** The Graph side of a partner tenant. */
export interface PartnerTenantExtras {
  /** The Microsoft Graph security API of this tenant (its own token, budgets and host). */
  readonly graph: GraphClient;
  /**
   * Advanced hunting: Microsoft Graph `runHuntingQuery` by default; `{ backend: "legacy" }` calls the
   * MDE endpoint that stops returning data on 2027-02-01 (and warns once per client).
   *
   * @example
   * const { schema, results } = await tenant.hunt("DeviceInfo | take 10", { timespan: "P7D" });
   */
  hunt<Row = GraphHuntingRow>(query: string, options?: TenantHuntOptions): Promise<GraphHuntingResult<Row>>;
  hunt<Row = HuntingRow>(query: string, options: LegacyHuntOptions): Promise<HuntingResult<Row>>;
  /**
   * Which of the needed operations the tenant's grants do not allow, per resource: reads the `roles`
   * of this tenant's MDE and Graph tokens (only of the resources `needed` touches).
   *
   * @example
   * const report = await tenant.checkPermissions(["alerts:read", "graph:hunting"]);
   * if (report.drifted) send(report.consentUrl, report.resources); // e.g. ["graph"]
   */
  checkPermissions(needed: readonly PlanInput[], options?: { signal?: AbortSignal }): Promise<TenantDriftReport>;
}

/** What the partner client gives each tenant's decoration. */
export interface TenantDeps {
  readonly tenantId: string;
  readonly mde: TenantClient;
  readonly graphTransport: GraphClient["transport"];
  getToken(options: { resource: ApiResource; signal?: AbortSignal | undefined }): Promise<string>;
  consentUrl(): string;
}

function rolesOf(token: string, resource: ApiResource, tenantId: string): string[] {
  let claims: ReturnType<typeof decodeJwt>;
  try {
    claims = decodeJwt(token);
  } catch {
    throw new MdeInvalidResponseError(`the ${resource} token of tenant ${tenantId} carries no readable claims, so its roles cannot be checked`, {
      tenantId,
    });
  }
  // Entra leaves `roles` out when the tenant granted the app nothing on the resource.
  return Array.isArray(claims.roles) ? claims.roles.map(String) : [];
}

/** Builds the Graph side of a tenant. */
export function createPartnerTenantExtras(deps: TenantDeps): PartnerTenantExtras {
  const graph = createGraphClient(deps.graphTransport);
  const hunt = (async (query: string, options: TenantHuntOptions | LegacyHuntOptions = {}) => {
    if (options.backend === "legacy") {
      const { backend: _backend, ...rest } = options;
      return deps.mde.hunting.run(query, rest);
    }
    if (options.backend !== undefined && options.backend !== "graph") throw new TypeError("backend must be 'graph' or 'legacy'");
    const { backend: _backend, ...rest } = options;
    return graph.hunting.run(query, rest);
  }) as PartnerTenantExtras["hunt"];
  return {
    graph,
    hunt,
    async checkPermissions(needed, options = {}) {
      const touched = new Set(requirementsOf(needed).map((r) => r.resource));
      const granted: { mde?: string[]; graph?: string[] } = {};
      for (const resource of ["mde", "graph"] as const) {
        if (!touched.has(resource)) continue;
        granted[resource] = rolesOf(await deps.getToken({ resource, signal: options.signal }), resource, deps.tenantId);
      }
      return Object.freeze({ ...detectDrift(granted, needed), tenantId: deps.tenantId, consentUrl: deps.consentUrl() });
    },
  };
}
