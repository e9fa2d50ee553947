import { mintAccessToken } from "../core/access-token.js";
import { type AppContext, applyFaults } from "../core/http.js";
import type { EmulatorState, PartnerApp, Tenant } from "../core/state.js";
import { redeemAuthorizationCode } from "./authorization-code-grant.js";
import { authenticateClient } from "./client-auth.js";
import { redeemRefreshToken } from "./refresh-token-grant.js";
import { parseBasicAuth, parseFormBody } from "./form-body.js";
import { sts } from "./sts-codes.js";
import { type StsErrorSpec, stsError } from "./sts-error.js";
import { resolveTenantSegment } from "./tenant-segment.js";
import { tokenResponse } from "./token-response.js";
import { type RequestedResource, resolveScope, resolveV1Resource } from "./token-resource.js";

/** `v1` = `/{tenant}/oauth2/token` (`resource=`), `v2` = `/{tenant}/oauth2/v2.0/token` (`scope=`). */
export type TokenEndpointVersion = "v1" | "v2";

function findApp(state: EmulatorState, clientId: string): PartnerApp | undefined {
  return state.apps.get(clientId) ?? [...state.apps.values()].find((a) => a.clientId.toLowerCase() === clientId.toLowerCase());
}

/** `client_id` may be left out when a client assertion names the client (RFC 7523 §3: `iss`). */
async function clientIdFromAssertion(assertion: string | undefined): Promise<string | undefined> {
  if (!assertion) return undefined;
  const { decodeJwt } = await import("jose");
  try {
    const iss = decodeJwt(assertion).iss;
    return typeof iss === "string" && iss ? iss : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The client-credentials grant of the token endpoint, v1 or v2, in the shapes
 * of mde-api.md §1.3–§1.7: parameter checks, tenant from the path, the app's
 * service principal in that tenant (its consent), client authentication, the
 * resource, then a token whose `roles` are what that tenant granted for it.
 * Checks run in the order the real service reports them: malformed request,
 * tenant, grant, client, credential, resource.
 */
export function createTokenHandler(state: EmulatorState, version: TokenEndpointVersion) {
  return async (c: AppContext): Promise<Response> => {
    const journal = c.get("journal");
    journal.kind = "token";
    journal.operation = "client_credentials";
    const rawSegment = c.req.param("tenant") ?? "";
    const segment = resolveTenantSegment(state, rawSegment);
    journal.tenantId = segment.kind === "tenant" ? segment.tenant.id : rawSegment.toLowerCase();
    const fail = (spec: StsErrorSpec): Response => {
      journal.error = `AADSTS${spec.code}`;
      return stsError(state, spec);
    };

    // A user grant (authorization code, refresh token): the same client authentication as below,
    // against the app's home tenant when the path names an alias; then the grant decides.
    const userGrant = async (grantType: "authorization_code" | "refresh_token"): Promise<Response> => {
      const basic = parseBasicAuth(c.req.header("authorization"));
      const bodyClientId = params.get("client_id");
      if (basic && bodyClientId !== undefined && bodyClientId.toLowerCase() !== basic.clientId.toLowerCase()) return fail(sts.basicClientMismatch());
      const clientId = basic?.clientId ?? bodyClientId ?? (await clientIdFromAssertion(params.get("client_assertion")));
      if (!clientId) return fail(sts.missingParameter("client_id"));
      journal.clientId = clientId;
      const app = findApp(state, clientId);
      const tenant = segment.kind === "tenant" ? segment.tenant : app ? state.tenants.get(app.homeTenantId) : undefined;
      if (!app || !tenant) return fail(sts.appNotFound(clientId, segment.kind === "tenant" ? segment.tenant.name : rawSegment));
      journal.tenantId = tenant.id;
      if (!app.enabled) return fail(sts.appDisabled(app.clientId, app.displayName));
      if (basic && params.has("client_secret")) return fail(sts.twoCredentials());
      const credentials: { secret?: string; clientAssertionType?: string; clientAssertion?: string } = {};
      const secret = basic?.secret ?? params.get("client_secret");
      if (secret !== undefined) credentials.secret = secret;
      const assertionType = params.get("client_assertion_type");
      if (assertionType !== undefined) credentials.clientAssertionType = assertionType;
      const assertion = params.get("client_assertion");
      if (assertion !== undefined) credentials.clientAssertion = assertion;
      const auth = await authenticateClient(state, credentials, { app, tenant, segment: rawSegment, requestOrigin: new URL(c.req.url).origin });
      if (!auth.ok) return fail(auth.spec);
      const request = { params, app, tenant, authMethod: auth.method };
      const outcome = grantType === "authorization_code" ? await redeemAuthorizationCode(state, request) : await redeemRefreshToken(state, request);
      return outcome.ok ? outcome.response : fail(outcome.spec);
    };

    const faulted = await applyFaults(state, c, "token", segment.kind === "tenant" ? segment.tenant.id : undefined, (status) =>
      stsError(state, sts.temporarilyUnavailable(status)),
    );
    if (faulted) return faulted;

    const { params, duplicate } = parseFormBody(await c.req.text());
    if (duplicate !== undefined) return fail(sts.duplicateParameter(duplicate));
    if (segment.kind === "malformed") return fail(sts.malformedTenant(rawSegment));
    if (segment.kind === "unknown") return fail(sts.tenantNotFound(rawSegment));

    const grantType = params.get("grant_type");
    if (!grantType) return fail(sts.missingParameter("grant_type"));
    journal.operation = grantType;
    if (grantType === "authorization_code" || grantType === "refresh_token") {
      // The emulator signs users in on the v2.0 authorize endpoint only, so only v2.0 redeems.
      if (version !== "v2") return fail(sts.unsupportedGrantType(grantType));
      if (segment.kind === "alias" && segment.alias === "consumers") return fail(sts.aliasNotSupported());
      return userGrant(grantType);
    }
    if (grantType !== "client_credentials") return fail(sts.unsupportedGrantType(grantType));
    if (segment.kind === "alias" && segment.alias !== "organizations") return fail(sts.aliasNotSupported());

    const basic = parseBasicAuth(c.req.header("authorization"));
    const bodyClientId = params.get("client_id");
    if (basic && bodyClientId !== undefined && bodyClientId.toLowerCase() !== basic.clientId.toLowerCase()) {
      return fail(sts.basicClientMismatch());
    }
    const clientId = basic?.clientId ?? bodyClientId ?? (await clientIdFromAssertion(params.get("client_assertion")));
    if (!clientId) return fail(sts.missingParameter("client_id"));
    journal.clientId = clientId;

    const requested = version === "v1" ? params.get("resource") : params.get("scope");
    if (!requested) return fail(sts.missingParameter(version === "v1" ? "resource" : "scope"));
    journal.resource = requested;
    let resource: RequestedResource | undefined;
    if (version === "v2") {
      const scope = resolveScope(requested);
      if (!scope.ok) return fail(scope.spec);
      resource = scope.resource;
    }

    const app = findApp(state, clientId);
    // `organizations` is accepted by the real service for this grant, which then picks the
    // app's home tenant (MSAL warns it "will try to guess the correct TenantId",
    // AzureAD/microsoft-authentication-library-for-js#5805): a token for the partner, not a customer.
    const tenant: Tenant | undefined = segment.kind === "tenant" ? segment.tenant : app ? state.tenants.get(app.homeTenantId) : undefined;
    if (!tenant) return fail(sts.appNotFound(clientId, rawSegment));
    journal.tenantId = tenant.id;
    const consent = app ? tenant.consents.get(app.clientId) : undefined;
    if (!app || !consent) return fail(sts.appNotFound(clientId, tenant.name));
    if (!app.enabled) return fail(sts.appDisabled(app.clientId, app.displayName));

    const credentials: { secret?: string; clientAssertionType?: string; clientAssertion?: string } = {};
    const secret = basic?.secret ?? params.get("client_secret");
    if (basic && params.has("client_secret")) return fail(sts.twoCredentials());
    if (secret !== undefined) credentials.secret = secret;
    const assertionType = params.get("client_assertion_type");
    if (assertionType !== undefined) credentials.clientAssertionType = assertionType;
    const assertion = params.get("client_assertion");
    if (assertion !== undefined) credentials.clientAssertion = assertion;
    const requestOrigin = new URL(c.req.url).origin;
    const auth = await authenticateClient(state, credentials, { app, tenant, segment: rawSegment, requestOrigin });
    if (!auth.ok) return fail(auth.spec);

    if (!resource) {
      const v1 = resolveV1Resource(requested, tenant.name);
      if (!v1.ok) return fail(v1.spec);
      resource = v1.resource;
    }
    // A tenant without Defender for Endpoint has no WindowsDefenderATP service principal (mde-api.md §1.7, 500011).
    if (resource.kind === "mde" && !tenant.mdeProvisioned) return fail(sts.resourceNotFound(resource.identifier, tenant.name));

    const roles = resource.kind === "mde" ? consent.roles : consent.graphRoles;
    const minted = await mintAccessToken(state, {
      tenantId: tenant.id,
      clientId: app.clientId,
      servicePrincipalId: consent.servicePrincipalId,
      resource,
      roles: [...roles],
      authMethod: auth.method,
    });
    // Field order and types as documented: v1 numbers are strings (examples/token-v1.response.json),
    // v2 numbers are numbers (examples/token-v2-mde-curl.response.json). Refresh tokens are never issued.
    const body =
      version === "v1"
        ? {
            token_type: "Bearer",
            expires_in: String(minted.expiresIn),
            ext_expires_in: String(minted.expiresIn),
            expires_on: String(minted.expiresOn),
            not_before: String(minted.notBefore),
            resource: requested,
            access_token: minted.accessToken,
          }
        : {
            token_type: "Bearer",
            expires_in: minted.expiresIn,
            ext_expires_in: minted.expiresIn,
            access_token: minted.accessToken,
          };
    return tokenResponse(body);
  };
}

/** Anything but POST on a token endpoint (reference-error-codes.md: AADSTS900561). */
export function createTokenMethodHandler(state: EmulatorState) {
  return (c: AppContext): Response => {
    const journal = c.get("journal");
    journal.kind = "token";
    journal.error = "AADSTS900561";
    return stsError(state, sts.onlyPost(c.req.method));
  };
}

