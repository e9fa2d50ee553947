import { findTenant } from "../core/directory.js";
import type { EmulatorState, Tenant } from "../core/state.js";

/** The tenant-independent authority aliases (mde-api.md §1.8: `common`, `organizations`, `consumers`). */
export type AuthorityAlias = "common" | "organizations" | "consumers";

/** What the first path segment of an Entra URL names. */
export type TenantSegment =
  | { kind: "tenant"; segment: string; tenant: Tenant }
  | { kind: "alias"; segment: string; alias: AuthorityAlias }
  /** A well-formed GUID or domain name that no tenant has (AADSTS90002). */
  | { kind: "unknown"; segment: string }
  /** Neither a GUID nor a DNS name (AADSTS900023). */
  | { kind: "malformed"; segment: string };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// A DNS name with at least two labels: what Entra accepts as a "verified domain" in the path.
const DNS_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/i;
const ALIASES: readonly AuthorityAlias[] = ["common", "organizations", "consumers"];

/** True when `value` is a GUID in the 8-4-4-4-12 form. */
export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/**
 * Resolves the tenant from the first path segment the way the real authority
 * does: a GUID or a verified domain name (mde-api.md §1.4 "tenant may be a GUID
 * or a domain name"), or one of the tenant-independent aliases.
 */
export function resolveTenantSegment(state: EmulatorState, segment: string): TenantSegment {
  const lower = segment.toLowerCase();
  if ((ALIASES as readonly string[]).includes(lower)) return { kind: "alias", segment, alias: lower as AuthorityAlias };
  if (!GUID.test(segment) && !DNS_NAME.test(segment)) return { kind: "malformed", segment };
  const tenant = findTenant(state, segment);
  return tenant ? { kind: "tenant", segment, tenant } : { kind: "unknown", segment };
}

/** The region scope a discovery document reports (`tenant_region_scope`) for an MDE data region. */
export function regionScope(region: string): string {
  switch (region) {
    case "us":
      return "NA";
    case "eu":
    case "uk":
    case "swa":
      return "EU";
    case "au":
      return "OC";
    case "ina":
      return "AS";
    default:
      return "WW";
  }
}
