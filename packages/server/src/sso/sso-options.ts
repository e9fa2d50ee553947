/**
 * The console's single sign-on with Entra ID (OpenID Connect): what it is
 * given and how that is checked, once (STYLE.md habit 3).
 */
import { createHash, createPrivateKey, X509Certificate } from "node:crypto";
import { checkRedirectUri, type FetchLike } from "@mde-partner/client";

/** The path of the sign-in callback; `redirectUri` must end in it. */
export const SSO_CALLBACK_PATH = "/login/sso/callback";

/**
 * Sign-in with Entra ID for the console (`ConsoleOptions.sso`).
 *
 * @example
 * sso: {
 *   issuer: `https://login.microsoftonline.com/${partnerTenantId}/v2.0`,
 *   clientId: "…app (client) id…",
 *   clientSecret, // resolved by the caller from an env var or a file, never from config
 *   // or clientCertificate: { certificatePem, privateKeyPem },
 *   redirectUri: "https://console.mssp.example/login/sso/callback",
 * }
 */
export interface SsoOptions {
  /**
   * The OpenID Connect issuer: `https://login.microsoftonline.com/{partner tenant id}/v2.0`
   * (a custom cloud's: its login URL + `/{tenant}/v2.0`). Its discovery document is read from
   * `{issuer}/.well-known/openid-configuration`, and ID tokens must name exactly this issuer.
   */
  readonly issuer: string;
  /** Application (client) id of the console's app registration. */
  readonly clientId: string;
  /** The app registration's client secret (the caller resolves it from a secret reference). One of this and `clientCertificate`. */
  readonly clientSecret?: string;
  /**
   * A certificate uploaded to the app registration and its RSA private key (PEM): the console then
   * authenticates with a signed assertion (private_key_jwt) instead of a secret.
   */
  readonly clientCertificate?: { readonly certificatePem: string; readonly privateKeyPem: string };
  /** The console's public `/login/sso/callback` URL, registered as a Web redirect URI of the app. */
  readonly redirectUri: string;
  /**
   * PEM of a CA to trust for the issuer's endpoints (a custom cloud's, e.g. the offline
   * emulator's). Default: the partner client's cloud CA, else Node's roots.
   */
  readonly caCertPem?: string;
  /** The local (users-file) accounts, as break-glass access (default true). `false` hides the form and refuses it. */
  readonly localAccounts?: boolean;
  /** Refuse ID tokens whose `amr` claim does not include `mfa` (default false). */
  readonly requireMfa?: boolean;
  /** The fetch the OpenID client uses (default: one that trusts `caCertPem` only for these requests). */
  readonly fetch?: FetchLike;
}

/** {@link SsoOptions}, checked and frozen. */
/** How the console authenticates to the token endpoint. */
export type SsoCredential =
  | { readonly kind: "secret"; readonly secret: string }
  | { readonly kind: "certificate"; readonly privateKeyPkcs8: Buffer; readonly x5tS256: string };

