// What SQLite and PostgreSQL can ingest on this machine, against what the store does with the same
// pages. The alert pages of N tenants × 5,000 alerts are read once from an in-process emulator (the
// JSON text the API returns), then written, alternating, into a fresh SQLite file or PostgreSQL
// schema by:
//   limit — JSON.parse, then one transaction per page: every alert upserted by tenant + id (a newer
//           lastUpdateTime wins, never an older one) and the tenant's cursor row; a primary key and
//           no other index. SQLite: one prepared statement reused for every row, WAL, synchronous
//           NORMAL. PostgreSQL: one INSERT … SELECT FROM json_array_elements(the page) per page.
//   store — JSON.parse, then the store's applyAlertPage (the path a sync takes).
// Both keep the guarantees a sync needs (upsert, newer wins, cursor in the page's transaction).
// Figures: CPU per alert (this process's user + system time; for PostgreSQL the server's own
// work is not in it, so alerts/s is the figure to compare), alerts/s, SQLite file size per alert.
// Rounds: BENCH_ROUNDS (default 3); tenants: BENCH_TENANTS (default 20).
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { partnerFor, emulatorWorld } from "@mde-partner/test-kit";
import { advanceCursor, openStore } from "@mde-partner/sync";
import pg from "pg";
import { median, saveResult, sqliteLimit } from "./lib.js";

const TENANTS = Number(process.env.BENCH_TENANTS ?? 20);
const PER_TENANT = 5000;
const TOP = 10_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PG_URL = process.env.PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

const world = await emulatorWorld({ tenants: TENANTS, alertsPerTenant: PER_TENANT, machinesPerTenant: 12, seed: "bench-ingest", rateLimits: false });
const partner = partnerFor(world);
const pages: Array<{ tenantId: string; text: string }> = [];
for (const t of world.info.tenants) {
  const token = await partner.tenant(t.id).getToken();
  for (let skip = 0; ; skip += TOP) {
    const res = await world.fetch!(new Request(`${world.info.apiUrl}/api/alerts?$top=${TOP}&$skip=${skip}`, { headers: { authorization: `Bearer ${token}` } }));
    if (!res.ok) throw new Error(`alerts page of ${t.id}: HTTP ${res.status}`);
    const text = await res.text();
    pages.push({ tenantId: t.id, text });
    if ((JSON.parse(text) as { value: unknown[] }).value.length < TOP) break;
  }
}
await world.stop();
const total = pages.reduce((n, p) => n + (JSON.parse(p.text) as { value: unknown[] }).value.length, 0);
const bytes = pages.reduce((n, p) => n + Buffer.byteLength(p.text), 0);

interface Alert {
  id: string;
  title?: string;
  severity?: string;
  status?: string;
  classification?: string | null;
  assignedTo?: string | null;
  machineId?: string | null;
  alertCreationTime?: string | null;
  lastUpdateTime?: string | null;
}

const dir = mkdtempSync(join(tmpdir(), "mde-bench-ingest-"));
const fileSize = (file: string) => ["", "-wal"].reduce((n, s) => n + (statSync(file + s, { throwIfNoEntry: false })?.size ?? 0), 0);

const COLUMNS = ["payload", "title", "severity", "status", "classification", "assigned_to", "machine_id", "alert_creation_time", "last_update_time"];

async function pgLimit(schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(`CREATE SCHEMA ${schema}; SET search_path TO ${schema};
      CREATE TABLE alerts (tenant_id text NOT NULL, id text NOT NULL, ${COLUMNS.map((n) => `${n} text`).join(", ")}, PRIMARY KEY (tenant_id, id));
      CREATE TABLE cursors (tenant_id text PRIMARY KEY, position text NOT NULL);`);
    // The page goes to the server as it came (one json parameter); the server splits it into rows.
    const field = (f: string) => `a->>'${f}'`;
    const upsert = `INSERT INTO alerts SELECT $1, ${field("id")}, a::text, ${["title", "severity", "status", "classification", "assignedTo", "machineId", "alertCreationTime", "lastUpdateTime"].map(field).join(", ")}
      FROM json_array_elements(($2::json)->'value') AS a
      ON CONFLICT (tenant_id, id) DO UPDATE SET ${COLUMNS.map((n) => `${n} = excluded.${n}`).join(", ")}
      WHERE alerts.last_update_time <= excluded.last_update_time`;
    for (const p of pages) {
      const alerts = (JSON.parse(p.text) as { value: Alert[] }).value;
      await c.query("BEGIN");
      await c.query(upsert, [p.tenantId, p.text]);
      await c.query("INSERT INTO cursors VALUES ($1, $2) ON CONFLICT (tenant_id) DO UPDATE SET position = excluded.position", [
        p.tenantId,
        alerts.at(-1)?.lastUpdateTime ?? "",
      ]);
      await c.query("COMMIT");
    }
  } finally {
    await c.end();
  }
}

