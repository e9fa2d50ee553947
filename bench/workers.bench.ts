// Distributed workers (pg-boss on PostgreSQL), measured against one emulator process:
// 1. Token requests per tenant with 3 worker processes, each with its own token
//    cache, over several token lifetimes (lifetime shortened to 60 s, refresh
//    windows scaled with it), from the emulator's journal; scaled to the real
//    ~1 h lifetime that is token requests per tenant-hour.
// 2. First-sync throughput of 1, 2 and 4 worker processes (concurrency 4 each)
//    on 200 tenants × 200 alerts: time until every tenant is synced once.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { openStore } from "@mde-partner/sync";
import { type ReadyInfo, saveResult } from "./lib.js";
import pg from "pg";
import { emulatorProcess, PG_URL, startWorkers, withSchema } from "./worker-lib.js";

const LIFETIME_SEC = Number(process.env.BENCH_TOKEN_LIFETIME ?? 60);
const TOKEN_RUN_SEC = Number(process.env.BENCH_TOKEN_RUN ?? LIFETIME_SEC * 3 + 10);
const TOKEN_TENANTS = 20;
const TENANTS = Number(process.env.BENCH_TENANTS ?? 200);
const PER_TENANT = 200;

async function addTenants(url: string, tenants: ReadyInfo["tenants"], initialState: "consented" | "pending_consent" = "consented") {
  const store = await openStore({ url });
  for (const t of tenants) await store.upsertTenant({ id: t.id, name: t.name, initialState });
  return store;
}

