// `mde-partner sync --once` against a sync script written the way Microsoft's documentation samples
// write one (bench/doc-style-sync.mjs), side by side against one emulator process, each side a
// process of its own whose CPU time and peak memory bench/rusage-preload.cjs records at its exit.
//   Loopback: BENCH_TENANTS (40) × BENCH_ALERTS (3,000) alerts, BENCH_ROUNDS (3) rounds, the order
//   reversed every other round, medians:
//     script    — node bench/doc-style-sync.mjs: one tenant after another, a token per tenant,
//                 $top=10000/$skip pages, every alert appended to an NDJSON file.
//     sync      — mde-partner sync --once --no-machines --no-tvm --db sqlite:<fresh file>, the
//                 tenants put into the store as consented beforehand (the same alerts as the script).
//     baseline  — the same with the CLI of BENCH_BASELINE_ROOT (an older checkout, built), if set.
//     limit     — in this process: JSON.parse of the same pages (fetched beforehand, not timed) and
//                 the fastest correct SQLite write (lib.ts sqliteLimit); its CPU is this process's.
//     indexed   — the limit again, keeping the six indexes the console's queries need in the store's
//                 compact form (lib.ts sqliteLimit "indexed"); for information beside the limit.
//     receive   — node bench/receive-pages.mjs: the same tokens and pages over HTTPS, 16 tenants at a
//                 time, each body read and dropped: the network's share, which the limit leaves out.
//   Once, for information: sync --once with its defaults (machines and TVM too).
//   Round trips: a second emulator world, BENCH_RTT_TENANTS (100) × BENCH_RTT_ALERTS (1,000), every
//   token and API call answered BENCH_RTT_MS (300) ms late; once: the script, sync --once (alerts
//   only) at its default concurrency and at BENCH_RTT_CONCURRENCY (32); the baseline's too with
//   BENCH_RTT_BASELINE=1. BENCH_PART=rtt: this part only, printed, not saved.
// Every sync's store is counted afterwards (alerts per tenant, against the emulator's): a shortfall fails.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import Database from "better-sqlite3";
import { Agent, fetch } from "undici";
import { type AlertPageText, ca, controlCall, firstTouchUs, type LimitForm, median, saveResult, sqliteLimit, startEmulatorProcess } from "./lib.js";

const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TENANTS = Number(process.env.BENCH_TENANTS ?? 40);
const PER_TENANT = Number(process.env.BENCH_ALERTS ?? 3000);
const RTT_TENANTS = Number(process.env.BENCH_RTT_TENANTS ?? 100);
const RTT_ALERTS = Number(process.env.BENCH_RTT_ALERTS ?? 1000);
const RTT_MS = Number(process.env.BENCH_RTT_MS ?? 300);
const RTT_CONCURRENCY = Number(process.env.BENCH_RTT_CONCURRENCY ?? 32);
const BASELINE = process.env.BENCH_BASELINE_ROOT?.replace(/\/$/, "");
const RTT_BASELINE = BASELINE && process.env.BENCH_RTT_BASELINE === "1" ? BASELINE : undefined;
const TOP = 10_000;
/** The receive side's tenants at a time: the sync's default concurrency (sync-all.ts DEFAULT_SYNC_CONCURRENCY). */
const RECEIVE_CONCURRENCY = 16;
/** The cores the measured processes and the emulator share. */
const CORES = availableParallelism();
const PRELOAD = join(root, "bench/rusage-preload.cjs");
const SECRET_ENV = "MDE_BENCH_CLIENT_SECRET";
const dir = mkdtempSync(join(tmpdir(), "mde-bench-sync-script-"));
// BENCH_QUICK=1: the loopback rounds only, figures printed, nothing saved (for profiling and iterating).
const QUICK = process.env.BENCH_QUICK === "1";
// BENCH_SIDES=sync,limit (quick mode only; script, sync, baseline, limit, indexed, receive): just these sides. BENCH_DEBUG_STDERR=1: the measured
// processes' stderr passed through. BENCH_KEEP_STORE=<file>: a copy of the last sync's store kept there.
// BENCH_SYNC_ARGS="--concurrency 4": more flags for every sync the benchmark runs.
const QUICK_SIDES = QUICK ? process.env.BENCH_SIDES?.split(",") : undefined;
class Quick extends Error {}
// BENCH_PART=rtt: the round-trip part only, figures printed, nothing saved.
const PART = process.env.BENCH_PART;
if (PART !== undefined && PART !== "rtt") throw new TypeError(`BENCH_PART takes rtt, got ${JSON.stringify(PART)}`);
if (PART === "rtt" && QUICK) throw new TypeError("BENCH_QUICK (loopback only) and BENCH_PART=rtt (round trips only) exclude each other");
const RTT_ONLY = PART === "rtt";
const loadAtStart = loadavg()[0] ?? 0;
const touchAtStart = firstTouchUs();

interface Measured {
  ms: number;
  cpuUs: number;
  /** The part of cpuUs spent in the kernel (page faults, reads and writes). */
  systemUs: number;
  /** Pages of memory the process touched for the first time (each costs a trip into the kernel). */
  minorFaults: number;
  maxRssKiB: number;
  stdout: string;
}

/** `NAME=value NAME=value` (BENCH_CHILD_ENV, BENCH_SYNC_ENV) as variables. */
const envList = (list: string | undefined): Record<string, string> =>
  Object.fromEntries((list?.split(" ").filter(Boolean) ?? []).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));

