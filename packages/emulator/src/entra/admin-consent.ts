import { randomBytes, randomUUID } from "node:crypto";
import { Hono } from "hono";
import { type ResourceKind, resolveResource } from "../core/access-token.js";
import { toStsTimestamp } from "../core/clock.js";
import { grantConsent } from "../core/directory.js";
import { type AppContext, type AppEnv, applyFaults } from "../core/http.js";
import type { EmulatorState, PartnerApp } from "../core/state.js";
import { renderConsentPage, renderErrorPage } from "./consent-page.js";
import { requestedPermissions } from "./consent-permissions.js";
import { parseFormBody } from "./form-body.js";
import { sts } from "./sts-codes.js";
import type { StsErrorSpec } from "./sts-error.js";
import { resolveTenantSegment } from "./tenant-segment.js";

/**
 * Which consent URL started the flow (mde-api.md §1.2):
 * `authorize` — legacy `/{tenant}/oauth2/authorize?prompt=consent&response_type=code` (the MDE pages' link);
 * `adminconsent` — `/{tenant}/adminconsent` (client-credentials page);
 * `v2` — `/{tenant}/v2.0/adminconsent` with `scope` (v2-admin-consent page).
 */
export type ConsentFlow = "authorize" | "adminconsent" | "v2";

/** A consent page handed out and not yet answered, kept in `state.consentSessions`. */
interface ConsentSession {
  flow: ConsentFlow;
  clientId: string;
  redirectUri: string;
  state?: string;
  /** The v2 `scope` as requested, echoed back on success. */
  scope?: string;
  kinds: ResourceKind[];
  lockedTenantId?: string;
  expiresAt: number;
}

const SESSION_TTL_MS = 60 * 60 * 1000;
const OIDC_SCOPES = new Set(["openid", "profile", "email", "offline_access"]);
// A fresh object per response: the Node adapter writes Content-Length into the object it is given.
const pageHeaders = (): Record<string, string> => ({
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store, no-cache",
  "x-frame-options": "DENY",
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
});

function errorPage(state: EmulatorState, spec: StsErrorSpec, status = 400): Response {
  const html = renderErrorPage({
    code: spec.code,
    message: spec.message,
    traceId: randomUUID(),
    correlationId: randomUUID(),
    timestamp: toStsTimestamp(state.clock.now()),
  });
  return new Response(html, { status, headers: pageHeaders() });
}

function findApp(state: EmulatorState, clientId: string): PartnerApp | undefined {
  return state.apps.get(clientId) ?? [...state.apps.values()].find((a) => a.clientId.toLowerCase() === clientId.toLowerCase());
}

/**
 * `redirect_uri` must match a registered one exactly; the client-credentials page
 * adds that on `/adminconsent` "it can have additional path segments".
 */
function redirectAllowed(app: PartnerApp, uri: string, allowExtraPath: boolean): boolean {
  if (app.redirectUris.includes(uri)) return true;
  if (!allowExtraPath) return false;
  let target: URL;
  try {
    target = new URL(uri);
  } catch {
    return false;
  }
  return app.redirectUris.some((registered) => {
    const reg = new URL(registered);
    if (reg.origin !== target.origin || reg.search) return false;
    const prefix = reg.pathname.endsWith("/") ? reg.pathname : `${reg.pathname}/`;
    return target.pathname.startsWith(prefix);
  });
}

/** Resources a v2 `scope` names (OIDC scopes ignored), or the first entry naming no known resource. */
function scopeKinds(scope: string): { kinds: ResourceKind[]; bad?: string } {
  const kinds = new Set<ResourceKind>();
  for (const item of scope.split(/\s+/).filter(Boolean)) {
    if (OIDC_SCOPES.has(item.toLowerCase())) continue;
    const slash = item.lastIndexOf("/");
    const resolved = slash > 0 ? resolveResource(item.slice(0, slash)) : undefined;
    if (!resolved) return { kinds: [], bad: item };
    kinds.add(resolved.kind);
  }
  return { kinds: [...kinds] };
}