export interface ResolvedSsoOptions {
  readonly issuer: string;
  readonly clientId: string;
  readonly credential: SsoCredential;
  readonly redirectUri: string;
  readonly caCertPem: string | undefined;
  readonly requireMfa: boolean;
  readonly fetch: FetchLike | undefined;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/;

/** Checks `sso`; `partnerCa` is the partner client's cloud CA (the default CA to trust). */
export function resolveSsoOptions(sso: SsoOptions, partnerCa: string | undefined): ResolvedSsoOptions {
  if (!sso || typeof sso !== "object") throw new TypeError("sso must be an object");
  let issuer: URL;
  try {
    issuer = new URL(sso.issuer);
  } catch {
    throw new TypeError("sso.issuer must be an absolute URL, e.g. https://login.microsoftonline.com/{tenant id}/v2.0");
  }
  if (issuer.protocol !== "https:") throw new TypeError("sso.issuer must be an https URL");
  if (issuer.search || issuer.hash || issuer.username || issuer.password) throw new TypeError("sso.issuer must not carry a query, fragment or credentials");
  if (typeof sso.clientId !== "string" || !/^[A-Za-z0-9._:-]{1,128}$/.test(sso.clientId)) {
    throw new TypeError("sso.clientId must be the app registration's application (client) id");
  }
  const credential = credentialOf(sso);
  let redirect: URL;
  try {
    redirect = new URL(sso.redirectUri);
  } catch {
    throw new TypeError(`sso.redirectUri must be the absolute URL of the console's ${SSO_CALLBACK_PATH}`);
  }
  if (redirect.pathname !== SSO_CALLBACK_PATH || redirect.search || redirect.hash) {
    throw new TypeError(`sso.redirectUri must end in ${SSO_CALLBACK_PATH} (no query)`);
  }
  // Entra ID's rule for Web redirect URIs (https; http only to localhost), the one consent links use too.
  checkRedirectUri(redirect.toString());
  const ca = sso.caCertPem ?? partnerCa;
  if (ca !== undefined && (typeof ca !== "string" || !PEM_CERTIFICATE.test(ca))) throw new TypeError("sso.caCertPem must be a PEM certificate");
  if (sso.localAccounts !== undefined && typeof sso.localAccounts !== "boolean") throw new TypeError("sso.localAccounts must be a boolean");
  if (sso.requireMfa !== undefined && typeof sso.requireMfa !== "boolean") throw new TypeError("sso.requireMfa must be a boolean");
  if (sso.fetch !== undefined && typeof sso.fetch !== "function") throw new TypeError("sso.fetch must be a function");
  return Object.freeze({
    // The issuer as configured, without a trailing slash: ID tokens must name it exactly.
    issuer: issuer.toString().replace(/\/+$/, ""),
    clientId: sso.clientId,
    credential,
    redirectUri: redirect.toString(),
    caCertPem: ca,
    requireMfa: sso.requireMfa ?? false,
    fetch: sso.fetch,
  });
}

/** The client credential: a secret, or a certificate and its RSA key (checked to belong together). */
function credentialOf(sso: SsoOptions): SsoCredential {
  if ((sso.clientSecret === undefined) === (sso.clientCertificate === undefined)) {
    throw new TypeError("sso needs exactly one of clientSecret and clientCertificate");
  }
  if (sso.clientSecret !== undefined) {
    if (typeof sso.clientSecret !== "string" || sso.clientSecret.length === 0) throw new TypeError("sso.clientSecret must be a non-empty string");
    return hidden({ kind: "secret" }, "secret", sso.clientSecret) as SsoCredential;
  }
  const { certificatePem, privateKeyPem } = sso.clientCertificate ?? {};
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(String(certificatePem));
  } catch {
    throw new TypeError("sso.clientCertificate.certificatePem must be a PEM certificate");
  }
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(String(privateKeyPem));
  } catch {
    // Never the key's text in the message.
    throw new TypeError("sso.clientCertificate.privateKeyPem must be a PEM private key");
  }
  // Entra ID takes RSA certificates for app credentials (certificate-credentials.md: PS256/RS256).
  if (key.asymmetricKeyType !== "rsa") throw new TypeError("sso.clientCertificate's key must be an RSA key");
  if (!certificate.checkPrivateKey(key)) throw new TypeError("sso.clientCertificate's private key does not belong to its certificate");
  const x5tS256 = createHash("sha256").update(certificate.raw).digest("base64url");
  return hidden({ kind: "certificate", x5tS256 }, "privateKeyPkcs8", key.export({ type: "pkcs8", format: "der" })) as SsoCredential;
}

/** `target` with `key` set but not enumerable, so a logged or serialised options object leaves the secret out. Frozen. */
function hidden<T extends object>(target: T, key: string, value: unknown): T {
  Object.defineProperty(target, key, { value, enumerable: false });
  return Object.freeze(target);
}