const lean = (info: ReadyInfo) => ({ ...info, tenants: [] });
const dir = mkdtempSync(join(tmpdir(), "mde-bench-workers-"));
const rows: Array<[string, string]> = [];
const notes: string[] = [];
try {
  // 1. Token requests with 3 workers.
  {
    const emulator = await emulatorProcess({
      seed: "bench-workers-tokens",
      tenants: TOKEN_TENANTS,
      alertsPerTenant: 20,
      machinesPerTenant: 2,
      tokenLifetimeSec: LIFETIME_SEC,
      stateDir: join(dir, "emulator-tokens"),
    });
    await withSchema(async (url) => {
      const store = await addTenants(url, emulator.info.tenants);
      const lifetimeMs = LIFETIME_SEC * 1000;
      const workers = startWorkers(3, {
        url,
        info: lean(emulator.info),
        intervalMs: 2000,
        concurrency: 4,
        leaseSec: 60,
        maintenanceIntervalSec: 5,
        // The client's defaults (refresh 5 min, must 30 s before a ~1 h expiry), scaled to the short lifetime.
        tokenRefresh: { refreshWindowMs: Math.round(lifetimeMs / 12), mustRefreshWindowMs: Math.round(lifetimeMs / 120) },
      });
      await new Promise((r) => setTimeout(r, TOKEN_RUN_SEC * 1000));
      const end = Date.now();
      await Promise.all(workers.map((w) => w.stop()));
      await store.close();
      const tokens = (await emulator.journal("token")).filter((e) => e.status === 200 && e.tenantId);
      const api = (await emulator.journal("api")).filter((e) => e.tenantId);
      const t0 = Math.min(...tokens.map((e) => e.time));
      // Steady state: after the first lifetime, i.e. without each worker's first token per tenant.
      const steady = tokens.filter((e) => e.time >= t0 + lifetimeMs);
      const steadyLifetimes = (end - t0 - lifetimeMs) / lifetimeMs;
      const perLifetime = steady.length / TOKEN_TENANTS / steadyLifetimes;
      // One token per worker per (lifetime − refresh window): what per-worker caches should cost.
      const bound = (3 * LIFETIME_SEC) / (LIFETIME_SEC - LIFETIME_SEC / 12);
      const workersSeen = new Set(tokens.map((e) => /test-worker\/(w\d)/.exec(e.userAgent ?? "")?.[1]));
      rows.push(
        [`token requests per tenant, 3 workers, ${TOKEN_RUN_SEC} s with ${LIFETIME_SEC} s tokens (incl. the first ones)`, (tokens.length / TOKEN_TENANTS).toFixed(1)],
        [
          "→ token requests per tenant-hour, steady state, at the real ~1 h lifetime (measured per token lifetime)",
          `${perLifetime.toFixed(2)} (expected ${bound.toFixed(2)}: 3 workers × one per (lifetime − 5 min); a shared cache would make it ${(bound / 3).toFixed(2)})`,
        ],
        ["API calls per tenant in the same run (each tenant synced every 2 s)", (api.length / TOKEN_TENANTS).toFixed(0)],
      );
      notes.push(
        `Token figure: ${TOKEN_TENANTS} tenants synced continuously by 3 worker processes (${workersSeen.size} of them asked for tokens). Each worker keeps its own per-tenant token cache (per-worker caches are the design: no token ever leaves its process) and renews a token ${LIFETIME_SEC / 12} s before expiry — the client's 5-minute window scaled to the shortened lifetime — so the ratio to the lifetime carries over to the real ~1 h tokens: per tenant-hour the app asks for about 3 tokens, one per worker, plus one per worker at start.`,
      );
    });
    await emulator.stop();
  }

  // 2. Throughput of 1, 2 and 4 workers.
  {
    const emulator = await emulatorProcess({
      seed: "bench-workers-sync",
      tenants: TENANTS,
      alertsPerTenant: PER_TENANT,
      machinesPerTenant: 2,
      stateDir: join(dir, "emulator-sync"),
    });
    const total = TENANTS * PER_TENANT;
    const results: Array<{ n: number; sec: number }> = [];
    for (const n of [1, 2, 4]) {
      const sec = await withSchema(async (url) => {
        // The tenants wait (not yet consented) until every worker has started: the clock measures syncing, not process start-up.
        const store = await addTenants(url, emulator.info.tenants, "pending_consent");
        const workers = startWorkers(n, {
          url,
          info: lean(emulator.info),
          intervalMs: 3_600_000,
          scheduleEveryMs: 250,
          concurrency: 4,
          leaseSec: 120,
          maintenanceIntervalSec: 5,
        });
        await Promise.all(workers.map((w) => w.started));
        const t0 = performance.now();
        const c = new pg.Client({ connectionString: PG_URL });
        await c.connect();
        await c.query(`update ${new URL(url).searchParams.get("schema")}.tenants set state = 'consented'`);
        await c.end();
        const deadline = Date.now() + 10 * 60_000;
        for (;;) {
          const synced = (await store.listTenants()).filter((t) => t.lastSyncAt !== null).length;
          if (synced === TENANTS) break;
          if (Date.now() > deadline) throw new Error(`${n} workers: only ${synced} of ${TENANTS} tenants synced after 10 minutes`);
          await new Promise((r) => setTimeout(r, 100));
        }
        const elapsed = (performance.now() - t0) / 1000;
        await Promise.all(workers.map((w) => w.stop()));
        const stored = await store.countAlerts();
        await store.close();
        if (stored !== total) throw new Error(`${n} workers stored ${stored} alerts, expected ${total}`);
        return elapsed;
      });
      results.push({ n, sec });
      rows.push([`${n} worker process(es) × concurrency 4: first sync of ${TENANTS} tenants × ${PER_TENANT} alerts (PostgreSQL)`, `${sec.toFixed(1)} s — ${Math.round(total / sec).toLocaleString("en-US")} alerts/s, ${(TENANTS / sec).toFixed(1)} tenants/s`]);
    }
    const one = results[0]!.sec;
    rows.push(
      ["scaling 2 workers / 1 worker (throughput ratio)", `${(one / results[1]!.sec).toFixed(2)}×`],
      ["scaling 4 workers / 1 worker (throughput ratio)", `${(one / results[2]!.sec).toFixed(2)}×`],
    );
    notes.push(
      "Throughput: measured from the moment the tenants become syncable (all worker processes already started; the scheduler picks them up within 250 ms) until every tenant has a completed run. This machine has 2 cores shared by the emulator, PostgreSQL and the workers, so more than 2 processes mostly add contention: the ratios show the coordination overhead (pg-boss fetches, the per-tenant lock, shared budget counting in PostgreSQL) rather than what more machines would give; against the real service, where each call waits for a remote round trip, workers overlap waiting instead of competing for CPU.",
    );
    await emulator.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

saveResult("workers", {
  title: "Distributed workers: token requests per tenant-hour with 3 workers; sync throughput of 1, 2 and 4 workers",
  command: "npm run bench -- workers",
  rows,
  notes,
});
