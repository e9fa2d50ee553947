// The console's vulnerability pages: exposure per customer (worst first, with
// when each snapshot was taken), the CVEs on the most customers, one CVE's
// customers and machines with links to the device pages, and the device
// page's TVM sections — all from the store, with no API call on a page view.
// A hostile tenant's TVM text stays inert and bounded, in real Chromium too.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { HOSTILE_STRINGS } from "@mde-partner/emulator";
import { syncOnce } from "@mde-partner/sync";
import { type Agent, createWorld, inChromium, signedIn, type World, withoutChromium } from "./support.js";

const PAGE_BUDGET = 300 * 1024;

let world: World;
let viewer: Agent;
let contoso: string;
let mallory: string;
let pending: string;
/** A machine of Mallory's whose hostile name the pages show. */
let malloryMachine: string;

const apiCalls = () => world.emulator.control.journal({ kind: "api" }).length;

before(async () => {
  world = await createWorld({
    emulator: {
      tenants: [{ name: "Contoso" }, { name: "Fabrikam", consented: false }, { name: "Mallory", hostile: true }],
      alertsPerTenant: 3,
      machinesPerTenant: 5,
    },
  });
  const id = (name: string) => world.info.tenants.find((t) => t.name === name)!.id;
  [contoso, mallory, pending] = [id("Contoso"), id("Mallory"), id("Fabrikam")];
  await world.store.upsertTenant({ id: contoso, name: "Contoso", initialState: "consented" });
  await world.store.upsertTenant({ id: mallory, name: `Mallory ${HOSTILE_STRINGS.html}`, initialState: "consented" });
  await world.store.upsertTenant({ id: pending, name: "Fabrikam" });
  const report = await syncOnce({ store: world.store, partner: world.partner });
  for (const t of report.tenants) assert.equal(t.tvm?.status, "ok", JSON.stringify(t));

  // The emulator's TVM catalogue is shared by its tenants; what a hostile tenant's API could say in it is written here.
  const machines = await world.store.listMachines(mallory);
  malloryMachine = machines[0]!.id;
  const [topCve] = await world.store.topTvmCves({ tenantIds: [contoso], limit: 1 });
  const hostile = `${HOSTILE_STRINGS.html}${HOSTILE_STRINGS.javascriptUrl}${HOSTILE_STRINGS.osc8}`;
  await world.store.replaceTvmSnapshot(mallory, {
    exposureScore: { score: 99.5, time: hostile },
    secureScore: { score: 1, time: "2026-12-02T00:00:00Z" },
    machineVulnerabilities: machines.flatMap((m) => [
      { machineId: m.id, cveId: topCve!.cveId, productVendor: hostile, productName: HOSTILE_STRINGS.long, productVersion: hostile, fixingKbId: hostile, severity: "Critical" },
      { machineId: m.id, cveId: `CVE-${HOSTILE_STRINGS.html}`, productName: "x", severity: hostile },
    ]),
    vulnerabilities: [{ id: topCve!.cveId, name: hostile, description: `${hostile}${HOSTILE_STRINGS.long}`, severity: "Critical", cvssV3: 10, exploitTypes: [hostile] }],
    software: machines.map((m) => ({ deviceId: m.id, softwareVendor: "vendor", softwareName: hostile, softwareVersion: HOSTILE_STRINGS.long, endOfSupportStatus: hostile })),
    recommendations: [{ id: `va-_-vendor-_-${hostile}`.toLowerCase(), recommendationName: HOSTILE_STRINGS.long, productName: hostile, vendor: hostile, status: hostile }],
    missingPermissions: [hostile],
  });
  viewer = await signedIn(world, "viewer");
});
after(() => world.close());

async function page(path: string): Promise<string> {
  const res = await viewer.request(path);
  const text = await res.text();
  assert.equal(res.status, 200, `${path}: ${text.slice(0, 300)}`);
  return text;
}

