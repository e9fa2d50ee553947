/**
 * Tenant identifiers reach URLs (`/{tenant}/oauth2/v2.0/token`), so they are
 * validated before use (STYLE.md habit 4): a GUID, or a verified domain name
 * (mde-api.md §1.4: "`tenant` may be a GUID or a domain name"). `common`,
 * `organizations` and `consumers` are refused: client credentials must target
 * the customer tenant (mde-api.md §9).
 */

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// RFC 1123 labels, at least two labels, a letter in the top-level label.
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/i;
const RESERVED = new Set(["common", "organizations", "consumers"]);

/**
 * True for a GUID in its 8-4-4-4-12 hex form (any case): tenant, alert, action, app ids.
 *
 * @example isGuid("72f988bf-86f1-41af-91ab-2d7cd011db47") // true
 */
export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/** True for a tenant GUID (any case). */
export function isTenantGuid(value: string): boolean {
  return isGuid(value);
}

/**
 * Returns the tenant id in canonical form (GUIDs lower-cased, domains lower-cased),
 * or throws a `TypeError` naming the problem. Never echoes more than 80 characters.
 *
 * @example
 * normalizeTenantId("72F988BF-86F1-41AF-91AB-2D7CD011DB47") // "72f988bf-86f1-41af-91ab-2d7cd011db47"
 * normalizeTenantId("contoso.onmicrosoft.com")              // "contoso.onmicrosoft.com"
 */
export function normalizeTenantId(value: unknown, what = "tenantId"): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new TypeError(`${what} must be a tenant GUID or a verified domain name, got ${value === "" ? "an empty string" : typeof value}`);
  }
  const trimmed = value.trim();
  if (GUID.test(trimmed)) return trimmed.toLowerCase();
  if (RESERVED.has(trimmed.toLowerCase())) {
    throw new TypeError(`${what} must name the customer tenant; '${trimmed}' is not allowed for client credentials`);
  }
  if (DOMAIN.test(trimmed)) return trimmed.toLowerCase();
  const shown = JSON.stringify(trimmed.length > 80 ? `${trimmed.slice(0, 80)}…` : trimmed);
  throw new TypeError(`${what} must be a tenant GUID or a verified domain name (e.g. contoso.onmicrosoft.com), got ${shown}`);
}
