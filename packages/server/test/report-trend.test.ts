// The exposure score trend in a customer's report. The TVM sync runs against the emulator on four
// days of November (a fake clock), so the report's trend has the four scores the emulator gave;
// a second customer's scores are written on other days through the store call the TVM sync makes
// (replaceTvmSnapshot), with values that fall, so the group report's lines go the right way. A
// period with one recorded day says there is too little history. A hostile tenant name stays text.
// Screenshot of the trend: /tmp/report-shots/trend.png.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { collectReport, type ReportData, renderReportHtml } from "@mde-partner/server";
import { openStore, type Store, syncOnce } from "@mde-partner/sync";
import { type EmulatorWorld, emulatorWorld, HOSTILE_STRINGS, partnerFor } from "@mde-partner/test-kit";
import { chromium } from "playwright-core";
import { CHROMIUM, withoutChromium } from "./support.js";

const SHOTS = "/tmp/report-shots";
const HOSTILE_NAME = `Fabrikam ${HOSTILE_STRINGS.html}`;
const SYNC_DAYS = ["2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23"];
const WRITTEN = [
  ["2026-11-05", 70],
  ["2026-11-12", 60],
  ["2026-11-19", 45],
] as const;

let world: EmulatorWorld;
let store: Store;
let contoso: string;
let fabrikam: string;
let emulatorScore: number;
let nowMs = Date.parse("2026-11-01T00:00:00Z");

const report = (tenantIds: string[], from: string, to: string, name = "Contoso"): Promise<ReportData> =>
  collectReport(store, { subject: { kind: tenantIds.length > 1 ? "group" : "tenant", name }, tenantIds, from, to });

/** The trend chart's SVG, or undefined. */
const trendSvg = (html: string, chart = "exposure-trend") => new RegExp(`<svg[^>]*data-chart="${chart}"[\\s\\S]*?</svg>`).exec(html)?.[0];

before(async () => {
  world = await emulatorWorld({ seed: "report-trend", tenants: [{ name: "Contoso" }], alertsPerTenant: 3, machinesPerTenant: 4, rateLimits: false });
  const partner = partnerFor(world);
  store = await openStore({ url: ":memory:", clock: { now: () => nowMs } });
  contoso = world.info.tenants[0]!.id;
  fabrikam = crypto.randomUUID();
  await store.upsertTenant({ id: contoso, name: "Contoso", initialState: "consented" });
  await store.upsertTenant({ id: fabrikam, name: HOSTILE_NAME });
  for (const day of SYNC_DAYS) {
    nowMs = Date.parse(`${day}T06:00:00Z`);
    const run = await syncOnce({ store, partner, clock: { now: () => nowMs }, tenantIds: [contoso], tvmIntervalMs: 0 });
    assert.equal(run.tenants[0]?.tvm?.status, "ok", JSON.stringify(run.tenants[0]?.tvm));
  }
  emulatorScore = (await partner.tenant(contoso).mde.scores.getExposureScore()).score;
  for (const [day, score] of WRITTEN) {
    nowMs = Date.parse(`${day}T06:00:00Z`);
    await store.replaceTvmSnapshot(fabrikam, { exposureScore: { score, time: `${day}T05:00:00Z` }, secureScore: { score: 900 - score, time: `${day}T05:00:00Z` } });
  }
  nowMs = Date.parse("2026-12-01T08:00:00Z");
});
after(async () => {
  await store?.close();
  await world?.stop();
});

