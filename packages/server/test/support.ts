/**
 * Shared setup of the console tests: an in-process emulator, a partner client
 * on it, an in-memory store, a users file with one operator per role, and
 * helpers to drive the console in-process (`app.request`) with a cookie jar,
 * as a browser would.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PartnerClient, PartnerTenant } from "@mde-partner/client";
import type { Emulator, EmulatorInfo, EmulatorOptions } from "@mde-partner/emulator";
import { type ApiMetrics, addUser, type ConsoleOptions, createApiMetrics, createConsole, type PartnerConsole } from "@mde-partner/server";
import { openStore, type Store } from "@mde-partner/sync";
import { emulatorWorld, partnerFor, removeTemp, tempDir } from "@mde-partner/test-kit";
import { chromium, type Page } from "playwright-core";

export const PASSWORDS = { admin: "admin-password-1", responder: "responder-password-1", viewer: "viewer-password-1" } as const;

export interface World {
  emulator: Emulator;
  info: EmulatorInfo;
  partner: PartnerClient<PartnerTenant>;
  store: Store;
  console: PartnerConsole;
  metrics: ApiMetrics;
  dir: string;
  usersFile: string;
  callbackUrl: string;
  close(): Promise<void>;
}

export const REQUIRED = ["Alert.ReadWrite.All", "Machine.ReadWrite.All", "Machine.Isolate", "AdvancedQuery.Read.All"];

export async function createWorld(
  options: { emulator?: EmulatorOptions; console?: Partial<ConsoleOptions>; callbackUrl?: string } = {},
): Promise<World> {
  const dir = tempDir("mde-console-test-");
  const callbackUrl = options.callbackUrl ?? "https://console.test/consent/callback";
  const world = await emulatorWorld({
    seed: "console-tests",
    tenants: [{ name: "Contoso" }, { name: "Fabrikam", consented: false }],
    alertsPerTenant: 20,
    machinesPerTenant: 4,
    actionPendingMs: 50,
    actionInProgressMs: 50,
    ...options.emulator,
    redirectUris: [callbackUrl, ...(options.emulator?.redirectUris ?? [])],
  });
  const metrics = createApiMetrics();
  const partner = partnerFor(world, { userAgent: "MdePartner-Test-Console/1.0.0", logger: metrics.logger });
  const store = await openStore({ url: ":memory:" });
  const usersFile = join(dir, "users.json");
  for (const role of ["admin", "responder", "viewer"] as const) await addUser(usersFile, { name: role, password: PASSWORDS[role], role });
  const console = createConsole({
    store,
    partner,
    requiredPermissions: REQUIRED,
    consentRedirectUri: callbackUrl,
    usersFile,
    tls: false,
    // A free port: test files run side by side, and a browser test starts the console for real.
    port: 0,
    metrics,
    ...options.console,
  });
  return {
    emulator: world.emulator,
    info: world.info,
    partner,
    store,
    console,
    metrics,
    dir,
    usersFile,
    callbackUrl,
    async close() {
      await console.stop();
      await store.close();
      await world.stop();
      removeTemp(dir);
    },
  };
}

/** A browser-like client of the world's console, signed in as the `role` operator (asserted). */
export async function signedIn(world: World, role: keyof typeof PASSWORDS): Promise<Agent> {
  const agent = new Agent(world.console);
  assert.equal((await agent.signIn(role, PASSWORDS[role])).status, 303);
  return agent;
}

/** Another console on the world's store, partner, users file and consent callback, with `options` on top. */
export function consoleOf(world: World, options: Partial<ConsoleOptions> = {}): PartnerConsole {
  return createConsole({
    store: world.store,
    partner: world.partner,
    requiredPermissions: REQUIRED,
    consentRedirectUri: world.callbackUrl,
    usersFile: world.usersFile,
    port: 0,
    ...options,
  });
}

