// The store's query speed at scale: 1,000,000 alerts in SQLite (the embedded
// default), then the console's typical page — one tenant, severity, status and
// a time range, newest first, 50 rows — against a plain `SELECT … LIMIT 50`
// without filters read from the same file. Both medians of 20 in the same run;
// the ratio is the figure that matters.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { advanceCursor, openStore } from "@mde-partner/sync";
import Database from "better-sqlite3";
import { median, saveResult } from "./lib.js";

const TOTAL = Number(process.env.BENCH_ALERTS ?? 1_000_000);
const TENANTS = 20;
const PAGE = 10_000; // the API's maximum page (mde-api.md §3.6)
const ROUNDS = 20;
const SEVERITIES = ["UnSpecified", "Informational", "Low", "Medium", "High"];
const STATUSES = ["New", "InProgress", "Resolved"];
const DAY = 86_400_000;
const start = Date.parse("2025-01-01T00:00:00Z");

const dir = mkdtempSync(join(tmpdir(), "mde-store-bench-"));
const file = join(dir, "bench.db");
const tenants = Array.from({ length: TENANTS }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);
let seed = 1;
const rnd = (n: number) => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed % n;
};

try {
  const store = await openStore({ url: `sqlite:${file}` });
  const t0 = performance.now();
  const perTenant = TOTAL / TENANTS;
  for (const [ti, tenant] of tenants.entries()) {
    for (let offset = 0; offset < perTenant; offset += PAGE) {
      const page = Array.from({ length: Math.min(PAGE, perTenant - offset) }, (_, i) => {
        const n = offset + i;
        // A first sync reads a tenant's alerts oldest first (lastUpdateTime
        // ascending), so times grow through the pages, with some jitter.
        const ms = start + Math.floor((n * 90 * DAY) / perTenant) + rnd(60_000);
        return {
          id: `da${String(638_000_000_000_000_000 + ti * perTenant + n)}_${rnd(2 ** 31)}`,
          title: `Suspicious activity ${n % 97}`,
          severity: SEVERITIES[rnd(5)]!,
          status: STATUSES[rnd(3)]!,
          machineId: rnd(2 ** 31)
            .toString(16)
            .padStart(40, "0"),
          assignedTo: null,
          alertCreationTime: `${new Date(ms - rnd(DAY)).toISOString().slice(0, 23)}${rnd(10_000).toString().padStart(4, "0")}Z`,
          lastUpdateTime: `${new Date(ms).toISOString().slice(0, 23)}${rnd(10_000).toString().padStart(4, "0")}Z`,
        };
      });
      await store.applyAlertPage(tenant, page, advanceCursor(null, page));
    }
    if (process.stdout.isTTY) process.stdout.write(`\rinserted ${((ti + 1) * perTenant).toLocaleString("en")} alerts`);
  }
  const insertMs = performance.now() - t0;
  if (process.stdout.isTTY) process.stdout.write("\n");

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
  await store.close();

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
      [`plain SELECT * FROM alerts LIMIT 50, median of ${ROUNDS}`, `${b.toFixed(2)} ms`],
      ["ratio filtered / plain", `${(f / b).toFixed(2)}×`],
    ],
    notes: [
      "The filtered page is served by the index (tenant_id, severity, status, last_update_key, id): a range scan that stops after 51 rows.",
    ],
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
