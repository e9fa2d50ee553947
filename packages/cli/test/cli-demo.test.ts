import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { consentThroughPage, https, runCli, startCli, tempDir } from "./helpers.js";

test("`mde-partner demo --no-serve` walks the flow from a fresh home and ends with the summary, exit 0", async () => {
  const r = await runCli(["demo", "--no-serve"], { home: tempDir("mde-cli-demo-") });
  assert.equal(r.code, 0, r.stderr);
  for (const step of [
    "Least-privilege permissions",
    "consent link per customer",
    "admins consent",
    "token per customer",
    "Token inspection",
    "Alerts across",
    "re-consent link",
    "Sync every",
    "Summary",
  ]) {
    assert.match(r.stdout, new RegExp(step), step);
  }
  assert.match(r.stdout, /Northwind Traders\s+accepted on the consent page .*admin_consent=True/);
  assert.match(r.stdout, /Tailspin Toys .*missing Alert\.Read\.All/);
  // Consent counts Microsoft Graph's permissions with the MDE API's: a full consent names no shortfall.
  assert.match(r.stdout, /Contoso\s+consented earlier\n/);
  assert.match(r.stdout, /Tailspin Toys\s+consented earlier \(to \d of \d permissions\)/);
  assert.match(r.stdout, /TENANT\s+STATE\s+HIGH\s+MEDIUM\s+LOW/);
  assert.match(r.stdout, /Contoso\s+verified\s+\d+\s+\d+\s+\d+\s+\d+\s+\d+\s+200/);
});

test("`mde-partner demo` then serves the console: a one-time link signs in once, onboarding by consent works, after signing out the demo operator gets back in, Ctrl+C exits 0", async () => {
  const demo = startCli(["demo", "--tenants", "1", "--alerts-per-tenant", "20", "--interval", "2s"], {
    home: tempDir("mde-cli-demo-serve-"),
  });
  try {
    const url = (await demo.waitFor(/console +(https:\/\/127\.0\.0\.1:\d+)\n/, 20_000))[1]!;
    const link = (await demo.waitFor(/sign in once +(\S+)\n/))[1]!;
    const certFile = (await demo.waitFor(/certificate +(\S+) \(self-signed/))[1]!;
    assert.ok(link.startsWith(`${url}/login/one-time?token=`), link);
    const ca = readFileSync(certFile, "utf8");
    const first = await https(link, ca);
    assert.equal(first.status, 302, first.body.slice(0, 200));
    assert.equal(first.location, "/overview");
    const session = first.cookies.find((c) => c.startsWith("__Host-mdep-session="))?.split(";")[0];
    assert.ok(session, "the link starts a session");
    const page = await https(`${url}/tenants`, ca, { headers: { cookie: session } });
    assert.equal(page.status, 200);
    assert.match(page.body, /Contoso/);
    // Onboarding from the console: the emulator knows the console's callback as a redirect URI of the app.
    const fresh = (await demo.waitFor(/onboard Coho Winery \(tenant ([0-9a-f-]{36})\)/))[1]!;
    const emulatorCa = readFileSync((await demo.waitFor(/\(CA (\S+);/))[1]!, "utf8");
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
    assert.ok(csrf);
    const started = await https(`${url}/tenants`, ca, {
      method: "POST",
      form: { _csrf: csrf!, name: "Coho Winery", tenant: fresh },
      headers: { cookie: session },
    });
    assert.equal(started.status, 200, started.body.slice(0, 300));
    const consentLink = /id="consent-link" readonly value="([^"]+)"/.exec(started.body)?.[1]
      ?.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
      .replace(/&amp;/g, "&");
    assert.ok(consentLink, "the console hands out a consent link");
    const back = await consentThroughPage(consentLink!, fresh, emulatorCa);
    assert.equal(`${back.origin}${back.pathname}`, `${url}/consent/callback`);
    const landed = await https(back.toString(), ca);
    assert.equal(landed.status, 200, landed.body.slice(0, 300));
    const tenants = await https(`${url}/api/v1/tenants`, ca, { headers: { cookie: session } });
    const { tenants: list } = JSON.parse(tenants.body) as { tenants: Array<{ id: string; name: string; state: string }> };
    assert.deepEqual(
      list.filter((t) => t.id === fresh).map((t) => [t.name, t.state]),
      [["Coho Winery", "verified"]],
      "the consent recorded and verified the new customer",
    );

    const second = await https(link, ca);
    assert.equal(second.status, 401, "a one-time link signs in once");
    assert.match(second.body, /invalid, expired or already used/);
    assert.match(second.body, /id="sign-in-help"/, "the used-up link's page says how to get back in");

    // Sign out, then back in as the demo operator whose password only the demo's terminal shows.
    const signedOut = await https(`${url}/logout`, ca, { method: "POST", form: { _csrf: csrf! }, headers: { cookie: session } });
    assert.equal(signedOut.status, 303);
    assert.equal(signedOut.location, "/login?signedout=1");
    assert.equal((await https(`${url}/tenants`, ca, { headers: { cookie: session } })).status, 302, "the session is gone");
    const loginPage = await https(`${url}/login?signedout=1`, ca);
    assert.equal(loginPage.status, 200);
    assert.match(loginPage.body, /You are signed out\./);
    assert.match(loginPage.body, /<code>mde-partner users add NAME --role admin<\/code>/);
    assert.match(loginPage.body, /<code>mde-partner demo<\/code>.*Its terminal shows a demo operator's name and password/);
    const [, user, password] = await demo.waitFor(/sign in again +user (\S+), password (\S+) /);
    assert.equal(user, "demo");
    assert.ok(password!.length >= 12);
    assert.doesNotMatch(demo.stderr(), new RegExp(password!), "the password is on the demo's terminal output only");
    const loginCookie = loginPage.cookies.find((c) => c.startsWith("__Host-mdep-login="))?.split(";")[0];
    const loginToken = /name="_login" value="([^"]+)"/.exec(loginPage.body)?.[1];
    assert.ok(loginCookie && loginToken);
    const signedIn = await https(`${url}/login`, ca, {
      method: "POST",
      form: { _login: loginToken!, name: user!, password: password!, next: "/tenants" },
      headers: { cookie: loginCookie! },
    });
    assert.equal(signedIn.status, 303, signedIn.body.slice(0, 300));
    const again = signedIn.cookies.find((c) => c.startsWith("__Host-mdep-session="))?.split(";")[0];
    assert.ok(again, "signed in again");
    const tenantsAgain = await https(`${url}/tenants`, ca, { headers: { cookie: again! } });
    assert.equal(tenantsAgain.status, 200);
    assert.match(tenantsAgain.body, /<span class="who">demo <small>\(admin\)<\/small><\/span>/);
    // The store keeps syncing from the live emulator while the console runs.
    await demo.waitFor(/synced \d+ tenants/, 10_000);
  } finally {
    assert.equal(await demo.stop("SIGINT"), 0, demo.stderr());
  }
});
