// Peak memory of a sync: a fresh process runs one full first sync (syncOnce,
// concurrency 8, alerts and machines) of every tenant of an emulator process
// into a PostgreSQL store, and reports its peak RSS (getrusage maxrss) and
// the RSS before the sync. Paging is streaming (STYLE.md habit 7), so the peak
// should follow the page size and the concurrency, not the total.
// Sizes: BENCH_RSS_SIZES (default 100k and 1M alerts in total; 10,000 per tenant).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { openStore } from "@mde-partner/sync";
import pg from "pg";
import { type ReadyInfo, saveResult } from "./lib.js";

const root = new URL("..", import.meta.url).pathname;
const PG_URL = process.env.PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const NODE_ARGS = ["--import", "tsx", "--conditions=development"];
const SIZES = (process.env.BENCH_RSS_SIZES ?? "100000,1000000").split(",").map(Number);
const PER_TENANT = 10_000;
const MiB = 2 ** 20;

// The syncing process: prints {rssBeforeMiB, peakMiB, sec, alerts} when done.
const CHILD = `
const { createPartnerClient } = await import("@mde-partner/client");
const { openStore, syncOnce } = await import("@mde-partner/sync");
const { url, info } = JSON.parse(process.env.RSS_CHILD);
const store = await openStore({ url });
const partner = createPartnerClient({
  clientId: info.partnerApp.clientId,
  credential: { clientSecret: info.partnerApp.clientSecret },
  cloud: { name: "custom", loginUrl: info.loginUrl, apiUrl: info.apiUrl, ca: info.caCertFile },
});
const rssBefore = process.memoryUsage().rss;
const t0 = performance.now();
const report = await syncOnce({ store, partner, concurrency: 8 });
const sec = (performance.now() - t0) / 1000;
if (!report.ok) throw new Error(JSON.stringify(report.tenants.find((t) => t.status !== "ok")));
const alerts = report.tenants.reduce((n, t) => n + t.alerts.inserted, 0);
await partner.close();
await store.close();
process.stdout.write(JSON.stringify({ rssBefore, peak: process.resourceUsage().maxRSS * 1024, sec, alerts }) + "\\n");
`;

async function measure(total: number) {
  const tenants = Math.max(1, Math.round(total / PER_TENANT));
  const dir = mkdtempSync(join(tmpdir(), "mde-bench-rss-"));
  const g0 = performance.now();
  const emulator = spawn(
    process.execPath,
    [
      ...NODE_ARGS,
      join(root, "packages/sync/test/fixtures/emulator-process.ts"),
      JSON.stringify({ seed: `bench-rss-${total}`, tenants, alertsPerTenant: PER_TENANT, machinesPerTenant: 5, stateDir: join(dir, "emulator") }),
    ],
    { cwd: root, stdio: ["ignore", "pipe", "inherit"] },
  );
  const [line] = (await once(createInterface({ input: emulator.stdout! }), "line")) as [string];
  const generateSec = (performance.now() - g0) / 1000;
  const info = JSON.parse(line) as ReadyInfo;
  const schema = `bench_rss_${randomBytes(4).toString("hex")}`;
  const url = `${PG_URL}?schema=${schema}`;
  try {
    const store = await openStore({ url });
    for (const t of info.tenants) await store.upsertTenant({ id: t.id, name: t.name, initialState: "consented" });
    await store.close();
    const child = spawn(process.execPath, [...NODE_ARGS, "--input-type=module", "-e", CHILD], {
      cwd: root,
      env: { ...process.env, RSS_CHILD: JSON.stringify({ url, info: { ...info, tenants: [] } }) },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    const [code] = (await once(child, "exit")) as [number | null];
    if (code !== 0) throw new Error(`sync process failed (${code})`);
    const r = JSON.parse(out.trim().split("\n").at(-1)!) as { rssBefore: number; peak: number; sec: number; alerts: number };
    if (r.alerts !== tenants * PER_TENANT) throw new Error(`synced ${r.alerts} alerts, expected ${tenants * PER_TENANT}`);
    return { total: tenants * PER_TENANT, tenants, generateSec, ...r };
  } finally {
    emulator.kill("SIGTERM");
    await once(emulator, "exit");
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`drop schema if exists ${schema} cascade`);
    await c.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

const rows: Array<[string, string]> = [];
const results = [];
for (const size of SIZES) {
  const r = await measure(size);
  results.push(r);
  const fmt = r.total.toLocaleString("en-US");
  rows.push(
    [`${fmt} alerts (${r.tenants} tenants × 10,000): peak RSS of the syncing process`, `${Math.round(r.peak / MiB)} MiB (${Math.round(r.rssBefore / MiB)} MiB before the sync)`],
    [`${fmt} alerts: sync time (PostgreSQL store, concurrency 8)`, `${r.sec.toFixed(1)} s — ${Math.round(r.total / r.sec).toLocaleString("en-US")} alerts/s`],
    [`${fmt} alerts: emulator start-up (data generation)`, `${r.generateSec.toFixed(0)} s`],
  );
}
if (results.length >= 2) {
  const [a, b] = [results[0]!, results.at(-1)!];
  rows.push([`peak RSS ratio ${b.total.toLocaleString("en-US")} / ${a.total.toLocaleString("en-US")} alerts (${(b.total / a.total).toFixed(0)}× the data)`, `${(b.peak / a.peak).toFixed(2)}×`]);
}
saveResult("rss", {
  title: "Peak memory of a sync at 100k and 1M alerts",
  command: `BENCH_RSS_SIZES=${SIZES.join(",")} npm run bench -- rss`,
  rows,
  notes: [
    "Each sync runs in a fresh process (syncOnce, 8 tenants at once, pages of 10,000 alerts) against an emulator process (file-backed data store above 200,000 alerts), into PostgreSQL. Peak RSS is the process's getrusage maxrss: at most 8 pages of 10,000 alerts (parsed JSON plus the rows being written) are in memory at once, whatever the total — so the peak follows concurrency × page size (lower either to lower it), not the number of alerts.",
  ],
});
