/**
 * Permission drift across the two resources. A tenant that consented before the partner app asked
 * for Microsoft Graph permissions holds MDE roles but no Graph roles: application permissions are
 * consented per change, so every customer admin has to consent again after the app's permissions
 * change (graph-security.md §2, GRAPH concepts/auth-v2-service.md). The report says which
 * resource lacks what, so the re-consent link can be sent with the reason.
 */
import {
  type ApiResource,
  findUnmetRequirements,
  type PermissionRequirement,
  type PlanInput,
  planPermissions,
  requirementsOf,
} from "./planner.js";

/** The roles a tenant granted, per resource (the `roles` claims of its MDE and Graph tokens). */
export interface GrantedRoles {
  readonly mde?: readonly string[];
  readonly graph?: readonly string[];
}

/** What one resource lacks. */
export interface ResourceDrift {
  /** Roles the tenant granted on this resource (as the token carries them). */
  readonly granted: readonly string[];
  /** Operations none of the granted roles allows. */
  readonly unmet: readonly PermissionRequirement[];
  /** The least-privileged permissions that would cover `unmet`. */
  readonly missing: readonly string[];
}

/** Result of {@link detectDrift}. */
export interface DriftReport {
  /** True when any needed operation is not allowed by what the tenant granted. */
  readonly drifted: boolean;
  /** The resources with something missing (`["graph"]` for a tenant that consented before Graph was added). */
  readonly resources: readonly ApiResource[];
  readonly mde: ResourceDrift;
  readonly graph: ResourceDrift;
}

function driftOf(granted: readonly string[], needed: readonly PlanInput[], resource: ApiResource): ResourceDrift {
  const own = requirementsOf(needed)
    .filter((r) => r.resource === resource)
    .map((r) => r.operation);
  const unmet = own.length === 0 ? [] : findUnmetRequirements(granted, own);
  const missing = unmet.length === 0 ? [] : planPermissions(unmet.map((r) => r.operation)).permissions;
  return Object.freeze({ granted: Object.freeze([...granted]), unmet: Object.freeze(unmet), missing });
}

/**
 * Compares what a tenant granted on each resource with what the integration needs.
 *
 * @example
 * const report = detectDrift({ mde: mdeToken.roles, graph: graphToken.roles ?? [] }, ["machines:isolate", "graph:hunting"]);
 * if (report.drifted) console.log(report.resources, report.graph.missing); // ["graph"] ["ThreatHunting.Read.All"]
 */
export function detectDrift(granted: GrantedRoles, needed: readonly PlanInput[]): DriftReport {
  if (!granted || typeof granted !== "object") throw new TypeError("granted must be { mde?: roles, graph?: roles }");
  const mde = driftOf(granted.mde ?? [], needed, "mde");
  const graph = driftOf(granted.graph ?? [], needed, "graph");
  const resources = (["mde", "graph"] as const).filter((r) => (r === "mde" ? mde : graph).unmet.length > 0);
  return Object.freeze({ drifted: resources.length > 0, resources: Object.freeze(resources), mde, graph });
}

/** A permission a capability lacks, and the resource it belongs to. */
export interface MissingPermission {
  /** Canonical permission name (`ThreatHunting.Read.All`). */
  readonly permission: string;
  /** `mde` (WindowsDefenderATP) or `graph` (Microsoft Graph). */
  readonly resource: ApiResource;
}

/** What a tenant can do for one capability, from the roles it granted. */
export interface CapabilityStatus {
  /** The capability key (`hunting:run`) or operation name as given. */
  readonly capability: string;
  /** `ok`: every operation it calls is allowed; `missing`: some is not; `unknown`: a resource's roles were not read. */
  readonly status: "ok" | "missing" | "unknown";
  /** True when `status` is `ok`. */
  readonly ok: boolean;
  /** The least-privileged permissions that would make it work (empty when ok or unknown). */
  readonly missing: readonly MissingPermission[];
  /** The resources whose roles were not read (a token failed), when `unknown`. */
  readonly unknownResources: readonly ApiResource[];
}

/** Roles per resource; `null` = not known (that resource's token was not read). */
export interface KnownRoles {
  readonly mde: readonly string[] | null;
  readonly graph: readonly string[] | null;
}

const RESOURCE_NAME: Readonly<Record<ApiResource, string>> = { mde: "WindowsDefenderATP", graph: "Microsoft Graph" };

/**
 * Per capability: can the tenant do it with the roles it granted, and if not, which permission on
 * which resource it lacks. The operations behind each capability are the ones the product calls
 * (capabilities.ts), their permissions come from the operation registries.
 *
 * @example
 * capabilityStatus({ mde: ["Alert.Read.All"], graph: [] }, ["alerts:read", "hunting:run"])
 * // [{ capability: "alerts:read", status: "ok", … },
 * //  { capability: "hunting:run", status: "missing", missing: [{ permission: "ThreatHunting.Read.All", resource: "graph" }], … }]
 */
export function capabilityStatus(granted: KnownRoles, capabilities: readonly PlanInput[]): CapabilityStatus[] {
  return capabilities.map((capability) => {
    const requirements = requirementsOf([capability]);
    const unknownResources = (["mde", "graph"] as const).filter((r) => granted[r] === null && requirements.some((q) => q.resource === r));
    const unmet = requirements.filter(
      (q) => granted[q.resource] !== null && findUnmetRequirements(granted[q.resource] ?? [], [q.operation]).length > 0,
    );
    const missing =
      unmet.length === 0
        ? []
        : planPermissions(unmet.map((q) => q.operation)).roles.map((r) => Object.freeze({ permission: r.name, resource: r.resource }));
    const status = missing.length > 0 ? "missing" : unknownResources.length > 0 ? "unknown" : "ok";
    return Object.freeze({
      capability,
      status,
      ok: status === "ok",
      missing: Object.freeze(missing),
      unknownResources: Object.freeze(unknownResources),
    });
  });
}

/** One line for a capability's status: `hunting:run: missing ThreatHunting.Read.All on Microsoft Graph`. */
export function describeCapabilityStatus(s: CapabilityStatus): string {
  if (s.status === "ok") return `${s.capability}: ok`;
  if (s.status === "unknown") return `${s.capability}: unknown (no ${s.unknownResources.map((r) => RESOURCE_NAME[r]).join(" or ")} token)`;
  return `${s.capability}: missing ${s.missing.map((m) => `${m.permission} on ${RESOURCE_NAME[m.resource]}`).join(", ")}`;
}
