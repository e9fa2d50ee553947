// The SOC overview at scale: 1,000,000 alerts over 100 tenants in SQLite (the
// embedded default), with sync runs and isolated devices, then the console's
// home page — every tenant's open High/Medium alerts, oldest New alert, sync
// health, isolated devices and 30 days of daily counts — requested through the
// whole in-process app, side by side with the alerts page's typical filtered
// query (one tenant, severity, status, 50 rows) on the same store. Medians and
// p95 of 30 rounds each, taking turns in the same run. Then the cost of the index the
// overview added (schema v8) on the writes: the same alerts into stores with
// and without it, taking turns.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { openStore, type Store } from "@mde-partner/sync";
import { migrations } from "../packages/sync/src/store/migrations.js";
import { signedInConsole } from "./console-session.js";
import { BENCH_START, benchTenants, DAY, fillStore } from "./fill-store.js";
import { median, quantile, saveResult } from "./lib.js";

const TOTAL = Number(process.env.BENCH_ALERTS ?? 1_000_000);
const TENANTS = 100;
const ROUNDS = 30;
const RUNS_PER_TENANT = 200;
/** Alerts per store and rounds of the write-cost comparison. */
const COST_ALERTS = Math.min(TOTAL, 200_000);
const COST_ROUNDS = 5;

const dir = mkdtempSync(join(tmpdir(), "mde-overview-bench-"));
const tenants = benchTenants(TENANTS);
// The console's now: the end of the 90 days the synthetic alerts span, so the 30 days are full.
const NOW = BENCH_START + 90 * DAY;

/** Times of each of `runs`, taking turns round by round (the machine's load then weighs on all alike); 3 rounds of warm-up. */
async function measure<K extends string>(rounds: number, runs: Record<K, () => Promise<unknown>>): Promise<Record<K, number[]>> {
  const times = Object.fromEntries(Object.keys(runs).map((k) => [k, [] as number[]])) as Record<K, number[]>;
  for (let i = 0; i < rounds + 3; i++) {
    for (const [k, run] of Object.entries(runs) as Array<[K, () => Promise<unknown>]>) {
      const t = performance.now();
      await run();
      if (i >= 3) times[k].push(performance.now() - t);
    }
  }
  return times;
}

/** Sync history and response actions as months of `sync --watch` leave them: many runs per tenant, some failed; a few isolations. */
async function fillOperations(store: Store): Promise<void> {
  for (const [i, t] of tenants.entries()) {
    for (let r = 0; r < RUNS_PER_TENANT; r++) {
      const run = await store.startSyncRun(t, r % 2 === 0 ? "alerts" : "machines");
      await store.finishSyncRun(run.id, i % 10 === 0 && r >= RUNS_PER_TENANT - 6 ? { status: "failed", error: "timeout" } : { status: "succeeded", items: 10 });
    }
    const at = new Date(NOW - i * 60_000).toISOString();
    await store.upsertMachineActions(
      t,
      Array.from({ length: 4 }, (_, k) => ({
        id: `action-${i}-${k}`,
        machineId: `${String(i).padStart(4, "0")}${String(k).padStart(36, "0")}`,
        type: k === 3 ? "Unisolate" : "Isolate",
        status: "Succeeded",
        creationDateTimeUtc: at,
        lastUpdateDateTimeUtc: at,
      })),
    );
  }
}

