// Client figures, each a ratio measured in the same run:
// 1. Token requests per tenant-hour under continuous use (a manual clock shared by
//    an in-process emulator and the client: 10 simulated hours, one call every 10 s)
//    against the documented scripts' pattern of one token request per call.
// 2. Client overhead: every alert of one tenant through the typed client
//    (`for await`) against a bare fetch + JSON.parse loop over the same pages,
//    from the same emulator process, alternating runs.
import { performance } from "node:perf_hooks";
import { createPartnerClient } from "@mde-partner/client";
import { createEmulator, createManualClock } from "@mde-partner/emulator";
import { Agent, fetch } from "undici";
import { ca, median, saveResult, startEmulatorProcess } from "./lib.js";

const HOURS = 10;
const STEP_MS = 10_000;
const ALERTS = Number(process.env.BENCH_ALERTS ?? 50_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

async function tokensPerTenantHour(): Promise<{ client: number; calls: number }> {
  const clock = createManualClock(Date.now());
  const emulator = await createEmulator({ tenants: 1, alertsPerTenant: 5, machinesPerTenant: 2, clock, rateLimits: false, seed: "bench-tokens" });
  const info = await emulator.start();
  const partner = createPartnerClient({
    clientId: info.partnerApp.clientId,
    credential: { clientSecret: info.partnerApp.clientSecret },
    cloud: { name: "custom", loginUrl: info.loginUrl, apiUrl: info.apiUrl, ca: info.caCertFile },
    clock,
  });
  let calls = 0;
  try {
    const tenant = partner.tenant(info.tenants[0]!.id);
    for (let t = 0; t < HOURS * 3_600_000; t += STEP_MS) {
      await tenant.alerts.list({ top: 1 });
      calls++;
      clock.advance(STEP_MS);
      await new Promise((r) => setImmediate(r));
    }
    return { client: emulator.state.journal.list({ kind: "token" }).length / HOURS, calls: calls / HOURS };
  } finally {
    await partner.close();
    await emulator.stop();
  }
}

async function overhead() {
  const emulator = await startEmulatorProcess(["--tenants", "1", "--alerts-per-tenant", String(ALERTS), "--no-rate-limits", "--seed", "bench-client"]);
  const { info } = emulator;
  const tenantId = info.tenants[0]!.id;
  const partner = createPartnerClient({
    clientId: info.partnerApp.clientId,
    credential: { clientSecret: info.partnerApp.clientSecret },
    cloud: { name: "custom", loginUrl: info.loginUrl, apiUrl: info.apiUrl, ca: info.caCertFile },
  });
  const dispatcher = new Agent({ connect: { ca: ca(info) } });
  try {
    const token = await partner.getToken(tenantId);
    const bare = async () => {
      let n = 0;
      for (let skip = 0; ; skip += 10_000) {
        const res = await fetch(`${info.apiUrl}/api/alerts?$top=10000&$skip=${skip}`, { headers: { authorization: `Bearer ${token}` }, dispatcher });
        const page = JSON.parse(await res.text()) as { value: unknown[] };
        n += page.value.length;
        if (page.value.length < 10_000) return n;
      }
    };
    const viaClient = async () => {
      let n = 0;
      for await (const _alert of partner.tenant(tenantId).alerts.list()) n++;
      return n;
    };
    const bareTimes: number[] = [];
    const clientTimes: number[] = [];
    for (let i = 0; i < ROUNDS + 1; i++) {
      for (const [fn, times] of [
        [bare, bareTimes],
        [viaClient, clientTimes],
      ] as const) {
        const t0 = performance.now();
        const n = await fn();
        if (n !== ALERTS) throw new Error(`expected ${ALERTS} alerts, got ${n}`);
        if (i > 0) times.push(performance.now() - t0);
      }
    }
    return { bare: median(bareTimes), client: median(clientTimes) };
  } finally {
    await dispatcher.close();
    await partner.close();
    await emulator.stop();
  }
}

const tokens = await tokensPerTenantHour();
const cost = await overhead();
saveResult("client", {
  title: "Client: token requests per tenant-hour, and listing overhead against bare fetch + JSON.parse",
  command: "npm run bench -- client",
  rows: [
    [`calls per tenant-hour (one every ${STEP_MS / 1000} s, ${HOURS} simulated hours)`, `${tokens.calls}`],
    ["token requests per tenant-hour, mde-partner client", `${tokens.client.toFixed(1)}`],
    ["token requests per tenant-hour, documented script pattern (one per call)", `${tokens.calls}`],
    ["ratio script / client", `${(tokens.calls / tokens.client).toFixed(0)}×`],
    [`list ${ALERTS.toLocaleString("en")} alerts, bare fetch + JSON.parse, median`, `${cost.bare.toFixed(0)} ms`],
    [`list ${ALERTS.toLocaleString("en")} alerts, client for-await, median`, `${cost.client.toFixed(0)} ms`],
    ["ratio client / bare (aim ≤ 1.1×)", `${(cost.client / cost.bare).toFixed(2)}×`],
  ],
  notes: [
    `Token figure: in-process emulator and client sharing a manual clock; 3599 s tokens. Overhead figure: emulator in its own process, ${ROUNDS} alternating rounds after one warm-up, medians.`,
  ],
});