/** Runs `node args…` as its own process with the rusage preload: wall time from spawn to exit, its CPU. */
async function measure(label: string, args: string[], env: Record<string, string>, cwd = root): Promise<Measured> {
  const usageFile = join(dir, `rusage-${label}-${process.hrtime.bigint()}.json`);
  const { PATH, HOME, TMPDIR } = process.env;
  const childEnv: Record<string, string> = {
    ...(PATH ? { PATH } : {}),
    ...(HOME ? { HOME } : {}),
    ...(TMPDIR ? { TMPDIR } : {}),
    NO_COLOR: "1",
    NODE_OPTIONS: `--require ${PRELOAD}`,
    MDE_BENCH_RUSAGE_FILE: usageFile,
    // BENCH_CHILD_ENV: more variables for every measured process (BENCH_SYNC_ENV: for this checkout's syncs only).
    ...envList(process.env.BENCH_CHILD_ENV),
    ...env,
  };
  const t0 = performance.now();
  // BENCH_CHILD_NODE_ARGS: more flags for the measured processes, e.g. `--cpu-prof --cpu-prof-dir=DIR`.
  const extra = process.env.BENCH_CHILD_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...extra, ...args], { cwd, env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
  const { code, stdout, stderr } = await collect(child);
  const ms = performance.now() - t0;
  if (code !== 0) throw new Error(`${label}: exit ${code}\n${stderr.slice(-4000)}\n${stdout.slice(-2000)}`);
  if (process.env.BENCH_DEBUG_STDERR) process.stderr.write(stderr);
  const usage = JSON.parse(readFileSync(usageFile, "utf8")) as { cpuUs: number; systemUs: number; maxRssKiB: number; minorFaults: number };
  return { ms, cpuUs: usage.cpuUs, systemUs: usage.systemUs, minorFaults: usage.minorFaults, maxRssKiB: usage.maxRssKiB, stdout };
}

function collect(child: ChildProcess): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d) => {
      stdout += d;
    });
    child.stderr!.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Plain `node args…` (setup steps, not measured). */
async function run(label: string, args: string[], env: Record<string, string>, cwd = root): Promise<string> {
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, NO_COLOR: "1", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const { code, stdout, stderr } = await collect(child);
  if (code !== 0) throw new Error(`${label}: exit ${code}\n${stderr.slice(-4000)}`);
  return stdout;
}

/** A process's /proc/PID/stat fields from its state on (field 3 of proc(5) is [0]), or undefined off Linux. */
function procStat(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** One emulator world: its process, a connection trusting its CA, its control API. */
async function world(tenants: number, alertsPerTenant: number, seed: string) {
  const emulator = await startEmulatorProcess([
    "--tenants",
    String(tenants),
    "--alerts-per-tenant",
    String(alertsPerTenant),
    "--seed",
    seed,
    "--state-dir",
    mkdtempSync(join(dir, "emulator-")),
  ]);
  const { info } = emulator;
  // A connection per control call: the emulator may have closed an idle kept-alive one unnoticed.
  const controlDispatcher = new Agent({ connect: { ca: ca(info) }, pipelining: 0 });
  const dispatcher = new Agent({ connect: { ca: ca(info) } });
  const control = (method: string, path: string, body?: unknown) => controlCall(info, controlDispatcher, method, path, body);
  const pid = emulator.child.pid!;
  return {
    info,
    /** The emulator process's CPU so far (user + system, µs; Linux /proc, else 0). */
    cpuUs(): number {
      const fields = procStat(pid);
      return fields ? ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100 : 0;
    },
    /** The emulator process's minor page faults so far (Linux /proc, else 0). */
    faults(): number {
      return Number(procStat(pid)?.[7] ?? 0);
    },
    dispatcher,
    control,
    total: info.tenants.reduce((n, t) => n + t.alerts, 0),
    async stop() {
      await dispatcher.close();
      await controlDispatcher.close();
      await emulator.stop();
    },
  };
}
type World = Awaited<ReturnType<typeof world>>;

/** A CLI home configured against the emulator by that checkout's own `init`. */
async function cliHome(checkout: string, w: World): Promise<string> {
  const home = mkdtempSync(join(dir, "home-"));
  const { info } = w;
  await run(
    `init (${checkout})`,
    [
      `${checkout}/packages/cli/bin/mde-partner.js`,
      "init",
      "--client-id",
      info.partnerApp.clientId,
      "--cloud",
      "custom",
      "--login-url",
      info.loginUrl,
      "--api-url",
      info.apiUrl,
      "--ca-cert",
      info.caCertFile,
      "--client-secret-env",
      SECRET_ENV,
      "--db",
      `sqlite:${join(home, "config.db")}`,
    ],
    { MDE_PARTNER_HOME: home, [SECRET_ENV]: info.partnerApp.clientSecret },
  );
  return home;
}

// The store and its consented tenants, made by the checkout's own store code (so an older checkout's works too).
const PREPARE = `
const { openStore } = await import(process.env.MDE_BENCH_SYNC_MODULE);
const store = await openStore({ url: process.env.MDE_BENCH_STORE });
for (const t of JSON.parse(process.env.MDE_BENCH_TENANTS)) await store.upsertTenant({ id: t.id, name: t.name, initialState: "consented" });
await store.close();`;

let stores = 0;
interface SyncSample extends Measured {
  bytes: number;
  /** The emulator's CPU while it served this run. */
  emulatorCpuUs: number;
  /** The emulator's minor page faults while it served this run. */
  emulatorFaults: number;
}

/** `mde-partner sync --once …` of `checkout` into a fresh SQLite store; checks every alert is in it. */
async function syncRun(checkout: string, home: string, w: World, args: string[]): Promise<SyncSample> {
  const file = join(dir, `store-${++stores}.db`);
  await run(`prepare store (${checkout})`, ["--input-type=module", "-e", PREPARE], {
    MDE_BENCH_SYNC_MODULE: pathToFileURL(`${checkout}/packages/sync/dist/index.js`).href,
    MDE_BENCH_STORE: `sqlite:${file}`,
    MDE_BENCH_TENANTS: JSON.stringify(w.info.tenants.map((t) => ({ id: t.id, name: t.name }))),
  });
  await w.control("POST", "/rate-limits/reset");
  const emulator0 = w.cpuUs();
  const faults0 = w.faults();
  const m = await measure(
    "sync",
    [`${checkout}/packages/cli/bin/mde-partner.js`, "sync", "--once", "--db", `sqlite:${file}`, ...args],
    { MDE_PARTNER_HOME: home, [SECRET_ENV]: w.info.partnerApp.clientSecret, ...(checkout === root ? envList(process.env.BENCH_SYNC_ENV) : {}) },
    checkout,
  );
  const emulatorCpuUs = w.cpuUs() - emulator0;
  const emulatorFaults = w.faults() - faults0;
  const bytes = ["", "-wal"].reduce((n, s) => n + (statSync(file + s, { throwIfNoEntry: false })?.size ?? 0), 0);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const counts = new Map(
      (
        db
          .prepare(
            // Schema v6 keys alert rows by an integer tenant key; older stores by the tenant id.
            db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'tenant_keys'").get()
              ? "SELECT k.tenant_id AS t, COUNT(*) AS n FROM alerts a JOIN tenant_keys k ON k.key = a.tenant_key GROUP BY k.tenant_id"
              : "SELECT tenant_id AS t, COUNT(*) AS n FROM alerts GROUP BY tenant_id",
          )
          .all() as Array<{ t: string; n: number }>
      ).map((r) => [r.t, r.n]),
    );
    for (const t of w.info.tenants)
      if (counts.get(t.id) !== t.alerts)
        throw new Error(`sync ${args.join(" ")} (${checkout}): tenant ${t.id} has ${counts.get(t.id) ?? 0} alerts in the store, the emulator ${t.alerts}`);
  } finally {
    db.close();
  }
  if (process.env.BENCH_KEEP_STORE) copyFileSync(file, process.env.BENCH_KEEP_STORE);
  rmSync(file, { force: true });
  rmSync(`${file}-wal`, { force: true });
  rmSync(`${file}-shm`, { force: true });
  return { ...m, bytes, emulatorCpuUs, emulatorFaults };
}

