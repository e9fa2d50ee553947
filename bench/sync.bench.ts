// Sync figures, measured side by side in one run against one emulator process:
// 1. The engine: a full first sync of N tenants × 5,000 alerts (syncOnce,
//    concurrency 8, alerts only) into a fresh SQLite store — alerts/s, peak RSS.
// 2. The local limit: the same pages, already fetched, only parsed and inserted
//    into a fresh store of the same kind, one after another (no network).
// 3. The documentation samples' way: one tenant after another, a new token per
//    tenant, a $top/$skip loop with a plain HTTP client, into a fresh store.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createPartnerClient } from "@mde-partner/client";
import { openStore, syncOnce } from "@mde-partner/sync";
import { Agent, fetch } from "undici";
import { ca, controlCall, saveResult, startEmulatorProcess } from "./lib.js";

const TENANTS = Number(process.env.BENCH_TENANTS ?? 20);
const PER_TENANT = 5000;
const TOP = 10_000;
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 300);
const dir = mkdtempSync(join(tmpdir(), "mde-bench-sync-"));
const emulator = await startEmulatorProcess([
  "--tenants",
  String(TENANTS),
  "--alerts-per-tenant",
  String(PER_TENANT),
  "--seed",
  "bench-sync",
]);
const { info } = emulator;
const dispatcher = new Agent({ connect: { ca: ca(info) } });
// Control calls come after minutes of parsing and inserting in which this process never reaches its I/O
// phase (the SQLite driver's promises settle as microtasks), so a kept-alive socket may have been closed
// by the emulator unnoticed: every control call gets a connection of its own.
const controlDispatcher = new Agent({ connect: { ca: ca(info) }, pipelining: 0 });
const total = TENANTS * PER_TENANT;
const fresh = async (name: string) => {
  const store = await openStore({ url: `sqlite:${join(dir, `${name}.db`)}` });
  for (const t of info.tenants) await store.upsertTenant({ id: t.id, name: t.name, initialState: "consented" });
  return store;
};

const control = (method: string, path: string, body?: unknown) => controlCall(info, controlDispatcher, method, path, body);

async function engineRun(name: string): Promise<{ sec: number; rssBefore: number; rssPeak: number }> {
  const store = await fresh(name);
  const partner = createPartnerClient({
    clientId: info.partnerApp.clientId,
    credential: { clientSecret: info.partnerApp.clientSecret },
    cloud: { name: "custom", loginUrl: info.loginUrl, apiUrl: info.apiUrl, ca: info.caCertFile },
  });
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  }, 25);
  const e0 = performance.now();
  const report = await syncOnce({ store, partner, concurrency: 8, machines: false });
  const engineSec = (performance.now() - e0) / 1000;
  clearInterval(sampler);
  if (!report.ok) throw new Error(`engine sync failed: ${JSON.stringify(report.tenants.find((t) => t.status !== "ok"))}`);
  const synced = report.tenants.reduce((n, t) => n + t.alerts.inserted, 0);
  if (synced !== total) throw new Error(`engine synced ${synced} alerts, expected ${total}`);
  await partner.close();
  await store.close();
  return { sec: engineSec, rssBefore, rssPeak };
}

const tokenFor = async (tenantId: string) => {
  const res = await fetch(`${info.loginUrl}/${tenantId}/oauth2/v2.0/token`, {
    method: "POST",
    dispatcher,
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: info.partnerApp.clientId,
      client_secret: info.partnerApp.clientSecret,
      scope: "https://api.securitycenter.microsoft.com/.default",
    }),
  });
  if (!res.ok) throw new Error(`token ${res.status}`);
  return ((await res.json()) as { access_token: string }).access_token;
};
async function sequentialRun(name: string): Promise<number> {
  const seqStore = await fresh(name);
  const s0 = performance.now();
  for (const t of info.tenants) {
    const token = await tokenFor(t.id);
    for (let skip = 0; ; skip += TOP) {
      const res = await fetch(`${info.apiUrl}/api/alerts?$top=${TOP}&$skip=${skip}`, {
        headers: { authorization: `Bearer ${token}` },
        dispatcher,
      });
      if (!res.ok) throw new Error(`alerts ${res.status}`);
      const page = (await res.json()) as { value: Array<{ id: string; lastUpdateTime: string }> };
      await seqStore.applyAlertPage(t.id, page.value, { value: null, seenIds: [] });
      if (page.value.length < TOP) break;
    }
  }
  const seqSec = (performance.now() - s0) / 1000;
  await seqStore.close();
  return seqSec;
}

