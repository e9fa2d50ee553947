/**
 * `mde-partner report` through the real binary, on a store synced from the emulator (a real HTTPS
 * socket): an HTML report of one tenant with its charts and counts, a PDF of a customer group
 * printed by Debian's Chromium, the partner's name and logo, one-line bad input (exit 2), a
 * missing Chromium (exit 1 with what to install), and `--monthly` writing each customer's file once
 * (and, with `--watch`, staying until it is stopped).
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type CliHome, emulatorHome, type EmulatorWorld, oneLineError, servedEmulator, tempDir } from "./helpers.js";

const CHROMIUM = "/usr/bin/chromium";
const today = new Date().toISOString().slice(0, 10);
/** Half a year back: every alert the emulator made (it spreads them over the last weeks). */
const halfYearAgo = new Date(Date.now() - 182 * 86_400_000).toISOString().slice(0, 10);

describe("mde-partner report", () => {
  let world: EmulatorWorld;
  let cli: CliHome;
  const home = tempDir("mde-cli-report-");
  let ids: [string, string];

  before(async () => {
    world = await servedEmulator({ tenants: 2, alertsPerTenant: 12, machinesPerTenant: 2, seed: 18 });
    const [a, b] = world.info.tenants;
    ids = [a!.id, b!.id];
    cli = await emulatorHome(world.info, { home, tenants: [{ id: a!.id, name: "Contoso" }, { id: b!.id, name: "Fabrikam" }] });
    await cli.ok(["sync", "--once"]);
    await cli.ok(["groups", "add", "retail", a!.id, b!.id]);
  });
  after(async () => {
    await world?.stop();
  });

  it("writes one tenant's HTML report with its charts, counts and the partner's name and logo", async () => {
    const out = join(home, "contoso.html");
    const logo = join(home, "logo.svg");
    writeFileSync(logo, '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="#036"/></svg>');
    const run = await cli.ok(["report", "--tenant", ids[0], "--from", halfYearAgo, "--to", today, "--out", out, "--partner-name", "Northwind <SOC>", "--logo", logo]);
    assert.match(run.stderr, /wrote the HTML report for Contoso/);
    const html = readFileSync(out, "utf8");
    const alerts = await cli.json<unknown[]>(["alerts", "list", "--tenant", ids[0], "--json", "--top", "1000"]);
    assert.ok(html.includes(`data-figure="alerts"><b>${alerts.length}</b>`), `the report counts the tenant's ${alerts.length} alerts`);
    const counts = [...(/<svg[^>]*data-chart="alerts-over-time"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? "").matchAll(/data-count="(\d+)"/g)].map((m) => Number(m[1]));
    assert.equal(
      counts.reduce((x, y) => x + y, 0),
      alerts.length,
      "the chart's bars add up to them",
    );
    assert.ok(html.includes('data-role="partner-name">Northwind &lt;SOC&gt;<'));
    assert.ok(html.includes('<img src="data:image/svg+xml;base64,'));
    assert.equal(statSync(out).mode & 0o077, 0, "the report is readable by its owner only");
  });

  it("prints a group's report to PDF with Chromium", { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing` }, async () => {
    const out = join(home, "retail.pdf");
    await cli.ok(["report", "--group", "retail", "--from", halfYearAgo, "--to", today, "--format", "pdf", "--out", out]);
    const pdf = readFileSync(out);
    assert.equal(pdf.subarray(0, 5).toString(), "%PDF-");
    assert.ok(pdf.length > 10_000, `a PDF with pages (${pdf.length} bytes)`);
  });

  it("refuses bad input with exit 2 and one line, and a missing Chromium with exit 1 and what to install", async () => {
    const base = ["--out", join(home, "x.html")];
    const cases: Array<{ args: string[]; match: RegExp }> = [
      { args: ["report", "--tenant", ids[0], "--from", "2026-13-01", "--to", "2026-12-01", ...base], match: /--from must be a date as YYYY-MM-DD/ },
      { args: ["report", "--tenant", ids[0], "--from", "2026-11-30", "--to", "2026-11-01", ...base], match: /--to \(2026-11-01\) is before --from/ },
      { args: ["report", "--tenant", "not-a-tenant", "--from", "2026-11-01", "--to", "2026-11-30", ...base], match: /is not a tenant id/ },
      { args: ["report", "--tenant", "00000000-0000-4000-8000-000000000001", "--from", "2026-11-01", "--to", "2026-11-30", ...base], match: /has not been added/ },
      { args: ["report", "--group", "nope", "--from", "2026-11-01", "--to", "2026-11-30", ...base], match: /does not exist/ },
      { args: ["report", "--tenant", ids[0], "--from", "2026-11-01", "--to", "2026-11-30", "--format", "docx", ...base], match: /--format must be html or pdf/ },
      { args: ["report", "--tenant", ids[0], "--from", "2026-11-01", "--to", "2026-11-30"], match: /--out <file> is required/ },
      { args: ["report", "--from", "2026-11-01", "--to", "2026-11-30", ...base], match: /name the customer/ },
    ];
    const logo = join(home, "evil.svg");
    writeFileSync(logo, '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>');
    cases.push({ args: ["report", "--tenant", ids[0], "--from", "2026-11-01", "--to", "2026-11-30", "--logo", logo, ...base], match: /holds an event handler attribute/ });
    for (const c of cases) {
      const run = await cli.expect(2, c.args);
      assert.match(oneLineError(run.stderr).error, c.match, c.args.join(" "));
    }
    const missing = await cli.expect(1, ["report", "--tenant", ids[0], "--from", "2026-11-01", "--to", "2026-11-30", "--format", "pdf", "--chromium", "/nonexistent/chromium", "--out", join(home, "x.pdf")]);
    const { error, hint } = oneLineError(missing.stderr);
    assert.match(error, /no Chromium at \/nonexistent\/chromium/);
    assert.match(hint ?? "", /apt-get install chromium/);
    assert.ok(!existsSync(join(home, "x.pdf")));
  });

  it("--monthly writes each customer's report of the last month once", async () => {
    const dir = tempDir("mde-cli-reports-");
    const first = await cli.ok(["report", "--monthly", "--out-dir", dir]);
    const files = readdirSync(dir).sort();
    const month = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
    assert.deepEqual(files, [`Contoso-${month}.html`, `Fabrikam-${month}.html`]);
    assert.match(first.stderr, /wrote .*Contoso-/);
    const again = await cli.ok(["report", "--monthly", "--out-dir", dir, "--group", "retail"]);
    assert.deepEqual(readdirSync(dir).sort(), [...files, `retail-${month}.html`].sort());
    assert.doesNotMatch(again.stderr, /Contoso-/, "an existing report is left alone");
    await cli.expect(2, ["report", "--monthly", "--out-dir", dir, "--from", "2026-11-01"]);
  });

  it("--monthly --watch writes the due reports, waits for the next month and stops cleanly on SIGTERM", async () => {
    const dir = tempDir("mde-cli-reports-watch-");
    const running = cli.start(["report", "--monthly", "--watch", "--out-dir", dir, "--tenant", ids[1]]);
    await running.waitFor(/wrote .*Fabrikam-\d{4}-\d{2}\.html/, 30_000, "stderr");
    assert.equal(await running.stop("SIGTERM"), 0);
    assert.equal(readdirSync(dir).length, 1);
  });

  it("--monthly gives customers whose names make the same file name a file each, never one for both", async () => {
    // Tenant names are free text: "Contoso" and "Contoso!" (or two names in another script) reduce to one file name.
    await cli.ok(["tenants", "add", ids[1], "--name", "Contoso!"]);
    const dir = tempDir("mde-cli-reports-same-");
    await cli.ok(["report", "--monthly", "--out-dir", dir]);
    const month = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
    assert.deepEqual(readdirSync(dir).sort(), [`Contoso-${ids[0].slice(0, 8)}-${month}.html`, `Contoso-${ids[1].slice(0, 8)}-${month}.html`].sort());
    assert.match(readFileSync(join(dir, `Contoso-${ids[1].slice(0, 8)}-${month}.html`), "utf8"), /Contoso!/);
    // The same name when the run is narrowed to one of them (no second file for the month).
    const one = tempDir("mde-cli-reports-one-");
    await cli.ok(["report", "--monthly", "--out-dir", one, "--tenant", ids[1]]);
    assert.deepEqual(readdirSync(one), [`Contoso-${ids[1].slice(0, 8)}-${month}.html`]);
    await cli.ok(["tenants", "add", ids[1], "--name", "Fabrikam"]);
  });
});