/** Markup escaped, links our own, the page small; no control character in `ours` (default the whole page; the device page's own facts are another view's). */
function assertInert(html: string, where: string, ours = html): void {
  assert.ok(!html.includes(HOSTILE_STRINGS.html), `${where}: markup escaped`);
  assert.doesNotMatch(html, /<img[^>]*onerror|<script>alert/i, `${where}: nothing live`);
  assert.doesNotMatch(ours, /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/, `${where}: no control character`);
  for (const m of html.matchAll(/href="([^"]*)"/g)) assert.ok(/^[/#]/.test(m[1]!), `${where}: link ${m[1]!.slice(0, 80)}`);
  assert.ok(html.length < PAGE_BUDGET, `${where}: ${html.length} bytes`);
}

const table = (html: string, id: string) => new RegExp(`<table id="${id}">[\\s\\S]*?</table>`).exec(html)?.[0] ?? "";

describe("the vulnerabilities page", () => {
  it("is in the navigation and shows exposure per customer, worst first, with when it was taken", async () => {
    const calls = apiCalls();
    const html = await page("/vulnerabilities");
    assert.match(html, /<a href="\/vulnerabilities" aria-current="page">Vulnerabilities<\/a>/);
    const exposure = table(html, "exposure");
    const order = [...exposure.matchAll(/<tr data-tenant="([^"]+)" data-exposure="([^"]+)">/g)].map((m) => [m[1], m[2]]);
    const contosoScore = (await world.store.getTvmSnapshot(contoso))!.exposureScore!;
    assert.deepEqual(order, [
      [mallory, "99.5"],
      [contoso, contosoScore.toFixed(1)],
      [pending, "—"],
    ]);
    const contosoRow = new RegExp(`<tr data-tenant="${contoso}"[\\s\\S]*?</tr>`).exec(exposure)?.[0] ?? "";
    assert.match(contosoRow, /<td data-field="taken"><time datetime="[^"]+">\d{4}-\d\d-\d\d \d\d:\d\d UTC<\/time>/);
    const pendingRow = new RegExp(`<tr data-tenant="${pending}"[\\s\\S]*?</tr>`).exec(exposure)?.[0] ?? "";
    assert.match(pendingRow, /no TVM snapshot yet/);
    assertInert(html, "/vulnerabilities");
    assert.equal(apiCalls(), calls, "the page reads the store only");
  });

  it("lists the CVEs on the most customers with machine counts, severity, CVSS and exploit flags", async () => {
    const html = await page("/vulnerabilities");
    const top = await world.store.topTvmCves({ limit: 50 });
    const rows = [...table(html, "top-cves").matchAll(/<tr data-cve="([^"]+)">[\s\S]*?<td class="num" data-field="customers">(\d+)<\/td><td class="num" data-field="machines">(\d+)<\/td>/g)];
    assert.equal(rows.length, top.length);
    assert.deepEqual(rows[0]?.slice(1), [top[0]!.cveId, "2", String(top[0]!.machines)], "the CVE both customers have comes first");
    assert.ok(rows.every((r, i) => i === 0 || Number(rows[i - 1]![2]) >= Number(r[2])), "most customers first");
  });

  it("drills into a CVE: its customers and machines, each machine linking to its device page", async () => {
    const [top] = await world.store.topTvmCves({ limit: 1 });
    const calls = apiCalls();
    const html = await page(`/vulnerabilities/${top!.cveId}`);
    assert.match(html, new RegExp(`<h1>${top!.cveId}</h1>`));
    const customers = [...table(html, "cve-customers").matchAll(/<tr data-tenant="([^"]+)">/g)].map((m) => m[1]);
    assert.deepEqual(new Set(customers), new Set([contoso, mallory]));
    const links = [...table(html, "cve-machines").matchAll(/<a href="(\/devices\/[^"]+)">/g)].map((m) => m[1]!);
    assert.equal(links.length, top!.machines);
    assert.ok(links.includes(`/devices/${mallory}/${malloryMachine}`));
    assertInert(html, "CVE page");
    const description = /<dd id="cve-description">([\s\S]*?)<\/dd>/.exec(html)?.[1] ?? "";
    assert.ok(description.length > 0 && description.length < 4_000, `the description is bounded (${description.length})`);
    assert.equal(apiCalls(), calls, "the page reads the store only");
    const device = await page(links.find((l) => l.includes(contoso))!);
    assert.match(device, new RegExp(`<tr data-cve="${top!.cveId}">`));
  });

  it("answers 404 for an unknown or malformed CVE", async () => {
    assert.equal((await viewer.request("/vulnerabilities/CVE-1999-0001")).status, 404);
    assert.equal((await viewer.request(`/vulnerabilities/${encodeURIComponent("<x>")}`)).status, 404);
  });
});

