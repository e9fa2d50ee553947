/**
 * Admin-consent links and the consent callback (mde-api.md §1.2). Three link forms:
 * - legacy v1 authorize (what the MDE partner pages print):
 *   `{login}/common/oauth2/authorize?prompt=consent&client_id=…&response_type=code&sso_reload=true`
 * - `{login}/{tenant}/adminconsent?client_id&state&redirect_uri` (client-credentials page; `common` allowed),
 * - `{login}/{tenant|organizations}/v2.0/adminconsent?client_id&scope&redirect_uri&state` (v2-admin-consent
 *   page; `common` must not be used there).
 * All are built with URL/URLSearchParams, never by string concatenation.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { MdeConsentDeniedError, MdeConsentStateMismatchError, MdeInvalidResponseError } from "../errors.js";
import { isTenantGuid, normalizeTenantId } from "../tenant-id.js";
import { isLoopbackHost } from "../network.js";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function checkClientId(clientId: unknown): string {
  if (typeof clientId !== "string" || !GUID.test(clientId))
    throw new TypeError("clientId must be the app's application (client) id, a GUID");
  return clientId.toLowerCase();
}

function loginBase(loginUrl: string): URL {
  const url = new URL(loginUrl);
  if (!url.pathname.endsWith("/")) url.pathname = `${url.pathname}/`;
  return url;
}


/** The longest redirect URI Entra ID lets an app register. */
const MAX_REDIRECT_URI_LENGTH = 256;

/**
 * Checks a consent redirect URI against Entra ID's rule and returns it normalised:
 * https, or plain http to localhost / a loopback address only; no user name or
 * password, no fragment, at most 256 characters. `javascript:`, `data:`, `file:`
 * and `http://` to any other host are refused with a `TypeError`, so no consent
 * state is ever issued for a link Entra would refuse or that leaks the response.
 * Entra: "Redirect URIs must begin with the scheme https. There are some
 * exceptions for localhost redirect URIs"; "The HTTP scheme (http://) is supported
 * only for localhost URIs"; 256 characters per URI
 * (https://learn.microsoft.com/en-us/entra/identity-platform/reply-url).
 * A fragment is not allowed in a redirection endpoint (RFC 6749 §3.1.2).
 *
 * @example
 * checkRedirectUri("https://partner.example/consent/callback"); // ok
 * checkRedirectUri("http://127.0.0.1:8080/consent/callback");   // ok
 * checkRedirectUri("http://partner.example/consent/callback");  // TypeError
 */
export function checkRedirectUri(value: unknown): string {
  if (typeof value !== "string" || value.trim() === "") throw new TypeError("redirect URI must be an absolute https URL registered on the app");
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError("redirect URI must be an absolute https URL registered on the app");
  }
  if (url.protocol === "http:") {
    if (!isLoopbackHost(url.hostname))
      throw new TypeError("redirect URI must use https; Entra ID accepts http only for localhost and loopback addresses");
  } else if (url.protocol !== "https:") {
    throw new TypeError(`redirect URI must use https, not ${url.protocol.replace(/:$/, "").slice(0, 20)}:`);
  }
  if (url.username !== "" || url.password !== "") throw new TypeError("redirect URI must not carry a user name or password");
  if (url.hash !== "" || value.includes("#")) throw new TypeError("redirect URI must not carry a fragment (#…)");
  const normalised = url.toString();
  if (normalised.length > MAX_REDIRECT_URI_LENGTH)
    throw new TypeError(`redirect URI must be at most ${MAX_REDIRECT_URI_LENGTH} characters (Entra ID's limit)`);
  return normalised;
}

/**
 * The consent link the MDE partner documentation prints (legacy v1 authorize form).
 * After consent Entra ID redirects to the app's first registered redirect URI.
 *
 * @example
 * legacyConsentUrl("https://login.microsoftonline.com", clientId)
 * // https://login.microsoftonline.com/common/oauth2/authorize?prompt=consent&client_id=…&response_type=code&sso_reload=true
 */
export function legacyConsentUrl(loginUrl: string, clientId: string): string {
  const url = new URL("common/oauth2/authorize", loginBase(loginUrl));
  url.search = new URLSearchParams({
    prompt: "consent",
    client_id: checkClientId(clientId),
    response_type: "code",
    sso_reload: "true",
  }).toString();
  return url.toString();
}

export interface AdminConsentUrlOptions {
  loginUrl: string;
  clientId: string;
  /** Must exactly match a redirect URI registered on the app; checked by {@link checkRedirectUri}. */
  redirectUri: string;
  /** The customer's tenant id or domain; default `organizations` (v2) / `common` (no-version form). */
  tenant?: string;
  /** Opaque value echoed back; bind it to the onboarding session. Use {@link createConsentState}. */
  state?: string;
  /** `/.default` scope of the resource (v2 form). Default: the MDE resource's `/.default`. */
  scope?: string;
  /**
   * Several `/.default` scopes, one per resource, to consent to in one go (v2 form), e.g. the MDE and
   * the Microsoft Graph scopes: sent space-separated in `scope`. Wins over `scope`.
   */
  scopes?: readonly string[];
  /** `v2` (default): `/{tenant}/v2.0/adminconsent`; `none`: `/{tenant}/adminconsent`. */
  endpoint?: "v2" | "none";
}

