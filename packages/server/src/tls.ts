/**
 * The console's own certificate when the operator brings none: a self-signed
 * ECDSA P-256 certificate for the listen host (plus localhost and loopback
 * addresses), made with @peculiar/x509 over node:crypto's WebCrypto.
 */
import "reflect-metadata";
import { createHash, randomBytes, webcrypto, X509Certificate } from "node:crypto";
import { hostname } from "node:os";
import * as x509 from "@peculiar/x509";
import type { TlsPem } from "./options.js";

const EC = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DAY = 86_400_000;

function pem(label: string, der: ArrayBuffer): string {
  const lines =
    Buffer.from(der)
      .toString("base64")
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

const isIp = (h: string) => /^[\d.]+$/.test(h) || h.includes(":");

/** A self-signed server certificate valid for `hosts` (the first is the subject). */
export async function createSelfSignedCertificate(hosts: readonly string[], now = Date.now()): Promise<TlsPem> {
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  // A wildcard listen address is reached by the machine's name or loopback.
  const names = [...new Set([...hosts, hostname(), "localhost", "127.0.0.1", "::1"].filter((h) => h && h !== "0.0.0.0" && h !== "::"))];
  const keys = (await webcrypto.subtle.generateKey(EC, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: `01${randomBytes(15).toString("hex")}`,
    name: `CN=${names[0] ?? "localhost"}, O=mde-partner console`,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 397 * DAY),
    signingAlgorithm: EC,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names.map((h) => (isIp(h) ? { type: "ip", value: h } : { type: "dns", value: h }))),
    ],
  });
  return {
    certPem: cert.toString("pem"),
    keyPem: pem("PRIVATE KEY", await webcrypto.subtle.exportKey("pkcs8", keys.privateKey)),
  };
}

/** base64 SHA-256 of a certificate's SubjectPublicKeyInfo (what Chromium's `--ignore-certificate-errors-spki-list` takes). */
export function spkiHash(certPem: string): string {
  const key = new X509Certificate(certPem).publicKey.export({ type: "spki", format: "der" });
  return createHash("sha256").update(key).digest("base64");
}
