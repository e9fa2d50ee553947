// The SOC overview, the console's home page, over tenants synced from the
// emulator: the figures per customer are what the store holds (counted here
// another way, alert by alert), every figure links to the list it counts and
// that list shows the same number, an operator limited to a customer group sees
// only that group's tenants, and tenant-controlled names stay text.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { addUser } from "@mde-partner/server";
import { syncOnce } from "@mde-partner/sync";
import { Agent, createWorld, inChromium, signedIn, unescapeHtml, type World, withoutChromium } from "./support.js";

const HOSTILE_NAME = `"><script>alert(1)</script><img src=x onerror=alert(2)>`;
const HOSTILE_ID = "0badbad0-0000-4000-8000-00000000abcd";
const DAY = 86_400_000;

let world: World;
let admin: Agent;
let contoso: string;
let northwind: string;
let isolatedMachine: string;

/** The `<td>` of `field` in the row of `tenant` (empty when absent). */
function cell(html: string, tenant: string, field: string): string {
  const row = new RegExp(`<tr data-tenant="${tenant}">([\\s\\S]*?)</tr>`).exec(html)?.[1] ?? "";
  return new RegExp(`<td[^>]*data-field="${field}"[^>]*>([\\s\\S]*?)</td>`).exec(row)?.[1] ?? "";
}
const countIn = (td: string) => Number(/data-count="(\d+)"/.exec(td)?.[1] ?? Number.NaN);
const hrefIn = (td: string) => unescapeHtml(/href="([^"]+)"/.exec(td)?.[1] ?? "");
/** Rows of an alert list page. */
const alertRows = (html: string) => [...html.matchAll(/<tr data-alert="/g)].length;

before(async () => {
  world = await createWorld({
    emulator: { tenants: [{ name: "Contoso" }, { name: "Northwind" }], alertsPerTenant: 40, machinesPerTenant: 3, actionPendingMs: 20, actionInProgressMs: 20 },
  });
  [contoso, northwind] = world.info.tenants.map((t) => t.id) as [string, string];
  const { store } = world;
  await store.upsertTenant({ id: contoso, name: "Contoso", initialState: "consented" });
  await store.upsertTenant({ id: northwind, name: "Northwind", initialState: "consented" });
  // A customer that has not consented yet, under a name an attacker chose.
  await store.upsertTenant({ id: HOSTILE_ID, name: HOSTILE_NAME });
  await syncOnce({ store, partner: world.partner });
  admin = await signedIn(world, "admin");
  // One device of Contoso isolated, through the console, and its action followed until it is done.
  isolatedMachine = (await store.listMachines(contoso))[0]!.id;
  const res = await admin.json("POST", `/api/v1/devices/${contoso}/${isolatedMachine}/actions`, { action: "isolate", comment: "contain", isolationType: "Full" });
  assert.equal(res.status, 202);
  const id = ((await res.json()) as { machineAction: { id: string } }).machineAction.id;
  for (let i = 0; i < 50; i++) {
    const state = (await (await admin.request(`/api/v1/actions/${contoso}/${id}`)).json()) as { action: { status: string }; final: boolean };
    if (state.final) {
      assert.equal(state.action.status, "Succeeded");
      break;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  // Northwind's last three alert syncs failed (as the engine records a failed run).
  for (let i = 0; i < 3; i++) {
    const run = await store.startSyncRun(northwind, "alerts");
    await store.finishSyncRun(run.id, { status: "failed", error: "AADSTS7000215: invalid client secret" });
  }
});
after(() => world.close());

describe("the SOC overview", () => {
  it("is the home page", async () => {
    const res = await admin.request("/");
    assert.equal(res.status, 302);
    assert.equal(res.headers.get("location"), "/overview");
    assert.match(await (await admin.request("/overview")).text(), /<a href="\/overview" aria-current="page">Overview<\/a>/);
    assert.equal((await admin.request("/tenants")).status, 200, "the tenants list stays where it was");
  });

  it("shows each synced customer's figures as the store holds them", async () => {
    const { store } = world;
    const html = await (await admin.request("/overview")).text();
    const now = Date.now();
    const firstDay = Math.floor(now / DAY) * DAY - 29 * DAY;
    let alertsSeen = 0;
    let figures = 0;
    for (const t of [contoso, northwind]) {
      const all = [];
      for await (const a of store.streamAlerts({ tenantIds: [t] })) all.push(a);
      alertsSeen += all.length;
      const open = (s: string) => all.filter((a) => a.severity === s && (a.status === "New" || a.status === "InProgress")).length;
      assert.equal(countIn(cell(html, t, "open-high")), open("High"), `${t}: open High`);
      assert.equal(countIn(cell(html, t, "open-medium")), open("Medium"), `${t}: open Medium`);
      const created = (a: (typeof all)[number]) => Date.parse(a.alertCreationTime ?? "");
      const last30 = all.filter((a) => created(a) >= firstDay && created(a) <= now).length;
      assert.equal(countIn(cell(html, t, "alerts-30d")), last30, `${t}: alerts of the last 30 days`);
      figures += open("High") + open("Medium") + last30;
      const oldest = all.filter((a) => a.status === "New").sort((x, y) => created(x) - created(y))[0];
      const td = cell(html, t, "oldest-new");
      assert.ok(oldest, `${t} has a New alert`);
      if (oldest) assert.equal(hrefIn(td), `/alerts/${t}/${encodeURIComponent(oldest.id)}`, `${t}: the oldest New alert`);
      else assert.match(td, /none/);
      assert.match(cell(html, t, "consent"), /data-state="verified"|consented|verified/);
    }
    assert.ok(alertsSeen > 0, "the emulator's alerts were synced");
    assert.ok(figures > 0, "the figures counted something");
    assert.equal(countIn(cell(html, contoso, "isolated")), 1, "the isolated device");
    assert.match(cell(html, contoso, "isolated"), new RegExp(`/devices/${contoso}/${isolatedMachine}`));
    assert.equal(countIn(cell(html, northwind, "isolated")), 0);
    assert.match(cell(html, contoso, "sync"), /data-sync="ok"/);
    assert.match(cell(html, northwind, "sync"), /data-sync="failing"[\s\S]*3 failed in a row/);
    assert.match(cell(html, HOSTILE_ID, "sync"), /never synced/);
    assert.match(cell(html, HOSTILE_ID, "consent"), /pending/);
    // The chart: one bar per day, each a link to that day's alerts.
    assert.equal([...html.matchAll(/<a href="\/alerts\?from=\d{4}-\d{2}-\d{2}&amp;to=\d{4}-\d{2}-\d{2}&amp;timeField=alertCreationTime" data-day=/g)].length, 30);
    const seven = await (await admin.request("/overview?days=7")).text();
    assert.match(seven, /id="alerts-chart" data-days="7"/);
    assert.equal((await admin.request("/overview?days=12")).status, 400);
  });

  it("links each figure to its filtered list, which shows the same number", async () => {
    const html = await (await admin.request("/overview")).text();
    for (const field of ["open-high", "open-medium", "alerts-30d"]) {
      const td = cell(html, contoso, field);
      const n = countIn(td);
      if (n === 0) continue;
      const href = hrefIn(td);
      const url = new URL(href, "http://console.test");
      assert.equal(url.pathname, "/alerts");
      assert.deepEqual(url.searchParams.getAll("tenant"), [contoso]);
      if (field !== "alerts-30d") assert.deepEqual(url.searchParams.getAll("status"), ["New", "InProgress"]);
      const list = await (await admin.request(`${href}&limit=500`)).text();
      assert.equal(alertRows(list), n, `${field}: the list behind ${href}`);
    }
    assert.equal(hrefIn(cell(html, contoso, "customer")), `/tenants/${contoso}`);
    assert.equal(hrefIn(cell(html, contoso, "isolated")), `/devices?tenant=${contoso}`);
    assert.equal((await admin.request(hrefIn(cell(html, contoso, "oldest-new")))).status, 200);
  });

  it("answers the same figures as JSON at /api/v1/overview", async () => {
    const res = await admin.request("/api/v1/overview");
    assert.equal(res.status, 200);
    const body = (await res.json()) as { days: string[]; tenants: Array<{ tenantId: string; name: string; open: { High: number }; isolatedMachineIds: string[]; sync: { failures: number }; links: { openHigh: string } }> };
    assert.equal(body.days.length, 30);
    const page = await (await admin.request("/overview")).text();
    const c = body.tenants.find((t) => t.tenantId === contoso)!;
    assert.equal(c.open.High, countIn(cell(page, contoso, "open-high")));
    assert.deepEqual(c.isolatedMachineIds, [isolatedMachine]);
    assert.equal(body.tenants.find((t) => t.tenantId === northwind)!.sync.failures, 3);
    assert.equal(body.tenants.find((t) => t.tenantId === HOSTILE_ID)!.name, HOSTILE_NAME, "JSON carries the name as data");
  });

  it("shows an operator limited to a customer group that group's tenants only", async () => {
    const { store } = world;
    await store.addToGroup("north", [northwind]);
    await addUser(world.usersFile, { name: "nadia", password: "scoped-password-1", role: "admin" });
    await store.putGrant({ principalKind: "user", principal: "nadia", role: "viewer", group: "north" });
    const nadia = new Agent(world.console);
    assert.equal((await nadia.signIn("nadia", "scoped-password-1")).status, 303);
    const html = await (await nadia.request("/overview")).text();
    assert.match(html, new RegExp(`data-tenant="${northwind}"`));
    for (const hidden of [contoso, "Contoso", HOSTILE_ID]) assert.ok(!html.includes(hidden), `the page names ${hidden}`);
    const json = (await (await nadia.request("/api/v1/overview")).json()) as { tenants: Array<{ tenantId: string }>; totals: { isolated: number } };
    assert.deepEqual(json.tenants.map((t) => t.tenantId), [northwind]);
    assert.equal(json.totals.isolated, 0, "Contoso's isolated device is not counted");
    // A group she is not in is refused like an unknown one; the admin's group filter narrows.
    await store.addToGroup("west", [contoso]);
    assert.equal((await nadia.request("/overview?group=west")).status, 400);
    const west = (await (await admin.request("/api/v1/overview?group=west")).json()) as { tenants: Array<{ tenantId: string }> };
    assert.deepEqual(west.tenants.map((t) => t.tenantId), [contoso]);
  });

  it("in Chromium: the chart is drawn, a bar and a count open their lists, the hostile name runs nothing", { skip: withoutChromium() }, async () => {
    const { url } = await world.console.start();
    await inChromium(url, "admin", async (tab, dialogs) => {
      await tab.goto(`${url}/`);
      assert.match(tab.url(), /\/overview$/);
      const bars = tab.locator("#alerts-chart > svg a[data-day]");
      assert.equal(await bars.count(), 30);
      const box = await tab.locator("#alerts-chart > svg").boundingBox();
      assert.ok(box && box.width > 300 && box.height > 80, "the chart has a size on the page");
      // The newest day with alerts: its bar opens the alert list of that day, as many rows as the bar counts.
      const days = await bars.evaluateAll((els) => els.map((e) => [e.getAttribute("data-day"), Number(e.getAttribute("data-count"))] as const));
      const [day, count] = days.filter(([, n]) => n > 0).at(-1) ?? assert.fail("a day with alerts");
      await Promise.all([tab.waitForURL(/\/alerts\?/), tab.locator(`#alerts-chart > svg a[data-day="${day}"]`).click()]);
      assert.equal(new URL(tab.url()).searchParams.get("from"), day);
      if (count <= 50) assert.equal(await tab.locator("tr[data-alert]").count(), count);
      await tab.goBack();
      const high = tab.locator(`tr[data-tenant="${contoso}"] td[data-field="open-high"] a`);
      const n = Number(await high.getAttribute("data-count"));
      await Promise.all([tab.waitForURL(/\/alerts\?/), high.click()]);
      assert.equal(await tab.locator("tr[data-alert]").count(), Math.min(n, 50));
      await tab.goto(`${url}/overview`);
      assert.equal(await tab.locator(`tr[data-tenant="${HOSTILE_ID}"] td[data-field="customer"] a`).textContent(), HOSTILE_NAME);
      assert.deepEqual(dialogs, [], "no script ran");
    });
  });

  it("shows a hostile tenant name as text", async () => {
    const html = await (await admin.request("/overview")).text();
    assert.ok(!html.includes("<script>alert(1)"), "no live script");
    assert.doesNotMatch(html, /<img[^>]*onerror/i);
    const name = cell(html, HOSTILE_ID, "customer");
    assert.equal(unescapeHtml(/>([^<]*)<\/a>/.exec(name)?.[1] ?? ""), HOSTILE_NAME);
  });
});