/**
 * An admin-consent link for one customer (or `organizations` when its tenant is
 * not known yet).
 *
 * @example
 * adminConsentUrl({ loginUrl, clientId, redirectUri: "https://partner.example/consent/callback",
 *   tenant: "contoso.onmicrosoft.com", state, scope: "https://api.securitycenter.microsoft.com/.default" })
 * // Both resources of the partner app at once:
 * adminConsentUrl({ loginUrl, clientId, redirectUri, tenant,
 *   scopes: ["https://api.securitycenter.microsoft.com/.default", "https://graph.microsoft.com/.default"] })
 */
export function adminConsentUrl(options: AdminConsentUrlOptions): string {
  const endpoint = options.endpoint ?? "v2";
  if (endpoint !== "v2" && endpoint !== "none") throw new TypeError("endpoint must be 'v2' or 'none'");
  let tenant: string;
  if (options.tenant === undefined) tenant = endpoint === "v2" ? "organizations" : "common";
  else if (options.tenant === "organizations" || (options.tenant === "common" && endpoint === "none")) tenant = options.tenant;
  else tenant = normalizeTenantId(options.tenant, "tenant");
  const redirect = checkRedirectUri(options.redirectUri);
  const params = new URLSearchParams({ client_id: checkClientId(options.clientId) });
  if (endpoint === "v2") {
    const scopes = options.scopes ?? [options.scope ?? "https://api.securitycenter.microsoft.com/.default"];
    if (!Array.isArray(scopes) || scopes.length === 0) throw new TypeError("scopes must name at least one '/.default' scope");
    for (const scope of scopes) {
      if (typeof scope !== "string" || /\s/.test(scope) || !scope.endsWith("/.default"))
        throw new TypeError("scope must be a '/.default' scope: application permissions are consented that way");
    }
    params.set("scope", [...new Set(scopes)].join(" "));
  }
  params.set("redirect_uri", redirect);
  if (options.state !== undefined) params.set("state", options.state);
  const path = endpoint === "v2" ? `${encodeURIComponent(tenant)}/v2.0/adminconsent` : `${encodeURIComponent(tenant)}/adminconsent`;
  const url = new URL(path, loginBase(options.loginUrl));
  url.search = params.toString();
  return url.toString();
}

/** A fresh, unguessable `state` value (256 bits, base64url). */
export function createConsentState(): string {
  return randomBytes(32).toString("base64url");
}

/** Compares two `state` values in constant time. */
export function consentStateMatches(received: string | null | undefined, expected: string): boolean {
  if (typeof received !== "string") return false;
  const a = Buffer.from(received);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A successful admin-consent callback. */
export interface ConsentCallbackResult {
  /**
   * The tenant that says it consented. The docs warn that this value can be forged:
   * never authorize anything on its strength — confirm by getting a token for it.
   */
  tenantId: string;
  /** Granted scopes (v2 form only). */
  scopes: string[];
  state: string | undefined;
}

/**
 * Parses the query of the admin-consent redirect. Success requires
 * `admin_consent=True` and a tenant GUID; `error`/`error_description` become an
 * `MdeConsentDeniedError`; a `state` other than `expectedState` (when given) an
 * `MdeConsentStateMismatchError`.
 *
 * @example
 * const { tenantId } = parseConsentCallback(request.url, { expectedState: session.state });
 * await partner.tenant(tenantId).getToken(); // proves the consent before trusting tenantId
 */
export function parseConsentCallback(
  input: string | URL | URLSearchParams,
  options: { expectedState?: string } = {},
): ConsentCallbackResult {
  let params: URLSearchParams;
  if (input instanceof URLSearchParams) params = input;
  else if (input instanceof URL) params = input.searchParams;
  else if (typeof input === "string")
    params = input.includes("://") ? new URL(input).searchParams : new URLSearchParams(input.replace(/^\?/, ""));
  else throw new TypeError("consent callback must be a URL, a query string or URLSearchParams");

  const state = params.get("state") ?? undefined;
  // The state check comes first: an error redirect with a foreign state is not ours to report.
  if (options.expectedState !== undefined && !consentStateMatches(state, options.expectedState)) {
    throw new MdeConsentStateMismatchError(
      "the consent callback's state does not match the one issued for this onboarding session; ignore it",
    );
  }
  const error = params.get("error");
  if (error) {
    const description = params.get("error_description") ?? "";
    const aadsts = /AADSTS(\d+)/.exec(description)?.[1];
    const firstLine = description.split(/\r?\n/)[0]?.slice(0, 300) ?? "";
    throw new MdeConsentDeniedError(`admin consent was not granted (${error})${firstLine ? `: ${firstLine}` : ""}`, {
      oauthError: error,
      aadsts: aadsts === undefined ? undefined : Number(aadsts),
    });
  }
  if ((params.get("admin_consent") ?? "").toLowerCase() !== "true") {
    throw new MdeInvalidResponseError("the consent callback carries neither admin_consent=True nor an error");
  }
  const tenant = params.get("tenant") ?? "";
  if (!isTenantGuid(tenant)) throw new MdeInvalidResponseError("the consent callback's tenant is not a GUID");
  const scope = params.get("scope");
  return { tenantId: tenant.toLowerCase(), scopes: scope ? scope.split(/\s+/).filter(Boolean) : [], state };
}