function redirect(location: URL): Response {
  return new Response(null, { status: 302, headers: { location: location.toString(), "cache-control": "no-store, no-cache" } });
}

/**
 * Admin consent (mde-api.md §1.2): the three consent URLs render one consent page;
 * Accept records the tenant's consent (every role the app requires, for the
 * resources asked for) and redirects with `admin_consent=True&tenant=…`, Cancel
 * redirects with `error=access_denied` and the AADSTS65004 description. A bad
 * client or redirect URI never redirects: the error shows on a page, as the real
 * service does (AADSTS700016, AADSTS50011).
 */
export function createAdminConsentRoutes(state: EmulatorState): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const sessions = state.consentSessions as Map<string, ConsentSession>;

  const show = (flow: ConsentFlow) => async (c: AppContext) => {
    const journal = c.get("journal");
    journal.kind = "consent";
    journal.operation = `consent-${flow}`;
    const fail = (spec: StsErrorSpec, status = 400) => {
      journal.error = `AADSTS${spec.code}`;
      return errorPage(state, spec, status);
    };
    const now = state.clock.now();
    for (const [id, s] of sessions) if (s.expiresAt <= now) sessions.delete(id);

    const raw = c.req.param("tenant") ?? "";
    const segment = resolveTenantSegment(state, raw);
    if (segment.kind === "tenant") journal.tenantId = segment.tenant.id;
    const faulted = await applyFaults(state, c, "consent", segment.kind === "tenant" ? segment.tenant.id : undefined, (status) =>
      errorPage(state, sts.temporarilyUnavailable(status), status),
    );
    if (faulted) return faulted;
    if (segment.kind === "malformed") return fail(sts.malformedTenant(raw));
    if (segment.kind === "unknown") return fail(sts.tenantNotFound(raw));
    if (segment.kind === "alias" && segment.alias === "consumers") return fail(sts.aliasNotSupported());

    const q = (name: string) => c.req.query(name);
    const clientId = q("client_id");
    if (!clientId) return fail(sts.missingParameter("client_id"));
    journal.clientId = clientId;
    const partner = findApp(state, clientId);
    if (!partner) return fail(sts.appNotFound(clientId, segment.kind === "tenant" ? segment.tenant.name : raw));
    if (!partner.enabled) return fail(sts.appDisabled(partner.clientId, partner.displayName));

    const requestedRedirect = q("redirect_uri");
    const redirectUri = requestedRedirect ?? partner.redirectUris[0];
    if (!redirectUri) return fail({ error: "invalid_request", code: 900971, message: "No reply address provided." });
    if (!redirectAllowed(partner, redirectUri, flow === "adminconsent")) {
      return fail({
        error: "invalid_request",
        code: 50011,
        message: `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${partner.clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal.`,
      });
    }

    let kinds: ResourceKind[] = ["mde", "graph"];
    const scope = q("scope");
    if (flow === "v2") {
      if (!scope) return fail(sts.missingParameter("scope"));
      const parsed = scopeKinds(scope);
      if (parsed.bad !== undefined) return fail(sts.invalidScope(parsed.bad));
      if (parsed.kinds.length > 0) kinds = parsed.kinds;
    }

    const id = randomBytes(24).toString("base64url");
    const session: ConsentSession = { flow, clientId: partner.clientId, redirectUri, kinds, expiresAt: now + SESSION_TTL_MS };
    const stateParam = q("state");
    if (stateParam !== undefined) session.state = stateParam;
    if (flow === "v2" && scope) session.scope = scope;
    if (segment.kind === "tenant") session.lockedTenantId = segment.tenant.id;
    sessions.set(id, session);

    const home = state.tenants.get(partner.homeTenantId);
    const pageModel = {
      appName: partner.displayName,
      clientId: partner.clientId,
      publisherDomain: home?.domains[0] ?? "unverified",
      tenants: [...state.tenants.values()].map((t) => ({ id: t.id, name: t.name, domain: t.domains[0] ?? t.id })),
      permissions: requestedPermissions(partner, new Set(kinds)),
      session: id,
      action: new URL(c.req.url).pathname,
    };
    const html = renderConsentPage(session.lockedTenantId ? { ...pageModel, lockedTenantId: session.lockedTenantId } : pageModel);
    return new Response(html, { status: 200, headers: pageHeaders() });
  };

  const decide = async (c: AppContext) => {
    const journal = c.get("journal");
    journal.kind = "consent";
    const fail = (spec: StsErrorSpec) => {
      journal.error = `AADSTS${spec.code}`;
      return errorPage(state, spec);
    };
    const { params } = parseFormBody(await c.req.text());
    const id = params.get("session") ?? "";
    const session = sessions.get(id);
    // Single use: a session answers exactly one POST, whatever the outcome.
    sessions.delete(id);
    if (!session || session.expiresAt <= state.clock.now()) {
      return fail({
        error: "invalid_request",
        code: 90007,
        message: "The consent session is not valid: it has expired or was already used. Open the consent link again.",
      });
    }
    journal.clientId = session.clientId;
    const target = new URL(session.redirectUri);
    const decision = params.get("decision");
    if (decision === "cancel") {
      journal.operation = "consent-cancel";
      journal.error = "AADSTS65004";
      // The v2 page's example keeps admin_consent=True on the error redirect (admin-consent-v2-endpoint.redirects.txt).
      // `access_denied` is RFC 6749 §4.1.2.1's code for exactly the documented text below.
      if (session.flow === "v2") target.searchParams.append("admin_consent", "True");
      const traceId = randomUUID();
      const correlationId = randomUUID();
      const description = `AADSTS65004: The resource owner or authorization server denied the request.\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${toStsTimestamp(state.clock.now())}`;
      target.searchParams.append("error", "access_denied");
      target.searchParams.append("error_subcode", "cancel");
      target.searchParams.append("error_description", description);
      if (session.state !== undefined) target.searchParams.append("state", session.state);
      return redirect(target);
    }
    if (decision !== "accept") return fail(sts.missingParameter("decision"));
    journal.operation = "consent-accept";

    const tenantId = (params.get("tenant") ?? "").toLowerCase();
    if (!tenantId) return fail(sts.missingParameter("tenant"));
    const tenant = state.tenants.get(tenantId);
    if (!tenant || (session.lockedTenantId && session.lockedTenantId !== tenant.id)) return fail(sts.tenantNotFound(tenantId));
    journal.tenantId = tenant.id;
    const partner = findApp(state, session.clientId);
    if (!partner) return fail(sts.appNotFound(session.clientId, tenant.name));

    // Consent adds to what the tenant granted before; `/.default` means every role the app requires.
    const previous = tenant.consents.get(partner.clientId);
    const roles = [...(previous?.roles ?? []), ...(session.kinds.includes("mde") ? partner.requiredRoles : [])];
    const graphRoles = [...(previous?.graphRoles ?? []), ...(session.kinds.includes("graph") ? partner.requiredGraphRoles : [])];
    grantConsent(state, tenant, partner, roles, graphRoles);

    // Order as the documented success redirect: admin_consent, tenant, scope (v2), state.
    // The legacy authorize link gets the same answer instead of an authorization code the
    // emulator could not redeem.
    target.searchParams.append("admin_consent", "True");
    target.searchParams.append("tenant", tenant.id);
    if (session.scope !== undefined) target.searchParams.append("scope", session.scope);
    if (session.state !== undefined) target.searchParams.append("state", session.state);
    return redirect(target);
  };

  app.get("/:tenant/oauth2/authorize", show("authorize"));
  app.get("/:tenant/adminconsent", show("adminconsent"));
  app.get("/:tenant/v2.0/adminconsent", show("v2"));
  app.post("/:tenant/oauth2/authorize", decide);
  app.post("/:tenant/adminconsent", decide);
  app.post("/:tenant/v2.0/adminconsent", decide);
  return app;
}
