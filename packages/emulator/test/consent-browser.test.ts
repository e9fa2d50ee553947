// A customer's Global Administrator consents in a real browser (headless
// Debian Chromium driven by playwright-core): the v2 admin-consent link for a
// tenant that has not consented, Accept, the redirect back to the partner with
// admin_consent=True&tenant=…&state=…, and from then on client-credentials tokens
// for that tenant carry the app's roles. Cancel comes back as access_denied.
import assert from "node:assert/strict";
import { createHash, X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type Browser, chromium } from "playwright-core";
import { MDE_RESOURCE, MDE_SCOPE, postToken, type StartedEmulator, startEmulator } from "./entra-support.js";

const CHROMIUM = "/usr/bin/chromium";
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing: install Debian's chromium (scripts/test-setup.sh does)`;
const RESULTS = new URL("../test-results/", import.meta.url).pathname;

let started: StartedEmulator;
let browser: Browser | undefined;
let callbackServer: Server;
let callbackUrl: string;

before(async () => {
  // The partner's consent callback: a tiny local listener the browser lands on.
  callbackServer = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end("<!DOCTYPE html><title>Partner callback</title><p>Thanks.</p>");
  });
  await new Promise<void>((resolve) => callbackServer.listen(0, "127.0.0.1", resolve));
  callbackUrl = `http://127.0.0.1:${(callbackServer.address() as AddressInfo).port}/consent/callback`;
  started = await startEmulator({
    serve: true,
    tenants: [{ name: "Contoso" }, { name: "Fabrikam", consented: false }, { name: "Litware", consented: false }],
    redirectUris: [callbackUrl],
  });
  if (!skip) {
    // Trust exactly the emulator's server key (its certificate is issued by the emulator CA, which
    // Chromium cannot import without NSS tools); verification stays on for everything else.
    const serverCert = new X509Certificate(readFileSync(join(started.stateDir, "server.pem")));
    const spki = createHash("sha256")
      .update(serverCert.publicKey.export({ type: "spki", format: "der" }))
      .digest("base64");
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        `--ignore-certificate-errors-spki-list=${spki}`,
      ],
    });
  }
});

after(async () => {
  await browser?.close();
  await started.stop();
  await new Promise<void>((resolve) => callbackServer.close(() => resolve()));
});

function tenant(name: string) {
  const t = started.info.tenants.find((x) => x.name === name);
  assert.ok(t, name);
  return t;
}

const secretForm = () => ({
  grant_type: "client_credentials",
  client_id: started.info.partnerApp.clientId,
  client_secret: started.info.partnerApp.clientSecret,
  scope: MDE_SCOPE,
});

function v2ConsentLink(tenantId: string, state: string): string {
  const url = new URL(`${started.info.loginUrl}/${tenantId}/v2.0/adminconsent`);
  url.searchParams.set("client_id", started.info.partnerApp.clientId);
  url.searchParams.set("scope", `${MDE_RESOURCE}/.default https://graph.microsoft.com/.default`);
  url.searchParams.set("redirect_uri", callbackUrl);
  url.searchParams.set("state", state);
  return url.toString();
}

test("Accept in the browser records consent and redirects with admin_consent=True, the tenant and the state", { skip }, async () => {
  assert.ok(browser);
  const fabrikam = tenant("Fabrikam");
  const refused = await postToken(started, fabrikam.id, "v2", secretForm());
  assert.equal(refused.status, 400);
  assert.deepEqual(refused.json().error_codes, [700016]);

  const page = await browser.newPage();
  try {
    await page.goto(v2ConsentLink(fabrikam.id, "onboard-4711"));
    assert.equal(await page.title(), "Permissions requested");
    assert.equal(await page.textContent("#app-name"), "MSSP Defender Integration");
    const text = (await page.textContent("body")) ?? "";
    for (const shown of ["WindowsDefenderATP", "Read all alerts", "Isolate machine", "Microsoft Graph", "Run hunting queries"]) {
      assert.ok(text.includes(shown), `page shows ${shown}`);
    }
    // The link named the tenant: it is the only, preselected choice.
    assert.deepEqual(await page.$$eval("#tenant option", (options) => options.map((o) => (o as HTMLOptionElement).value)), [fabrikam.id]);
    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: join(RESULTS, "consent-page.png"), fullPage: true });

    await Promise.all([page.waitForURL((url) => url.toString().startsWith(callbackUrl)), page.click("#accept")]);
    const landed = new URL(page.url());
    assert.equal(landed.searchParams.get("admin_consent"), "True");
    assert.equal(landed.searchParams.get("tenant"), fabrikam.id);
    assert.equal(landed.searchParams.get("state"), "onboard-4711");
    assert.equal(landed.searchParams.get("scope"), `${MDE_RESOURCE}/.default https://graph.microsoft.com/.default`);
    assert.equal(await page.textContent("p"), "Thanks.");
  } finally {
    await page.close();
  }

  const granted = await postToken(started, fabrikam.id, "v2", secretForm());
  assert.equal(granted.status, 200, granted.text);
  const token = granted.json<{ access_token: string }>().access_token;
  const claims = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as { tid: string; roles: string[] };
  assert.equal(claims.tid, fabrikam.id);
  assert.deepEqual([...claims.roles].sort(), [...started.info.partnerApp.requiredRoles].sort());
  const journal = started.emulator.state.journal.list({ kind: "consent", tenantId: fabrikam.id });
  assert.ok(journal.some((e) => e.operation === "consent-accept" && e.status === 302));
});

test("Cancel redirects with error=access_denied and the AADSTS65004 description; nothing is granted", { skip }, async () => {
  assert.ok(browser);
  const litware = tenant("Litware");
  const page = await browser.newPage();
  try {
    await page.goto(v2ConsentLink(litware.id, "xyz"));
    await Promise.all([page.waitForURL((url) => url.toString().startsWith(callbackUrl)), page.click("#cancel")]);
    const landed = new URL(page.url());
    assert.equal(landed.searchParams.get("error"), "access_denied");
    assert.equal(landed.searchParams.get("admin_consent"), "True", "the v2 form keeps admin_consent=True");
    assert.equal(landed.searchParams.get("state"), "xyz");
    assert.match(
      landed.searchParams.get("error_description") ?? "",
      /^AADSTS65004: .+\r\nTrace ID: .+\r\nCorrelation ID: .+\r\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/,
    );
  } finally {
    await page.close();
  }
  const still = await postToken(started, litware.id, "v2", secretForm());
  assert.deepEqual(still.json().error_codes, [700016]);
});

test("the MDE pages' legacy link: the admin picks the tenant, consent goes to the first registered redirect URI", { skip }, async () => {
  assert.ok(browser);
  const litware = tenant("Litware");
  const page = await browser.newPage();
  try {
    await page.goto(
      `${started.info.loginUrl}/common/oauth2/authorize?prompt=consent&client_id=${started.info.partnerApp.clientId}&response_type=code&sso_reload=true`,
    );
    await page.selectOption("#tenant", litware.id);
    await Promise.all([page.waitForURL((url) => url.toString().startsWith(callbackUrl)), page.click("#accept")]);
    const landed = new URL(page.url());
    assert.equal(`${landed.origin}${landed.pathname}`, callbackUrl);
    assert.equal(landed.searchParams.get("admin_consent"), "True");
    assert.equal(landed.searchParams.get("tenant"), litware.id);
  } finally {
    await page.close();
  }
  const { scope: _scope, ...v1Form } = secretForm();
  const res = await postToken(started, litware.id, "v1", { ...v1Form, resource: MDE_RESOURCE });
  assert.equal(res.status, 200, res.text);
});