/** The documentation-style script into a fresh NDJSON file; checks it wrote every alert. */
async function scriptRun(w: World): Promise<SyncSample> {
  const out = join(dir, `script-${++stores}.ndjson`);
  await w.control("POST", "/rate-limits/reset");
  const emulator0 = w.cpuUs();
  const faults0 = w.faults();
  const m = await measure("script", [join(root, "bench/doc-style-sync.mjs"), out, ...w.info.tenants.map((t) => t.id)], {
    NODE_EXTRA_CA_CERTS: w.info.caCertFile,
    MDE_LOGIN_URL: w.info.loginUrl,
    MDE_API_URL: w.info.apiUrl,
    MDE_CLIENT_ID: w.info.partnerApp.clientId,
    MDE_CLIENT_SECRET: w.info.partnerApp.clientSecret,
  });
  const emulatorCpuUs = w.cpuUs() - emulator0;
  const emulatorFaults = w.faults() - faults0;
  const text = readFileSync(out);
  let lines = 0;
  for (let i = text.indexOf(10); i !== -1; i = text.indexOf(10, i + 1)) lines++;
  if (Number(m.stdout.trim()) !== w.total || lines !== w.total)
    throw new Error(`script wrote ${lines} alerts (said ${m.stdout.trim()}), the emulator has ${w.total}`);
  rmSync(out, { force: true });
  return { ...m, bytes: text.length, emulatorCpuUs, emulatorFaults };
}

/** bench/receive-pages.mjs: every page received and dropped, at the sync's default concurrency. */
async function receiveRun(w: World): Promise<SyncSample> {
  await w.control("POST", "/rate-limits/reset");
  const emulator0 = w.cpuUs();
  const faults0 = w.faults();
  const m = await measure("receive", [join(root, "bench/receive-pages.mjs"), String(RECEIVE_CONCURRENCY), ...w.info.tenants.map((t) => `${t.id}:${t.alerts}`)], {
    NODE_EXTRA_CA_CERTS: w.info.caCertFile,
    MDE_LOGIN_URL: w.info.loginUrl,
    MDE_API_URL: w.info.apiUrl,
    MDE_CLIENT_ID: w.info.partnerApp.clientId,
    MDE_CLIENT_SECRET: w.info.partnerApp.clientSecret,
  });
  const bytes = Number(m.stdout.trim());
  // The same pages as the limit's (when it fetched them): every byte of them arrived.
  if (pagesBytes > 0 && bytes !== pagesBytes) throw new Error(`receive read ${bytes} bytes of pages, the limit's pages are ${pagesBytes}`);
  return { ...m, bytes, emulatorCpuUs: w.cpuUs() - emulator0, emulatorFaults: w.faults() - faults0 };
}

/** Every alert page of every tenant as the API returns it ($top=10000/$skip, as the script reads them). */
async function fetchPages(w: World): Promise<AlertPageText[]> {
  const pages: AlertPageText[] = [];
  for (const t of w.info.tenants) {
    const res = await fetch(`${w.info.loginUrl}/${t.id}/oauth2/v2.0/token`, {
      method: "POST",
      dispatcher: w.dispatcher,
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: w.info.partnerApp.clientId,
        client_secret: w.info.partnerApp.clientSecret,
        scope: "https://api.securitycenter.microsoft.com/.default",
      }),
    });
    if (!res.ok) throw new Error(`token of ${t.id}: HTTP ${res.status}`);
    const token = ((await res.json()) as { access_token: string }).access_token;
    for (let skip = 0; ; skip += TOP) {
      const page = await fetch(`${w.info.apiUrl}/api/alerts?$top=${TOP}&$skip=${skip}`, {
        headers: { authorization: `Bearer ${token}` },
        dispatcher: w.dispatcher,
      });
      if (!page.ok) throw new Error(`alerts page of ${t.id}: HTTP ${page.status}`);
      const text = await page.text();
      pages.push({ tenantId: t.id, text });
      if ((JSON.parse(text) as { value: unknown[] }).value.length < TOP) break;
    }
  }
  await w.control("POST", "/rate-limits/reset");
  return pages;
}