try {
  // 1. The engine; 3. the documentation samples' way (before 2, so the prefetched pages are not in memory yet).
  const { sec: engineSec, rssBefore, rssPeak } = await engineRun("engine");
  const seqSec = await sequentialRun("sequential");

  // 2. The local limit: fetch every page first (not timed), then parse + insert.
  const pages: Array<[string, string]> = [];
  for (const t of info.tenants) {
    const token = await tokenFor(t.id);
    for (let skip = 0; ; skip += TOP) {
      const res = await fetch(`${info.apiUrl}/api/alerts?$top=${TOP}&$skip=${skip}`, {
        headers: { authorization: `Bearer ${token}` },
        dispatcher,
      });
      const text = await res.text();
      pages.push([t.id, text]);
      if ((JSON.parse(text) as { value: unknown[] }).value.length < TOP) break;
    }
  }
  const localStore = await fresh("local");
  const l0 = performance.now();
  for (const [tenantId, text] of pages) {
    const page = JSON.parse(text) as { value: Array<{ id: string; lastUpdateTime: string }> };
    await localStore.applyAlertPage(tenantId, page.value, { value: null, seenIds: [] });
  }
  const localSec = (performance.now() - l0) / 1000;
  await localStore.close();
  pages.length = 0;

  // The same two with the real service's round trips simulated: every token and API call answers after LATENCY_MS.
  await control("POST", "/faults", { target: "token", latencyMs: LATENCY_MS });
  await control("POST", "/faults", { target: "api", latencyMs: LATENCY_MS });
  const { sec: engineSlowSec } = await engineRun("engine-latency");
  const seqSlowSec = await sequentialRun("sequential-latency");
  await control("DELETE", "/faults");

  const rate = (sec: number) => total / sec;
  const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
  saveResult("sync", {
    title: `Sync: first sync of ${TENANTS} tenants × ${PER_TENANT.toLocaleString("en-US")} alerts against the local limit and a sequential script`,
    command: `BENCH_TENANTS=${TENANTS} npm run bench -- sync`,
    rows: [
      ["alerts synced", fmt(total)],
      ["engine (syncOnce, concurrency 8, SQLite)", `${engineSec.toFixed(2)} s — ${fmt(rate(engineSec))} alerts/s`],
      [
        "engine peak RSS (whole process) / growth during the sync",
        `${Math.round(rssPeak / 2 ** 20)} MiB / +${Math.round((rssPeak - rssBefore) / 2 ** 20)} MiB`,
      ],
      ["local limit: parse + insert the same pages, no network", `${localSec.toFixed(2)} s — ${fmt(rate(localSec))} alerts/s`],
      ["ratio engine / local limit (aim ≥ 0.7)", (localSec / engineSec).toFixed(2)],
      [
        "sequential script (docs' pattern: token per tenant, $top/$skip, one tenant at a time)",
        `${seqSec.toFixed(2)} s — ${fmt(rate(seqSec))} alerts/s`,
      ],
      ["speedup engine / sequential, loopback", `${(seqSec / engineSec).toFixed(2)}×`],
      [
        `engine, every call delayed ${LATENCY_MS} ms (simulated round trip)`,
        `${engineSlowSec.toFixed(2)} s — ${fmt(rate(engineSlowSec))} alerts/s`,
      ],
      [`sequential script, every call delayed ${LATENCY_MS} ms`, `${seqSlowSec.toFixed(2)} s — ${fmt(rate(seqSlowSec))} alerts/s`],
      [
        `speedup engine / sequential with ${LATENCY_MS} ms round trips (aim ≥ 20× at 100 tenants)`,
        `${(seqSlowSec / engineSlowSec).toFixed(2)}×`,
      ],
      ["highest speedup possible here: sequential with round trips / local limit", `${(seqSlowSec / localSec).toFixed(2)}×`],
    ],
    notes: [
      "Emulator in its own process (rate limits on; one list request per tenant stays within the 100/min budget), HTTPS on loopback. " +
        "Without latency both the engine and the sequential script are bounded by this process's JSON parsing and SQLite inserts (one writer), " +
        "so concurrency buys little here; the local-limit ratio is the figure for that case. With round trips like the real service's, " +
        "the sequential script waits for every token and page one after another while the engine overlaps 8 tenants; " +
        "its speedup is then bounded by the concurrency (8) and by the insert rate, not by the tenant count. " +
        "No engine can beat the local limit (it must parse and insert every alert too), so on this machine the speedup cannot exceed " +
        "the sequential script's time over the local limit (the last row); the engine reaches that bound. The 20× aim needs a script " +
        "dominated by waiting, i.e. round trips far longer than 300 ms per page or many more pages per tenant.",
    ],
  });
} finally {
  await dispatcher.close();
  await controlDispatcher.close();
  await emulator.stop();
  rmSync(dir, { recursive: true, force: true });
}
