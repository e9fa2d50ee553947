// The console's alerts JSON API at scale: 1,000,000 alerts in SQLite (the
// embedded default), then the console's typical filtered page — one tenant,
// severity, status and a time range, newest first, 50 rows — requested through
// the whole in-process app (session cookie, CSRF-free GET, query parsing,
// store query, JSON), against the raw store query with the same filter as the
// baseline. Medians and p95 of 50 rounds each, in the same run.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { openStore } from "@mde-partner/sync";
import { signedInConsole } from "./console-session.js";
import { BENCH_START as start, benchTenants, DAY, fillStore } from "./fill-store.js";
import { median, quantile, saveResult } from "./lib.js";

const TOTAL = Number(process.env.BENCH_ALERTS ?? 1_000_000);
const TENANTS = 20;
const ROUNDS = 50;

const dir = mkdtempSync(join(tmpdir(), "mde-console-bench-"));
const tenants = benchTenants(TENANTS);

async function measure(rounds: number, run: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < rounds + 3; i++) {
    const t = performance.now();
    await run();
    if (i >= 3) times.push(performance.now() - t);
  }
  return times;
}

try {
  const store = await openStore({ url: `sqlite:${join(dir, "bench.db")}` });
  const insertMs = await fillStore(store, tenants, TOTAL, { upsertTenants: true });

  const { app, session, close } = await signedInConsole(store, dir, { userAgent: "MdePartner-Bench-Console/1.0.0" });

  const from = new Date(start + 30 * DAY).toISOString();
  const to = new Date(start + 60 * DAY).toISOString();
  const filter = {
    tenantIds: [tenants[7]!],
    severities: ["High"],
    statuses: ["New"],
    from,
    to,
    sort: "lastUpdateTime" as const,
    order: "desc" as const,
    limit: 50,
  };
  const apiUrl = `http://127.0.0.1:8080/api/v1/alerts?${new URLSearchParams({ tenant: tenants[7]!, severity: "High", status: "New", from, to, sort: "lastUpdateTime", order: "desc", limit: "50" })}`;
  const pageUrl = apiUrl.replace("/api/v1/alerts", "/alerts");
  const get = async (url: string) => {
    const res = await app.request(url, { headers: { cookie: session } });
    if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
    return res;
  };

  let rows = 0;
  const raw = await measure(ROUNDS, async () => {
    rows = (await store.queryAlerts(filter)).items.length;
  });
  let apiRows = 0;
  const api = await measure(ROUNDS, async () => {
    apiRows = ((await (await get(apiUrl)).json()) as { items: unknown[] }).items.length;
  });
  const html = await measure(ROUNDS, async () => (await get(pageUrl)).text());
  // Every tenant at once, newest first: the page an analyst opens first.
  const allUrl = "http://127.0.0.1:8080/api/v1/alerts?limit=50";
  const all = await measure(ROUNDS, async () => (await get(allUrl)).json());
  const matching = await store.countAlerts(filter);
  if (rows !== apiRows || rows === 0) throw new Error(`the API and the store disagree: ${apiRows} vs ${rows} rows`);
  await close();
  await store.close();

  const ms = (v: number) => `${v.toFixed(2)} ms`;
  saveResult("console", {
    title: `Console: alerts JSON API over ${TOTAL.toLocaleString("en")} stored alerts (SQLite), in-process app vs raw store query`,
    command: "npm run bench -- console",
    rows: [
      [
        "alerts inserted (20 tenants, applyAlertPage, pages of 10,000)",
        `${TOTAL.toLocaleString("en")} in ${(insertMs / 1000).toFixed(1)} s`,
      ],
      [
        `raw store.queryAlerts (tenant+severity+status+range, ${rows} rows of ${matching} matching), median / p95 of ${ROUNDS}`,
        `${ms(median(raw))} / ${ms(quantile(raw, 0.95))}`,
      ],
      [
        `GET /api/v1/alerts same filter, sorted, ${apiRows} rows (session, parsing, JSON), median / p95 of ${ROUNDS}`,
        `${ms(median(api))} / ${ms(quantile(api, 0.95))}`,
      ],
      ["API overhead over the raw query (median)", `${ms(median(api) - median(raw))} (${(median(api) / median(raw)).toFixed(1)}×)`],
      [`GET /alerts (the HTML page) same filter, median / p95 of ${ROUNDS}`, `${ms(median(html))} / ${ms(quantile(html, 0.95))}`],
      [
        `GET /api/v1/alerts all tenants, newest first, 50 rows, median / p95 of ${ROUNDS}`,
        `${ms(median(all))} / ${ms(quantile(all, 0.95))}`,
      ],
    ],
    notes: [
      'The target is "well under a second" for the filtered page; the store\'s index (tenant_key, severity, status, updated_us) makes it a short range scan, and the console adds session lookup, query-string validation and JSON encoding on top.',
    ],
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
