// The store's query speed at scale: 1,000,000 alerts in SQLite (the embedded
// default), then the console's typical page — one tenant, severity, status and
// a time range, newest first, 50 rows — against a plain `SELECT … LIMIT 50`
// without filters read from the same file. Both medians of 20 in the same run;
// the ratio is the figure that matters.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { openStore } from "@mde-partner/sync";
import { BENCH_START as start, benchTenants, DAY, fillStore } from "./fill-store.js";
import Database from "better-sqlite3";
import { median, saveResult } from "./lib.js";

const TOTAL = Number(process.env.BENCH_ALERTS ?? 1_000_000);
const TENANTS = 20;
const ROUNDS = 20;

const dir = mkdtempSync(join(tmpdir(), "mde-store-bench-"));
const file = join(dir, "bench.db");
const tenants = benchTenants(TENANTS);

try {
  const store = await openStore({ url: `sqlite:${file}` });
  const insertMs = await fillStore(store, tenants, TOTAL);

  const filter = {
    tenantIds: [tenants[7]!],
    severities: ["High"],
    statuses: ["New"],
    from: new Date(start + 30 * DAY),
    to: new Date(start + 60 * DAY),
    sort: "lastUpdateTime" as const,
    order: "desc" as const,
    limit: 50,
  };
  const filtered: number[] = [];
  let rows = 0;
  for (let i = 0; i < ROUNDS + 2; i++) {
    const t = performance.now();
    const page = await store.queryAlerts(filter);
    if (i >= 2) filtered.push(performance.now() - t);
    rows = page.items.length;
  }
  const matching = await store.countAlerts(filter);
  // The console's default list: every tenant, newest first.
  const everyTenant: number[] = [];
  for (let i = 0; i < ROUNDS + 2; i++) {
    const t = performance.now();
    await store.queryAlerts({ limit: 50 });
    if (i >= 2) everyTenant.push(performance.now() - t);
  }
  await store.close();
  // Closing the last connection checkpoints the WAL into the file.
  const bytesPerAlert = statSync(file).size / TOTAL;

  // Baseline: the cheapest read of 50 alerts there is, on its own connection,
  // with the payloads parsed as the store does.
  const raw = new Database(file, { readonly: true });
  const plain = raw.prepare("SELECT * FROM alerts LIMIT 50");
  const baseline: number[] = [];
  for (let i = 0; i < ROUNDS + 2; i++) {
    const t = performance.now();
    const got = plain.all() as Array<{ payload: string }>;
    for (const r of got) JSON.parse(r.payload);
    if (i >= 2) baseline.push(performance.now() - t);
  }
  raw.close();

  const f = median(filtered);
  const b = median(baseline);
  saveResult("store", {
    title: `Store: ${TOTAL.toLocaleString("en")} alerts in SQLite, filtered page vs plain read`,
    command: "npm run bench -- store",
    rows: [
      ["alerts inserted (applyAlertPage, pages of 10,000)", TOTAL.toLocaleString("en")],
      ["insert time", `${(insertMs / 1000).toFixed(1)} s (${Math.round(TOTAL / (insertMs / 1000)).toLocaleString("en")} alerts/s)`],
      [
        `filtered page (tenant+severity+status+range, lastUpdateTime desc, ${rows} of ${matching} rows), median of ${ROUNDS}`,
        `${f.toFixed(2)} ms`,
      ],
      [`every tenant, newest first, 50 rows, median of ${ROUNDS}`, `${median(everyTenant).toFixed(2)} ms`],
      [`plain SELECT * FROM alerts LIMIT 50, median of ${ROUNDS}`, `${b.toFixed(2)} ms`],
      ["ratio filtered / plain", `${(f / b).toFixed(2)}×`],
      ["store file per alert (after close)", `${(bytesPerAlert / 1024).toFixed(2)} KiB (${Math.round(bytesPerAlert)} bytes)`],
    ],
    notes: [
      "The filtered page is served by the index (tenant_key, severity, status, updated_us) (store schema v6): a range scan that stops after 51 rows. Every tenant newest first is each tenant's first rows by its (tenant_key, updated_us) index, merged (schema v12 keeps no index of every alert by time). The file size covers the rows, their key and six indexes and the bench's alert shape (bench/fill-store.ts), not the emulator's; the ingest-limit benchmark measures the emulator's alerts.",
    ],
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
