import { Hono } from "hono";
import { v1Issuer } from "../core/access-token.js";
import type { AppContext, AppEnv } from "../core/http.js";
import type { EmulatorState } from "../core/state.js";
import { sts } from "./sts-codes.js";
import { stsError } from "./sts-error.js";
import { instanceDiscovery } from "./instance-discovery.js";
import { regionScope, resolveTenantSegment } from "./tenant-segment.js";

/** The literal template tenant-independent documents carry (mde-api.md §1.8). */
const TENANT_TEMPLATE = "{tenantid}";

// A fresh object per response: the Node adapter writes Content-Length into the object it is given.
const cacheHeaders = (): Record<string, string> => ({
  "cache-control": "max-age=86400, private",
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, OPTIONS",
});

/** The claims both discovery documents list first, in the real documents' order. */
const CLAIMS = ["sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr"];

type Resolved = { ok: true; pathTenant: string; issuerTenant: string; regionScope: string | null } | { ok: false; response: Response };

/**
 * What a discovery document is about: a tenant (GUID or domain, always reported
 * by GUID), or a tenant-independent alias whose endpoints keep the alias and
 * whose issuer keeps the `{tenantid}` template.
 */
function resolve(state: EmulatorState, c: AppContext): Resolved {
  const raw = c.req.param("tenant") ?? "";
  const journal = c.get("journal");
  journal.kind = "discovery";
  const segment = resolveTenantSegment(state, raw);
  const reject = (spec: ReturnType<typeof sts.tenantNotFound>) => {
    journal.error = `AADSTS${spec.code}`;
    return { ok: false as const, response: stsError(state, spec) };
  };
  switch (segment.kind) {
    case "tenant":
      journal.tenantId = segment.tenant.id;
      return { ok: true, pathTenant: segment.tenant.id, issuerTenant: segment.tenant.id, regionScope: regionScope(segment.tenant.region) };
    case "alias":
      return { ok: true, pathTenant: segment.alias, issuerTenant: TENANT_TEMPLATE, regionScope: null };
    case "malformed":
      return reject({ ...sts.malformedTenant(raw), error: "invalid_tenant" });
    default:
      return reject(sts.tenantNotFound(raw, "invalid_tenant"));
  }
}

/** The keys both documents open with, in the real documents' order; `oauth` is the version's OAuth 2.0 endpoint folder. */
function opening(state: EmulatorState, oauth: string, jwksUri: string, regionScopeValue: string | null) {
  return {
    token_endpoint: `${oauth}/token`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    jwks_uri: jwksUri,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    tenant_region_scope: regionScopeValue,
    cloud_instance_name: "microsoftonline.com",
    cloud_graph_host_name: "graph.windows.net",
    msgraph_host: new URL(state.baseUrl).host,
    rbac_url: "https://pas.windows.net",
  };
}

/** The sign-in and sign-out endpoints both documents list. */
const sessionEndpoints = (oauth: string) => ({
  authorization_endpoint: `${oauth}/authorize`,
  device_authorization_endpoint: `${oauth}/devicecode`,
  http_logout_supported: true,
  frontchannel_logout_supported: true,
  end_session_endpoint: `${oauth}/logout`,
});

/**
 * OpenID Connect discovery (v1 and v2) and the signing keys (mde-api.md §1.8).
 * The v2 document's `issuer` is `{loginUrl}/{tid}/v2.0`; the v1 document's is the
 * v1 issuer (`https://sts.windows.net/{tid}/` by default) — the values the
 * minted tokens carry, so a validator that reads discovery accepts them.
 */
export function createDiscoveryRoutes(state: EmulatorState): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const base = () => state.baseUrl;

  app.get("/common/discovery/instance", (c) => instanceDiscovery(state, c));

  // A discovery document for the path's tenant, or the STS error for a path that names none.
  const serve = (build: (t: string, r: Extract<Resolved, { ok: true }>) => object) => (c: AppContext) => {
    const r = resolve(state, c);
    if (!r.ok) return r.response;
    return c.json(build(r.pathTenant, r), 200, cacheHeaders());
  };

  app.get(
    "/:tenant/v2.0/.well-known/openid-configuration",
    serve((t, r) => {
      const oauth = `${base()}/${t}/oauth2/v2.0`;
      return {
        ...opening(state, oauth, `${base()}/${t}/discovery/v2.0/keys`, r.regionScope),
        response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
        scopes_supported: ["openid", "profile", "email", "offline_access"],
        issuer: `${base()}/${r.issuerTenant}/v2.0`,
        request_uri_parameter_supported: false,
        // Graph's `/oidc/userinfo`, on the emulator's host as `msgraph_host` is (entra/userinfo.ts).
        userinfo_endpoint: `${base()}/oidc/userinfo`,
        ...sessionEndpoints(oauth),
        claims_supported: [...CLAIMS, "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"],
        kerberos_endpoint: `${base()}/${t}/kerberos`,
        cloud_instance_host_name: new URL(base()).host,
      };
    }),
  );

  app.get(
    "/:tenant/.well-known/openid-configuration",
    serve((t, r) => {
      const oauth = `${base()}/${t}/oauth2`;
      // The real v1 document points every tenant at the common key set.
      return {
        ...opening(state, oauth, `${base()}/common/discovery/keys`, r.regionScope),
        response_types_supported: ["code", "id_token", "code id_token", "token id_token", "token"],
        scopes_supported: ["openid"],
        issuer: v1Issuer(state, r.issuerTenant),
        microsoft_multi_refresh_token: true,
        ...sessionEndpoints(oauth),
        claims_supported: [...CLAIMS, "amr", "nonce", "email", "given_name", "family_name", "nickname"],
        check_session_iframe: `${base()}/${t}/oauth2/checksession`,
        userinfo_endpoint: `${base()}/${t}/openid/userinfo`,
        kerberos_endpoint: `${base()}/${t}/kerberos`,
        cloud_instance_host_name: new URL(base()).host,
      };
    }),
  );

  // JWKS: every key a token may carry right now (current + rotated keys in grace).
  // Each key names the issuer it signs for: templated for tenant-independent sets,
  // the tenant's own for a tenant's set (examples/jwks-common-v2.response.json).
  const keys = serve((_t, r) => {
    const issuer = `${base()}/${r.issuerTenant}/v2.0`;
    return {
      keys: state.keys.published().map((k) => {
        const jwk = k.publicKey.export({ format: "jwk" }) as { n: string; e: string };
        return { kty: "RSA", use: "sig", kid: k.kid, x5t: k.x5t, n: jwk.n, e: jwk.e, x5c: [k.x5c], issuer };
      }),
    };
  });
  app.get("/:tenant/discovery/keys", keys);
  app.get("/:tenant/discovery/v2.0/keys", keys);
  return app;
}
