// The customer report from a store synced from the emulator: operators acknowledge and resolve
// alerts and isolate a device, the store syncs again, and the report shows those counts, response
// times and actions in its HTML (SVG charts with their data) and in a PDF printed by Debian's
// Chromium, whose pages pdf.js renders in the same Chromium. A hostile tenant's names stay text.
// Screenshots of the HTML and of the PDF's first page: /tmp/report-shots/.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { collectReport, logoDataUri, printReportPdf, type ReportData, ReportError, renderReportHtml } from "@mde-partner/server";
import { runResponseAction, syncOnce, updateAlert } from "@mde-partner/sync";
import { HOSTILE_STRINGS } from "@mde-partner/test-kit";
import { chromium } from "playwright-core";
import { CHROMIUM, createWorld, withoutChromium, type World } from "./support.js";

const SHOTS = "/tmp/report-shots";
const skipBrowser = withoutChromium();

let world: World;
let contoso: string;
let mallory: string;
let period: { from: string; to: string };
let data: ReportData;
let html: string;
const acknowledged: string[] = [];
let resolved: string;

const day = (iso: string) => iso.slice(0, 10);

before(async () => {
  world = await createWorld({
    emulator: { tenants: [{ name: "Contoso" }, { name: "Mallory", hostile: true }], alertsPerTenant: 30, machinesPerTenant: 4 },
  });
  const id = (name: string) => world.info.tenants.find((t) => t.name === name)!.id;
  [contoso, mallory] = [id("Contoso"), id("Mallory")];
  await world.store.upsertTenant({ id: contoso, name: "Contoso", initialState: "consented" });
  await world.store.upsertTenant({ id: mallory, name: `Mallory ${HOSTILE_STRINGS.html}`, initialState: "consented" });
  await syncOnce({ store: world.store, partner: world.partner });

  const operator = { store: world.store, partner: world.partner, actor: "alice" };
  const fresh = (await world.store.queryAlerts({ tenantIds: [contoso], statuses: ["New"], limit: 10 })).items;
  assert.ok(fresh.length >= 3, "the emulator's tenant has new alerts");
  for (const a of fresh.slice(0, 2)) {
    await updateAlert(operator, { tenantId: contoso, alertId: a.id, update: { status: "InProgress" } });
    acknowledged.push(a.id);
  }
  resolved = fresh[2]!.id;
  await updateAlert(operator, { tenantId: contoso, alertId: resolved, update: { status: "Resolved" } });
  const [machine] = await world.store.listMachines(contoso, { limit: 1 });
  await runResponseAction({
    store: world.store,
    partner: world.partner,
    actor: "alice",
    tenantId: contoso,
    machineId: machine!.id,
    action: "isolate",
    isolationType: "Full",
    comment: "contain the ransomware on this host",
    wait: true,
    pollIntervalMs: 20,
  });
  await syncOnce({ store: world.store, partner: world.partner });

  const times = (await world.store.queryAlerts({ tenantIds: [contoso], sort: "alertCreationTime", order: "asc", limit: 1000 })).items.map((a) => a.alertCreationTime!);
  period = { from: day(times[0]!), to: day(new Date().toISOString()) };
  data = await collectReport(world.store, { subject: { kind: "tenant", name: "Contoso" }, tenantIds: [contoso], ...period });
  html = renderReportHtml(data, { partnerName: "Northwind SOC", logo: logoDataUri(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><circle cx="20" cy="20" r="18" fill="#0b5"/></svg>'), "logo.svg") });
  mkdirSync(SHOTS, { recursive: true });
});
after(() => world?.close());

/** Asserts `page` matches `pattern` without printing the whole page when it does not. */
function has(page: string, pattern: RegExp, what = String(pattern)): void {
  assert.ok(pattern.test(page), `the report has ${what}`);
}

function lacks(page: string, pattern: RegExp): void {
  const m = pattern.exec(page);
  assert.ok(!m, `the report has ${pattern} at …${m ? page.slice(Math.max(0, m.index - 80), m.index + 80) : ""}…`);
}

/** The numbers the charts carry, read back from the SVG. */
function chartValues(page: string, chart: string, attribute: string): number[] {
  const svg = new RegExp(`<svg[^>]*data-chart="${chart}"[\\s\\S]*?</svg>`).exec(page)?.[0];
  assert.ok(svg, `chart ${chart} is on the page`);
  return [...svg.matchAll(new RegExp(`${attribute}="(\\d+)"`, "g"))].map((m) => Number(m[1]));
}

describe("a customer's report", () => {
  it("counts the tenant's alerts of the period, and the charts carry the same numbers", async () => {
    const inStore = await world.store.countAlerts({ tenantIds: [contoso], timeField: "alertCreationTime", from: `${period.from}T00:00:00Z` });
    assert.equal(data.alerts.total, inStore);
    assert.ok(data.alerts.total >= 30);
    has(html, new RegExp(`data-figure="alerts"><b>${inStore}</b>`));
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    assert.equal(sum(chartValues(html, "alerts-over-time", "data-count")), inStore, "the stacked bars add up to every alert");
    assert.equal(sum(chartValues(html, "alerts-by-severity", "data-value")), inStore);
    assert.equal(sum(chartValues(html, "alerts-by-category", "data-value")), inStore);
    for (const s of data.alerts.bySeverity) {
      const high = await world.store.countAlerts({ tenantIds: [contoso], severities: [s.key], timeField: "alertCreationTime", from: `${period.from}T00:00:00Z` });
      if (s.key !== "UnSpecified") assert.equal(s.count, high, s.key);
    }
    assert.ok(chartValues(html, "top-devices", "data-value").length > 0);
  });

  it("measures acknowledge and resolve times from the alert history, and lists the isolation with who and why", () => {
    assert.equal(data.response.acknowledge.measured, acknowledged.length + 1, "two InProgress and one Resolved straight from New");
    assert.ok(data.response.resolve.measured >= 1);
    assert.ok((data.response.acknowledge.medianMinutes ?? -1) >= 0);
    assert.equal(data.actions.total, 1);
    const [action] = data.actions.shown;
    assert.equal(action!.type, "Isolate");
    assert.equal(action!.who, "alice");
    assert.equal(action!.why, "contain the ransomware on this host");
    has(html, /<td>contain the ransomware on this host<\/td>/);
    has(html, /data-figure="acknowledge-measured"><b>3<\/b>/);
  });

  it("is one file: no script, nothing fetched, the partner's name and logo inside", () => {
    lacks(html, /<script/i);
    lacks(html, /(?:src|href)="(?!data:)/);
    has(html, /data-role="partner-name">Northwind SOC</, "the partner's name");
    has(html, /<img src="data:image\/svg\+xml;base64,/);
    has(html, /Content-Security-Policy" content="default-src &#39;none&#39;; img-src data:;/);
  });

  it("shows exposure and the top CVEs once the vulnerability data is synced", () => {
    assert.ok(data.exposure, "TVM was synced");
    assert.ok(data.exposure.topCves.length > 0);
    assert.ok(chartValues(html, "top-cves", "data-value").length > 0);
  });

  it("for a group, adds up its tenants; a hostile tenant's names and devices stay text", async () => {
    // What a hostile tenant's API could say in the fields the report shows (category, device, action comment).
    const now = new Date().toISOString();
    await world.store.applyAlertPage(
      mallory,
      [{ id: "da-hostile", title: "x", severity: "High", status: "New", machineId: "m-hostile", alertCreationTime: now, lastUpdateTime: now, category: HOSTILE_STRINGS.html, computerDnsName: `host ${HOSTILE_STRINGS.html}` } as never],
      { value: now, seenIds: ["da-hostile"] } as never,
    );
    await world.store.upsertMachineActions(mallory, [
      { id: "act-hostile", type: "RunAntiVirusScan", status: "Succeeded", machineId: "m-hostile", requestor: HOSTILE_STRINGS.html, requestorComment: `why ${HOSTILE_STRINGS.html}`, creationDateTimeUtc: now, lastUpdateDateTimeUtc: now },
    ]);
    const group = await collectReport(world.store, { subject: { kind: "group", name: "retail" }, tenantIds: [contoso, mallory], ...period });
    const page = renderReportHtml(group);
    const one = await collectReport(world.store, { subject: { kind: "tenant", name: "Mallory" }, tenantIds: [mallory], ...period });
    assert.equal(group.alerts.total, data.alerts.total + one.alerts.total);
    assert.ok(!page.includes(HOSTILE_STRINGS.html), "the markup is escaped");
    lacks(page, /<img[^>]*onerror/i);
    lacks(page, /<script/i);
    has(page, /Mallory &lt;img src=x onerror=&quot;/, "the hostile tenant's name as text");
    has(page, /data-chart="alerts-by-category"[\s\S]*?&lt;img src=x onerror=/, "the hostile category as text");
    has(page, /data-chart="top-devices"[\s\S]*?host &lt;img src=x onerror=/, "the hostile device name as text");
    has(page, /<td>why &lt;img src=x onerror=/, "the hostile action comment as text");
    assert.ok(page.length < 1_000_000, `the page stays small (${page.length})`);
  });

  it("refuses an SVG logo with script, handlers or outside links, and a file that is no image", () => {
    for (const svg of [
      '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
      '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
      '<svg xmlns="http://www.w3.org/2000/svg"><image href="https://evil.example/x.png"/></svg>',
      '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg>&x;</svg>',
      "GIF89a",
    ]) {
      assert.throws(() => logoDataUri(Buffer.from(svg), "logo"), (e: unknown) => e instanceof ReportError && e.code === "ERR_REPORT_LOGO", svg);
    }
  });
});

describe("the report in Chromium", { skip: skipBrowser }, () => {
  let server: Server;
  let base: string;
  let pdf: Uint8Array;
  const pdfjs = dirname(createRequire(import.meta.url).resolve("pdfjs-dist/package.json"));

  before(async () => {
    pdf = await printReportPdf(html, { chromiumPath: CHROMIUM });
    // pdf.js reads the PDF in Chromium from a loopback server (module scripts do not load from file://).
    const files: Record<string, [string, Buffer | string]> = {
      "/report.pdf": ["application/pdf", Buffer.from(pdf)],
      "/report.html": ["text/html", html],
      "/pdf.mjs": ["text/javascript", readFileSync(join(pdfjs, "build/pdf.mjs"))],
      "/pdf.worker.mjs": ["text/javascript", readFileSync(join(pdfjs, "build/pdf.worker.mjs"))],
      "/view.html": [
        "text/html",
        `<!doctype html><canvas id="page"></canvas><script type="module">
import * as pdfjs from "/pdf.mjs";
pdfjs.GlobalWorkerOptions.workerSrc = "/pdf.worker.mjs";
const doc = await pdfjs.getDocument("/report.pdf").promise;
let text = "";
for (let i = 1; i <= doc.numPages; i++) text += (await (await doc.getPage(i)).getTextContent()).items.map((t) => t.str).join(" ") + "\\n";
const first = await doc.getPage(1);
const viewport = first.getViewport({ scale: 1.5 });
const canvas = document.getElementById("page");
canvas.width = viewport.width; canvas.height = viewport.height;
const ctx = canvas.getContext("2d");
await first.render({ canvasContext: ctx, viewport }).promise;
const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
let red = 0;
for (let i = 0; i < px.length; i += 4) if (px[i] > 170 && px[i + 1] < 70 && px[i + 2] < 70) red++;
window.result = { pages: doc.numPages, text, red };
</script>`,
      ],
    };
    server = createServer((req, res) => {
      const file = files[req.url ?? ""];
      if (!file) return void res.writeHead(404).end();
      res.writeHead(200, { "content-type": file[0] }).end(file[1]);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  it("prints a PDF whose pages render with the charts and their text", async () => {
    assert.equal(Buffer.from(pdf.subarray(0, 5)).toString(), "%PDF-");
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
    try {
      const tab = await browser.newPage({ viewport: { width: 900, height: 1300 } });
      await tab.goto(`${base}/report.html`);
      assert.equal(await tab.locator("svg[data-chart] rect[data-count]").count() > 0, true, "the HTML's charts are drawn");
      await tab.screenshot({ path: join(SHOTS, "report-html.png"), fullPage: true });
      await tab.goto(`${base}/view.html`);
      await tab.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, undefined, { timeout: 30_000 });
      const result = (await tab.evaluate(() => (window as unknown as { result: { pages: number; text: string; red: number } }).result)) as { pages: number; text: string; red: number };
      assert.ok(result.pages >= 2, `pages: ${result.pages}`);
      assert.match(result.text, /Alerts over time/);
      assert.match(result.text, /Northwind SOC/);
      assert.match(result.text, /contain the ransomware on this host/);
      assert.match(result.text, new RegExp(`${data.alerts.total}\\s+alerts raised`));
      assert.ok(result.red > 200, `High-severity bars are painted on page 1 (${result.red} red pixels)`);
      await tab.locator("#page").screenshot({ path: join(SHOTS, "report-pdf-page1.png") });
    } finally {
      await browser.close();
    }
    assert.ok(existsSync(join(SHOTS, "report-pdf-page1.png")));
  });

  it("says what to install when there is no Chromium", async () => {
    await assert.rejects(printReportPdf(html, { chromiumPath: "/nonexistent/chromium" }), (e: unknown) => e instanceof ReportError && e.code === "ERR_REPORT_CHROMIUM_MISSING" && /apt-get install chromium/.test(e.message));
  });
});
