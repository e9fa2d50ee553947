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
} from "./permissions-planner.js";

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
