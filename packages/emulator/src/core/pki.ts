import { createHash, webcrypto } from "node:crypto";
import type * as X509 from "@peculiar/x509";

/**
 * The certificate library (with the reflect-metadata polyfill it needs), loaded
 * when the first certificate is made: importing the emulator does not pay for it.
 */
async function x509Library(): Promise<typeof X509> {
  await import("reflect-metadata");
  const x509 = await import("@peculiar/x509");
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  return x509;
}

const EC = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const RSA = {
  name: "RSASSA-PKCS1-v1_5",
  hash: "SHA-256",
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
} as const;

export interface CertificateBundle {
  certPem: string;
  keyPem: string;
  /** DER bytes of the certificate. */
  der: Buffer;
}

function pem(label: string, der: ArrayBuffer | Buffer): string {
  const b64 = Buffer.from(der as ArrayBuffer).toString("base64");
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

async function keyPem(key: webcrypto.CryptoKey): Promise<string> {
  return pem("PRIVATE KEY", await webcrypto.subtle.exportKey("pkcs8", key));
}

function serial(): string {
  return `01${createHash("sha1").update(String(Math.random()) + process.hrtime.bigint()).digest("hex").slice(0, 30)}`;
}

const YEAR = 365 * 24 * 3600 * 1000;

/** A local certificate authority for the emulator's HTTPS listener. */
export async function createCertificateAuthority(now: number): Promise<CertificateBundle> {
  const x509 = await x509Library();
  const keys = (await webcrypto.subtle.generateKey(EC, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: "CN=mde-partner emulator local CA, O=mde-partner",
    notBefore: new Date(now - 3600_000),
    notAfter: new Date(now + 10 * YEAR),
    signingAlgorithm: EC,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString("pem"), keyPem: await keyPem(keys.privateKey), der: Buffer.from(cert.rawData) };
}

/** A server certificate for the given host names and IPs, signed by `ca`. */
export async function createServerCertificate(
  ca: CertificateBundle,
  hosts: readonly string[],
  now: number,
): Promise<CertificateBundle> {
  const x509 = await x509Library();
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await importPkcs8(ca.keyPem, EC);
  const keys = (await webcrypto.subtle.generateKey(EC, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const names = hosts.map((h) =>
    /^[\d.]+$/.test(h) || h.includes(":") ? { type: "ip" as const, value: h } : { type: "dns" as const, value: h },
  );
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${hosts[0] ?? "localhost"}`,
    issuer: caCert.subject,
    notBefore: new Date(now - 3600_000),
    notAfter: new Date(now + 2 * YEAR),
    signingAlgorithm: EC,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return { certPem: cert.toString("pem"), keyPem: await keyPem(keys.privateKey), der: Buffer.from(cert.rawData) };
}

/**
 * A self-signed RSA certificate: the partner app's client credential, and the
 * certificates behind the token-signing keys (their `x5c`/`x5t` in the JWKS).
 */
export async function createRsaCertificate(subject: string, now: number, years = 2): Promise<CertificateBundle> {
  const x509 = await x509Library();
  const keys = (await webcrypto.subtle.generateKey(RSA, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${subject}`,
    notBefore: new Date(now - 3600_000),
    notAfter: new Date(now + years * YEAR),
    signingAlgorithm: RSA,
    keys,
    extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true)],
  });
  return { certPem: cert.toString("pem"), keyPem: await keyPem(keys.privateKey), der: Buffer.from(cert.rawData) };
}

async function importPkcs8(keyPem: string, alg: typeof EC): Promise<webcrypto.CryptoKey> {
  const b64 = keyPem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
  return (await webcrypto.subtle.importKey("pkcs8", Buffer.from(b64, "base64"), alg, false, ["sign"]));
}

/** base64url SHA-1 thumbprint of DER bytes: the `x5t` header / JWKS value. */
export function thumbprintSha1(der: Buffer): string {
  return createHash("sha1").update(der).digest("base64url");
}

/** base64url SHA-256 thumbprint of DER bytes: the `x5t#S256` value. */
export function thumbprintSha256(der: Buffer): string {
  return createHash("sha256").update(der).digest("base64url");
}

/** DER bytes from a PEM certificate. */
export function pemToDer(certPem: string): Buffer {
  const body = certPem.match(/-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/);
  if (!body?.[1]) throw new TypeError("not a PEM certificate");
  return Buffer.from(body[1].replace(/\s+/g, ""), "base64");
}
