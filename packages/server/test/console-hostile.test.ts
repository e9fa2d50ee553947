// The console against a hostile customer tenant (the emulator's `hostile: true`):
// its alerts, incidents, devices, evidence and portal links carry HTML and
// script, `javascript:` URLs, terminal escapes and a 2,000,000-character title
// and description (in hunting results too, and in a tenant's error text). Every page that shows them escapes them, links only to the
// cloud's Defender portal, and stays small; in real Chromium nothing runs.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { HOSTILE_STRINGS } from "@mde-partner/emulator";
import { type Agent, createWorld, inChromium, signedIn, unescapeHtml, type World, withoutChromium } from "./support.js";

/** Characters of a tenant value in a list cell (the console's clip.ts). */
const LIST_CELL = 200;
/** What a page may weigh with a 2 MB title in it. */
const PAGE_BUDGET = 300 * 1024;

let world: World;
let responder: Agent;
let mallory: string;
let longAlert: { tenantId: string; id: string };
let otherAlert: { tenantId: string; id: string };
let incident: { tenantId: string; id: string };
let device: { tenantId: string; id: string };

before(async () => {
  world = await createWorld({
    emulator: { tenants: [{ name: "Contoso" }, { name: "Mallory", hostile: true }], alertsPerTenant: 8, machinesPerTenant: 3 },
  });
  mallory = world.info.tenants.find((t) => t.name === "Mallory")!.id;
  await world.store.upsertTenant({ id: mallory, name: "Mallory", initialState: "consented" });
  responder = await signedIn(world, "responder");
  // MDE first (devices and MDE alerts), then Graph (alerts_v2 with portal links, incidents).
  assert.equal((await responder.form(`/tenants/${mallory}/sync`, {})).status, 200);
  await world.store.setTenantSource(mallory, "graph");
  assert.equal((await responder.form(`/tenants/${mallory}/sync`, {})).status, 200);

  const alerts = (await world.store.queryAlerts({ tenantIds: [mallory], limit: 100 })).items;
  const long = alerts.find((a) => (a.title ?? "").length >= HOSTILE_STRINGS.long.length);
  assert.ok(long, "the hostile tenant's 2 MB alert is stored in full");
  longAlert = long;
  otherAlert = alerts.find((a) => a !== long && typeof a.payload.alertWebUrl === "string") ?? alerts.find((a) => a !== long)!;
  const incidents = (await world.store.queryIncidents({ tenantIds: [mallory], limit: 10 })).items;
  assert.ok(incidents.length > 0, "incidents synced");
  incident = incidents[0]!;
  const [machine] = await world.store.listMachines(mallory, { limit: 1 });
  assert.ok(machine);
  device = machine;
  // An action on the hostile device puts its name into the audit log's rows.
  const action = await responder.form(`/devices/${mallory}/${device.id}/actions`, { action: "scan", scanType: "Quick", comment: "check it" });
  assert.equal(action.status, 303);
});
after(() => world.close());

