import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type CertificateBundle, createCertificateAuthority, createRsaCertificate, createServerCertificate, pemToDer } from "./pki.js";

export interface StateFiles {
  caCertFile: string;
  caKeyFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  partnerCertFile: string;
  partnerKeyFile: string;
}

/** The state folder's files and the certificates in them. */
export interface StatePki {
  files: StateFiles;
  ca: CertificateBundle;
  server: CertificateBundle;
  partner: CertificateBundle;
}

export function stateFiles(stateDir: string): StateFiles {
  return {
    caCertFile: join(stateDir, "ca.pem"),
    caKeyFile: join(stateDir, "ca-key.pem"),
    serverCertFile: join(stateDir, "server.pem"),
    serverKeyFile: join(stateDir, "server-key.pem"),
    partnerCertFile: join(stateDir, "partner-app.pem"),
    partnerKeyFile: join(stateDir, "partner-app-key.pem"),
  };
}

/** Writes atomically with owner-only permissions: several emulators may share a state folder. */
function writeSecretFile(path: string, content: string, mode = 0o600): void {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, content, { mode });
  renameSync(tmp, path);
}

function load(certFile: string, keyFile: string): CertificateBundle | undefined {
  if (!existsSync(certFile) || !existsSync(keyFile)) return undefined;
  const certPem = readFileSync(certFile, "utf8");
  return { certPem, keyPem: readFileSync(keyFile, "utf8"), der: pemToDer(certPem) };
}

/**
 * The emulator's PKI, created at first start and reused afterwards: a local CA
 * (exported as PEM for curl `--cacert`, `NODE_EXTRA_CA_CERTS`, `SSL_CERT_FILE`),
 * a server certificate for localhost/127.0.0.1/::1 (plus `extraHosts`), and the
 * partner app's certificate credential.
 */
export async function ensureStateFiles(
  stateDir: string,
  now: number,
  extraHosts: readonly string[] = [],
): Promise<StatePki> {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  return withStateLock(stateDir, () => createOrLoad(stateDir, now, extraHosts));
}

/** A lock left by a process that died holding it is taken over after this long (creating the files takes well under a second). */
const STALE_LOCK_MS = 10_000;

/**
 * Runs `work` while holding the state folder's lock (a directory: creating one is atomic). Without
 * it, emulators started together on a new folder each made a CA, and the ca.pem left in the folder
 * was one CA's while another's server certificate was served: clients given that ca.pem refused it.
 */
async function withStateLock<T>(stateDir: string, work: () => Promise<T>): Promise<T> {
  const lock = join(stateDir, ".lock");
  for (;;) {
    try {
      mkdirSync(lock, { mode: 0o700 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      let age = 0;
      try {
        age = Date.now() - statSync(lock).mtimeMs;
      } catch {
        continue; // released meanwhile
      }
      if (age > STALE_LOCK_MS) rmSync(lock, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

async function createOrLoad(
  stateDir: string,
  now: number,
  extraHosts: readonly string[],
): Promise<StatePki> {
  const files = stateFiles(stateDir);
  let ca = load(files.caCertFile, files.caKeyFile);
  if (!ca) {
    ca = await createCertificateAuthority(now);
    writeSecretFile(files.caKeyFile, ca.keyPem);
    writeSecretFile(files.caCertFile, ca.certPem, 0o644);
  }
  const hosts = ["localhost", "127.0.0.1", "::1", ...extraHosts];
  const hostsFile = join(stateDir, "server-hosts.txt");
  let server = load(files.serverCertFile, files.serverKeyFile);
  const recordedHosts = existsSync(hostsFile) ? readFileSync(hostsFile, "utf8") : "";
  if (!server || recordedHosts !== hosts.join(",")) {
    server = await createServerCertificate(ca, hosts, now);
    writeSecretFile(files.serverKeyFile, server.keyPem);
    writeSecretFile(files.serverCertFile, server.certPem, 0o644);
    writeSecretFile(hostsFile, hosts.join(","), 0o644);
  }
  let partner = load(files.partnerCertFile, files.partnerKeyFile);
  if (!partner) {
    partner = await createRsaCertificate("mde-partner emulator partner app", now);
    writeSecretFile(files.partnerKeyFile, partner.keyPem);
    writeSecretFile(files.partnerCertFile, partner.certPem, 0o644);
  }
  return { files, ca, server, partner };
}
