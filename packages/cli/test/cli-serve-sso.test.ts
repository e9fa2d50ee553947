/**
 * `mde-partner serve` with sign-in with Entra ID, through the real binary and
 * against the emulator (served by the test's process): the client secret is a
 * reference (a variable or a file; on the command line it is refused), the
 * issuer defaults to the configured cloud and partner tenant, the CA trusted
 * is the configured cloud's, `--no-local-accounts` takes the password form
 * away, and an emulator user signs in over HTTPS end to end.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Agent, fetch } from "undici";
import { type CliHome, emulatorHome, type EmulatorWorld, oneLineError, servedEmulator, tempDir } from "./helpers.js";

/** A cookie-keeping HTTPS client that trusts `ca` and follows nothing. */
function client(ca: string) {
  const dispatcher = new Agent({ connect: { ca } });
  const jar = new Map<string, string>();
  const request = async (url: string, form?: Record<string, string>) => {
    const headers: Record<string, string> = {};
    if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
    if (form) headers["content-type"] = "application/x-www-form-urlencoded";
    const res = await fetch(url, { dispatcher, method: form ? "POST" : "GET", headers, redirect: "manual", ...(form ? { body: new URLSearchParams(form).toString() } : {}) });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const eq = pair.indexOf("=");
      if (/max-age=0/i.test(line) || pair.slice(eq + 1) === "") jar.delete(pair.slice(0, eq));
      else jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return { status: res.status, location: res.headers.get("location"), refresh: res.headers.get("refresh"), body: await res.text() };
  };
  return { request, close: () => dispatcher.close() };
}

