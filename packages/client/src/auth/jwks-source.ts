/**
 * Signing keys and issuers of a cloud's tenants, from OpenID discovery
 * (mde-api.md §1.8): v1 tokens are checked against
 * `{login}/{tenant}/.well-known/openid-configuration`, v2 tokens against
 * `{login}/{tenant}/v2.0/.well-known/openid-configuration`; each names its
 * `issuer` (templated `{tenantid}` in the tenant-independent documents) and its
 * `jwks_uri`. Documents and key sets are cached per instance for `ttlMs`
 * (Entra keys rotate; the docs say re-fetch about every 24 h) and the key set is
 * re-fetched once when a token names an unknown `kid` (at most once per
 * `refetchCooldownMs`, so garbage `kid`s cannot make us hammer the login host).
 *
 * Only metadata is fetched, only from the cloud's login origin: the token being
 * inspected is never sent anywhere.
 */
import type { JWK } from "jose";
import type { Clock } from "../clock.js";
import { MdeInvalidResponseError } from "../errors.js";
import { toTransportError } from "./grants/token-source.js";
import type { FetchLike } from "../network.js";

export interface JsonWebKeySet {
  keys: JWK[];
}

export type TokenVersionClaim = "1.0" | "2.0";

/** Where inspection finds keys and issuers. */
export interface KeySource {
  /** The JWK whose `kid` matches, or undefined when the tenant's key set has none. */
  findKey(tenantId: string, version: TokenVersionClaim, kid: string | undefined): Promise<JWK | undefined>;
  /** The issuer a token of this tenant and version must carry. */
  issuer(tenantId: string, version: TokenVersionClaim): Promise<string>;
}

export interface DiscoveryKeySourceOptions {
  loginUrl: string;
  fetch: FetchLike;
  clock: Clock;
  ttlMs?: number;
  refetchCooldownMs?: number;
  timeoutMs?: number;
}

interface Cached<T> {
  value: T;
  fetchedAt: number;
}

/** Keys and issuers from the cloud's discovery documents, cached per instance. */
export function createDiscoveryKeySource(options: DiscoveryKeySourceOptions): KeySource {
  const { fetch, clock } = options;
  const ttlMs = options.ttlMs ?? 24 * 3600_000;
  const cooldownMs = options.refetchCooldownMs ?? 60_000;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const login = new URL(options.loginUrl.endsWith("/") ? options.loginUrl : `${options.loginUrl}/`);
  const documents = new Map<string, Cached<{ issuer: string; jwksUri: string }>>();
  const keySets = new Map<string, Cached<JWK[]>>();
  const inflight = new Map<string, Promise<unknown>>();

  const getJson = async (url: string): Promise<Record<string, unknown>> => {
    const timeout = AbortSignal.timeout(timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, { headers: { accept: "application/json" }, signal: timeout, redirect: "error" });
      text = await response.text();
    } catch (error) {
      throw toTransportError(error, `fetching ${new URL(url).pathname}`, undefined, timeout.aborted);
    }
    if (!response.ok)
      throw new MdeInvalidResponseError(`discovery request ${new URL(url).pathname} answered HTTP ${response.status}`, {
        status: response.status,
      });
    try {
      const body = JSON.parse(text) as unknown;
      if (body && typeof body === "object") return body as Record<string, unknown>;
    } catch {}
    throw new MdeInvalidResponseError(`discovery request ${new URL(url).pathname} returned no JSON object`);
  };

  const once = <T>(key: string, run: () => Promise<T>): Promise<T> => {
    const running = inflight.get(key) as Promise<T> | undefined;
    if (running) return running;
    const p = run().finally(() => inflight.delete(key));
    inflight.set(key, p);
    return p;
  };

  const discovery = (tenantId: string, version: TokenVersionClaim) => {
    const path = `${encodeURIComponent(tenantId)}/${version === "2.0" ? "v2.0/" : ""}.well-known/openid-configuration`;
    const url = new URL(path, login).toString();
    const cached = documents.get(url);
    if (cached && clock.now() - cached.fetchedAt < ttlMs) return Promise.resolve(cached.value);
    return once(url, async () => {
      const doc = await getJson(url);
      const issuer = doc.issuer;
      const jwksUri = doc.jwks_uri;
      if (typeof issuer !== "string" || typeof jwksUri !== "string") {
        throw new MdeInvalidResponseError("the discovery document lacks issuer or jwks_uri");
      }
      // Keys only from the login origin: a document pointing elsewhere is not trusted.
      if (new URL(jwksUri).origin !== login.origin)
        throw new MdeInvalidResponseError("the discovery document's jwks_uri is not on the login host");
      const value = { issuer, jwksUri };
      documents.set(url, { value, fetchedAt: clock.now() });
      return value;
    });
  };

  const forcedAt = new Map<string, number>();
  const keys = (jwksUri: string, force: boolean) => {
    const cached = keySets.get(jwksUri);
    const now = clock.now();
    if (cached) {
      const last = forcedAt.get(jwksUri);
      // An unknown kid forces one re-fetch; further ones wait out the cooldown.
      if (force && last !== undefined && now - last < cooldownMs) return Promise.resolve(cached.value);
      if (!force && now - cached.fetchedAt < ttlMs) return Promise.resolve(cached.value);
    }
    if (force) forcedAt.set(jwksUri, now);
    return once(jwksUri, async () => {
      const body = await getJson(jwksUri);
      if (!Array.isArray(body.keys)) throw new MdeInvalidResponseError("the JWKS has no keys array");
      const value = body.keys as JWK[];
      keySets.set(jwksUri, { value, fetchedAt: clock.now() });
      return value;
    });
  };

  return {
    async findKey(tenantId, version, kid) {
      const { jwksUri } = await discovery(tenantId, version);
      const match = (set: JWK[]) => set.find((k) => kid !== undefined && k.kid === kid);
      return match(await keys(jwksUri, false)) ?? match(await keys(jwksUri, true));
    },
    async issuer(tenantId, version) {
      const { issuer } = await discovery(tenantId, version);
      return issuer.replace(/\{tenantid\}/gi, tenantId);
    },
  };
}

/** A fixed key set for fully offline checks (e.g. a JWKS saved earlier). Issuers follow the documented forms. */
export function createStaticKeySource(jwks: JsonWebKeySet, loginUrl: string): KeySource {
  if (!jwks || !Array.isArray(jwks.keys)) throw new TypeError("jwks must be a JSON Web Key Set ({ keys: [...] })");
  const login = loginUrl.replace(/\/+$/, "");
  return {
    findKey: async (_tenantId, _version, kid) => jwks.keys.find((k) => kid !== undefined && k.kid === kid),
    issuer: async (tenantId, version) => (version === "2.0" ? `${login}/${tenantId}/v2.0` : `https://sts.windows.net/${tenantId}/`),
  };
}