async function limitRun(pages: readonly AlertPageText[], form: LimitForm): Promise<{ ms: number; cpuUs: number; bytes: number }> {
  const file = join(dir, `limit-${++stores}.db`);
  globalThis.gc?.();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await sqliteLimit(file, pages, form);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const bytes = ["", "-wal"].reduce((n, s) => n + (statSync(file + s, { throwIfNoEntry: false })?.size ?? 0), 0);
  for (const s of ["", "-wal", "-shm"]) rmSync(file + s, { force: true });
  return { ms, cpuUs: cpu.user + cpu.system, bytes };
}

/** The sides of a loopback round, in the order of even rounds (odd rounds run them backwards). */
const SIDES = ["script", "sync", "baseline", "limit", "indexed", "receive"] as const;
type Side = (typeof SIDES)[number];
/** Sides measured inside this process (no process of their own: no kernel, fault or emulator figures). */
const IN_PROCESS: ReadonlySet<Side> = new Set(["limit", "indexed"]);
type Sample = { ms: number; cpuUs: number; systemUs?: number; minorFaults?: number; bytes: number; maxRssKiB?: number; emulatorCpuUs?: number; emulatorFaults?: number };
const samples = Object.fromEntries(SIDES.map((side) => [side, []])) as unknown as Record<Side, Sample[]>;
const ALERTS_ONLY = ["--no-machines", "--no-tvm", ...(process.env.BENCH_SYNC_ARGS?.split(" ").filter(Boolean) ?? [])];
let loopTotal = 0;
let defaultSync: SyncSample | undefined;
let startCpuUs = 0;
let pagesBytes = 0;
const rtt: Partial<Record<"script" | "sync" | "syncHigh" | "baseline", SyncSample>> = {};
let rttTotal = 0;