try {
  const store = await openStore({ url: `sqlite:${join(dir, "bench.db")}` });
  const insertMs = await fillStore(store, tenants, TOTAL, { upsertTenants: true });
  await fillOperations(store);
  // Groups of 5 tenants: what an operator scoped to one customer group reads.
  for (let g = 0; g < TENANTS / 5; g++) await store.addToGroup(`group-${g}`, tenants.slice(g * 5, g * 5 + 5));

  const { get, close } = await signedInConsole(store, dir, { userAgent: "MdePartner-Bench-Overview/1.0.0", clock: { now: () => NOW } });

  // The first request after opening, then steady state.
  const t = performance.now();
  const firstPage = await (await get("/overview")).text();
  const first = performance.now() - t;
  const rows = [...firstPage.matchAll(/<tr data-tenant=/g)].length;
  if (rows !== TENANTS) throw new Error(`the overview lists ${rows} tenants, not ${TENANTS}`);

  const alertsPath = `/alerts?${new URLSearchParams({ tenant: tenants[7]!, severity: "High", status: "New", from: new Date(BENCH_START + 30 * DAY).toISOString(), to: new Date(BENCH_START + 60 * DAY).toISOString() })}`;
  const { page, json, alerts, group, raw } = await measure(ROUNDS, {
    page: async () => (await get("/overview")).text(),
    json: async () => (await get("/api/v1/overview")).json(),
    alerts: async () => (await get(alertsPath)).text(),
    group: async () => (await get("/overview?group=group-7")).text(),
    raw: () => store.alertOverview({ tenantIds: tenants, now: new Date(NOW), days: 30 }),
  });
  const figures = await store.alertOverview({ tenantIds: tenants, now: new Date(NOW), days: 30 });
  const open = figures.tenants.reduce((n, f) => n + (f.open.High ?? 0) + (f.open.Medium ?? 0), 0);
  const inWindow = figures.tenants.reduce((n, f) => n + f.daily.reduce((m, d) => m + Object.values(d).reduce((x, y) => x + y, 0), 0), 0);
  await store.close();

  await close();
  // What the overview's index costs the writes: the same alerts into stores with and without it
  // (schema v8 and v7), taking turns so both see the same machine.
  const insertCost: Record<"with" | "without", number[]> = { with: [], without: [] };
  for (let round = 0; round < COST_ROUNDS * 2; round++) {
    const kind = round % 2 === 0 ? "without" : "with";
    const s = await openStore({ url: `sqlite:${join(dir, `cost-${round}.db`)}`, migrations: migrations.filter((m) => kind === "with" || m.version < 8) });
    insertCost[kind].push(await fillStore(s, tenants, COST_ALERTS, { upsertTenants: true }));
    await s.close();
    rmSync(join(dir, `cost-${round}.db`), { force: true });
  }
  const [withIndex, withoutIndex] = [median(insertCost.with), median(insertCost.without)];

  const ms = (v: number) => `${v.toFixed(1)} ms`;
  const both = (v: number[]) => `${ms(median(v))} / ${ms(quantile(v, 0.95))}`;
  saveResult("overview", {
    title: `SOC overview: ${TOTAL.toLocaleString("en")} stored alerts over ${TENANTS} tenants (SQLite), home page vs the alerts page's filtered query`,
    command: "npm run bench -- overview",
    rows: [
      [`alerts inserted (${TENANTS} tenants, applyAlertPage, pages of 10,000), with the overview's index`, `${TOTAL.toLocaleString("en")} in ${(insertMs / 1000).toFixed(1)} s`],
      [
        `insert time with / without the overview's index (schema v8 / v7), ${COST_ALERTS.toLocaleString("en")} alerts, median of ${COST_ROUNDS} each, taking turns`,
        `${(withIndex / 1000).toFixed(1)} s / ${(withoutIndex / 1000).toFixed(1)} s (${withIndex >= withoutIndex ? "+" : ""}${(((withIndex - withoutIndex) / withoutIndex) * 100).toFixed(0)}%)`,
      ],
      ["what the overview counts", `${open.toLocaleString("en")} open High/Medium alerts, ${inWindow.toLocaleString("en")} alerts created in the 30 days, ${(TENANTS * RUNS_PER_TENANT).toLocaleString("en")} sync runs`],
      ["GET /overview, first request after opening the store", ms(first)],
      [`GET /overview (HTML, every tenant), median / p95 of ${ROUNDS}`, both(page)],
      [`GET /api/v1/overview (JSON, every tenant), median / p95 of ${ROUNDS}`, both(json)],
      [`GET /overview?group= (5 tenants), median / p95 of ${ROUNDS}`, both(group)],
      [`store.alertOverview alone (100 tenants), median / p95 of ${ROUNDS}`, both(raw)],
      [`GET /alerts, one tenant + High + New + 30-day range, 50 rows (side by side), median / p95 of ${ROUNDS}`, both(alerts)],
      ["ratio overview page / filtered alerts page (medians)", `${(median(page) / median(alerts)).toFixed(1)}×`],
    ],
    notes: [
      'The target is "well under a second" for the whole page at 1,000,000 alerts. The open counts are ranges of the index (tenant_key, severity, status, updated_us); the daily counts and the oldest New alert are ranges of (tenant_key, created_us, status, severity), added for the overview in schema v8, read without touching the alert rows; the sync health is each tenant\'s newest 10 runs of its alert stream by the (tenant_id, stream, id) index. Most of the page\'s time is the day counts: SQLite groups ~330,000 index entries by tenant, day and severity.',
      "The write cost of the index is small because a tenant's alerts arrive roughly in creation order, so its entries append at the end of the tenant's range; on this shared 2-core machine the with/without figure moved between -3% and +32% across runs under other load, hence the turns and medians.",
    ],
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
