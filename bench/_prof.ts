import v8 from "node:v8"; if (process.env.EXP_SEMI) v8.setFlagsFromString("--max-semi-space-size=64");
import { partnerFor, emulatorWorld } from "@mde-partner/test-kit";
import { openStore } from "@mde-partner/sync";
import { mkdtempSync } from "node:fs"; import { tmpdir } from "node:os"; import { join } from "node:path";
const world = await emulatorWorld({ tenants: 12, alertsPerTenant: 5000, machinesPerTenant: 12, seed: "bench-ingest", rateLimits: false });
const partner = partnerFor(world);
const pages: Array<{ tenantId: string; text: string }> = [];
for (const t of world.info.tenants) {
  const token = await partner.tenant(t.id).getToken();
  const res = await world.fetch!(new Request(`${world.info.apiUrl}/api/alerts?$top=10000`, { headers: { authorization: `Bearer ${token}` } }));
  pages.push({ tenantId: t.id, text: await res.text() });
}
await world.stop();
const store = await openStore({ url: `sqlite:${join(mkdtempSync(join(tmpdir(), "p-")), "s.db")}` });
const c0 = process.cpuUsage();
const { Session } = await import("node:inspector/promises");
const session = new Session(); session.connect();
await session.post("Profiler.enable"); await session.post("Profiler.start");
let n = 0;
for (const p of pages) { const v = JSON.parse(p.text).value; n += v.length; await store.applyAlertPage(p.tenantId, v, { value: null, seenIds: [] }); }
const { profile } = await session.post("Profiler.stop");
const c = process.cpuUsage(c0);
console.log("µs/alert", ((c.user + c.system) / n).toFixed(1));
// self time by function
const self = new Map<string, number>();
const byId = new Map(profile.nodes.map((n: any) => [n.id, n]));
const dt = profile.timeDeltas; const samples = profile.samples;
for (let i = 0; i < samples.length; i++) { const node: any = byId.get(samples[i]); const k = `${node.callFrame.functionName || "(anon)"} ${node.callFrame.url.split("/").slice(-2).join("/")}:${node.callFrame.lineNumber}`; self.set(k, (self.get(k) ?? 0) + dt[i]); }
const total = [...self.values()].reduce((a, b) => a + b, 0);
for (const [k, v] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log((100 * v / total).toFixed(1).padStart(5), k);
await store.close();