try {
  if (!RTT_ONLY) {
    const loop = await world(TENANTS, PER_TENANT, "bench-sync-script");
    try {
      loopTotal = loop.total;
      const home = await cliHome(root, loop);
      const baselineHome = BASELINE ? await cliHome(BASELINE, loop) : undefined;
      // The limit's pages (not fetched when a quick run leaves the limit out).
      const pages = QUICK_SIDES && !QUICK_SIDES.some((side) => IN_PROCESS.has(side as Side)) ? [] : await fetchPages(loop);
      pagesBytes = pages.reduce((n, p) => n + Buffer.byteLength(p.text), 0);
      const runs: Record<Side, () => Promise<void>> = {
        script: async () => void samples.script.push(await scriptRun(loop)),
        sync: async () => void samples.sync.push(await syncRun(root, home, loop, ALERTS_ONLY)),
        baseline: async () => {
          if (BASELINE && baselineHome) samples.baseline.push(await syncRun(BASELINE, baselineHome, loop, ALERTS_ONLY));
        },
        limit: async () => void samples.limit.push(await limitRun(pages, "plain")),
        indexed: async () => void samples.indexed.push(await limitRun(pages, "indexed")),
        receive: async () => void samples.receive.push(await receiveRun(loop)),
      };
      for (let round = 0; round < ROUNDS; round++) {
        const order = round % 2 === 0 ? SIDES : [...SIDES].reverse();
        for (const side of order) {
          if (QUICK_SIDES && !QUICK_SIDES.includes(side)) continue;
          await runs[side]();
          console.log(`  round ${round + 1}/${ROUNDS} ${side}: ${((samples[side].at(-1)?.ms ?? 0) / 1000).toFixed(2)} s`);
        }
      }
      pages.length = 0;
      if (QUICK) throw new Quick();
      startCpuUs = (await measure("start", [join(root, "packages/cli/bin/mde-partner.js"), "--version"], { MDE_PARTNER_HOME: home })).cpuUs;
      defaultSync = await syncRun(root, home, loop, []);
      console.log(`  sync --once (defaults): ${(defaultSync.ms / 1000).toFixed(2)} s`);
    } finally {
      await loop.stop();
    }
  }

  const slow = await world(RTT_TENANTS, RTT_ALERTS, "bench-sync-script-rtt");
  try {
    rttTotal = slow.total;
    const home = await cliHome(root, slow);
    const baselineHome = RTT_BASELINE ? await cliHome(RTT_BASELINE, slow) : undefined;
    await slow.control("POST", "/faults", { target: "token", latencyMs: RTT_MS });
    await slow.control("POST", "/faults", { target: "api", latencyMs: RTT_MS });
    rtt.sync = await syncRun(root, home, slow, ALERTS_ONLY);
    console.log(`  ${RTT_MS} ms round trips, sync: ${(rtt.sync.ms / 1000).toFixed(2)} s`);
    rtt.syncHigh = await syncRun(root, home, slow, [...ALERTS_ONLY, "--concurrency", String(RTT_CONCURRENCY)]);
    console.log(`  ${RTT_MS} ms round trips, sync --concurrency ${RTT_CONCURRENCY}: ${(rtt.syncHigh.ms / 1000).toFixed(2)} s`);
    if (RTT_BASELINE && baselineHome) {
      rtt.baseline = await syncRun(RTT_BASELINE, baselineHome, slow, ALERTS_ONLY);
      console.log(`  ${RTT_MS} ms round trips, baseline sync: ${(rtt.baseline.ms / 1000).toFixed(2)} s`);
    }
    rtt.script = await scriptRun(slow);
    console.log(`  ${RTT_MS} ms round trips, script: ${(rtt.script.ms / 1000).toFixed(2)} s`);
  } finally {
    await slow.stop();
  }
} catch (error) {
  if (!(error instanceof Quick)) throw error;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (RTT_ONLY) {
  const { script, sync, syncHigh, baseline } = rtt;
  const ratio = (s: SyncSample | undefined) => (script && s ? ` (${(script.ms / s.ms).toFixed(1)}× the script)` : "");
  console.log(`  ${RTT_MS} ms round trips, ${RTT_TENANTS} tenants × ${RTT_ALERTS}:`);
  if (script) console.log(`    script: ${(script.ms / 1000).toFixed(2)} s`);
  if (sync) console.log(`    sync (default concurrency): ${(sync.ms / 1000).toFixed(2)} s${ratio(sync)}`);
  if (syncHigh) console.log(`    sync --concurrency ${RTT_CONCURRENCY}: ${(syncHigh.ms / 1000).toFixed(2)} s${ratio(syncHigh)}`);
  if (baseline) console.log(`    baseline sync: ${(baseline.ms / 1000).toFixed(2)} s${ratio(baseline)}`);
  process.exit(0);
}
if (QUICK) {
  console.log(`  CPU per first touch of new memory at start / end: ${touchAtStart.toFixed(1)} µs / ${firstTouchUs().toFixed(1)} µs`);
  for (const side of SIDES) {
    const got = samples[side];
    if (got.length)
      console.log(
        `  ${side}: ${(median(got.map((s) => s.ms)) / 1000).toFixed(2)} s, ${(median(got.map((s) => s.cpuUs)) / loopTotal).toFixed(1)} µs CPU per alert` +
          (IN_PROCESS.has(side)
            ? ""
            : ` (${(median(got.map((s) => s.systemUs ?? 0)) / loopTotal).toFixed(1)} in the kernel, ${Math.round(median(got.map((s) => s.minorFaults ?? 0)) / 1000)}k page faults), emulator ${(median(got.map((s) => s.emulatorCpuUs ?? 0)) / loopTotal).toFixed(1)} µs per alert (${Math.round(median(got.map((s) => s.emulatorFaults ?? 0)) / 1000)}k page faults), peak RSS ${Math.round(median(got.map((s) => s.maxRssKiB ?? 0)) / 1024)} MiB`),
      );
  }
  process.exit(0);
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const med = (side: Side, pick: (s: Sample) => number) => median(samples[side].map(pick));
const sec = (side: Side) => med(side, (s) => s.ms) / 1000;
const cpuPerAlert = (side: Side) => med(side, (s) => s.cpuUs) / loopTotal;
const kib = (bytes: number, alerts: number) => `${(bytes / alerts / 1024).toFixed(2)} KiB`;
const mib = (kiB: number) => `${Math.round(kiB / 1024)} MiB`;
const line = (s: { ms: number; cpuUs: number }, total: number) =>
  `${(s.ms / 1000).toFixed(2)} s — ${fmt(total / (s.ms / 1000))} alerts/s, ${(s.cpuUs / total).toFixed(1)} µs CPU per alert`;
const sides = (pick: (side: Side) => string, withLimit: boolean) =>
  [pick("script"), pick("sync"), ...(BASELINE ? [pick("baseline")] : []), ...(withLimit ? [pick("limit")] : [])].join(" / ");
const sideLine = (side: Side) => line({ ms: sec(side) * 1000, cpuUs: med(side, (s) => s.cpuUs) }, loopTotal);
const n = `median of ${ROUNDS}`;
/** `a`'s figure over `b`'s in each round (samples are pushed one per side and round), then their median. */
const perRound = (a: Side, b: Side, pick: (s: Sample) => number, digits = 2, unit = "×") => {
  const ratios = samples[a].map((s, i) => pick(s) / pick(samples[b][i]!));
  return `${ratios.map((r) => r.toFixed(digits) + unit).join(", ")} — median ${median(ratios).toFixed(digits)}${unit}`;
};
/** The baseline checkout by its commit (a local path means nothing to a reader of the results). */
/** How the command line names the baseline's checkout. */
function baselineArg(): string {
  const name = baselineName();
  return name.startsWith("commit ") ? `<checkout of ${name.slice("commit ".length)}, built>` : "<older checkout, built>";
}

function baselineName(): string {
  const r = spawnSync("git", ["-C", BASELINE!, "rev-parse", "--short", "HEAD"], { encoding: "utf8" });
  return r.status === 0 ? `commit ${r.stdout.trim()}` : "the baseline checkout";
}
/** The script's time over `cpuUs` of CPU spread evenly over the machine's cores. */
const ceiling = (cpuUs: number) => `${(sec("script") / (cpuUs / 1e6 / CORES)).toFixed(2)}×`;
const rows: Array<[string, string]> = [
  // Wall times are only comparable when the machine was not busier for one side than the other.
  ["machine load (1-minute load average) at start / end", `${loadAtStart.toFixed(1)} / ${(loadavg()[0] ?? 0).toFixed(1)}`],
  // A sync's and a script's processes grow by some 60–150k pages of memory: a busy host shows here.
  ["CPU per first touch of new memory (lib.ts firstTouchUs) at start / end", `${touchAtStart.toFixed(1)} µs / ${firstTouchUs().toFixed(1)} µs`],
  ["alerts (loopback world) / JSON of their pages", `${fmt(loopTotal)} (${TENANTS} tenants × ${fmt(PER_TENANT)}) / ${(pagesBytes / 2 ** 20).toFixed(0)} MiB`],
  [`documentation-style script (NDJSON), ${n}`, sideLine("script")],
  [`sync --once --no-machines --no-tvm (SQLite), ${n}`, sideLine("sync")],
  ["speedup sync / script, loopback (aim ≥ 1.5×)", `${(sec("script") / sec("sync")).toFixed(2)}×`],
  // The ratio of medians can pair one side's quiet round with the other's disturbed one; each round
  // runs every side in turn, so its own ratio compares runs minutes apart at most.
  ["speedup sync / script per round (the two ran in turn), and their median", perRound("script", "sync", (s) => s.ms)],
];
if (BASELINE) {
  rows.push(
    [`baseline: the same sync --once of ${baselineName()}, ${n}`, sideLine("baseline")],
    ["speedup sync / baseline sync, loopback", `${(sec("baseline") / sec("sync")).toFixed(2)}×`],
    ["CPU per alert sync / baseline (aim ≤ 0.33)", (cpuPerAlert("sync") / cpuPerAlert("baseline")).toFixed(2)],
    ["CPU per alert sync / baseline per round, and their median", perRound("sync", "baseline", (s) => s.cpuUs, 2, "")],
  );
}
rows.push(
  [`limit: JSON.parse + fastest correct SQLite write, in this process, ${n}`, sideLine("limit")],
  ["CPU per alert limit / sync (aim ≥ 0.7)", (cpuPerAlert("limit") / cpuPerAlert("sync")).toFixed(2)],
  // The limit keeps no index but its key; the store keeps the six the console's queries need.
  [`for information: the limit keeping the console's indexes (compact keys, as the store's), ${n}`, sideLine("indexed")],
  ["for information: CPU per alert (limit keeping the console's indexes) / sync", (cpuPerAlert("indexed") / cpuPerAlert("sync")).toFixed(2)],
  // The limit reads its pages from memory; a sync must first receive them. What that alone costs:
  [`receive: every page over HTTPS, read and dropped, ${RECEIVE_CONCURRENCY} tenants at a time (bench/receive-pages.mjs), ${n}`, sideLine("receive")],
  ["for information: CPU per alert (limit + receive) / sync", ((cpuPerAlert("limit") + cpuPerAlert("receive")) / cpuPerAlert("sync")).toFixed(2)],
  [
    // The machine's two cores serve both processes: on loopback a side's wall time follows its CPU plus this.
    "emulator CPU while serving a run, per alert: script / sync" + (BASELINE ? " / baseline" : ""),
    sides((side) => `${(med(side, (s) => s.emulatorCpuUs ?? 0) / loopTotal).toFixed(1)} µs`, false),
  ],
  // On loopback the sync and the emulator share the machine's cores: a sync can end no sooner than
  // their CPU spread evenly over them, even with no start and no thread ever waiting.
  [
    `for information: the most sync / script could be here: the script's time over the sync's and the emulator's CPU spread evenly over ${CORES} cores, no start, no waiting`,
    ceiling(med("sync", (s) => s.cpuUs + (s.emulatorCpuUs ?? 0))),
  ],
  [
    "for information: the same for a sync costing only the limit keeping the console's indexes plus receive",
    ceiling((cpuPerAlert("indexed") + cpuPerAlert("receive")) * loopTotal + med("sync", (s) => s.emulatorCpuUs ?? 0)),
  ],
  [
    "peak RSS script / sync" + (BASELINE ? " / baseline" : ""),
    sides((side) => mib(med(side, (s) => s.maxRssKiB ?? 0)), false),
  ],
  [
    "output per alert: script NDJSON / sync SQLite (db + WAL)" + (BASELINE ? " / baseline SQLite" : "") + " / limit SQLite",
    sides((side) => kib(med(side, (s) => s.bytes), loopTotal), true),
  ],
);
rows.push([
  "for information: CPU of a CLI process that only starts and exits (mde-partner --version), and per alert of the loopback world",
  `${(startCpuUs / 1000).toFixed(0)} ms — ${(startCpuUs / loopTotal).toFixed(1)} µs per alert`,
]);
if (defaultSync)
  rows.push([
    "for information: sync --once with its defaults (machines, TVM too), once",
    `${line(defaultSync, loopTotal)}, ${kib(defaultSync.bytes, loopTotal)} per alert`,
  ]);
const rttAt = `${RTT_MS} ms round trips, ${RTT_TENANTS} tenants × ${fmt(RTT_ALERTS)}`;
if (rtt.script && rtt.sync && rtt.syncHigh) {
  rows.push(
    [`${rttAt}: documentation-style script, once`, line(rtt.script, rttTotal)],
    [`${rttAt}: sync --once --no-machines --no-tvm (default concurrency), once`, line(rtt.sync, rttTotal)],
    [`speedup sync / script, ${RTT_MS} ms round trips (aim ≥ 8×)`, `${(rtt.script.ms / rtt.sync.ms).toFixed(2)}×`],
    [`${rttAt}: the same sync --once --concurrency ${RTT_CONCURRENCY}, once`, line(rtt.syncHigh, rttTotal)],
    [`speedup sync --concurrency ${RTT_CONCURRENCY} / script, ${RTT_MS} ms round trips`, `${(rtt.script.ms / rtt.syncHigh.ms).toFixed(2)}×`],
  );
  if (rtt.baseline)
    rows.push(
      [`${rttAt}: baseline sync --once (default concurrency), once`, line(rtt.baseline, rttTotal)],
      [`speedup baseline sync / script, ${RTT_MS} ms round trips`, `${(rtt.script.ms / rtt.baseline.ms).toFixed(2)}×`],
    );
}

saveResult("sync-script", {
  title:
    `Sync: mde-partner sync --once against a documentation-style sync script (${TENANTS} tenants × ${fmt(PER_TENANT)} alerts; ` +
    `${RTT_TENANTS} × ${fmt(RTT_ALERTS)} with ${RTT_MS} ms round trips)`,
  // The command as run: every BENCH_ variable given (the baseline's path by what it is).
  command: `${Object.entries(process.env)
    .filter(([k]) => k.startsWith("BENCH_"))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${k === "BENCH_BASELINE_ROOT" ? baselineArg() : v} `)
    .join("")}npm run bench -- sync-script`,
  rows,
  notes: [
    "The emulator runs in its own process (`mde-partner emulator`, HTTPS on loopback) on the same machine as the measured process, " +
      "with its documented rate limits on; their counters are reset before each run, so no run spends another's budget. " +
      "Each side is a process of its own: its wall time is taken from spawn to exit (Node's start included), its CPU (user + system, " +
      "every thread, plus any child process it waited for) recorded at its exit by bench/rusage-preload.cjs. CPU per alert is that CPU " +
      "over the alerts copied.",
    "Documentation-style script (bench/doc-style-sync.mjs, Node's own fetch): one tenant after another, a client-credentials token per " +
      "tenant, `GET /api/alerts?$top=10000&$skip=N` until a short page, every alert appended as one JSON line (with its tenant id) to a " +
      "file. It keeps nothing else: no cursor, no upsert, no retry, no store to query. Its file is checked to hold every alert.",
    "sync: `mde-partner sync --once --no-machines --no-tvm --db sqlite:<fresh file>` of the checkout's CLI bundle, configured by that " +
      "checkout's own `init` (custom cloud at the emulator, its CA, the secret from an environment variable), the tenants put into the " +
      "store as consented beforehand by the checkout's own `openStore` / `upsertTenant` (not timed). Afterwards the store is counted: " +
      "every tenant's alerts must all be there, else the benchmark fails. Size: the SQLite file plus its WAL after the CLI exited." +
      (BASELINE ? " The baseline is the same command with an older checkout's CLI, in the same rounds." : ""),
    "Limit: the same alerts' pages (as the script reads them, fetched beforehand and not timed), JSON.parse and the fastest correct " +
      "SQLite write (bench/lib.ts sqliteLimit: upsert by tenant and id where a newer lastUpdateTime wins, the cursor in the page's " +
      "transaction, one prepared statement, WAL, synchronous NORMAL, no index but the primary key), measured in the benchmark's own " +
      "process. It pays for no network, TLS, token, process start, derived column or index: it is the floor a sync's CPU is held against.",
    "Limit keeping the console's indexes (for information): the same write into the layout the store gives its alerts since schema v6 " +
      "(bench/lib.ts sqliteLimit \"indexed\": a rowid table, unique tenant key + id, integer microsecond times) with the six indexes " +
      "the console's queries use (a tenant's newest, by severity and status, by machine, by incident, by creation for the overview, and " +
      "by ingestion for the forwarder). The difference between it and the limit is what keeping those indexes costs SQLite on this " +
      "machine, a cost no sync that keeps them can avoid.",
    `Receive: bench/receive-pages.mjs, a process of its own, asks for every tenant's token and pages as the script does, ${RECEIVE_CONCURRENCY} ` +
      "tenants at a time over kept-alive HTTPS connections (node:https), and reads each body into one reused buffer and drops it. Its CPU " +
      "is what receiving the pages costs before anything is parsed or stored (TLS, HTTP, tokens, its own start): the part of a sync's " +
      "CPU the limit leaves out. Its received bytes are checked against the limit's pages.",
    `Round trips: a second emulator world whose every token and API answer comes ${RTT_MS} ms late (control API faults), one run of ` +
      `each: the script pays two round trips per tenant, one tenant after another; sync --once overlaps tenants up to its --concurrency ` +
      `(default 16, then ${RTT_CONCURRENCY}) and fetches the next tenants' tokens while the running ones sync, so a tenant waits for ` +
      `one round trip instead of two` +
      (RTT_BASELINE ? "; the baseline's sync --once at its default too." : "."),
    "Where the sync's time goes (per-thread CPU of the sync process on loopback, from perf and CPU profiles; " +
      "docs/architecture.md, \"How an alert page is written\"): the writer thread inserts the rows, about 40% of the CPU " +
      "(SQLite's inserts into the table and its six indexes, its commits and WAL checkpoints; about a quarter of the " +
      "thread's time is in the kernel, writing the WAL and the file); the reader thread scans each body straight into packed " +
      "rows (alert-page-scan.ts), about 27% (since d3ee3f1 it compares keys and copies short values four bytes at a time: the " +
      "scan alone 4.0 against 5.3 µs per alert); the main thread reads the network (TLS, HTTP, the bodies' bytes) and does the " +
      "store's bookkeeping, about 23%; V8's own helper threads (mostly optimising compilation, for three threads) about 10%. " +
      "The page buffers the threads hand each other are recycled (spare-buffers.ts), and a body is copied into its buffer as " +
      "it arrives: before, first touches of new buffers (page faults) were about a sixth of the main and reader threads' CPU, " +
      "and a body gathered whole was copied after the other bodies read meanwhile had pushed it out of the cache. A page's " +
      "body is read only once the store has one of its 4 page slots (alert-writer-client.ts PAGES_AHEAD): without them, " +
      "the 16 tenants' first bodies were all read at once into new buffers when the emulator answered faster than the threads " +
      "wrote. About 0.5 s of the sync's CPU is spent once a run and about 8 ms once a tenant (measured with one alert per " +
      "tenant, 1 against 40 tenants, three rounds each: 0.49 s and 0.79 s; the script's are 0.30 s and about 3 ms). Once: " +
      "Node's start (about 90 ms of CPU for an empty process here) and module loading, two worker threads (an empty one " +
      "costs about 50 ms of CPU to start here, the reader about 63 ms, the writer about 88 ms with its SQLite connection), " +
      "the optimising compiler's warm-up. Per tenant: a token and a TLS connection, and the store's bookkeeping (a sync " +
      "run started and finished, the tenant's state and last sync, its cursor; four small commits). On loopback the emulator serving the same JSON shares the machine's two cores (its CPU per " +
      "run is a row above). It writes a large page in parts of about 64 KiB as the connection takes them (since commit " +
      "7c8f41f; before, each page was a string, a buffer and TLS records of several MiB, and the emulator took 17–22 µs of " +
      "CPU per alert instead of 9–11). It encodes all of a page's parts when the page is asked for: encoded as the " +
      "connection took them, the items' text lived on its heap until then, and serving the sync's 16 pages at once, 43% of " +
      "its CPU went to garbage collection (6–7 µs of CPU per alert now, against 9–14 µs). Every side's wall time follows " +
      "its own CPU plus the emulator's. The machine's own " +
      "speed drifts from run to run (the baseline's time says how busy it was): only the ratios of one run are compared.",
    "How a run goes (times inside the sync's process, from its HTTP requests' events, quiet runs, against the emulator as " +
      "it was before commit 8d3ed34): its first token request leaves about 0.3 s after the process started, and the first " +
      "16 page requests within milliseconds of it. The first 4 bodies are whole only 0.55–0.75 s later: the emulator " +
      "answers all 16 requests on its one thread before the parts of any one of them have all gone out (its CPU per page " +
      "of 3,000 alerts was about 25–28 ms served one at a time and 32–36 ms served 16 at once, the difference mostly " +
      "garbage collection of the items' text; since 8d3ed34, 16–18 and 19–23 ms). From then on a page is answered about " +
      "every 55 ms, the writer thread's time for one page: it is the busy thread until the last page. The process exits about 0.3 s after the last " +
      "body (the pages still queued for the writer, the final WAL checkpoint at close). With --concurrency 4 the first bodies " +
      "are whole after about 0.25–0.3 s, but the whole run takes longer: the writer then waits for the network between pages. " +
      "Measured again after 8d3ed34 (one run, loaded host): the 40 tenants' token requests (all prefetched at once) leave at " +
      "0.36 s, the 16 page requests at 0.47–0.51 s, their headers come back 0.51–1.0 s and the first 4 bodies are whole at " +
      "1.13–1.41 s. Sent as one buffer per page, the first bodies were whole at 0.78–0.89 s, but the emulator's first touches " +
      "of memory grew again (50k against 29k); letting the emulator's connections take more parts per write (a 1 MiB " +
      "high-water mark) changed nothing. Neither was kept.",
    "The store's own writes during a run (a tenant's sync run row, its state, a console's change): until commit dbb152f " +
      "they went through the store's connection and the pages through the writer thread's. SQLite gives the write lock " +
      "to whoever asks while it is free and the writer starts its next transaction the moment the last committed, so while " +
      "pages were queued those writes waited (single statements 140–680 ms on loopback; after 15 s they failed with " +
      "SQLITE_BUSY), Kysely's one connection held the store's reads behind them, and the tenants after the first 16 did not " +
      "start for about 0.8 s. Letting them go before the writer's next transaction (commit 4e921d0, backed out in d537e8d) " +
      "was slower in 5 of 6 rounds of four side-by-side runs: every commit of another connection makes SQLite drop the " +
      "writer's page cache (WAL mode). Since dbb152f they run on the writer's own connection (dialect.ts WriteRoute), " +
      "between two of its page transactions: the next tenants start as others finish, and the wall time stayed within " +
      "noise (median 3.86 against 3.80 s in 6 rounds side by side): the writer thread was and is the bottleneck. Since " +
      "f525e8e only while the writer has more than about 2 ms of pages in hand (256 KiB of alerts), or after a try on the " +
      "store's connection found the lock taken: a trip to the writer's thread and back costs more than a small write " +
      "(400 tenants of one alert each: median 2.00 against 2.20 s in 6 rounds side by side); in this world they are " +
      "routed as before (141 of 144 in one run, the other 3 after the last page). Tried " +
      "and not kept: no WAL checkpoint on the writer during the run (a run's two took 150–200 ms each on its thread; " +
      "without them the WAL grew to the whole run's size and the run was slower, median 4.71 against 4.31 s in 4 rounds " +
      "side by side), a 256 MiB page cache for the writer " +
      "(more first touches, slower). Memory-mapped reads (mmap_size) for the store's connections: 2.7–3.1% less CPU per " +
      "alert in two side-by-side runs, wall time within noise; not taken for so little (an I/O error becomes a signal " +
      "that kills the process).",
    "The most sync / script could be here (the two rows after the emulator's CPU): on loopback the sync's threads and the " +
      "emulator share the machine's cores, so a run can end no sooner than their CPU spread evenly over them, even if the " +
      "sync started at no cost and no thread ever waited for another. The first row takes the sync's own CPU: where it is " +
      "below the aim, this sync cannot meet it without spending less CPU. The second takes a sync that cost only the limit " +
      "keeping the console's indexes (JSON.parse and SQLite's writes) plus receiving the pages. A real run also waits: at " +
      "its start for its first page (the process's start, a token, the emulator's first answer) and at its end for the " +
      "writer, the one thread SQLite lets write.",
  ],
});