/** Every way a hostile string could come alive in the HTML. */
function assertInert(page: string, where: string): void {
  assert.ok(!page.includes(HOSTILE_STRINGS.html), `${where}: the markup is escaped`);
  assert.doesNotMatch(page, /<img[^>]*onerror/i, `${where}: no live <img onerror>`);
  assert.doesNotMatch(page, /<script>alert/i, `${where}: no live <script>`);
  assert.doesNotMatch(page, /\son\w+="alert/i, `${where}: no injected event attribute`);
  assert.doesNotMatch(page, /href\s*=\s*["']?\s*javascript:/i, `${where}: no javascript: link`);
  for (const m of page.matchAll(/href="([^"]*)"/g)) {
    const href = m[1]!;
    assert.ok(href.startsWith("/") || href.startsWith("#") || href.startsWith("https://security.microsoft.com/"), `${where}: link ${href.slice(0, 80)}`);
  }
}

async function page(path: string): Promise<string> {
  const res = await responder.request(path);
  const text = await res.text();
  assert.equal(res.status, 200, `${path}: ${text.slice(0, 300)}`);
  return text;
}

describe("a hostile tenant's data in the console", () => {
  it("the alerts list escapes every title and stays small with a 2 MB title on it", async () => {
    const html = await page(`/alerts?tenant=${mallory}&limit=50`);
    assertInert(html, "/alerts");
    assert.ok(html.length < PAGE_BUDGET, `/alerts is ${html.length} bytes`);
    assert.match(html, /LONGxxxx/, "the long title is there, cut short");
    assert.match(html, /&#60;img src=x onerror=&#34;alert\(&#39;xss&#39;\)&#34;&#62;/, "the markup shows as text");
  });

  it("the 2 MB alert's detail page shows a bounded title and description and links to the whole record", async () => {
    const path = `/alerts/${mallory}/${encodeURIComponent(longAlert.id)}`;
    const html = await page(path);
    assertInert(html, path);
    assert.ok(html.length < PAGE_BUDGET, `${path} is ${html.length} bytes`);
    const full = `/api/v1/alerts/${mallory}/${encodeURIComponent(longAlert.id)}`;
    assert.match(html, new RegExp(`of 2,000,000 characters shown; <a href="${full.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}">`));
    const json = (await (await responder.request(full)).json()) as { title: string };
    assert.equal(json.title.length, longAlert.title!.length, "the JSON API has it all");
  });

  it("another hostile alert: evidence and comments escaped, the javascript: portal link shown as text", async () => {
    const path = `/alerts/${mallory}/${encodeURIComponent(otherAlert.id)}`;
    const html = await page(path);
    assertInert(html, path);
    if (typeof otherAlert.payload.alertWebUrl === "string") {
      assert.match(html, /<dd id="alert-portal"><span class="untrusted-url"[^>]*>javascript:alert\(document\.cookie\)<\/span>/);
    }
  });

  it("incidents list and detail: names escaped, incidentWebUrl = javascript: is not a link", async () => {
    const list = await page(`/incidents?tenant=${mallory}`);
    assertInert(list, "/incidents");
    assert.ok(list.length < PAGE_BUDGET);
    const path = `/incidents/${mallory}/${encodeURIComponent(incident.id)}`;
    const html = await page(path);
    assertInert(html, path);
    assert.ok(html.length < PAGE_BUDGET, `${path} is ${html.length} bytes`);
    assert.match(html, /<dd id="incident-portal"><span class="untrusted-url"/);
  });

  it("devices list and detail, and the audit log naming the hostile device, are escaped", async () => {
    const list = await page(`/devices?tenant=${mallory}`);
    assertInert(list, "/devices");
    const detail = await page(`/devices/${mallory}/${device.id}`);
    assertInert(detail, "device detail");
    const audit = await page("/audit");
    assertInert(audit, "/audit");
    // The audit row names the tenant and the device, not only their ids.
    const row = /<tr data-action="machine\.scan" data-phase="requested">[\s\S]*?<\/tr>/.exec(audit)?.[0] ?? "";
    assert.match(row, new RegExp(`<a href="/tenants/${mallory}">Mallory</a>`));
    assert.match(row, new RegExp(`<a href="/devices/${mallory}/${device.id}">`));
  });

  it("hunting results: every cell of the hostile rows escaped and cut short, the page small, the CSV in full", async () => {
    const res = await responder.form("/hunting", { query: "AlertInfo | project AlertId, Title, Category", tenant: mallory });
    const html = await res.text();
    assert.equal(res.status, 200, html.slice(0, 300));
    assertInert(html, "/hunting");
    assert.ok(html.length < PAGE_BUDGET, `/hunting is ${html.length} bytes`);
    const table = /<table id="hunt-results">[\s\S]*?<\/table>/.exec(html)?.[0] ?? "";
    const long = /<td>(LONGx+)…<\/td>/.exec(table)?.[1] ?? "";
    assert.ok(long.length > 0 && long.length <= LIST_CELL, `the 2 MB title is there, cut to a list cell (${long.length} characters)`);
    assert.match(table, /&#60;img src=x onerror=/, "the markup shows as text");
    assert.match(html, /Long values are cut short here; the CSV has them in full/);
    const csvPath = /<a href="(\/hunting\/[^"]+\.csv)" id="download-csv"/.exec(html)?.[1];
    assert.ok(csvPath);
    const csv = await (await responder.request(csvPath)).text();
    assert.ok(csv.includes(HOSTILE_STRINGS.long), "the CSV keeps the whole value");
  });

  it("the tenants page and the tenant's page bound a hostile error text and escape it", async () => {
    // What a failed sync records: the tenant's own error text (from its API's answer) as the tenant's last error.
    const lastError = `sync_failed: ${HOSTILE_STRINGS.html} ${HOSTILE_STRINGS.long}`;
    await world.store.upsertTenant({ id: mallory, name: "Mallory", lastError });
    const list = await page("/tenants");
    assertInert(list, "/tenants");
    assert.ok(list.length < PAGE_BUDGET, `/tenants is ${list.length} bytes`);
    const row = new RegExp(`<tr data-tenant="${mallory}"[\\s\\S]*?</tr>`).exec(list)?.[0] ?? "";
    const shown = /<span class="bad">(sync_failed: &#60;img src=x onerror=[^<]*LONGx+)…<\/span>/.exec(row)?.[1] ?? "";
    assert.ok(shown.length > 0 && unescapeHtml(shown).length <= LIST_CELL, `the error is cut to a list cell (${unescapeHtml(shown).length} characters)`);
    const detail = await page(`/tenants/${mallory}`);
    assertInert(detail, "tenant page");
    assert.ok(detail.length < PAGE_BUDGET, `/tenants/${mallory} is ${detail.length} bytes`);
    assert.match(detail, new RegExp(`<dd id="last-error">[^]*?characters shown; <a href="/api/v1/tenants/${mallory}">the whole record as JSON</a>`));
    await world.store.upsertTenant({ id: mallory, name: "Mallory", lastError: null });
  });

  it("the JSON list API bounds each tenant string and says which it cut", async () => {
    const res = (await (await responder.request(`/api/v1/alerts?tenant=${mallory}&limit=100`)).json()) as {
      items: Array<{ id: string; title: string; truncated?: string[] }>;
    };
    const long = res.items.find((a) => a.id === longAlert.id);
    assert.ok(long);
    assert.ok(long.title.length <= 1_025, `title is ${long.title.length} characters`);
    assert.deepEqual(long.truncated, ["title"]);
  });

  it("in Chromium, nothing hostile runs on the alerts, incidents and detail pages (no dialog, no script error)", {
    skip: withoutChromium(),
    timeout: 90_000,
  }, async () => {
    const base = (await world.console.start()).url;
    await inChromium(base, "responder", async (tab, dialogs) => {
      for (const path of [
        `/alerts?tenant=${mallory}`,
        `/alerts/${mallory}/${encodeURIComponent(longAlert.id)}`,
        `/alerts/${mallory}/${encodeURIComponent(otherAlert.id)}`,
        `/incidents?tenant=${mallory}`,
        `/incidents/${mallory}/${encodeURIComponent(incident.id)}`,
      ]) {
        await tab.goto(`${base}${path}`);
        await tab.waitForLoadState("load");
        // Anything that could still run is given the chance: hover and click every link-like element of the tenant's.
        for (const el of await tab.locator(".untrusted-url, #incident-portal a, #alert-portal a").all()) await el.click({ trial: false }).catch(() => {});
        await tab.waitForTimeout(100);
        const live = await tab.evaluate(() => ({
          javascriptLinks: [...document.querySelectorAll("a[href]")].filter((a) => a.getAttribute("href")!.trim().toLowerCase().startsWith("javascript:")).length,
          injected: document.querySelectorAll("main img, main script, main iframe").length,
        }));
        assert.deepEqual(live, { javascriptLinks: 0, injected: 0 }, path);
        if (!tab.url().startsWith(base)) await tab.goBack();
      }
      assert.deepEqual(dialogs, [], "no dialog fired");
    });
  });
});
