/**
 * The console as an OpenID Connect relying party of Entra ID, through
 * openid-client (no OAuth of our own): discovery from the configured issuer,
 * the authorization request (code flow, PKCE S256, `state`, `nonce`), and the
 * code exchange, in which openid-client checks `state`, the ID token's
 * signature (the issuer's published keys, `enableNonRepudiationChecks`),
 * `iss`, `aud`, `exp`/`iat` and `nonce`. Every failure becomes an {@link SsoError} with a stable code.
 */
import { webcrypto } from "node:crypto";
import { createDefaultFetch, type DefaultFetch, type FetchLike } from "@mde-partner/client";
import * as oidc from "openid-client";
import type { Clock } from "../options.js";
import type { ResolvedSsoOptions } from "./sso-options.js";

/** Why a sign-in with Entra ID failed (stable; pages and tests branch on it, never on text). */
export type SsoErrorCode =
  /** The issuer's discovery document or keys could not be fetched. */
  | "sso.unavailable"
  /** Entra ID answered the authorization request with an error (`error=` on the callback). */
  | "sso.provider-refused"
  /** The callback does not belong to this browser's sign-in (`state`), or its sign-in expired or was used. */
  | "sso.state"
  /** The code exchange failed (code used or expired, wrong client secret, wrong redirect URI). */
  | "sso.token-request"
  /** The ID token failed a check: issuer, audience, nonce or signature. */
  | "sso.id-token"
  /** The ID token has expired or is not valid yet. */
  | "sso.id-token-expired"
  /** A valid ID token, but its user holds no console role or grant. */
  | "sso.no-access"
  /** MFA is required and the ID token's `amr` does not include `mfa`. */
  | "sso.mfa-required";

export class SsoError extends Error {
  constructor(
    readonly code: SsoErrorCode,
    message: string,
    /** What the audit log may keep (never a token, code or secret). */
    readonly detail: string = message,
  ) {
    super(message);
    this.name = "SsoError";
  }
}

/** What a started sign-in must remember until its callback (kept server-side). */
export interface AuthorizationChecks {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
}

export interface OidcClient {
  /** The authorize URL to send the browser to, and the checks to keep for its callback. */
  authorizationRequest(): Promise<{ url: URL; checks: AuthorizationChecks }>;
  /** Exchanges the callback's code and returns the ID token's verified claims; throws {@link SsoError}. */
  callback(params: URLSearchParams, checks: AuthorizationChecks): Promise<Record<string, unknown>>;
  /** Closes pooled connections. Safe to call twice. */
  close(): Promise<void>;
}

/** A short, value-free description of an openid-client failure (its messages name claims, never their values). */
function describe(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown; cause?: { message?: unknown } } | undefined;
  const code = typeof e?.code === "string" ? `${e.code}: ` : "";
  const inner = typeof e?.cause?.message === "string" && typeof e?.code === "string" ? e.cause.message : e?.message;
  return `${code}${typeof inner === "string" ? inner : "error"}`.slice(0, 300);
}

/** The `error` of an authorization or token error response, when it is a plain OAuth error code. */
function oauthErrorCode(error: unknown): string | undefined {
  const value = (error as { error?: unknown } | undefined)?.error;
  return typeof value === "string" && /^[a-z_]{1,64}$/.test(value) ? value : undefined;
}

/**
 * The console's code for an openid-client failure. `exchanged`: the token
 * request had been sent, so an invalid response is the token endpoint's (its
 * ID token: e.g. a bad signature), not the callback's (e.g. its `state`); the
 * library gives both the same code.
 */
function toSsoError(error: unknown, exchanged: boolean): SsoError {
  if (error instanceof SsoError) return error;
  const code = (error as { code?: unknown } | undefined)?.code;
  const detail = describe(error);
  if (exchanged && (code === "OAUTH_INVALID_RESPONSE" || code === "OAUTH_PARSE_ERROR")) {
    return new SsoError("sso.id-token", "The ID token from the identity provider is not valid for this console. You were not signed in.", detail);
  }
  switch (code) {
    case "OAUTH_AUTHORIZATION_RESPONSE_ERROR": {
      const reason = oauthErrorCode(error);
      return new SsoError("sso.provider-refused", `Entra ID did not sign you in${reason ? ` (${reason})` : ""}. Try again.`, detail);
    }
    case "OAUTH_INVALID_RESPONSE":
      return new SsoError("sso.state", "This sign-in response does not belong to the sign-in this browser started. Start again.", detail);
    case "OAUTH_RESPONSE_BODY_ERROR": {
      const reason = oauthErrorCode(error);
      return new SsoError("sso.token-request", `Entra ID refused to complete the sign-in${reason ? ` (${reason})` : ""}. Start again.`, detail);
    }
    case "OAUTH_JWT_TIMESTAMP_CHECK_FAILED":
      return new SsoError("sso.id-token-expired", "The sign-in from Entra ID has expired (or this server's clock is wrong). Start again.", detail);
    case "OAUTH_JWT_CLAIM_COMPARISON_FAILED":
    case "OAUTH_JWS_SIGNATURE_VERIFICATION_FAILED":
    case "OAUTH_KEY_SELECTION_FAILED":
    case "OAUTH_INVALID_RESPONSE_BODY":
      return new SsoError("sso.id-token", "The ID token from the identity provider is not valid for this console. You were not signed in.", detail);
    default:
      if (typeof code === "string" && code.startsWith("OAUTH_JW")) {
        return new SsoError("sso.id-token", "The ID token from the identity provider is not valid for this console. You were not signed in.", detail);
      }
      return new SsoError("sso.unavailable", "Entra ID cannot be reached or answered unexpectedly. Try again later.", detail);
  }
}