describe("the device page's vulnerability sections", () => {
  it("shows the machine's vulnerabilities, missing KBs, software and recommendations with the snapshot's time", async () => {
    const [machine] = await world.store.listMachines(contoso, { limit: 1 });
    const calls = apiCalls();
    const html = await page(`/devices/${contoso}/${machine!.id}`);
    const snapshot = await world.store.getTvmSnapshot(contoso);
    assert.match(html, new RegExp(`<p class="muted" id="tvm-snapshot" data-state="taken" data-taken="${snapshot!.takenAt!.replace(/[.]/g, "\\.")}">`));
    const vulns = await world.store.listMachineTvmVulnerabilities(contoso, machine!.id);
    assert.equal([...table(html, "device-vulnerabilities").matchAll(/<tr data-cve=/g)].length, Math.min(vulns.length, 200));
    const software = await world.store.listMachineSoftware(contoso, machine!.id);
    assert.ok(software.length > 0);
    for (const s of software.slice(0, 5)) assert.ok(table(html, "device-software").includes(s.version), s.version);
    const kbs = await world.store.listMachineMissingKbs(contoso, machine!.id);
    for (const k of kbs.slice(0, 5)) assert.ok(table(html, "device-missing-kbs").includes(`<td>${k.kbId}</td>`), k.kbId);
    assert.match(html, /<h2>Recommendations<\/h2>/);
    assert.equal(apiCalls(), calls, "the device page's TVM sections read the store only");
  });

  it("says plainly when the tenant has no snapshot yet", async () => {
    const [machine] = await world.store.listMachines(contoso, { limit: 1 });
    const other = crypto.randomUUID();
    await world.store.upsertTenant({ id: other, name: "New customer", initialState: "consented" });
    await world.store.replaceMachines(other, [{ ...machine!.payload, id: machine!.id }]);
    const html = await page(`/devices/${other}/${machine!.id}`);
    assert.match(html, /id="tvm-snapshot" data-state="none">\s*No vulnerability-management snapshot of this tenant yet/);
    assert.match(html, /No vulnerabilities until the first snapshot\./);
  });

  it("keeps a hostile tenant's TVM text inert and bounded", async () => {
    const html = await page(`/devices/${mallory}/${malloryMachine}`);
    const section = /<section id="device-tvm"[\s\S]*?<\/section>/.exec(html)?.[0] ?? "";
    assert.ok(section.length > 0);
    assertInert(html, "hostile device page", section);
    assert.match(table(html, "device-software"), /LONGxxx/, "the long version is there, cut short");
  });

  it("in Chromium, nothing hostile runs on the vulnerability pages and the links lead to the device page", {
    skip: withoutChromium(),
    timeout: 90_000,
  }, async () => {
    const base = (await world.console.start()).url;
    await inChromium(base, "viewer", async (tab, dialogs) => {
      await Promise.all([tab.waitForURL(/\/vulnerabilities$/), tab.click("nav >> text=Vulnerabilities")]);
      await Promise.all([tab.waitForURL(/\/vulnerabilities\/CVE-/), tab.locator("#top-cves tbody tr a").first().click()]);
      assert.equal(await tab.locator("#cve-customers tbody tr").count(), 2);
      await Promise.all([tab.waitForURL(new RegExp(`/devices/${mallory}/`)), tab.locator(`#cve-machines a[href^="/devices/${mallory}/"]`).first().click()]);
      assert.equal(await tab.locator("#device-tvm h2").first().textContent(), "Vulnerabilities");
      const live = await tab.evaluate(() => document.querySelectorAll("main img, main script, main iframe").length);
      assert.equal(live, 0);
      assert.deepEqual(dialogs, []);
    });
  });
});
