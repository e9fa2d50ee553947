import { createHash, randomBytes, randomUUID } from "node:crypto";
import { GRAPH_APP_ID } from "../core/constants.js";
import { v1Issuer, v2Issuer } from "../core/access-token.js";
import type { UserGrant } from "../core/sign-in-state.js";
import type { EmulatorState, PartnerApp } from "../core/state.js";
import type { DirectoryUser } from "../core/users.js";
import { tokenResponse } from "./token-response.js";

/** ID tokens are valid for an hour (entra-docs configurable-token-lifetimes.md: ID token default 1 hour). */
export const ID_TOKEN_LIFETIME_SEC = 3600;

const OIDC_SCOPES = new Set(["openid", "profile", "email", "offline_access"]);

/** The OpenID Connect scopes of a request (lower-cased) and the resource scopes left over. */
export function splitScopes(scopes: readonly string[]): { oidc: Set<string>; resource: string[] } {
  const oidc = new Set<string>();
  const resource: string[] = [];
  for (const s of scopes) {
    if (OIDC_SCOPES.has(s.toLowerCase())) oidc.add(s.toLowerCase());
    else resource.push(s);
  }
  return { oidc, resource };
}

/**
 * Microsoft Graph delegated scopes the user token carries: what was asked for by
 * short name (`User.Read`) or under `https://graph.microsoft.com/`, else `User.Read`
 * (a sign-in with only OIDC scopes still yields a Graph token; v2-oauth2-auth-code-flow.md).
 */
