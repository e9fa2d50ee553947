// Sign-in with Entra ID in real headless Chromium (Debian's /usr/bin/chromium via
// playwright-core): the console on https://console.test (mapped to 127.0.0.1 by
// the browser's resolver, its own self-signed certificate), the emulator's
// Entra ID on https://127.0.0.1 (its CA-issued certificate); the browser trusts
// exactly those two keys. The two are different sites, so the callback is the
// cross-site top-level navigation it is with the real Entra ID: the operator
// clicks "Sign in with Microsoft", fills in the emulator's page and lands
// signed in on /tenants, named with their role. Screenshots: test-results/sso-*.png.
import assert from "node:assert/strict";
import { createHash, X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { PartnerClient, PartnerTenant } from "@mde-partner/client";
import type { EmulatorInfo } from "@mde-partner/emulator";
import { createConsole, createSelfSignedCertificate, type PartnerConsole, spkiHash } from "@mde-partner/server";
import { openStore, type Store } from "@mde-partner/sync";
import { type EmulatorWorld, partnerFor, servedEmulator } from "@mde-partner/test-kit";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { REQUIRED } from "./support.js";

const CHROMIUM = "/usr/bin/chromium";
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing: install Debian's chromium (scripts/test-setup.sh does)`;
const RESULTS = new URL("../test-results/", import.meta.url).pathname;
const HOST = "console.test";

let dir: string;
let emulator: EmulatorWorld;
let info: EmulatorInfo;
let partner: PartnerClient<PartnerTenant>;
let store: Store;
let consoleApp: PartnerConsole;
let base: string;
let browser: BrowserContext | undefined;
let userDataDir: string | undefined;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "mde-console-sso-browser-"));
  const port = await freePort();
  base = `https://${HOST}:${port}`;
  const redirectUri = `${base}/login/sso/callback`;
  emulator = await servedEmulator({ seed: "console-sso-browser", tenants: [{ name: "Contoso" }], alertsPerTenant: 3, machinesPerTenant: 2, redirectUris: [redirectUri] });
  info = emulator.info;
  partner = partnerFor(emulator);
  store = await openStore({ url: join(dir, "console.db") });
  await store.upsertTenant({ id: info.tenants[0]!.id, name: "Contoso", initialState: "consented" });
  const tls = await createSelfSignedCertificate([HOST]);
  consoleApp = createConsole({
    store,
    partner,
    requiredPermissions: REQUIRED,
    consentRedirectUri: `${base}/consent/callback`,
    usersFile: join(dir, "users.json"),
    host: "127.0.0.1",
    port,
    tls,
    sso: {
      issuer: `${info.loginUrl}/${info.partnerTenantId}/v2.0`,
      clientId: info.partnerApp.clientId,
      clientSecret: info.partnerApp.clientSecret,
      redirectUri,
      localAccounts: false,
    },
  });
  await consoleApp.start();
  if (!skip) {
    const emulatorCert = new X509Certificate(readFileSync(join(emulator.stateDir, "server.pem")));
    const emulatorSpki = createHash("sha256").update(emulatorCert.publicKey.export({ type: "spki", format: "der" })).digest("base64");
    userDataDir = mkdtempSync(join(tmpdir(), "mde-console-sso-chromium-"));
    browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      viewport: { width: 1280, height: 800 },
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        `--host-resolver-rules=MAP ${HOST} 127.0.0.1`,
        `--ignore-certificate-errors-spki-list=${emulatorSpki},${spkiHash(tls.certPem)}`,
      ],
    });
  }
});

after(async () => {
  await browser?.close();
  await consoleApp?.stop();
  await store?.close();
  await emulator?.stop();
  rmSync(dir, { recursive: true, force: true });
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

const shot = (page: Page, name: string) => page.screenshot({ path: join(RESULTS, `${name}.png`), fullPage: true });

test("an operator signs in with Microsoft on the emulator's Entra ID page and lands on /tenants with their role — in Chromium", {
  skip,
  timeout: 60_000,
}, async () => {
  assert.ok(browser);
  mkdirSync(RESULTS, { recursive: true });
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(e.message));
  const responder = info.partnerUsers.find((u) => u.roles.includes("Console.Responder"));
  assert.ok(responder);

  await page.goto(`${base}/tenants`);
  assert.equal(new URL(page.url()).pathname, "/login");
  assert.equal(await page.locator("#login-form").count(), 0, "local accounts are off: no password form");
  await shot(page, "sso-01-console-sign-in");

  await page.getByRole("link", { name: "Sign in with Microsoft" }).click();
  await page.waitForSelector("#passwd");
  assert.equal(new URL(page.url()).origin, new URL(info.loginUrl).origin, "on Entra ID's (the emulator's) page");
  await page.fill("#login", responder.username);
  await page.fill("#passwd", responder.password);
  await shot(page, "sso-02-entra-sign-in");
  await Promise.all([page.waitForURL(`${base}/tenants`), page.click("#sign-in")]);

  const who = (await page.textContent(".who")) ?? "";
  assert.ok(who.includes(responder.username), `the page names ${responder.username}: ${who}`);
  assert.match(who, /\(responder\)/);
  assert.match((await page.textContent("main")) ?? "", /Contoso/);
  await shot(page, "sso-03-signed-in");
  assert.deepEqual(problems, []);
});
