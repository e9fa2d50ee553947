import { type ResourceKind, resolveResource } from "../core/access-token.js";
import { sts } from "./sts-codes.js";
import type { StsErrorSpec } from "./sts-error.js";

/** The resource a token request names, as the minted token's audience. */
export interface RequestedResource {
  kind: ResourceKind;
  /** The identifier as the client wrote it (without the `/.default` suffix and trailing slash). */
  identifier: string;
}

type Resolved = { ok: true; resource: RequestedResource } | { ok: false; spec: StsErrorSpec };

const DEFAULT_SUFFIX = "/.default";

/**
 * Reads a v2 `scope=` for the client-credentials grant (mde-api.md §1.4): every
 * entry must be `{resource}/.default` (AADSTS1002012 otherwise), name a resource
 * the emulator knows (AADSTS70011, the documented example), and all entries must
 * name the same resource (AADSTS700022). Every MDE scope root the docs print is
 * accepted, and so are the Graph ones, through `resolveResource`.
 */
export function resolveScope(scope: string): Resolved {
  const items = scope.split(/\s+/).filter(Boolean);
  if (items.length === 0) return { ok: false, spec: sts.missingParameter("scope") };
  let first: RequestedResource | undefined;
  for (const item of items) {
    if (!item.toLowerCase().endsWith(DEFAULT_SUFFIX)) return { ok: false, spec: sts.scopeWithoutDefault(scope) };
    const resolved = resolveResource(item.slice(0, -DEFAULT_SUFFIX.length));
    if (!resolved) return { ok: false, spec: sts.invalidScope(item) };
    if (!first) first = resolved;
    else if (first.kind !== resolved.kind) return { ok: false, spec: sts.multipleResources(scope) };
  }
  return first ? { ok: true, resource: first } : { ok: false, spec: sts.missingParameter("scope") };
}

/**
 * Reads a v1 `resource=` (mde-api.md §1.3). An unknown resource is a service
 * principal the tenant does not have: AADSTS500011 `invalid_resource`.
 */
export function resolveV1Resource(resource: string, tenantName: string): Resolved {
  const resolved = resolveResource(resource);
  if (!resolved) return { ok: false, spec: sts.resourceNotFound(resource, tenantName) };
  return { ok: true, resource: resolved };
}