export function graphScopes(scopes: readonly string[]): string[] {
  const names = splitScopes(scopes).resource.map((s) => s.replace(/^https:\/\/graph\.microsoft\.com\//i, ""));
  return names.length > 0 ? [...new Set(names)] : ["User.Read"];
}

/** The token response's `scope`: Graph scopes first, then the OIDC scopes granted (as Entra lists them). */
export function responseScope(scopes: readonly string[]): string {
  const { oidc } = splitScopes(scopes);
  return [...graphScopes(scopes), ...["openid", "profile", "email", "offline_access"].filter((s) => oidc.has(s))].join(" ");
}

/**
 * The ID token's `sub`: "a pairwise identifier … unique to an application ID"
 * (id-token-claims-reference.md) — stable per tenant + app + user, different per app.
 */
export function pairwiseSubject(tenantId: string, clientId: string, oid: string): string {
  return createHash("sha256").update(`${tenantId}|${clientId.toLowerCase()}|${oid}`).digest("base64url").slice(0, 43);
}

/** JWTs carry at most 200 group ids (id-token-claims-reference.md "Groups overage claim"). */
const GROUPS_OVERAGE_LIMIT = 200;

/**
 * `groups`, or past the overage limit the pointer Entra puts in its place: `_claim_names`
 * naming a `_claim_sources` entry whose endpoint lists the user's groups in Graph.
 */
function groupsClaim(state: EmulatorState, user: DirectoryUser): Record<string, unknown> {
  if (user.groups.length === 0) return {};
  if (user.groups.length <= GROUPS_OVERAGE_LIMIT) return { groups: [...user.groups] };
  return {
    _claim_names: { groups: "src1" },
    _claim_sources: { src1: { endpoint: `${state.baseUrl}/v1.0/users/${user.oid}/getMemberObjects` } },
  };
}

const opaque = () => Buffer.from(randomUUID().replace(/-/g, ""), "hex").toString("base64url");

async function sign(state: EmulatorState, claims: Record<string, unknown>, v1Header: boolean): Promise<string> {
  const key = state.keys.current();
  const header = v1Header ? { typ: "JWT", alg: "RS256", x5t: key.x5t, kid: key.kid } : { typ: "JWT", alg: "RS256", kid: key.kid };
  const { SignJWT } = await import("jose");
  return new SignJWT(claims).setProtectedHeader(header).sign(key.privateKey);
}

export interface UserTokenInput {
  grant: UserGrant;
  user: DirectoryUser;
  app: PartnerApp;
  /** From the authorize request; only on tokens from a code, never from a refresh token. */
  nonce?: string;
}

/**
 * A v2.0 ID token with the claims of id-token-claims-reference.md: `name`,
 * `preferred_username` and `oid` need the `profile` scope, `email` the `email`
 * scope; `roles` are the app roles assigned to the user, `groups` its group
 * object ids. `amr` and `auth_time` unless `idTokenAuthClaims` is off (real v2.0 ID
 * tokens carry them only as configured optional claims; docs/reference/entra-sign-in.md).
 */
export async function mintIdToken(state: EmulatorState, input: UserTokenInput): Promise<string> {
  const { grant, user, app } = input;
  const { oidc } = splitScopes(grant.scopes);
  const now = Math.floor(state.clock.now() / 1000);
  const iat = now - 300; // Entra backdates iat/nbf by five minutes, as on access tokens.
  const claims: Record<string, unknown> = {
    aud: app.clientId,
    iss: v2Issuer(state, grant.tenantId),
    iat,
    nbf: iat,
    exp: iat + ID_TOKEN_LIFETIME_SEC,
    ...(state.options.idTokenAuthClaims ? { amr: [...grant.amr], auth_time: grant.authTime } : {}),
    ...(oidc.has("email") ? { email: user.username } : {}),
    ...groupsClaim(state, user),
    ...(oidc.has("profile") ? { name: user.displayName } : {}),
    ...(input.nonce !== undefined ? { nonce: input.nonce } : {}),
    ...(oidc.has("profile") ? { oid: user.oid, preferred_username: user.username } : {}),
    rh: `0.${Buffer.from(grant.tenantId).toString("base64url").slice(0, 30)}.`,
    ...(user.roles.length > 0 ? { roles: [...user.roles] } : {}),
    sid: grant.sid,
    sub: pairwiseSubject(grant.tenantId, app.clientId, user.oid),
    tid: grant.tenantId,
    uti: opaque(),
    ver: "2.0",
  };
  return sign(state, claims, false);
}

/**
 * The delegated access token that comes with a sign-in: for Microsoft Graph
 * (`aud` 00000003-…, v1.0 format as Graph's tokens are), `scp` the Graph scopes,
 * `idtyp` `user` — what access-token-claims-reference.md lists for a user token.
 */
export async function mintUserAccessToken(
  state: EmulatorState,
  input: UserTokenInput & { authMethod: "1" | "2" },
): Promise<{ accessToken: string; expiresIn: number }> {
  const { grant, user, app } = input;
  const now = Math.floor(state.clock.now() / 1000);
  const lifetime = state.options.tokenLifetimeSec;
  const nbf = now - 300;
  const claims = {
    aud: GRAPH_APP_ID,
    iss: v1Issuer(state, grant.tenantId),
    iat: nbf,
    nbf,
    exp: now + lifetime,
    acct: 0,
    acr: "1",
    aio: opaque(),
    amr: [...grant.amr],
    app_displayname: app.displayName,
    appid: app.clientId,
    appidacr: input.authMethod,
    idtyp: "user",
    name: user.displayName,
    oid: user.oid,
    rh: `0.${Buffer.from(grant.tenantId).toString("base64url").slice(0, 30)}.`,
    scp: graphScopes(grant.scopes).join(" "),
    sid: grant.sid,
    sub: pairwiseSubject(grant.tenantId, GRAPH_APP_ID, user.oid),
    tid: grant.tenantId,
    unique_name: user.username,
    upn: user.username,
    uti: opaque(),
    ver: "1.0",
  };
  return { accessToken: await sign(state, claims, true), expiresIn: lifetime };
}

/** Refresh tokens last 90 days (configurable-token-lifetimes.md: "90 days" default for refresh tokens). */
const REFRESH_TTL_MS = 90 * 24 * 60 * 60_000;

/**
 * The token response of a user grant (v2-oauth2-auth-code-flow.md "Successful response"):
 * `token_type`, `scope`, `expires_in`, `ext_expires_in`, `access_token`, then
 * `refresh_token` only when `offline_access` was granted, and `id_token` only for `openid`.
 */
export async function userTokenResponse(
  state: EmulatorState,
  input: UserTokenInput & { authMethod: "1" | "2" },
): Promise<Response> {
  const { oidc } = splitScopes(input.grant.scopes);
  const access = await mintUserAccessToken(state, input);
  const body: Record<string, unknown> = {
    token_type: "Bearer",
    scope: responseScope(input.grant.scopes),
    expires_in: access.expiresIn,
    ext_expires_in: access.expiresIn,
    access_token: access.accessToken,
  };
  if (oidc.has("offline_access")) {
    const refreshToken = `1.${randomBytes(48).toString("base64url")}`;
    state.signIn.refreshTokens.set(refreshToken, { ...input.grant, scopes: [...input.grant.scopes], amr: [...input.grant.amr], expiresAt: state.clock.now() + REFRESH_TTL_MS });
    body.refresh_token = refreshToken;
  }
  if (oidc.has("openid")) body.id_token = await mintIdToken(state, input);
  return tokenResponse(body);
}