async function sqliteStore(file: string): Promise<void> {
  await store({ url: `sqlite:${file}` });
}

async function pgStore(schema: string): Promise<void> {
  await store({ url: PG_URL, schema });
}

async function store(options: { url: string; schema?: string }): Promise<void> {
  const s = await openStore(options);
  for (const t of new Set(pages.map((p) => p.tenantId))) await s.upsertTenant({ id: t, name: t, initialState: "consented" });
  for (const p of pages) {
    const alerts = (JSON.parse(p.text) as { value: Alert[] }).value;
    const position = advanceCursor(await s.getCursor(p.tenantId, "alerts"), alerts);
    await s.applyAlertPage(p.tenantId, alerts, position);
  }
  await s.close();
}

const forms = { sqliteLimit: (file: string) => sqliteLimit(file, pages), sqliteStore, pgLimit, pgStore } as const;
type Form = keyof typeof forms;
interface Sample {
  cpuUs: number;
  ms: number;
  size: number;
}
const samples: Record<Form, Sample[]> = { sqliteLimit: [], sqliteStore: [], pgLimit: [], pgStore: [] };
const schemas: string[] = [];
try {
  for (let round = 0; round < ROUNDS; round++) {
    const order: Form[] = round % 2 === 0 ? ["sqliteLimit", "sqliteStore", "pgLimit", "pgStore"] : ["pgStore", "pgLimit", "sqliteStore", "sqliteLimit"];
    for (const name of order) {
      const target = name.startsWith("sqlite") ? join(dir, `${name}-${round}.db`) : `bench_ingest_${process.pid}_${name.toLowerCase()}_${round}`;
      if (!name.startsWith("sqlite")) schemas.push(target);
      globalThis.gc?.();
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await forms[name](target);
      const ms = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      samples[name].push({ cpuUs: cpu.user + cpu.system, ms, size: name.startsWith("sqlite") ? fileSize(target) : 0 });
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  for (const schema of schemas) await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await c.end();
}

const med = (name: Form, pick: (s: Sample) => number) => median(samples[name].map(pick));
const perAlertUs = (name: Form) => med(name, (s) => s.cpuUs) / total;
const rate = (name: Form) => total / (med(name, (s) => s.ms) / 1000);
const kbPerAlert = (name: Form) => med(name, (s) => s.size) / total / 1024;
const figure = (name: Form) => `${Math.round(rate(name)).toLocaleString("en-US")} alerts/s, ${perAlertUs(name).toFixed(1)} µs CPU per alert`;
saveResult("ingest-limit", {
  title: `Ingest: the store against the machine's limit (${TENANTS} tenants × ${PER_TENANT.toLocaleString("en-US")} alerts, the same pages)`,
  command: "npm run bench -- ingest-limit",
  rows: [
    ["alerts / pages / JSON", `${total.toLocaleString("en-US")} / ${pages.length} / ${(bytes / 2 ** 20).toFixed(0)} MiB`],
    [`SQLite limit, median of ${ROUNDS}`, figure("sqliteLimit")],
    [`SQLite store, median of ${ROUNDS}`, figure("sqliteStore")],
    ["SQLite store / limit, CPU per alert", `${(perAlertUs("sqliteStore") / perAlertUs("sqliteLimit")).toFixed(2)}×`],
    ["SQLite file size per alert: limit / store", `${kbPerAlert("sqliteLimit").toFixed(2)} KiB / ${kbPerAlert("sqliteStore").toFixed(2)} KiB`],
    [`PostgreSQL limit, median of ${ROUNDS}`, figure("pgLimit")],
    [`PostgreSQL store, median of ${ROUNDS}`, figure("pgStore")],
    ["PostgreSQL store / limit, time", `${(rate("pgLimit") / rate("pgStore")).toFixed(2)}×`],
  ],
  notes: [
    "Each form writes into a fresh SQLite file or PostgreSQL schema per round, the order reversed every other round. CPU is this process's user + system time: for SQLite that is all the work (SQLite runs in the process), for PostgreSQL the server's share is not in it, so its ratio is one of times. File size is the SQLite database plus its WAL at the end. The limit keeps the guarantees a sync needs — upsert by tenant and id, an older version never replaces a newer one, the cursor written in the page's transaction — with no index but the primary key; the store adds its derived columns, its indexes for the console's queries, its alert history and its inserted/updated/unchanged counts. The gap between the two is what the store can still win.",
  ],
});
