import { randomUUID } from "node:crypto";
import { GRAPH_APP_ID, GRAPH_RESOURCE_IDS, MDE_APP_ID, MDE_RESOURCE_IDS } from "./constants.js";
import type { EmulatorState, TokenVersion } from "./state.js";

export type ResourceKind = "mde" | "graph";

/** Which resource a `resource=` value or a `scope=` root names, or undefined when unknown. */
export function resolveResource(identifier: string): { kind: ResourceKind; identifier: string } | undefined {
  const id = identifier.replace(/\/+$/, "").toLowerCase();
  if (MDE_RESOURCE_IDS.some((r) => r.toLowerCase() === id)) return { kind: "mde", identifier: identifier.replace(/\/+$/, "") };
  if (GRAPH_RESOURCE_IDS.some((r) => r.toLowerCase() === id)) return { kind: "graph", identifier: identifier.replace(/\/+$/, "") };
  return undefined;
}

export interface MintRequest {
  tenantId: string;
  clientId: string;
  servicePrincipalId: string;
  resource: { kind: ResourceKind; identifier: string };
  roles: string[];
  /** How the client authenticated: "1" secret, "2" certificate. */
  authMethod: "1" | "2";
  version?: TokenVersion;
}

export interface MintedToken {
  accessToken: string;
  expiresIn: number;
  expiresOn: number;
  notBefore: number;
  version: TokenVersion;
}

export function v1Issuer(state: EmulatorState, tenantId: string): string {
  return state.options.v1Issuer.replace("{tenantid}", tenantId);
}

export function v2Issuer(state: EmulatorState, tenantId: string): string {
  return `${state.baseUrl}/${tenantId}/v2.0`;
}

/**
 * Mints an app-only access token with the claims of access-token-claims-reference.md
 * (mde-api.md §1.9). v1 tokens carry `aud` = the requested resource URI, `appid`,
 * `appidacr`, `x5t` in the header; v2 tokens carry `aud` = the resource's app id,
 * `azp`, `azpacr`. The token version is the resource's choice, not the endpoint's.
 */
export async function mintAccessToken(state: EmulatorState, req: MintRequest): Promise<MintedToken> {
  const version: TokenVersion = req.version ?? (req.resource.kind === "graph" ? "1.0" : state.options.mdeTokenVersion);
  const key = state.keys.current();
  const now = Math.floor(state.clock.now() / 1000);
  const lifetime = state.options.tokenLifetimeSec;
  const nbf = now - 300; // Entra backdates nbf by five minutes.
  const exp = now + lifetime;
  const common = {
    iat: nbf,
    nbf,
    exp,
    aio: Buffer.from(randomUUID()).toString("base64url").slice(0, 40),
    idtyp: "app",
    oid: req.servicePrincipalId,
    rh: `0.${Buffer.from(req.tenantId).toString("base64url").slice(0, 30)}.`,
    // Entra leaves `roles` out entirely when the tenant granted the app nothing for this resource.
    ...(req.roles.length > 0 ? { roles: req.roles } : {}),
    sub: req.servicePrincipalId,
    tid: req.tenantId,
    uti: Buffer.from(randomUUID().replace(/-/g, ""), "hex").toString("base64url"),
    xms_idrel: "7 24",
  };
  const resourceAppId = req.resource.kind === "graph" ? GRAPH_APP_ID : MDE_APP_ID;
  const claims =
    version === "1.0"
      ? {
          aud: req.resource.identifier,
          iss: v1Issuer(state, req.tenantId),
          idp: v1Issuer(state, req.tenantId),
          appid: req.clientId,
          appidacr: req.authMethod,
          ...common,
          ver: "1.0",
        }
      : {
          aud: resourceAppId,
          iss: v2Issuer(state, req.tenantId),
          azp: req.clientId,
          azpacr: req.authMethod,
          ...common,
          ver: "2.0",
        };
  const header = version === "1.0" ? { typ: "JWT", alg: "RS256", x5t: key.x5t, kid: key.kid } : { typ: "JWT", alg: "RS256", kid: key.kid };
  const { SignJWT } = await import("jose");
  const accessToken = await new SignJWT(claims).setProtectedHeader(header).sign(key.privateKey);
  return { accessToken, expiresIn: lifetime, expiresOn: exp, notBefore: nbf, version };
}

export interface VerifiedToken {
  tenantId: string;
  clientId: string;
  roles: string[];
  version: TokenVersion;
  audience: string;
  claims: Record<string, unknown>;
}

export type VerifyFailure = { ok: false; reason: string };

/**
 * Verifies a bearer token the way a resource must (access-tokens.md, mde-api.md §1.8):
 * signature by a published key found by `kid`, issuer of the token's own `tid`,
 * an audience of the expected resource, and lifetime within the allowed skew.
 */
export async function verifyAccessToken(
  state: EmulatorState,
  token: string,
  expected: ResourceKind,
): Promise<({ ok: true } & VerifiedToken) | VerifyFailure> {
  const { decodeProtectedHeader, errors: joseErrors, jwtVerify } = await import("jose");
  let kid: string | undefined;
  try {
    const header = decodeProtectedHeader(token);
    if (header.alg !== "RS256") return { ok: false, reason: `unsupported token algorithm ${String(header.alg)}` };
    kid = header.kid;
  } catch {
    return { ok: false, reason: "the token is not a JWT" };
  }
  const key = kid ? state.keys.find(kid) : undefined;
  if (!key) return { ok: false, reason: "the token's signing key is unknown" };
  try {
    const { payload } = await jwtVerify(token, key.publicKey, {
      algorithms: ["RS256"],
      clockTolerance: state.options.clockSkewSec,
      currentDate: new Date(state.clock.now()),
    });
    const tid = typeof payload.tid === "string" ? payload.tid : "";
    const ver = payload.ver === "2.0" ? "2.0" : "1.0";
    const expectedIss = ver === "2.0" ? v2Issuer(state, tid) : v1Issuer(state, tid);
    if (!tid || payload.iss !== expectedIss) return { ok: false, reason: "the token's issuer is not valid" };
    const aud = typeof payload.aud === "string" ? payload.aud : "";
    const resource = resolveResource(aud);
    if (!resource || resource.kind !== expected) return { ok: false, reason: `the token's audience ${aud} is not valid for this resource` };
    const clientId = String(ver === "2.0" ? payload.azp : payload.appid);
    const roles = Array.isArray(payload.roles) ? payload.roles.map(String) : [];
    return { ok: true, tenantId: tid, clientId, roles, version: ver, audience: aud, claims: payload as Record<string, unknown> };
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) return { ok: false, reason: "the token is expired" };
    if (error instanceof joseErrors.JWSSignatureVerificationFailed) return { ok: false, reason: "the token's signature is not valid" };
    if (error instanceof joseErrors.JWTClaimValidationFailed) return { ok: false, reason: `the token's ${error.claim} claim is not valid` };
    return { ok: false, reason: "the token could not be validated" };
  }
}
