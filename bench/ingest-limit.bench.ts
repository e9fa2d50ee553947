// What SQLite can ingest on this machine, against what the store does with the same pages.
// The alert pages of N tenants × 5,000 alerts are read once from an in-process emulator (the
// JSON text the API returns), then written, alternating, into fresh SQLite files by:
//   limit — JSON.parse, then one transaction per page: one prepared upsert reused for every alert
//           (by tenant + id, a newer lastUpdateTime wins, never an older one) and the tenant's
//           cursor row; a primary key and no other index; WAL, synchronous NORMAL.
//   store — JSON.parse, then the store's applyAlertPage (the path a sync takes).
// Both keep the guarantees a sync needs (upsert, newer wins, cursor in the page's transaction).
// Figures: CPU per alert (this process's user + system time), alerts/s, file size per alert.
// Rounds: BENCH_ROUNDS (default 3); tenants: BENCH_TENANTS (default 20).
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { partnerFor, emulatorWorld } from "@mde-partner/test-kit";
import { advanceCursor, openStore } from "@mde-partner/sync";
import Database from "better-sqlite3";
import { median, saveResult } from "./lib.js";

const TENANTS = Number(process.env.BENCH_TENANTS ?? 20);
const PER_TENANT = 5000;
const TOP = 10_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

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

function limit(file: string): void {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec(`CREATE TABLE alerts (tenant_id TEXT NOT NULL, id TEXT NOT NULL, payload TEXT NOT NULL, title TEXT, severity TEXT,
    status TEXT, classification TEXT, assigned_to TEXT, machine_id TEXT, alert_creation_time TEXT, last_update_time TEXT,
    PRIMARY KEY (tenant_id, id));
    CREATE TABLE cursors (tenant_id TEXT PRIMARY KEY, position TEXT NOT NULL);`);
  const upsert = db.prepare(`INSERT INTO alerts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (tenant_id, id) DO UPDATE SET payload = excluded.payload, title = excluded.title, severity = excluded.severity,
      status = excluded.status, classification = excluded.classification, assigned_to = excluded.assigned_to,
      machine_id = excluded.machine_id, alert_creation_time = excluded.alert_creation_time, last_update_time = excluded.last_update_time
    WHERE alerts.last_update_time <= excluded.last_update_time`);
  const cursor = db.prepare("INSERT INTO cursors VALUES (?, ?) ON CONFLICT (tenant_id) DO UPDATE SET position = excluded.position");
  const page = db.transaction((tenantId: string, alerts: Alert[]) => {
    for (const a of alerts) {
      upsert.run(tenantId, a.id, JSON.stringify(a), a.title ?? null, a.severity ?? null, a.status ?? null, a.classification ?? null,
        a.assignedTo ?? null, a.machineId ?? null, a.alertCreationTime ?? null, a.lastUpdateTime ?? null);
    }
    cursor.run(tenantId, alerts.at(-1)?.lastUpdateTime ?? "");
  });
  for (const p of pages) page(p.tenantId, (JSON.parse(p.text) as { value: Alert[] }).value);
  db.close();
}

async function store(file: string): Promise<void> {
  const s = await openStore({ url: `sqlite:${file}` });
  for (const t of new Set(pages.map((p) => p.tenantId))) await s.upsertTenant({ id: t, name: t, initialState: "consented" });
  for (const p of pages) {
    const alerts = (JSON.parse(p.text) as { value: Alert[] }).value;
    const position = advanceCursor(await s.getCursor(p.tenantId, "alerts"), alerts);
    await s.applyAlertPage(p.tenantId, alerts, position);
  }
  await s.close();
}

const forms = { limit, store } as const;
const samples: Record<keyof typeof forms, Array<{ cpuUs: number; ms: number; size: number }>> = { limit: [], store: [] };
for (let round = 0; round < ROUNDS; round++) {
  for (const name of (round % 2 === 0 ? ["limit", "store"] : ["store", "limit"]) as Array<keyof typeof forms>) {
    const file = join(dir, `${name}-${round}.db`);
    globalThis.gc?.();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await forms[name](file);
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    samples[name].push({ cpuUs: cpu.user + cpu.system, ms, size: fileSize(file) });
  }
}
rmSync(dir, { recursive: true, force: true });

const med = (name: keyof typeof forms, pick: (s: { cpuUs: number; ms: number; size: number }) => number) => median(samples[name].map(pick));
const perAlertUs = (name: keyof typeof forms) => med(name, (s) => s.cpuUs) / total;
const rate = (name: keyof typeof forms) => total / (med(name, (s) => s.ms) / 1000);
const kbPerAlert = (name: keyof typeof forms) => med(name, (s) => s.size) / total / 1024;
saveResult("ingest-limit", {
  title: `SQLite ingest: the store against the machine's limit (${TENANTS} tenants × ${PER_TENANT.toLocaleString("en-US")} alerts, the same pages)`,
  command: "npm run bench -- ingest-limit",
  rows: [
    ["alerts / pages / JSON", `${total.toLocaleString("en-US")} / ${pages.length} / ${(bytes / 2 ** 20).toFixed(0)} MiB`],
    ["limit: CPU per alert, median of " + ROUNDS, `${perAlertUs("limit").toFixed(1)} µs (${Math.round(rate("limit")).toLocaleString("en-US")} alerts/s)`],
    ["store: CPU per alert, median of " + ROUNDS, `${perAlertUs("store").toFixed(1)} µs (${Math.round(rate("store")).toLocaleString("en-US")} alerts/s)`],
    ["store / limit, CPU per alert", `${(perAlertUs("store") / perAlertUs("limit")).toFixed(2)}×`],
    ["file size per alert: limit / store", `${kbPerAlert("limit").toFixed(2)} KiB / ${kbPerAlert("store").toFixed(2)} KiB`],
  ],
  notes: [
    "Both write into a fresh SQLite file per round, the two alternating; CPU is this process's user + system time (SQLite runs in it), file size is the database plus its WAL at the end. The limit keeps the guarantees a sync needs — upsert by tenant and id, an older version never replaces a newer one, the cursor written in the page's transaction — with one prepared statement reused for every row and no index but the primary key; the store adds its derived columns, its indexes for the console's queries, its alert history and its inserted/updated/unchanged counts. The gap between the two is what the store can still win.",
  ],
});
