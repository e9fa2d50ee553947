// An operator signs in to the partner console in a real browser (headless Debian
// Chromium driven by playwright-core): the authorize link, the sign-in page, the
// answer posted to the console's loopback callback on any port (response_mode=form_post,
// a self-submitting form under the page's CSP), then single sign-on from the cookie
// and the password again with prompt=login.
import assert from "node:assert/strict";
import { createHash, X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type Browser, chromium } from "playwright-core";
import { postToken, type StartedEmulator, startEmulator } from "./entra-support.js";
import { authorizeUrl, pkce } from "./signin-support.js";

const CHROMIUM = "/usr/bin/chromium";
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing: install Debian's chromium (scripts/test-setup.sh does)`;
const RESULTS = new URL("../test-results/", import.meta.url).pathname;
// Registered without a port: Entra ignores the port of loopback redirect URIs.
const REGISTERED = "http://127.0.0.1/auth/callback";

let started: StartedEmulator;
let browser: Browser | undefined;
let callbackServer: Server;
let callbackUrl: string;
const posted: URLSearchParams[] = [];

before(async () => {
  // The console's callback: records what the sign-in posted to it.
  callbackServer = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      if (req.method === "POST") posted.push(new URLSearchParams(body));
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end("<!DOCTYPE html><title>Console</title><p>Signed in.</p>");
    });
  });
  await new Promise<void>((resolve) => callbackServer.listen(0, "127.0.0.1", resolve));
  callbackUrl = `http://127.0.0.1:${(callbackServer.address() as AddressInfo).port}/auth/callback`;
  started = await startEmulator({ serve: true, tenants: 1, redirectUris: [REGISTERED] });
  if (!skip) {
    const serverCert = new X509Certificate(readFileSync(join(started.stateDir, "server.pem")));
    const spki = createHash("sha256").update(serverCert.publicKey.export({ type: "spki", format: "der" })).digest("base64");
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", `--ignore-certificate-errors-spki-list=${spki}`],
    });
  }
});

after(async () => {
  await browser?.close();
  await started.stop();
  await new Promise<void>((resolve) => callbackServer.close(() => resolve()));
});

test("sign in with a password, come back by form_post, then single sign-on and prompt=login", { skip }, async () => {
  assert.ok(browser);
  const admin = started.info.partnerUsers.find((u) => u.roles.includes("Console.Admin"));
  assert.ok(admin);
  const context = await browser.newContext();
  const page = await context.newPage();
  const { verifier, challenge } = pkce();
  const link = (extra: { prompt?: string } = {}) =>
    authorizeUrl(started, { redirectUri: callbackUrl, responseMode: "form_post", state: "console-1", nonce: "n", challenge, ...extra });

  await page.goto(link());
  assert.equal(await page.title(), "Sign in to your account");
  mkdirSync(RESULTS, { recursive: true });
  await page.screenshot({ path: join(RESULTS, "sign-in-page.png"), fullPage: true });
  await page.fill("#login", admin.username);
  await page.fill("#passwd", `${admin.password}-wrong`);
  await page.click("#sign-in");
  assert.match((await page.textContent("#error")) ?? "", /^AADSTS50126: /);
  await page.fill("#passwd", admin.password);
  await Promise.all([page.waitForURL((url) => url.toString().startsWith(callbackUrl)), page.click("#sign-in")]);
  assert.equal(await page.textContent("p"), "Signed in.");
  const first = posted.at(-1);
  assert.equal(first?.get("state"), "console-1");
  const res = await postToken(started, started.info.partnerTenantId, "v2", {
    grant_type: "authorization_code",
    client_id: started.info.partnerApp.clientId,
    client_secret: started.info.partnerApp.clientSecret,
    redirect_uri: callbackUrl,
    code: first?.get("code") ?? "",
    code_verifier: verifier,
  });
  assert.equal(res.status, 200, res.text);

  // The SSO cookie signs the browser in without the page.
  const before = posted.length;
  await page.goto(link());
  await page.waitForURL((url) => url.toString().startsWith(callbackUrl));
  assert.equal(posted.length, before + 1);
  assert.ok(posted.at(-1)?.get("code"));

  await page.goto(link({ prompt: "login" }));
  assert.equal(await page.title(), "Sign in to your account");
  assert.equal(await page.inputValue("#passwd"), "");
  await context.close();
});