describe("the exposure score trend in a customer's report", () => {
  it("draws a point for each day the TVM sync recorded the score, joined by a line", async () => {
    const data = await report([contoso], "2026-11-01", "2026-11-30");
    const [series] = data.exposure?.trend.exposure ?? [];
    assert.deepEqual(
      series?.points.map((p) => p.day),
      SYNC_DAYS,
    );
    assert.ok(series?.points.every((p) => p.score === emulatorScore), "each point is the score the API gave");
    const html = renderReportHtml(data);
    const svg = trendSvg(html);
    assert.ok(svg, "the trend chart is on the page");
    assert.deepEqual(
      [...svg.matchAll(/data-day="([^"]+)"/g)].map((m) => m[1]),
      SYNC_DAYS,
    );
    assert.match(svg, /<path d="M[\d.,L]+" fill="none"/, "the points are joined by a line");
    assert.doesNotMatch(svg, /style=/, "presentation attributes only (the console's CSP drops inline styles)");
    assert.match(html, /Exposure score on each day a vulnerability sync recorded it \(4 days of this period\)/);
    // The latest score stays beside the trend.
    assert.match(html, /data-chart="exposure-score"/);
  });

  it("for a group, draws a line per tenant that falls as the score falls, and the tenant's name stays text", async () => {
    const data = await report([contoso, fabrikam], "2026-11-01", "2026-11-30", "Retail");
    const html = renderReportHtml(data);
    const svg = trendSvg(html)!;
    assert.ok(svg);
    const group = /<g class="series" data-tenant="Fabrikam [^"]*"[^>]*>([\s\S]*?)<\/g>/.exec(svg)?.[1];
    assert.ok(group, "Fabrikam has a series");
    const points = [...group.matchAll(/cy="([\d.]+)"[^>]*data-day="([^"]+)" data-score="([\d.]+)"/g)].map((m) => ({ y: Number(m[1]), day: m[2], score: Number(m[3]) }));
    assert.deepEqual(
      points.map((p) => [p.day, p.score]),
      WRITTEN.map(([d, s]) => [d, s]),
    );
    assert.ok(points[0]!.y < points[1]!.y && points[1]!.y < points[2]!.y, "a lower exposure score is drawn lower");
    assert.match(svg, /<g class="legend"/, "a legend names the tenants");
    assert.doesNotMatch(html, /<img src=x/);
    assert.doesNotMatch(html, /<script>alert/);
    assert.match(svg, /Fabrikam &lt;img src=x/);
    // The secure score is recorded too (by the emulator for Contoso, on three days for Fabrikam): its trend is drawn as well.
    const secure = trendSvg(html, "secure-score-trend");
    assert.ok(secure, "the secure score trend is on the page");
    const secureOfFabrikam = /<g class="series" data-tenant="Fabrikam [^"]*"[^>]*>([\s\S]*?)<\/g>/.exec(secure)?.[1] ?? "";
    assert.deepEqual(
      [...secureOfFabrikam.matchAll(/data-score="([\d.]+)"/g)].map((m) => Number(m[1])),
      WRITTEN.map(([, s]) => 900 - s),
    );
  });

  it("says plainly when the period has too little history for a trend", async () => {
    const one = renderReportHtml(await report([contoso], "2026-11-01", "2026-11-05"));
    assert.equal(trendSvg(one), undefined, "no chart of a single point");
    assert.match(one, /data-note="too-little-history">Too little history for a trend: the exposure score was recorded on one day of this period only/);
    const none = await report([contoso], "2026-10-01", "2026-10-31");
    const html = renderReportHtml(none);
    assert.match(html, /Too little history for a trend: no exposure score was recorded during this period/);
    assert.equal(trendSvg(html), undefined);
  });

  it("for a group of many tenants, draws the twelve with the highest score and counts the rest", async () => {
    const many: string[] = [];
    for (let i = 0; i < 14; i++) {
      const id = crypto.randomUUID();
      many.push(id);
      await store.upsertTenant({ id, name: `Branch ${String(i).padStart(2, "0")}` });
      for (const day of ["2026-10-10", "2026-10-20"]) {
        nowMs = Date.parse(`${day}T06:00:00Z`);
        await store.replaceTvmSnapshot(id, { exposureScore: { score: 10 + i, time: `${day}T05:00:00Z` } });
      }
    }
    nowMs = Date.parse("2026-12-01T08:00:00Z");
    const html = renderReportHtml(await report(many, "2026-10-01", "2026-10-31", "Branches"));
    const svg = trendSvg(html)!;
    const drawn = [...svg.matchAll(/<g class="series" data-tenant="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(drawn.length, 12);
    assert.ok(!drawn.includes("Branch 00") && !drawn.includes("Branch 01"), "the two lowest scores are left out");
    assert.match(html, /The 12 tenants with the highest exposure score are drawn; 2 more are not\./);
  });

  it("renders in Chromium with the lines visible", { skip: withoutChromium() }, async () => {
    const html = renderReportHtml(await report([contoso, fabrikam], "2026-11-01", "2026-11-30", "Retail"));
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
    try {
      const page = await browser.newPage();
      await page.setContent(html);
      const chart = page.locator('svg[data-chart="exposure-trend"]');
      const box = await chart.boundingBox();
      assert.ok(box && box.width > 300 && box.height > 100, "the chart has its size");
      const path = await chart.locator("path").first().boundingBox();
      assert.ok(path && path.width > 100, "a line spans the month");
      mkdirSync(SHOTS, { recursive: true });
      await page.locator('[data-section="exposure-trend"]').screenshot({ path: `${SHOTS}/trend.png` });
    } finally {
      await browser.close();
    }
  });
});
