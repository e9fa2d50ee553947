/**
 * Partner-app credentials: client secret, certificate (PEM certificate + private
 * key), a client-assertion callback (federated credentials, mde-api.md §1.4 "a
 * third variant"), or any Azure `TokenCredential` (managed identity, workload
 * identity federation) — duck-typed, so @azure/identity is not a dependency.
 *
 * Secret material lives in `#private` fields: `JSON.stringify`, `util.inspect`,
 * `console.log` and error messages only ever show a hint (the first characters
 * the Entra portal itself shows) or a certificate thumbprint.
 */
import { createHash, createPrivateKey, X509Certificate } from "node:crypto";
import { readPem } from "./pem.js";

const INSPECT = Symbol.for("nodejs.util.inspect.custom");

/** What an assertion callback is told: the token endpoint it signs for. */
export interface AssertionContext {
  tenantId: string;
  clientId: string;
  /** The token endpoint URL: the `aud` a client assertion must carry (mde-api.md §1.5). */
  audience: string;
  signal?: AbortSignal | undefined;
}

/** Azure's `TokenCredential` shape (`@azure/core-auth`), duck-typed. */
export interface TokenCredential {
  getToken(
    scopes: string | string[],
    options?: { tenantId?: string; abortSignal?: AbortSignal },
  ): Promise<{ token: string; expiresOnTimestamp: number; refreshAfterTimestamp?: number } | null>;
}

/** A client secret. Create with {@link createClientSecretCredential}. */
export class ClientSecretCredential {
  readonly kind = "secret" as const;
  /** Names the secret in messages: its first three characters (what the portal shows), or your label. */
  readonly hint: string;
  readonly #secret: string;
  constructor(secret: string, hint: string) {
    this.#secret = secret;
    this.hint = hint;
    Object.freeze(this);
  }
  /** @internal The secret value, for the token request only. */
  revealSecret(): string {
    return this.#secret;
  }
  toJSON() {
    return { kind: this.kind, hint: this.hint };
  }
  [INSPECT]() {
    return `ClientSecretCredential { hint: ${JSON.stringify(`${this.hint}…`)} }`;
  }
}

/** A certificate credential (private key JWT). Create with {@link createCertificateCredential}. */
export class ClientCertificateCredential {
  readonly kind = "certificate" as const;
  /** Hex SHA-1 thumbprint (what the portal lists). */
  readonly thumbprint: string;
  /** Hex SHA-256 thumbprint. */
  readonly thumbprintSha256: string;
  /** PEM of the public certificate (chain). */
  readonly certificatePem: string;
  /** Send the chain (`x5c`) with each assertion, for subject-name/issuer authentication. */
  readonly sendCertificateChain: boolean;
  readonly #privateKeyPem: string;
  constructor(certificatePem: string, privateKeyPem: string, sendCertificateChain: boolean) {
    const cert = new X509Certificate(certificatePem);
    this.certificatePem = certificatePem;
    this.thumbprint = createHash("sha1").update(cert.raw).digest("hex").toUpperCase();
    this.thumbprintSha256 = createHash("sha256").update(cert.raw).digest("hex").toUpperCase();
    this.sendCertificateChain = sendCertificateChain;
    this.#privateKeyPem = privateKeyPem;
    Object.freeze(this);
  }
  /** @internal The unencrypted PKCS#8 private key PEM, for signing assertions only. */
  revealPrivateKey(): string {
    return this.#privateKeyPem;
  }
  get hint(): string {
    return `certificate ${this.thumbprint}`;
  }
  toJSON() {
    return { kind: this.kind, thumbprint: this.thumbprint };
  }
  [INSPECT]() {
    return `ClientCertificateCredential { thumbprint: ${JSON.stringify(this.thumbprint)} }`;
  }
}

/** A client-assertion callback (federated credential). Create with {@link createClientAssertionCredential}. */
export class ClientAssertionCredential {
  readonly kind = "assertion" as const;
  readonly hint = "client assertion";
  readonly #callback: (context: AssertionContext) => Promise<string> | string;
  constructor(callback: (context: AssertionContext) => Promise<string> | string) {
    this.#callback = callback;
    Object.freeze(this);
  }
  /** @internal */
  async getAssertion(context: AssertionContext): Promise<string> {
    const assertion = await this.#callback(context);
    if (typeof assertion !== "string" || assertion.split(".").length !== 3) {
      throw new TypeError("the client-assertion callback must return a signed JWT (compact form)");
    }
    return assertion;
  }
  toJSON() {
    return { kind: this.kind };
  }
  [INSPECT]() {
    return "ClientAssertionCredential {}";
  }
}

