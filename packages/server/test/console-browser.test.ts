// The console in real headless Chromium (Debian's /usr/bin/chromium via
// playwright-core), over HTTPS on both sides: the console with its own
// self-signed certificate, the emulator with its CA-issued one; the browser
// trusts exactly those two keys (SPKI pins), nothing blanket. An operator
// signs in, onboards a customer by admin consent on the emulator's page,
// syncs, resolves an alert, isolates a device and watches the action finish,
// hunts across two tenants, and signs out. Screenshots: test-results/*.png.
import assert from "node:assert/strict";
import { createHash, X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { PartnerClient, PartnerTenant } from "@mde-partner/client";
import type { EmulatorInfo } from "@mde-partner/emulator";
import { addUser, createApiMetrics, createConsole, type PartnerConsole, spkiHash } from "@mde-partner/server";
import { openStore, type Store } from "@mde-partner/sync";
import { type EmulatorWorld, partnerFor, servedEmulator } from "@mde-partner/test-kit";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { REQUIRED } from "./support.js";

const CHROMIUM = "/usr/bin/chromium";
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing: install Debian's chromium (scripts/test-setup.sh does)`;
const RESULTS = new URL("../test-results/", import.meta.url).pathname;

let dir: string;
let emulator: EmulatorWorld;
let info: EmulatorInfo;
let partner: PartnerClient<PartnerTenant>;
let store: Store;
let consoleApp: PartnerConsole;
let base: string;
let browser: BrowserContext | undefined;
let userDataDir: string;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "mde-console-browser-"));
  const port = await freePort();
  const callback = `https://127.0.0.1:${port}/consent/callback`;
  emulator = await servedEmulator({
    seed: "console-browser",
    tenants: [{ name: "Contoso" }, { name: "Fabrikam", consented: false }],
    alertsPerTenant: 30,
    machinesPerTenant: 3,
    actionPendingMs: 400,
    actionInProgressMs: 600,
    redirectUris: [callback],
  });
  info = emulator.info;
  const metrics = createApiMetrics();
  partner = partnerFor(emulator, { userAgent: "MdePartner-Test-Console/1.0.0", logger: metrics.logger });
  store = await openStore({ url: join(dir, "console.db") });
  // Contoso was onboarded earlier; Fabrikam is onboarded in the browser.
  await store.upsertTenant({ id: info.tenants[0]!.id, name: "Contoso", initialState: "consented" });
  const usersFile = join(dir, "users.json");
  await addUser(usersFile, { name: "alice", password: "alice-password-1", role: "admin" });
  consoleApp = createConsole({
    store,
    partner,
    requiredPermissions: REQUIRED,
    consentRedirectUri: callback,
    usersFile,
    host: "127.0.0.1",
    port,
    tls: "self-signed",
    metrics,
  });
  const started = await consoleApp.start();
  base = started.url;
  if (!skip) {
    const emulatorCert = new X509Certificate(readFileSync(join(emulator.stateDir, "server.pem")));
    const emulatorSpki = createHash("sha256")
      .update(emulatorCert.publicKey.export({ type: "spki", format: "der" }))
      .digest("base64");
    userDataDir = mkdtempSync(join(tmpdir(), "mde-console-chromium-"));
    // A fresh profile of our own (launchPersistentContext is how playwright takes --user-data-dir).
    browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      viewport: { width: 1366, height: 800 },
      acceptDownloads: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        `--ignore-certificate-errors-spki-list=${emulatorSpki},${spkiHash(started.certPem!)}`,
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

test("an operator onboards a customer, works its alerts and devices, hunts, and signs out — in Chromium", {
  skip,
  timeout: 90_000,
}, async () => {
  assert.ok(browser);
  mkdirSync(RESULTS, { recursive: true });
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(e.message));
  const fabrikam = info.tenants[1]!.id;
  const contoso = info.tenants[0]!.id;

  // Sign in.
  await page.goto(`${base}/tenants`);
  assert.equal(new URL(page.url()).pathname, "/login");
  await shot(page, "01-sign-in");
  await page.getByLabel("User name").fill("alice");
  await page.getByLabel("Password").fill("alice-password-1");
  await Promise.all([page.waitForURL(`${base}/tenants`), page.getByRole("button", { name: "Sign in" }).click()]);

  // Add a customer: the page shows its consent link.
  await page.getByRole("link", { name: "Add a customer" }).click();
  await page.getByLabel("Customer name").fill("Fabrikam Ltd");
  await page.getByLabel("Tenant id or domain (optional)").fill(fabrikam);
  await page.getByRole("button", { name: "Create consent link" }).click();
  await page.waitForSelector("#consent-link");
  const link = await page.inputValue("#consent-link");
  assert.ok(link.startsWith(`${info.loginUrl}/${fabrikam}/v2.0/adminconsent?`));
  await shot(page, "02-consent-link");

  // The customer's admin follows it to the (emulated) Entra ID consent page and accepts.
  await page.getByRole("link", { name: "Open the consent link" }).click();
  await page.waitForSelector("#accept");
  assert.equal(await page.title(), "Permissions requested");
  await shot(page, "03-emulator-consent");
  await Promise.all([page.waitForURL((u) => u.pathname === "/consent/callback"), page.click("#accept")]);
  await page.waitForSelector("#verify-result");
  assert.equal(await page.getAttribute("#verify-result", "data-state"), "verified");
  assert.match((await page.textContent("h1")) ?? "", /Consent recorded for Fabrikam Ltd/);
  await shot(page, "04-consent-verified");

  // Back in the console (a same-site link, so the Strict session cookie goes along): sync both tenants.
  await page.click("#tenant-link");
  await page.waitForURL(`${base}/tenants/${fabrikam}`);
  await page.getByRole("link", { name: "Tenants", exact: true }).click();
  await page.getByRole("button", { name: "Sync all tenants now" }).click();
  await page.waitForSelector(".flash.ok");
  assert.match((await page.textContent(".flash")) ?? "", /Synced 2 tenant\(s\): 60 alert\(s\) read/);
  assert.equal(await page.getAttribute(`tr[data-tenant="${fabrikam}"] [data-state]`, "data-state"), "verified");
  await shot(page, "05-tenants");

  // Alerts of the new customer; resolve one.
  await page.getByRole("link", { name: "Alerts", exact: true }).click();
  await page.selectOption("#f-tenant", fabrikam);
  await page.getByLabel("New", { exact: true }).check();
  await page.getByRole("button", { name: "Apply" }).click();
  await page.waitForSelector("#alerts tbody tr");
  await shot(page, "06-alerts");
  await page.click("#alerts tbody tr:first-child a");
  await page.waitForSelector("#alert-update");
  await page.selectOption("#u-status", "Resolved");
  await page.selectOption("#u-class", "FalsePositive");
  await page.fill("#u-comment", "Known admin tooling");
  await page.getByRole("button", { name: "Save" }).click();
  await page.waitForSelector(".flash.ok");
  assert.equal((await page.textContent("#alert-status"))?.trim(), "Resolved");
  await shot(page, "07-alert-resolved");

  // Isolate a device with a comment, through the confirmation step; watch the action finish.
  await page.getByRole("link", { name: "Devices", exact: true }).click();
  await page.selectOption("#d-tenant", fabrikam);
  await page.getByRole("button", { name: "Apply" }).click();
  await page.click("#devices tbody tr:first-child a");
  await page.click("#action-isolate");
  await page.waitForSelector("#confirm-action");
  await page.fill("#action-comment", "INC-1001 suspected lateral movement");
  await shot(page, "08-confirm-isolate");
  await page.click("#confirm");
  await page.waitForSelector("#action-status");
  await page.waitForSelector('#action-status[data-final="true"]', { timeout: 20_000 });
  assert.equal((await page.textContent("#action-state"))?.trim(), "Succeeded");
  await shot(page, "09-action-succeeded");

  // Hunting on both tenants.
  await page.getByRole("link", { name: "Hunting", exact: true }).click();
  for (const id of [contoso, fabrikam]) await page.check(`input[name="tenant"][value="${id}"]`);
  await page.fill("#hunt-query", "DeviceInfo | summarize Devices = count() by OSPlatform");
  await page.getByRole("button", { name: "Run query" }).click();
  await page.waitForSelector("#hunt-results");
  const results = (await page.textContent("#hunt-results")) ?? "";
  assert.ok(results.includes(contoso) && results.includes(fabrikam), "rows from both tenants");
  const download = page.waitForEvent("download");
  await page.click("#download-csv");
  const csv = readFileSync((await (await download).path())!, "utf8");
  assert.match(csv, /^TenantId,TenantName,/);
  await shot(page, "10-hunting");

  await page.getByRole("link", { name: "Audit log" }).click();
  assert.ok(((await page.textContent("#audit")) ?? "").includes("INC-1001 suspected lateral movement"));
  await shot(page, "11-audit");

  // The same page in the dark scheme (prefers-color-scheme).
  await page.emulateMedia({ colorScheme: "dark" });
  await page.getByRole("link", { name: "Tenants", exact: true }).click();
  await shot(page, "12-tenants-dark");
  await page.emulateMedia({ colorScheme: "light" });

  // Sign out: the console is closed again.
  await Promise.all([page.waitForURL(`${base}/login?signedout=1`), page.click("#sign-out")]);
  await page.goto(`${base}/alerts`);
  assert.equal(new URL(page.url()).pathname, "/login");
  assert.deepEqual(problems, [], "no script or CSP errors in the browser console");
  await page.close();
});
