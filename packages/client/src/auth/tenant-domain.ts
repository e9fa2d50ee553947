/**
 * Which tenant a verified domain belongs to. Entra ID answers the OpenID
 * metadata of a tenant under any of its names
 * (`{login}/{domain}/v2.0/.well-known/openid-configuration`, mde-api.md §1.8)
 * and the document always names the tenant by id: `issuer` is
 * `{login}/{tenant id}/v2.0` and `token_endpoint` is
 * `{login}/{tenant id}/oauth2/v2.0/token`. A domain unknown to the cloud is
 * AADSTS90002 (tenant not found).
 *
 * Only the cloud's login host is asked, with the client's own fetch (its CA):
 * nothing about the caller is sent, and no redirect is followed.
 */
import { MdeInvalidResponseError, MdeTenantNotFoundError } from "../errors.js";
import { toTransportError } from "./grants/token-source.js";
import type { FetchLike } from "../network.js";
import { isTenantGuid, normalizeTenantId } from "../tenant-id.js";

export interface TenantDomainResolverOptions {
  /** The cloud's Entra ID authority, e.g. `https://login.microsoftonline.com`. */
  readonly loginUrl: string;
  readonly fetch: FetchLike;
  /** Default 15 s. */
  readonly timeoutMs?: number;
}

/** The tenant id in the first path segment of `value` when it is a URL on the login origin. */
function tenantInUrl(value: unknown, login: URL): string | undefined {
  if (typeof value !== "string") return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.origin !== login.origin) return undefined;
  const prefix = login.pathname.replace(/\/+$/, "");
  if (!url.pathname.startsWith(`${prefix}/`)) return undefined;
  const segment = url.pathname.slice(prefix.length + 1).split("/")[0] ?? "";
  return isTenantGuid(segment) ? segment.toLowerCase() : undefined;
}

/**
 * Resolves a tenant id or verified domain to the tenant id (a GUID, lower
 * case). A GUID is returned as it is, without a request.
 *
 * Throws `MdeTenantNotFoundError` when the cloud knows no such tenant,
 * `MdeInvalidResponseError` when the metadata does not name one tenant (both
 * `issuer` and `token_endpoint` must, and agree), `MdeNetworkError` /
 * `MdeTimeoutError` on transport failures, and `TypeError` for a value that is
 * neither a GUID nor a domain.
 *
 * @example
 * const id = await resolveTenantDomain("contoso.onmicrosoft.com", { loginUrl: cloud.loginUrl, fetch });
 */
export async function resolveTenantDomain(tenant: string, options: TenantDomainResolverOptions): Promise<string> {
  const value = normalizeTenantId(tenant, "tenant");
  if (isTenantGuid(value)) return value;
  const login = new URL(options.loginUrl.endsWith("/") ? options.loginUrl : `${options.loginUrl}/`);
  const url = new URL(`${encodeURIComponent(value)}/v2.0/.well-known/openid-configuration`, login);
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 15_000);
  let response: Response;
  let text: string;
  try {
    response = await options.fetch(url.toString(), { headers: { accept: "application/json" }, signal: timeout, redirect: "error" });
    text = await response.text();
  } catch (error) {
    throw toTransportError(error, `looking up the tenant of ${value}`, value, timeout.aborted);
  }
  let body: Record<string, unknown> | undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
  } catch {}
  if (!response.ok) {
    const codes = Array.isArray(body?.error_codes) ? (body.error_codes as unknown[]) : [];
    // AADSTS90002: no tenant has this name; 900023 (malformed tenant) reads the same to the caller.
    if (response.status === 400 && (codes.includes(90002) || codes.includes(900023) || body?.error === "invalid_tenant")) {
      throw new MdeTenantNotFoundError(`no tenant of this cloud has the verified domain ${value}`, { tenantId: value, status: 400 });
    }
    throw new MdeInvalidResponseError(`looking up the tenant of ${value} answered HTTP ${response.status}`, {
      tenantId: value,
      status: response.status,
    });
  }
  const fromIssuer = tenantInUrl(body?.issuer, login);
  const fromToken = tenantInUrl(body?.token_endpoint, login);
  if (!fromIssuer || !fromToken || fromIssuer !== fromToken) {
    throw new MdeInvalidResponseError(`the OpenID metadata of ${value} does not name one tenant (issuer and token_endpoint)`, {
      tenantId: value,
    });
  }
  return fromIssuer;
}
