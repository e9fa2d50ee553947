import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { createInterface } from "node:readline";
import { type Dispatcher, fetch } from "undici";

export interface ReadyInfo {
  loginUrl: string;
  apiUrl: string;
  controlUrl: string;
  caCertFile: string;
  partnerApp: { clientId: string; clientSecret: string; certificateFile: string; privateKeyFile: string };
  tenants: Array<{ id: string; name: string; alerts: number; machines: number; consented: boolean }>;
}

const root = new URL("..", import.meta.url).pathname;

/** Starts `mde-partner emulator` in its own process and waits for its ready line. */
export async function startEmulatorProcess(args: string[]): Promise<{ info: ReadyInfo; child: ChildProcess; stop(): Promise<void> }> {
  // BENCH_EMULATOR_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR": Node flags for the emulator's process (profiling it).
  const nodeArgs = process.env.BENCH_EMULATOR_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, `${root}packages/cli/bin/mde-partner.js`, "emulator", "--port", "0", ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout! });
  const [line] = (await once(lines, "line")) as [string];
  const info = JSON.parse(line) as ReadyInfo;
  return {
    info,
    child,
    async stop() {
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}

export const ca = (info: ReadyInfo) => readFileSync(info.caCertFile, "utf8");

export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export const median = (values: number[]) => quantile(values, 0.5);

export function machine(): string {
  return `${cpus().length} cores (${cpus()[0]?.model ?? "unknown"}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/** Saves one benchmark's result for `scripts/bench.mjs` to put into docs/benchmarks.md. */
export function saveResult(name: string, result: { title: string; command: string; rows: Array<[string, string]>; notes?: string[] }) {
  mkdirSync(`${root}bench/results`, { recursive: true });
  writeFileSync(`${root}bench/results/${name}.json`, `${JSON.stringify({ ...result, machine: machine(), date: new Date().toISOString() }, null, 2)}\n`);
  console.log(`\n${result.title}`);
  for (const [k, v] of result.rows) console.log(`  ${k.padEnd(58)} ${v}`);
}

/**
 * What a first touch of new memory costs on this machine now, in µs of CPU per page fault: 64 MiB
 * allocated and each 4 KiB page written once. On a virtual machine it follows the host's load
 * (measured 10–15 µs on the same machine an hour apart), and it weighs on every process that grows:
 * printed beside a run's figures, it tells a busy host from a slower program.
 */
export function firstTouchUs(): number {
  const before = process.resourceUsage();
  const kept: Buffer[] = [];
  for (let i = 0; i < 16; i++) {
    const b = Buffer.allocUnsafeSlow(4 << 20);
    for (let j = 0; j < b.length; j += 4096) b[j] = 1;
    kept.push(b);
  }
  const after = process.resourceUsage();
  const faults = after.minorPageFault - before.minorPageFault;
  const cpuUs = after.userCPUTime + after.systemCPUTime - before.userCPUTime - before.systemCPUTime;
  return faults > 0 ? cpuUs / faults : 0;
}

/** One page of alerts as the API returned it (the JSON text), with the tenant it belongs to. */
export interface AlertPageText {
  tenantId: string;
  text: string;
}

interface LimitAlert {
  id: string;
  title?: string;
  severity?: string;
  status?: string;
  classification?: string | null;
  assignedTo?: string | null;
  machineId?: string | null;
  alertCreationTime?: string | null;
  lastUpdateTime?: string | null;
  incidentId?: number | string | null;
}

/**
 * The limit's two table layouts:
 * - `plain`: the alerts keyed by tenant + id (a primary key) and no other index — what the machine
 *   can ingest at all;
 * - `indexed`: the same write keeping the six indexes the console's queries need, in the store's
 *   compact form (packages/sync/src/store/migrations.ts, schema v6 on: an integer tenant key,
 *   integer microsecond times, a rowid table with a unique tenant + id) — what the same write costs
 *   when the console must still find a tenant's newest alerts, or its open High ones, at a million.
 */
export type LimitForm = "plain" | "indexed";

const LIMIT_TABLES: Record<LimitForm, string> = {
  plain: `CREATE TABLE alerts (tenant_id TEXT NOT NULL, id TEXT NOT NULL, payload TEXT NOT NULL, title TEXT, severity TEXT,
    status TEXT, classification TEXT, assigned_to TEXT, machine_id TEXT, alert_creation_time TEXT, last_update_time TEXT,
    PRIMARY KEY (tenant_id, id))`,
  indexed: `CREATE TABLE alerts (seq INTEGER PRIMARY KEY, tenant_key INTEGER NOT NULL, id TEXT NOT NULL, payload TEXT NOT NULL,
    title TEXT, severity TEXT, status TEXT, classification TEXT, assigned_to TEXT, machine_id TEXT, created_us INTEGER,
    updated_us INTEGER, incident_id TEXT, ingested_us INTEGER NOT NULL, UNIQUE (tenant_key, id));
    CREATE INDEX alerts_tenant_updated ON alerts (tenant_key, updated_us);
    CREATE INDEX alerts_tenant_sev_status ON alerts (tenant_key, severity, status, updated_us);
    CREATE INDEX alerts_ingested ON alerts (ingested_us);
    CREATE INDEX alerts_tenant_machine ON alerts (tenant_key, machine_id);
    CREATE INDEX alerts_tenant_incident ON alerts (tenant_key, incident_id);
    CREATE INDEX alerts_tenant_created ON alerts (tenant_key, created_us, status, severity)`,
};

const LIMIT_UPSERTS: Record<LimitForm, string> = {
  plain: `INSERT INTO alerts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (tenant_id, id) DO UPDATE SET payload = excluded.payload, title = excluded.title, severity = excluded.severity,
      status = excluded.status, classification = excluded.classification, assigned_to = excluded.assigned_to,
      machine_id = excluded.machine_id, alert_creation_time = excluded.alert_creation_time, last_update_time = excluded.last_update_time
    WHERE alerts.last_update_time <= excluded.last_update_time`,
  indexed: `INSERT INTO alerts (tenant_key, id, payload, title, severity, status, classification, assigned_to, machine_id,
      created_us, updated_us, incident_id, ingested_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (tenant_key, id) DO UPDATE SET payload = excluded.payload, title = excluded.title, severity = excluded.severity,
      status = excluded.status, classification = excluded.classification, assigned_to = excluded.assigned_to,
      machine_id = excluded.machine_id, created_us = excluded.created_us, updated_us = excluded.updated_us,
      incident_id = excluded.incident_id, ingested_us = excluded.ingested_us
    WHERE alerts.updated_us <= excluded.updated_us`,
};

/** An ISO time as integer microseconds since 1970 (the indexed form's time keys), null for none. */
const limitUs = (time: string | null | undefined) => (time ? Date.parse(time) * 1000 : null);

/**
 * The machine's SQLite limit for alert pages (the form bench/ingest-limit.bench.ts measures):
 * JSON.parse, then one transaction per page: every alert upserted by tenant + id (a newer
 * lastUpdateTime wins, never an older one) and the tenant's cursor row; the table laid out as
 * `form` says ({@link LimitForm}); one prepared statement reused for every row, WAL, synchronous
 * NORMAL. Writes into a new SQLite file; runs in this process (its CPU is this process's).
 */
export async function sqliteLimit(file: string, pages: readonly AlertPageText[], form: LimitForm = "plain"): Promise<void> {
  const { default: Database } = await import("better-sqlite3");
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec(`${LIMIT_TABLES[form]};
    CREATE TABLE cursors (tenant_id TEXT PRIMARY KEY, position TEXT NOT NULL);`);
  const upsert = db.prepare(LIMIT_UPSERTS[form]);
  const cursor = db.prepare("INSERT INTO cursors VALUES (?, ?) ON CONFLICT (tenant_id) DO UPDATE SET position = excluded.position");
  const tenantKeys = new Map<string, number>();
  const page = db.transaction((tenantId: string, alerts: LimitAlert[]) => {
    // One loop per layout with its statement's arguments written out: building them in a shared
    // function would add an array per row to the limit's own cost.
    if (form === "plain") {
      for (const a of alerts) {
        upsert.run(tenantId, a.id, JSON.stringify(a), a.title ?? null, a.severity ?? null, a.status ?? null, a.classification ?? null,
          a.assignedTo ?? null, a.machineId ?? null, a.alertCreationTime ?? null, a.lastUpdateTime ?? null);
      }
    } else {
      let key = tenantKeys.get(tenantId);
      if (key === undefined) tenantKeys.set(tenantId, (key = tenantKeys.size + 1));
      const ingestedUs = Date.now() * 1000;
      for (const a of alerts) {
        upsert.run(key, a.id, JSON.stringify(a), a.title ?? null, a.severity ?? null, a.status ?? null, a.classification ?? null,
          a.assignedTo ?? null, a.machineId ?? null, limitUs(a.alertCreationTime), limitUs(a.lastUpdateTime),
          a.incidentId == null ? null : String(a.incidentId), ingestedUs);
      }
    }
    cursor.run(tenantId, alerts.at(-1)?.lastUpdateTime ?? "");
  });
  for (const p of pages) page(p.tenantId, (JSON.parse(p.text) as { value: LimitAlert[] }).value);
  db.close();
}

/** One call to the emulator's control API (faults, journal, resets); `dispatcher` trusts the emulator's CA. */
export async function controlCall(info: ReadyInfo, dispatcher: Dispatcher, method: string, path: string, body?: unknown): Promise<void> {
  const res = await fetch(`${info.controlUrl}${path}`, {
    method,
    dispatcher,
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { "content-type": "application/json" } } : {}),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status}`);
  await res.arrayBuffer();
}
