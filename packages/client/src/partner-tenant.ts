/**
 * One customer tenant of the partner client (`partner.tenant(id)`): its tokens, the typed MDE API
 * (`tenant.mde`), the Microsoft Graph security API (`tenant.graph`), hunting that goes to Graph by
 * default (`tenant.hunt`), a per-resource permission check (`tenant.checkPermissions`) and its
 * admin's consent link (`tenant.consentUrl()`).
 */
import { type InspectTokenOptions, type TokenInspection, tokenRoles } from "./auth/inspect-token.js";
import type { KeySource } from "./auth/jwks-source.js";
import type { Clock } from "./clock.js";
import { MdeInvalidResponseError } from "./errors.js";
import { createGraphApi, type GraphApi } from "./graph/graph-api.js";
import type { GraphHuntingOptions } from "./graph/hunting.js";
import type { GraphHuntingResult, GraphHuntingRow } from "./graph/models/hunting.js";
import type { RequestOptions } from "./mde/call.js";
import { createMdeApi, type MdeApi } from "./mde/mde-api.js";
import type { HuntingResult, HuntingRow } from "./mde/models/hunting.js";
import { type DriftReport, detectDrift } from "./permissions/drift.js";
import { type ApiResource, type PlanInput, requirementsOf } from "./permissions/planner.js";
import type { MdeTransport } from "./pipeline/transport.js";

const INSPECT = Symbol.for("nodejs.util.inspect.custom");

export interface TokenRequestOptions {
  /** Skip the cached token (it joins a refresh already in flight). */
  forceRefresh?: boolean | undefined;
  signal?: AbortSignal | undefined;
  /** Which API the token is for: `mde` (default) or `graph`. Each has its own token and cache entry. */
  resource?: ApiResource | undefined;
}

export type InspectOptions = Partial<Omit<InspectTokenOptions, "keySource">> & { keySource?: KeySource };

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

/**
 * A customer tenant of the partner client.
 *
 * @example
 * const contoso = partner.tenant("contoso.onmicrosoft.com", { region: "eu" });
 * const alert = await contoso.mde.alerts.get(alertId);
 * for await (const incident of contoso.graph.incidents.list()) console.log(incident.id);
 */
export interface PartnerTenant {
  readonly tenantId: string;
  readonly region: string | undefined;
  /** The typed MDE API of this tenant (its own token, budgets and regional host). */
  readonly mde: MdeApi;
  /** The Microsoft Graph security API of this tenant (its own token, budgets and host). */
  readonly graph: GraphApi;
  /** A valid access token for this tenant (cached; refreshed before expiry): MDE's, or Graph's with `resource: "graph"`. */
  getToken(options?: TokenRequestOptions): Promise<string>;
  /** Checks this tenant's current token (signature, audience, tid, roles, …) offline; `resource: "graph"` for the Graph token. */
  inspectToken(options?: Omit<InspectOptions, "expectedTenantId"> & { resource?: ApiResource }): Promise<TokenInspection>;
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
  /** The link this tenant's admin follows to consent (again) to the app. */
  consentUrl(): string;

  /** @deprecated The MDE transport is `tenant.mde.transport`. */
  readonly transport: MdeTransport;
  /** @deprecated The Graph transport is `tenant.graph.transport`. */
  readonly graphTransport: MdeTransport;
  /** @deprecated Use `tenant.mde.alerts`. */
  readonly alerts: MdeApi["alerts"];
  /** @deprecated Use `tenant.mde.machines`. */
  readonly machines: MdeApi["machines"];
  /** @deprecated Use `tenant.mde.machineActions`. */
  readonly machineActions: MdeApi["machineActions"];
  /** @deprecated Use `tenant.hunt(query, { backend: "legacy" })` or `tenant.mde.hunting`. */
  readonly hunting: MdeApi["hunting"];
  /** @deprecated Use `tenant.mde.indicators`. */
  readonly indicators: MdeApi["indicators"];
  /** @deprecated Use `tenant.mde.investigations`. */
  readonly investigations: MdeApi["investigations"];
  /** @deprecated Use `tenant.mde.files`. */
  readonly files: MdeApi["files"];
  /** @deprecated Use `tenant.mde.domains`. */
  readonly domains: MdeApi["domains"];
  /** @deprecated Use `tenant.mde.ips`. */
  readonly ips: MdeApi["ips"];
  /** @deprecated Use `tenant.mde.users`. */
  readonly users: MdeApi["users"];
  /** @deprecated Use `tenant.mde.software`. */
  readonly software: MdeApi["software"];
  /** @deprecated Use `tenant.mde.vulnerabilities`. */
  readonly vulnerabilities: MdeApi["vulnerabilities"];
  /** @deprecated Use `tenant.mde.recommendations`. */
  readonly recommendations: MdeApi["recommendations"];
  /** @deprecated Use `tenant.mde.scores`. */
  readonly scores: MdeApi["scores"];
  /** @deprecated Use `tenant.mde.remediationTasks`. */
  readonly remediationTasks: MdeApi["remediationTasks"];
  /** @deprecated Use `tenant.mde.deviceAvHealth`. */
  readonly deviceAvHealth: MdeApi["deviceAvHealth"];
  /** @deprecated Use `tenant.mde.exports`. */
  readonly exports: MdeApi["exports"];
  /** @deprecated Use `tenant.mde.library`. */
  readonly library: MdeApi["library"];
}

