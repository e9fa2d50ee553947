/**
 * The console's TLS certificate. With `--cert/--key` the operator's own;
 * otherwise a self-signed one generated once into MDE_PARTNER_HOME
 * (console-cert.pem / console-key.pem, mode 0600) and reused on every later
 * start, so a browser exception or a pinned certificate keeps working. Only
 * an expired (or nearly expired) certificate is replaced.
 */
import { X509Certificate, createPrivateKey } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";
import { createSelfSignedCertificate, type TlsPem } from "@mde-partner/server";
import { absolutePath } from "./config.js";
import { CONSOLE_CERT_FILE, CONSOLE_KEY_FILE } from "./console-files.js";
import { usageError } from "./errors.js";

const RENEW_BEFORE_MS = 7 * 86_400_000;

export interface ConsoleCertificate extends TlsPem {
  /** The certificate file (PEM), to trust or to inspect. */
  readonly certificateFile: string;
  /** What happened: generated now, reused from the home, or the operator's own. */
  readonly origin: "generated" | "reused" | "given";
  /** True when the certificate does not name the listen host (browsers will refuse it). */
  readonly hostMismatch: boolean;
}

function writePrivate(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/** True when the certificate names `host` (a wildcard listen address is not checked). */
function coversHost(cert: X509Certificate, host: string): boolean {
  if (host === "0.0.0.0" || host === "::") return true;
  const bare = host.replace(/^\[|\]$/g, "");
  return isIP(bare) ? cert.checkIP(bare) !== undefined : cert.checkHost(bare) !== undefined;
}

/** Reads and checks `--cert`/`--key`: both PEM, and the key belongs to the certificate. */
export function readGivenCertificate(certFile: string, keyFile: string, host: string): ConsoleCertificate {
  const read = (flag: string, file: string) => {
    const path = absolutePath(file);
    try {
      return { path, text: readFileSync(path, "utf8") };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "error";
      throw usageError(`${flag}: cannot read ${path} (${code})`, "check the path and its permissions");
    }
  };
  const cert = read("--cert", certFile);
  const key = read("--key", keyFile);
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert.text);
  } catch {
    throw usageError(`--cert: ${cert.path} is not a PEM certificate`);
  }
  try {
    if (!x509.checkPrivateKey(createPrivateKey(key.text))) throw new Error("mismatch");
  } catch {
    throw usageError(`--key: ${key.path} is not the private key of ${cert.path}`);
  }
  if (Date.parse(x509.validTo) <= Date.now()) throw usageError(`--cert: ${cert.path} expired on ${x509.validTo}`);
  return { certPem: cert.text, keyPem: key.text, certificateFile: cert.path, origin: "given", hostMismatch: !coversHost(x509, host) };
}

/** The home's self-signed certificate: reused when present and valid, else generated (once) for `host`. */
export async function homeCertificate(home: string, host: string, now = Date.now()): Promise<ConsoleCertificate> {
  const certificateFile = join(home, CONSOLE_CERT_FILE);
  const keyFile = join(home, CONSOLE_KEY_FILE);
  if (existsSync(certificateFile) && existsSync(keyFile)) {
    try {
      const certPem = readFileSync(certificateFile, "utf8");
      const keyPem = readFileSync(keyFile, "utf8");
      const x509 = new X509Certificate(certPem);
      if (x509.checkPrivateKey(createPrivateKey(keyPem)) && Date.parse(x509.validTo) - RENEW_BEFORE_MS > now) {
        return { certPem, keyPem, certificateFile, origin: "reused", hostMismatch: !coversHost(x509, host) };
      }
    } catch {
      // Unreadable or damaged: replaced below like an expired one.
    }
  }
  const pem = await createSelfSignedCertificate([host], now);
  mkdirSync(home, { recursive: true, mode: 0o700 });
  writePrivate(keyFile, pem.keyPem);
  writePrivate(certificateFile, pem.certPem);
  return { ...pem, certificateFile, origin: "generated", hostMismatch: false };
}