describe("mde-partner serve with sign-in with Entra ID", () => {
  let world: EmulatorWorld;
  let cli: CliHome;
  const home = tempDir("mde-cli-serve-sso-");
  const SSO_ENV = "MDE_TEST_CONSOLE_SECRET";

  before(async () => {
    world = await servedEmulator({ tenants: 1, alertsPerTenant: 2, machinesPerTenant: 1, seed: 16 });
    cli = await emulatorHome(world.info, {
      home,
      initArgs: ["--partner-tenant", world.info.partnerTenantId],
      tenants: [{ id: world.info.tenants[0]!.id, name: "Contoso" }],
      env: { [SSO_ENV]: world.info.partnerApp.clientSecret },
    });
  });
  after(async () => {
    await world?.stop();
  });

  it("takes the client secret by reference only: on the command line it is refused, a missing variable or file is bad input", async () => {
    const clientId = world.info.partnerApp.clientId;
    let r = await cli.expect(2, ["serve", "--sso-client-id", clientId, "--sso-secret", "s3cr3t-value"]);
    assert.match(oneLineError(r.stderr).error, /never taken on the command line/);
    assert.ok(!r.stderr.includes("s3cr3t-value"));
    r = await cli.expect(2, ["serve", "--sso-client-id", clientId]);
    assert.match(oneLineError(r.stderr).error, /needs the console app's client secret/);
    r = await cli.expect(2, ["serve", "--sso-client-id", clientId, "--sso-secret-env", "MDE_TEST_NOT_SET"]);
    assert.match(oneLineError(r.stderr).error, /MDE_TEST_NOT_SET/);
    r = await cli.expect(2, ["serve", "--sso-client-id", clientId, "--sso-secret-file", join(home, "no-such-file")]);
    assert.match(oneLineError(r.stderr).error, /cannot read .*no-such-file/);
    r = await cli.expect(2, ["serve", "--sso-client-id", "not-a-guid", "--sso-secret-env", SSO_ENV]);
    assert.match(oneLineError(r.stderr).error, /--sso-client-id/);
    r = await cli.expect(2, ["serve", "--sso-client-id", clientId, "--sso-certificate", world.info.partnerApp.certificateFile]);
    assert.match(oneLineError(r.stderr).error, /--sso-certificate and --sso-private-key go together/);
    r = await cli.expect(2, ["serve", "--sso-client-id", clientId, "--sso-secret-env", SSO_ENV, "--sso-secret-file", join(home, "x")]);
    assert.match(oneLineError(r.stderr).error, /exclude each other/);
    r = await cli.expect(2, ["serve", "--no-local-accounts"]);
    assert.match(oneLineError(r.stderr).error, /client id/, "no local accounts without another way in");
  });

  it("reads sso from config.json (references only; a secret or a certificate) and refuses a broken entry", async () => {
    const file = join(home, "config.json");
    const original = readFileSync(file, "utf8");
    try {
      const config = JSON.parse(original) as Record<string, unknown>;
      writeFileSync(file, JSON.stringify({ ...config, sso: { clientId: world.info.partnerApp.clientId } }));
      const r = await cli.expect(2, ["serve"]);
      assert.match(oneLineError(r.stderr).error, /sso needs exactly one of secretEnv, secretFile and certificateFile/);
      writeFileSync(file, JSON.stringify({ ...config, sso: { clientId: world.info.partnerApp.clientId, secretEnv: SSO_ENV, localAccounts: false } }));
      const serve = cli.start(["serve", "--port", "0"]);
      try {
        const line = (await serve.waitFor(/sign-in +Entra ID (\S+) \(callback (\S+)\); local accounts off\n/))!;
        assert.equal(line[1], `${world.info.loginUrl}/${world.info.partnerTenantId}/v2.0`);
        await serve.waitFor(/press Ctrl\+C to stop/, 15_000, "stderr");
      } finally {
        assert.equal(await serve.stop("SIGTERM"), 0, serve.stderr());
      }
      // The app's certificate instead of a secret: the console starts and sends a sign-in to Entra ID.
      const { certificateFile, privateKeyFile } = world.info.partnerApp;
      writeFileSync(file, JSON.stringify({ ...config, sso: { clientId: world.info.partnerApp.clientId, certificateFile, privateKeyFile } }));
      const withCertificate = cli.start(["serve", "--port", "0"]);
      try {
        const url = (await withCertificate.waitFor(/mde-partner console (https:\/\/127\.0\.0\.1:\d+)\n/))[1]!;
        await withCertificate.waitFor(/press Ctrl\+C to stop/, 15_000, "stderr");
        const browser = client(readFileSync(join(home, "console-cert.pem"), "utf8"));
        try {
          const start = await browser.request(`${url}/login/sso`);
          assert.equal(start.status, 302, start.body.slice(0, 300));
          assert.ok(start.location?.startsWith(`${world.info.loginUrl}/${world.info.partnerTenantId}/oauth2/v2.0/authorize?`));
        } finally {
          await browser.close();
        }
      } finally {
        assert.equal(await withCertificate.stop("SIGTERM"), 0, withCertificate.stderr());
      }
    } finally {
      writeFileSync(file, original);
    }
  });

  it("signs an emulator user in end to end, with the password form switched off", async () => {
    const info = world.info;
    const admin = info.partnerUsers.find((u) => u.roles.includes("Console.Admin"))!;
    const serve = cli.start([
      "serve",
      "--port",
      "0",
      "--sso-client-id",
      info.partnerApp.clientId,
      "--sso-secret-env",
      SSO_ENV,
      "--no-local-accounts",
    ]);
    try {
      const url = (await serve.waitFor(/mde-partner console (https:\/\/127\.0\.0\.1:\d+)\n/))[1]!;
      const callback = `${url}/login/sso/callback`;
      const issuer = `${info.loginUrl}/${info.partnerTenantId}/v2.0`;
      assert.deepEqual((await serve.waitFor(/sign-in +Entra ID (\S+) \(callback (\S+)\); local accounts off\n/)).slice(1), [issuer, callback]);
      await serve.waitFor(new RegExp(`${callback.replace(/[.]/g, "\\.")} must be a registered Web redirect URI`), 15_000, "stderr");
      assert.ok(!serve.stdout().includes(info.partnerApp.clientSecret) && !serve.stderr().includes(info.partnerApp.clientSecret), "the secret is never printed");
      world.emulator.control.updateApp(info.partnerApp.clientId, { redirectUris: [callback] });

      const consoleCa = readFileSync(join(home, "console-cert.pem"), "utf8");
      const browser = client(`${consoleCa}\n${world.ca}`);
      try {
        const login = await browser.request(`${url}/login`);
        assert.match(login.body, /Sign in with Microsoft/);
        assert.doesNotMatch(login.body, /id="login-form"/);
        const start = await browser.request(`${url}/login/sso`);
        assert.equal(start.status, 302, start.body.slice(0, 300));
        assert.ok(start.location?.startsWith(`${info.loginUrl}/${info.partnerTenantId}/oauth2/v2.0/authorize?`), start.location ?? "");
        const page = await browser.request(start.location!);
        const flowToken = /name="flowToken" value="([^"]+)"/.exec(page.body)?.[1];
        const action = /<form method="post" action="([^"]+)">/.exec(page.body)?.[1];
        assert.ok(flowToken && action, page.body.slice(0, 300));
        const done = await browser.request(new URL(action.replace(/&amp;/g, "&"), info.loginUrl).toString(), {
          flowToken,
          login: admin.username,
          passwd: admin.password,
        });
        assert.equal(done.status, 302, done.body.slice(0, 300));
        assert.ok(done.location?.startsWith(callback));
        const back = await browser.request(done.location!);
        assert.equal(back.status, 200, back.body.slice(0, 500));
        assert.equal(back.refresh, "0;url=/overview");
        const tenants = await browser.request(`${url}/tenants`);
        assert.equal(tenants.status, 200);
        assert.ok(tenants.body.includes(admin.username));
        assert.match(tenants.body, /Contoso/);
      } finally {
        await browser.close();
      }
    } finally {
      assert.equal(await serve.stop("SIGTERM"), 0, serve.stderr());
    }
  });
});