/** A browser-like client of the in-process app: keeps cookies, follows nothing by itself. */
export class Agent {
  readonly cookies = new Map<string, string>();
  csrf = "";
  constructor(
    readonly console: PartnerConsole,
    readonly origin = "http://127.0.0.1:8080",
  ) {}

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set("cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    const res = await this.console.app.request(new URL(path, this.origin).toString(), { ...init, headers, redirect: "manual" });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === "" || /max-age=0/i.test(line) || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  /** Submits a form (urlencoded), adding the session's CSRF token unless `csrf: false`. */
  form(path: string, fields: Record<string, string | string[]>, options: { csrf?: boolean } = {}): Promise<Response> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
    if (options.csrf !== false && this.csrf) body.set("_csrf", this.csrf);
    return this.request(path, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body });
  }

  /** Sends JSON with the CSRF header (unless `csrf: false`). */
  json(method: string, path: string, body: unknown, options: { csrf?: boolean } = {}): Promise<Response> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (options.csrf !== false && this.csrf) headers["x-csrf-token"] = this.csrf;
    return this.request(path, { method, headers, body: JSON.stringify(body) });
  }

  /** Opens the sign-in form and submits it; returns the POST's response. */
  async signIn(name: string, password: string): Promise<Response> {
    const page = await (await this.request("/login")).text();
    const token = /name="_login" value="([^"]+)"/.exec(page)?.[1] ?? "";
    const res = await this.form("/login", { _login: token, name, password, next: "/tenants" }, { csrf: false });
    if (res.status === 303) {
      const me = (await (await this.request("/api/v1/me")).json()) as { csrfToken: string };
      this.csrf = me.csrfToken;
    }
    return res;
  }
}

/**
 * Follows a consent link the way the customer's administrator would, in
 * process against the emulator: open the page, press Accept or Cancel, and
 * return the redirect back to the console (`Location`).
 */
export async function consentInEmulator(
  emulator: Emulator,
  consentUrl: string,
  decision: "accept" | "cancel",
  tenantId?: string,
): Promise<URL> {
  const page = await emulator.fetch(consentUrl);
  const html = await page.text();
  if (page.status !== 200) throw new Error(`consent page answered ${page.status}: ${html.slice(0, 300)}`);
  const session = /name="session" value="([^"]+)"/.exec(html)?.[1] ?? "";
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? "";
  const chosen = tenantId ?? /<option value="([0-9a-f-]{36})" selected/.exec(html)?.[1] ?? "";
  const res = await emulator.fetch(new URL(action, consentUrl).toString(), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ session, tenant: chosen, decision }).toString(),
  });
  const location = res.headers.get("location");
  if (res.status !== 302 || !location) throw new Error(`consent answered ${res.status}`);
  return new URL(location);
}

/** Undoes the console's HTML escaping (numeric entities) of an attribute value. */
export const unescapeHtml = (text: string) =>
  text.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))).replace(/&amp;/g, "&");

/** The Debian chromium the browser tests drive (scripts/test-setup.sh installs it). */
export const CHROMIUM = "/usr/bin/chromium";
/** `skip` of a browser test: why it cannot run here, or false. */
export const withoutChromium = () => (existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing`);

/**
 * Runs `fn` in a headless Chromium of a fresh profile, signed in to the console at `base` as
 * `role`. Dialogs the page opens are dismissed and their messages collected in `dialogs`
 * (a hostile page's `alert()` shows up there). The browser and its profile go away afterwards.
 */
export async function inChromium(base: string, role: keyof typeof PASSWORDS, fn: (tab: Page, dialogs: string[]) => Promise<void>): Promise<void> {
  const userDataDir = mkdtempSync(join(tmpdir(), "mde-console-chromium-"));
  const browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  try {
    const tab = await browser.newPage();
    const dialogs: string[] = [];
    tab.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await tab.goto(`${base}/login`);
    await tab.fill("input[name=name]", role);
    await tab.fill("input[name=password]", PASSWORDS[role]);
    await Promise.all([tab.waitForURL(/\/overview/), tab.click("button[type=submit]")]);
    await fn(tab, dialogs);
  } finally {
    await browser.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}