/**
 * The console's OpenID client. Discovery runs at the first sign-in (and again
 * after a failed one), not at start-up, so a console starts while Entra ID is
 * unreachable.
 */
export function createOidcClient(sso: ResolvedSsoOptions, clock: Clock): OidcClient {
  // Our own fetch trusts the configured CA for these requests only (never process-wide); reopened after close().
  let own: DefaultFetch | undefined;
  const fetch: FetchLike = sso.fetch ?? ((input, init) => (own ??= createDefaultFetch({ ca: sso.caCertPem })).fetch(input, init));
  let discovered: Promise<oidc.ServerMetadata> | undefined;
  let jwks: oidc.ExportedJWKSCache | undefined;
  const { credential } = sso;
  // RSA-PSS with SHA-256: the assertion is PS256, as certificate-credentials.md asks.
  const signingKey =
    credential.kind === "certificate"
      ? webcrypto.subtle.importKey("pkcs8", credential.privateKeyPkcs8, { name: "RSA-PSS", hash: "SHA-256" }, false, ["sign"])
      : undefined;

  /**
   * The client authentication: the secret in the body, or a certificate assertion whose
   * header names the certificate by `x5t#S256` and whose `aud` is the token endpoint
   * (Entra ID's rule; openid-client would put the issuer there).
   */
  const clientAuthentication = async (server: oidc.ServerMetadata): Promise<oidc.ClientAuth> => {
    if (credential.kind === "secret") return oidc.ClientSecretPost(credential.secret);
    const key = (await signingKey) as oidc.CryptoKey;
    const tokenEndpoint = server.token_endpoint;
    return oidc.PrivateKeyJwt(key, {
      [oidc.modifyAssertion]: (header, payload) => {
        header["x5t#S256"] = credential.x5tS256;
        if (tokenEndpoint) payload.aud = tokenEndpoint;
      },
    });
  };

  const metadata = () =>
    (discovered ??= oidc
      .discovery(new URL(sso.issuer), sso.clientId, undefined, undefined, {
        [oidc.customFetch]: fetch as oidc.CustomFetch,
        timeout: 15,
      })
      .then((config) => config.serverMetadata())
      .catch((error: unknown) => {
        discovered = undefined;
        throw new SsoError("sso.unavailable", "Entra ID cannot be reached or answered unexpectedly. Try again later.", describe(error));
      }));

  /**
   * A configuration for one request. The console's clock (injectable, so
   * expiry is tested with a fake clock) becomes openid-client's clock skew.
   */
  const configuration = async (fetchOf: FetchLike = fetch) => {
    const server = await metadata();
    const skew = Math.round((clock.now() - Date.now()) / 1000);
    const config = new oidc.Configuration(server, sso.clientId, { [oidc.clockSkew]: skew }, await clientAuthentication(server));
    config[oidc.customFetch] = fetchOf as oidc.CustomFetch;
    config.timeout = 15;
    // ID tokens straight from the token endpoint over TLS may go unsigned-checked (OIDC Core 3.1.3.7);
    // the console checks their signature against the issuer's keys all the same.
    oidc.enableNonRepudiationChecks(config);
    if (jwks) oidc.setJwksCache(config, jwks);
    return config;
  };

  return {
    async authorizationRequest() {
      const config = await configuration();
      const checks: AuthorizationChecks = {
        state: oidc.randomState(),
        nonce: oidc.randomNonce(),
        codeVerifier: oidc.randomPKCECodeVerifier(),
      };
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: sso.redirectUri,
        response_type: "code",
        // `profile` puts `preferred_username` (the UPN) in Entra ID's v2 ID token.
        scope: "openid profile email",
        response_mode: "query",
        code_challenge: await oidc.calculatePKCECodeChallenge(checks.codeVerifier),
        code_challenge_method: "S256",
        state: checks.state,
        nonce: checks.nonce,
      });
      return { url, checks };
    },
    async callback(params, checks) {
      let exchanged = false;
      try {
        const tokenEndpoint = (await metadata()).token_endpoint;
        const config = await configuration((input, init) => {
          if (String(input instanceof Request ? input.url : input) === tokenEndpoint) exchanged = true;
          return fetch(input, init);
        });
        // The redirect URI as registered (not the request's URL, which a proxy in front may have rewritten):
        // openid-client sends it with the code, and Entra ID requires the same value as in the request.
        const current = new URL(sso.redirectUri);
        for (const [k, v] of params) current.searchParams.append(k, v);
        const tokens = await oidc.authorizationCodeGrant(config, current, {
          pkceCodeVerifier: checks.codeVerifier,
          expectedState: checks.state,
          expectedNonce: checks.nonce,
          idTokenExpected: true,
        });
        jwks = oidc.getJwksCache(config) ?? jwks;
        const claims = tokens.claims();
        if (!claims) throw new SsoError("sso.id-token", "The identity provider returned no ID token. You were not signed in.");
        return { ...claims } as Record<string, unknown>;
      } catch (error) {
        throw toSsoError(error, exchanged);
      }
    },
    async close() {
      const closing = own;
      own = undefined;
      await closing?.close();
    },
  };
}