/** @deprecated A tenant is a {@link PartnerTenant}. */
export type TenantHandle = PartnerTenant;

/** What the partner client gives each tenant. */
export interface PartnerTenantDeps {
  readonly tenantId: string;
  readonly region: string | undefined;
  /** The tenant's MDE API base URL and the cloud's Graph root (shown by `toJSON`). */
  readonly baseUrl: string;
  readonly graphUrl: string;
  /** The tenant's authenticated MDE pipeline (MDE token only). */
  readonly mdeTransport: MdeTransport;
  /** The tenant's authenticated Microsoft Graph pipeline (Graph token only). */
  readonly graphTransport: MdeTransport;
  /** The client's clock and sleep (`machineActions.waitForCompletion`, time-window checks). */
  readonly clock: Clock;
  /** Warns once per client that legacy hunting retires on 2027-02-01. */
  onLegacyHunting(): void;
  getToken(options?: TokenRequestOptions): Promise<string>;
  /** Inspects a token of this tenant against the cloud's keys (`audiences` default: the resource's). */
  inspect(token: string, resource: ApiResource | undefined, options: InspectOptions): Promise<TokenInspection>;
  consentUrl(): string;
}

function rolesOf(token: string, resource: ApiResource, tenantId: string): string[] {
  try {
    // Entra leaves `roles` out when the tenant granted the app nothing on the resource.
    return tokenRoles(token);
  } catch {
    throw new MdeInvalidResponseError(`the ${resource} token of tenant ${tenantId} carries no readable claims, so its roles cannot be checked`, {
      tenantId,
    });
  }
}

/** The tenant object `partner.tenant(id)` returns. */
export function createPartnerTenant(deps: PartnerTenantDeps): PartnerTenant {
  const { tenantId, region } = deps;
  const mde = createMdeApi(deps.mdeTransport, {
    clock: deps.clock,
    onLegacyHunting: deps.onLegacyHunting,
  });
  const graph = createGraphApi(deps.graphTransport);
  const hunt = (async (query: string, options: TenantHuntOptions | LegacyHuntOptions = {}) => {
    if (options.backend === "legacy") {
      const { backend: _backend, ...rest } = options;
      return mde.hunting.run(query, rest);
    }
    if (options.backend !== undefined && options.backend !== "graph") throw new TypeError("backend must be 'graph' or 'legacy'");
    const { backend: _backend, ...rest } = options;
    return graph.hunting.run(query, rest);
  }) as PartnerTenant["hunt"];
  const tenant: PartnerTenant = {
    tenantId,
    region,
    mde,
    graph,
    getToken: (o) => deps.getToken(o),
    inspectToken: async (o = {}) => {
      const { resource, ...rest } = o;
      return deps.inspect(await deps.getToken({ resource }), resource, { ...rest, expectedTenantId: tenantId });
    },
    hunt,
    async checkPermissions(needed, options = {}) {
      const touched = new Set(requirementsOf(needed).map((r) => r.resource));
      const granted: { mde?: string[]; graph?: string[] } = {};
      for (const resource of ["mde", "graph"] as const) {
        if (!touched.has(resource)) continue;
        granted[resource] = rolesOf(await deps.getToken({ resource, signal: options.signal }), resource, tenantId);
      }
      return Object.freeze({ ...detectDrift(granted, needed), tenantId, consentUrl: deps.consentUrl() });
    },
    consentUrl: () => deps.consentUrl(),
    get transport() {
      return mde.transport;
    },
    get graphTransport() {
      return graph.transport;
    },
    get alerts() {
      return mde.alerts;
    },
    get machines() {
      return mde.machines;
    },
    get machineActions() {
      return mde.machineActions;
    },
    get hunting() {
      return mde.hunting;
    },
    get indicators() {
      return mde.indicators;
    },
    get investigations() {
      return mde.investigations;
    },
    get files() {
      return mde.files;
    },
    get domains() {
      return mde.domains;
    },
    get ips() {
      return mde.ips;
    },
    get users() {
      return mde.users;
    },
    get software() {
      return mde.software;
    },
    get vulnerabilities() {
      return mde.vulnerabilities;
    },
    get recommendations() {
      return mde.recommendations;
    },
    get scores() {
      return mde.scores;
    },
    get remediationTasks() {
      return mde.remediationTasks;
    },
    get deviceAvHealth() {
      return mde.deviceAvHealth;
    },
    get exports() {
      return mde.exports;
    },
    get library() {
      return mde.library;
    },
  };
  const { baseUrl, graphUrl } = deps;
  Object.defineProperties(tenant, {
    toJSON: { value: () => ({ tenantId, region, baseUrl, graphUrl }) },
    [INSPECT]: { value: () => `TenantClient { tenantId: ${JSON.stringify(tenantId)}, baseUrl: ${JSON.stringify(baseUrl)} }` },
  });
  return Object.freeze(tenant);
}
