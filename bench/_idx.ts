import { partnerFor, emulatorWorld } from "@mde-partner/test-kit";
import { openStore } from "@mde-partner/sync";
import Database from "better-sqlite3";
import { mkdtempSync, statSync } from "node:fs"; import { tmpdir } from "node:os"; import { join } from "node:path";
const world = await emulatorWorld({ tenants: 10, alertsPerTenant: 5000, machinesPerTenant: 12, seed: "bench-ingest", rateLimits: false });
const partner = partnerFor(world);
const pages: Array<{ tenantId: string; text: string }> = [];
for (const t of world.info.tenants) {
  const token = await partner.tenant(t.id).getToken();
  const res = await world.fetch!(new Request(`${world.info.apiUrl}/api/alerts?$top=10000`, { headers: { authorization: `Bearer ${token}` } }));
  pages.push({ tenantId: t.id, text: await res.text() });
}
await world.stop();
const dir = mkdtempSync(join(tmpdir(), "idx-"));
// Fill one store to get v6 rows, then copy rows out as arrays.
const src = join(dir, "src.db");
const store = await openStore({ url: `sqlite:${src}` });
for (const p of pages) await store.applyAlertPage(p.tenantId, JSON.parse(p.text).value, { value: null, seenIds: [] });
await store.close();
const sdb = new Database(src);
const rows = sdb.prepare("select * from alerts order by seq").raw().all() as unknown[][];
const schema = (sdb.prepare("select sql from sqlite_master where name = 'alerts'").get() as any).sql as string;
const idx = (sdb.prepare("select name, sql from sqlite_master where type='index' and tbl_name='alerts' and sql is not null").all() as any[]);
sdb.close();
const cols = rows[0]!.length;
function run(name: string, skip: string | null) {
  const f = join(dir, `${name}.db`);
  const db = new Database(f); db.pragma("journal_mode = WAL"); db.pragma("synchronous = NORMAL"); db.pragma("cache_size = -65536");
  db.exec(schema);
  for (const i of idx) if (i.name !== skip) db.exec(i.sql);
  const ins = db.prepare(`insert into alerts values (${Array(cols).fill("?").join(",")})`);
  const find = db.prepare("select seq from alerts where tenant_key = ? and id = ?");
  const c0 = process.cpuUsage();
  const tx = db.transaction((part: unknown[][]) => { for (const r of part) { find.get(r[1], r[2]); ins.run(...r.map((v, i) => i === 0 ? null : v)); } });
  for (let i = 0; i < rows.length; i += 5000) tx(rows.slice(i, i + 5000));
  const c = process.cpuUsage(c0);
  db.close();
  console.log(name.padEnd(32), ((c.user + c.system) / rows.length).toFixed(2), "µs/row", (statSync(f).size / rows.length).toFixed(0), "B/row");
}
run("all", null);
for (const i of idx) run(`without ${i.name}`, i.name);
run("all again", null);
