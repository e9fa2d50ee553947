// Python MSAL (Debian's python3-msal) against the emulator over HTTPS, unmodified:
// a certificate credential, whose `x5t` Python MSAL writes as base64url WITH `=`
// padding (Entra accepts it; the emulator compares thumbprint bytes), and instance
// discovery pointed at the emulator's own /common/discovery/instance.
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { MDE_SCOPE, type StartedEmulator, startEmulator } from "./entra-support.js";

const SCRIPT = fileURLToPath(new URL("./fixtures/msal_token.py", import.meta.url));

/** A python3 that can import msal: the one on PATH, or Debian's (python3-msal installs there). */
function findPython(): string | undefined {
  for (const candidate of ["python3", "/usr/bin/python3"]) {
    try {
      execFileSync(candidate, ["-c", "import msal"], { stdio: "ignore", timeout: 20_000 });
      return candidate;
    } catch {
      // not this one
    }
  }
  return undefined;
}

const python = findPython();
const skip = python ? false : "python3-msal is not installed (scripts/test-setup.sh installs it: apt-get install python3-msal)";

let env: StartedEmulator;
before(async () => {
  if (python) env = await startEmulator({ serve: true, tenants: [{ name: "Contoso" }] });
});
after(async () => {
  if (python) await env.stop();
});

interface MsalOutcome {
  msal: string;
  access_token: string | null;
  error: string | null;
  error_codes: number[] | null;
  error_description: string | null;
}

function msalToken(options: { certificate?: boolean; instanceDiscovery?: string }): Promise<MsalOutcome> {
  const { partnerApp, tenants, caCertFile } = env.info;
  const der = Buffer.from(readFileSync(partnerApp.certificateFile, "utf8").replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
  return new Promise((resolve, reject) => {
    execFile(
      python as string,
      [SCRIPT],
      {
        timeout: 60_000,
        env: {
          PATH: process.env.PATH ?? "",
          HOME: process.env.HOME ?? "",
          REQUESTS_CA_BUNDLE: caCertFile,
          SSL_CERT_FILE: caCertFile,
          MSAL_AUTHORITY: `${env.info.loginUrl}/${tenants[0]!.id}`,
          MSAL_CLIENT_ID: partnerApp.clientId,
          MSAL_SCOPE: MDE_SCOPE,
          MSAL_INSTANCE_DISCOVERY: options.instanceDiscovery ?? "false",
          ...(options.certificate
            ? { MSAL_KEY_FILE: partnerApp.privateKeyFile, MSAL_THUMBPRINT: createHash("sha1").update(der).digest("hex") }
            : { MSAL_CLIENT_SECRET: partnerApp.clientSecret }),
        },
      },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout) as MsalOutcome)),
    );
  });
}

const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;

test("Python MSAL with a certificate (x5t base64url with padding) gets a token", { skip }, async () => {
  const outcome = await msalToken({ certificate: true });
  assert.equal(outcome.error, null, `${outcome.error}: ${outcome.error_description}`);
  assert.ok(outcome.access_token);
  const c = claims(outcome.access_token);
  assert.equal(c.appidacr, "2");
  assert.equal(c.tid, env.info.tenants[0]!.id);
  // What makes this case: Python MSAL's x5t is padded, so it differs from the RFC form the emulator registers.
  const der = Buffer.from(readFileSync(env.info.partnerApp.certificateFile, "utf8").replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
  const padded = createHash("sha1").update(der).digest("base64").replace(/\+/g, "-").replace(/\//g, "_");
  assert.notEqual(padded, env.emulator.partnerApp.certificates[0]!.x5t);
});

test("Python MSAL with instance discovery at the emulator (secret and certificate) gets tokens", { skip }, async () => {
  const instanceDiscovery = `${env.info.loginUrl}/common/discovery/instance`;
  for (const certificate of [false, true]) {
    const outcome = await msalToken({ certificate, instanceDiscovery });
    assert.equal(outcome.error, null, `${outcome.error}: ${outcome.error_description}`);
    assert.ok(outcome.access_token);
    assert.equal(claims(outcome.access_token).appidacr, certificate ? "2" : "1");
  }
  const asked = env.emulator.control.journal({ kind: "discovery" }).filter((e) => e.path.startsWith("/common/discovery/instance?"));
  assert.equal(asked.length, 2);
  for (const entry of asked) {
    assert.equal(entry.status, 200);
    assert.match(entry.path, /api-version=1\.0/, "Python MSAL asks with api-version 1.0");
  }
});