/** Wraps an Azure `TokenCredential`. */
export class AzureTokenCredential {
  readonly kind = "token-credential" as const;
  readonly hint = "TokenCredential";
  readonly #inner: TokenCredential;
  constructor(inner: TokenCredential) {
    this.#inner = inner;
    Object.freeze(this);
  }
  /** @internal */
  get inner(): TokenCredential {
    return this.#inner;
  }
  toJSON() {
    return { kind: this.kind };
  }
  [INSPECT]() {
    return "AzureTokenCredential {}";
  }
}

export type PartnerCredential = ClientSecretCredential | ClientCertificateCredential | ClientAssertionCredential | AzureTokenCredential;

/**
 * A client secret credential. `hint` defaults to the secret's first three characters,
 * the same "secret hint" the portal shows, so messages can say which secret failed.
 *
 * @example
 * const credential = createClientSecretCredential(process.env.MDE_CLIENT_SECRET!);
 */
export function createClientSecretCredential(secret: string, options: { hint?: string } = {}): ClientSecretCredential {
  if (typeof secret !== "string" || secret.trim().length === 0) throw new TypeError("client secret must be a non-empty string");
  if (secret !== secret.trim()) throw new TypeError("client secret has leading or trailing whitespace (a copy-paste slip?)");
  return new ClientSecretCredential(secret, options.hint ?? secret.slice(0, 3));
}

export interface CertificateCredentialOptions {
  /** PEM certificate (or chain), or a path to it. */
  certificate: string;
  /** PEM private key (PKCS#8, PKCS#1 or SEC1; encrypted with `passphrase`), or a path to it. */
  privateKey: string;
  passphrase?: string;
  /** Send `x5c` with the assertion (subject-name/issuer authentication). Default false. */
  sendCertificateChain?: boolean;
}

/**
 * A certificate credential. PFX files are not read: convert them once with
 * `openssl pkcs12 -in app.pfx -nodes` and pass the PEM parts.
 *
 * @example
 * const credential = createCertificateCredential({ certificate: "app.pem", privateKey: "app-key.pem" });
 */
export function createCertificateCredential(options: CertificateCredentialOptions): ClientCertificateCredential {
  if (!options || typeof options !== "object") throw new TypeError("certificate credential options are required");
  const certificatePem = readPem(options.certificate, "certificate", "CERTIFICATE");
  const keyText = readPem(options.privateKey, "privateKey");
  let privateKeyPem: string;
  try {
    const key = createPrivateKey(options.passphrase === undefined ? keyText : { key: keyText, passphrase: options.passphrase });
    privateKeyPem = key.export({ format: "pem", type: "pkcs8" }).toString();
  } catch {
    throw new TypeError("privateKey could not be read (wrong format or passphrase)");
  }
  try {
    return new ClientCertificateCredential(certificatePem, privateKeyPem, options.sendCertificateChain ?? false);
  } catch (error) {
    if (error instanceof TypeError) throw error;
    throw new TypeError("certificate could not be parsed as X.509");
  }
}

/**
 * A credential whose assertion comes from a callback: workload identity
 * federation (GitHub Actions, Kubernetes) or a key held in an HSM/Key Vault.
 *
 * @example
 * const credential = createClientAssertionCredential(async () => readFile(process.env.AZURE_FEDERATED_TOKEN_FILE!, "utf8"));
 */
export function createClientAssertionCredential(
  callback: (context: AssertionContext) => Promise<string> | string,
): ClientAssertionCredential {
  if (typeof callback !== "function") throw new TypeError("client assertion callback must be a function");
  return new ClientAssertionCredential(callback);
}

/** Shorthand credential objects accepted by `createPartnerClient`. */
export type CredentialInput =
  | PartnerCredential
  | TokenCredential
  | { clientSecret: string; hint?: string }
  | CertificateCredentialOptions
  | { clientAssertion: (context: AssertionContext) => Promise<string> | string };

/** Normalises a credential option into one of the credential classes; `TypeError` when it is none. */
export function toPartnerCredential(input: unknown): PartnerCredential {
  if (
    input instanceof ClientSecretCredential ||
    input instanceof ClientCertificateCredential ||
    input instanceof ClientAssertionCredential ||
    input instanceof AzureTokenCredential
  ) {
    return input;
  }
  if (input && typeof input === "object") {
    const o = input as Record<string, unknown>;
    if (typeof o.getToken === "function") return new AzureTokenCredential(input as TokenCredential);
    if (typeof o.clientSecret === "string") {
      return createClientSecretCredential(o.clientSecret, typeof o.hint === "string" ? { hint: o.hint } : {});
    }
    if ("certificate" in o && "privateKey" in o) return createCertificateCredential(o as unknown as CertificateCredentialOptions);
    if (typeof o.clientAssertion === "function") {
      return createClientAssertionCredential(o.clientAssertion as (c: AssertionContext) => Promise<string>);
    }
  }
  throw new TypeError(
    "credential must be a client secret ({ clientSecret }), a certificate ({ certificate, privateKey }), " +
      "a client-assertion callback ({ clientAssertion }) or an Azure TokenCredential",
  );
}
