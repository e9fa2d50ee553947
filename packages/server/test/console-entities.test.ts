// Entity pages and investigations, read live through the console from the emulator: a file,
// IP, domain and user reached from an alert's evidence (and a user from a device's logged-on
// users), per tenant where it is known, with the tenant that lacks a permission and the
// throttled one shown in place; bad path values as 400 pages; investigations across tenants
// and from the alert that carries one; a hostile tenant's values inert. One Chromium run
// follows the links a user would click.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createPartnerClient, type PartnerClient, type PartnerTenant } from "@mde-partner/client";
import type { PartnerConsole } from "@mde-partner/server";
import type { StoredAlert } from "@mde-partner/sync";
import { Agent, consoleOf, createWorld, inChromium, PASSWORDS, unescapeHtml, type World, withoutChromium } from "./support.js";


let world: World;
let partner: PartnerClient<PartnerTenant>;
let console_: PartnerConsole;
let viewer: Agent;
let contoso: string;
let northwind: string;
let tailspin: string;
let mallory: string;

/** Every way a hostile string could come alive in the HTML (as console-hostile.test.ts checks). */
function assertInert(page: string, where: string): void {
  assert.ok(!/<img[^>]*onerror/i.test(page), `${where}: no live <img onerror>`);
  assert.ok(!/<script>alert/i.test(page), `${where}: no live <script>`);
  assert.ok(!/href\s*=\s*["']?\s*javascript:/i.test(page), `${where}: no javascript: link`);
  for (const m of page.matchAll(/href="([^"]*)"/g)) assert.ok(m[1]!.startsWith("/") || m[1]!.startsWith("#"), `${where}: link ${m[1]!.slice(0, 80)} stays in the console`);
}

async function page(path: string, status = 200): Promise<string> {
  const res = await viewer.request(path);
  const html = await res.text();
  assert.equal(res.status, status, `${path}: ${html.slice(0, 400)}`);
  return html;
}

/** The section of one tenant on an entity page. */
const partOf = (html: string, tenantId: string) =>
  new RegExp(`<section class="card tenant-part" data-tenant="${tenantId}" data-outcome="(\\w+)">[\\s\\S]*?</section>\\s*(?=<section class="card tenant-part"|<p class="muted" id="entity-unseen"|</main>)`).exec(html);

interface Evidence {
  entityType?: string;
  sha1?: string | null;
  ipAddress?: string | null;
  url?: string | null;
  accountName?: string | null;
}

/** A stored alert of `tenant` whose evidence holds a value `pick` finds, and that value. */
async function alertWith(tenant: string, pick: (e: Evidence) => string | null | undefined): Promise<{ alert: StoredAlert; value: string }> {
  const alerts = (await world.store.queryAlerts({ tenantIds: [tenant], limit: 500 })).items;
  for (const alert of alerts) {
    const full = (await partner.tenant(tenant).mde.alerts.get(alert.id)) as unknown as { evidence?: Evidence[] };
    for (const e of full.evidence ?? []) {
      const value = pick(e);
      if (value) return { alert, value };
    }
  }
  throw new Error(`no alert of ${tenant} has such evidence`);
}

before(async () => {
  world = await createWorld({
    emulator: {
      tenants: [
        { name: "Contoso" },
        // Northwind granted no File.Read.All: the file's profile and statistics are refused there (403), the rest is read.
        {
          name: "Northwind",
          roles: ["Alert.ReadWrite.All", "Machine.ReadWrite.All", "Machine.Isolate", "AdvancedQuery.Read.All", "Ip.Read.All", "URL.Read.All", "User.Read.All"],
        },
        { name: "Tailspin" },
        { name: "Mallory", hostile: true },
      ],
      alertsPerTenant: 12,
      machinesPerTenant: 3,
    },
  });
  [contoso, northwind, tailspin, mallory] = world.info.tenants.map((t) => t.id) as [string, string, string, string];
  // A client that gives up on the first 429, so a throttled tenant shows at once (the console's default client waits as told).
  partner = createPartnerClient({
    clientId: world.info.partnerApp.clientId,
    credential: { clientSecret: world.info.partnerApp.clientSecret },
    cloud: { name: "custom", loginUrl: world.info.loginUrl, apiUrl: world.info.apiUrl, graphUrl: world.info.graphUrl, ca: world.info.caCertFile },
    fetch: world.emulator.fetch,
    retry: { maxThrottleRetries: 0, maxTransientRetries: 0 },
  });
  console_ = consoleOf(world, { partner, tls: false });
  for (const [id, name] of [
    [contoso, "Contoso"],
    [northwind, "Northwind"],
    [tailspin, "Tailspin"],
    [mallory, "Mallory"],
  ] as const)
    await world.store.upsertTenant({ id, name, initialState: "consented" });
  viewer = new Agent(console_);
  assert.equal((await viewer.signIn("viewer", PASSWORDS.viewer)).status, 303);
  const admin = new Agent(console_);
  assert.equal((await admin.signIn("responder", PASSWORDS.responder)).status, 303);
  assert.equal((await admin.form("/sync", {})).status, 200);
});
after(async () => {
  await console_?.stop();
  await partner?.close();
  await world?.close();
});

describe("entity pages", () => {
  it("a file from an alert's evidence: its profile, prevalence, alerts and devices per tenant; a missing permission and a throttled tenant in place", async () => {
    const { alert, value: sha1 } = await alertWith(contoso, (e) => (e.entityType === "File" || e.entityType === "Process" ? e.sha1 : null));
    const alertPage = await page(`/alerts/${contoso}/${encodeURIComponent(alert.id)}`);
    assert.ok(alertPage.includes(`href="/files/${sha1}"`), "the evidence links to the file's page");

    // Tailspin answers 429 to everything for a while.
    const fault = await world.emulator.fetch(`${world.info.controlUrl}/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ target: "api", tenantId: tailspin, status: 429, retryAfterSec: 7, durationMs: 60_000 }),
    });
    assert.equal(fault.status < 300, true, await fault.text());
    try {
      const html = await page(`/files/${sha1}`);
      const remote = await partner.tenant(contoso).mde.files.get(sha1);
      const stats = await partner.tenant(contoso).mde.files.getStats(sha1);
      const own = partOf(html, contoso);
      assert.equal(own?.[1], "known");
      const section = own![0];
      assert.match(section, new RegExp(`<dd>\\s*<code>${remote.sha256}</code>`), "the SHA-256 the API reports");
      assert.match(section, new RegExp(`data-field="globalPrevalence">${remote.globalPrevalence}<`));
      assert.match(section, new RegExp(`data-field="organizationPrevalence">${stats.organizationPrevalence}<`));
      assert.ok(section.includes(`href="/alerts/${contoso}/${encodeURIComponent(alert.id)}"`), "the alert it came from is a related alert");
      if (alert.machineId) assert.ok(section.includes(`href="/devices/${contoso}/${alert.machineId}"`), "its device is a related device");

      const throttled = partOf(html, tailspin);
      assert.equal(throttled?.[1], "failed", "the throttled tenant is a failed part");
      assert.match(throttled![0], /data-code="ERR_MDE_RATE_LIMITED"/);
      assert.match(throttled![0], /throttled by the customer&#39;s API: try again in 7 s/);
      assert.match(html, /could not be read/);
    } finally {
      await world.emulator.fetch(`${world.info.controlUrl}/faults`, { method: "DELETE" });
    }

    // Northwind: a file of its own, whose profile needs the permission it did not grant.
    const { value: theirs } = await alertWith(northwind, (e) => (e.entityType === "File" || e.entityType === "Process" ? e.sha1 : null));
    // Tailspin asked for 7 s: until then the console shows it as throttled without calling it again.
    const journal = async (after: number) =>
      (await (await world.emulator.fetch(`${world.info.controlUrl}/journal?afterSeq=${after}&tenantId=${tailspin}&kind=api`)).json()) as {
        lastSeq: number;
        entries: unknown[];
      };
    const before = await journal(0);
    assert.ok(before.entries.length > 0, "the journal holds the throttled calls");
    const mark = before.lastSeq;
    const html = await page(`/files/${theirs}`);
    assert.equal(partOf(html, tailspin)?.[1], "failed");
    assert.match(partOf(html, tailspin)![0], /throttled by the customer&#39;s API: try again in [1-7] s/);
    assert.deepEqual((await journal(mark)).entries, [], "the throttled tenant was not called");
    const part = partOf(html, northwind);
    assert.equal(part?.[1], "known", "its alerts and devices are still read");
    assert.match(part![0], /data-code="ERR_MDE_FORBIDDEN"[^>]*>ERR_MDE_FORBIDDEN: [^<]*<span class="muted">— the tenant has not granted File\.Read\.All/);
    assert.match(part![0], /<tr data-alert="/, "the related alerts are listed");
  });

  it("an IP, a domain and a user from evidence; the user also from a device's logged-on users", async () => {
    const ip = await alertWith(contoso, (e) => e.ipAddress);
    const ipPage = await page(`/ips/${ip.value}`);
    assert.equal(partOf(ipPage, contoso)?.[1], "known");
    const ipStats = await partner.tenant(contoso).mde.ips.getStats(ip.value);
    assert.match(partOf(ipPage, contoso)![0], new RegExp(`data-field="organizationPrevalence">${ipStats.organizationPrevalence}<`));
    assert.ok(ipPage.includes(`/alerts/${contoso}/${encodeURIComponent(ip.alert.id)}`));

    const domain = await alertWith(contoso, (e) => (e.url && URL.canParse(e.url) ? new URL(e.url).hostname : null));
    const domainPage = await page(`/domains/${encodeURIComponent(domain.value)}`);
    assert.equal(partOf(domainPage, contoso)?.[1], "known");

    const user = await alertWith(contoso, (e) => (e.entityType === "User" ? e.accountName : null));
    const userPage = await page(`/users/${encodeURIComponent(user.value)}`);
    const part = partOf(userPage, contoso)![0];
    assert.match(part, /data-section="user"/, "the account's profile");
    assert.match(part, /data-field="logonTypes">[^<—]+</, "with its logon types");

    const [machine] = await world.store.listMachines(contoso, { limit: 1 });
    const logons = await partner.tenant(contoso).mde.machines.listLogonUsers(machine!.id);
    const usersPage = await page(`/devices/${contoso}/${machine!.id}/users`);
    for (const u of logons.value) assert.ok(usersPage.includes(`href="/users/${encodeURIComponent(u.accountName!)}"`), `${u.accountName} links to its page`);
    assert.ok((await page(`/devices/${contoso}/${machine!.id}`)).includes(`href="/devices/${contoso}/${machine!.id}/users"`));
  });

  it("bad path values are 400 pages that say what is expected", async () => {
    const cases: Array<[string, RegExp]> = [
      ["/files/not-a-hash", /not a file hash: use a SHA-1 \(40 hex digits\) or SHA-256/],
      [`/files/${"a".repeat(32)}`, /looks like an MD5 hash/],
      ["/ips/999.1.2.3", /not an IP address/],
      ["/domains/bad%20domain", /not a domain name/],
      ["/users/CONTOSO%5Cjdoe", /account name only \(&#34;jdoe&#34;\)/],
      ["/investigations?state=Sleeping", /state must be one of/],
    ];
    for (const [path, message] of cases) {
      const html = await page(path, 400);
      assert.match(html, /<p class="error-message" id="error-message">/, path);
      assert.match(html, message, path);
    }
  });

  it("a hostile tenant's file page is inert", async () => {
    const { value: sha1 } = await alertWith(mallory, (e) => (e.entityType === "File" || e.entityType === "Process" ? e.sha1 : null));
    const html = await page(`/files/${sha1}?tenant=${mallory}`);
    assert.equal(partOf(html, mallory)?.[1], "known");
    assertInert(html, "hostile file page");
    assert.ok(html.length < 400 * 1024, `${html.length} bytes`);
    assertInert(await page(`/investigations?tenant=${mallory}`), "hostile investigations");
    const [machine] = await world.store.listMachines(mallory, { limit: 1 });
    assertInert(await page(`/devices/${mallory}/${machine!.id}/users`), "hostile logged-on users");
  });
});

describe("investigations", () => {
  it("lists the tenants' investigations with their alerts and devices; the alert that carries one links to it", async () => {
    const list = await page(`/investigations?tenant=${contoso}`);
    const remote = await partner.tenant(contoso).mde.investigations.list({ top: 200 });
    assert.ok(remote.value.length > 0, "the emulator's alerts name investigations");
    const rows = [...list.matchAll(/<tr data-investigation="([^"]+)" data-tenant="([^"]+)">/g)].map((m) => m[1]);
    assert.deepEqual(new Set(rows), new Set(remote.value.map((i) => String(i.id))));
    const first = remote.value[0]!;
    if (first.triggeringAlertId) assert.ok(list.includes(`href="/alerts/${contoso}/${encodeURIComponent(first.triggeringAlertId)}"`));

    const all = await page("/investigations");
    assert.match(all, /from 3 of 4 tenant\(s\)|from 4 of 4 tenant\(s\)/);

    const carried = (await world.store.queryAlerts({ tenantIds: [contoso], limit: 500 })).items.find((a) => typeof a.payload.investigationId === "number");
    assert.ok(carried, "an alert carries an investigation");
    const alertPage = await page(`/alerts/${contoso}/${encodeURIComponent(carried.id)}`);
    const href = /<a href="([^"]+)" id="investigation-link">/.exec(alertPage)?.[1];
    assert.equal(href, `/investigations/${contoso}/${carried.payload.investigationId}`);
    const detail = await page(unescapeHtml(href!));
    const investigation = await partner.tenant(contoso).mde.investigations.get(String(carried.payload.investigationId));
    assert.match(detail, new RegExp(`<dd id="investigation-state"><span class="chip state-[a-z]+">${investigation.state}</span>`));
    assert.ok(detail.includes(`href="/alerts/${contoso}/${encodeURIComponent(carried.id)}"`), "back to its triggering alert");

    // From the device: its investigations only.
    const device = await page(`/devices/${contoso}/${carried.machineId}`);
    const own = /<a href="([^"]+)" id="device-investigations-link">/.exec(device)?.[1];
    assert.equal(unescapeHtml(own!), `/investigations?tenant=${contoso}&machine=${carried.machineId}`);
    const ofDevice = await page(unescapeHtml(own!));
    const ids = [...ofDevice.matchAll(/<tr data-investigation="([^"]+)"/g)].map((m) => m[1]);
    const expected = remote.value.filter((i) => i.machineId === carried.machineId).map((i) => String(i.id));
    assert.deepEqual(new Set(ids), new Set(expected));
    assert.ok(ids.includes(String(carried.payload.investigationId)));
  });
});

describe("in Chromium", () => {
  it("from an alert's evidence to the file's page and on to its device", {
    skip: withoutChromium(),
    timeout: 90_000,
  }, async () => {
    const { alert, value: sha1 } = await alertWith(contoso, (e) => (e.entityType === "File" || e.entityType === "Process" ? e.sha1 : null));
    const base = (await console_.start()).url;
    await inChromium(base, "viewer", async (tab) => {
      await tab.goto(`${base}/alerts/${contoso}/${encodeURIComponent(alert.id)}`);
      await Promise.all([tab.waitForURL(new RegExp(`/files/${sha1}$`)), tab.click(`#evidence a[href="/files/${sha1}"] >> nth=0`)]);
      const part = tab.locator(`section[data-tenant="${contoso}"]`);
      assert.equal(await part.getAttribute("data-outcome"), "known");
      assert.match((await tab.locator("#entity-summary").textContent()) ?? "", /Known in \d+ of 4 tenant\(s\)/);
      if (alert.machineId) {
        await Promise.all([tab.waitForURL(new RegExp(`/devices/${contoso}/${alert.machineId}$`)), part.locator(`a[href="/devices/${contoso}/${alert.machineId}"]`).first().click()]);
        assert.equal(await tab.locator("h1").count(), 1);
      }
    });
  });
});
