// An incremental sync of 100 tenants with no changes: it should cost one list
// call per tenant and take roughly one round trip × (tenants / concurrency).
// The emulator (its own process) adds a fixed latency to every API call to play
// the part of the real service's round trip; the figure is the measured time
// against that expectation, and the API calls per tenant from the journal.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createPartnerClient } from "@mde-partner/client";
import { openStore, syncOnce } from "@mde-partner/sync";
import { Agent, fetch } from "undici";
import { ca, saveResult, startEmulatorProcess } from "./lib.js";

const TENANTS = Number(process.env.BENCH_TENANTS ?? 100);
const RTT_MS = Number(process.env.BENCH_LATENCY_MS ?? 200);
const CONCURRENCY = 8;
const dir = mkdtempSync(join(tmpdir(), "mde-bench-incremental-"));
const emulator = await startEmulatorProcess(["--tenants", String(TENANTS), "--alerts-per-tenant", "50", "--seed", "bench-incremental"]);
const { info } = emulator;
const dispatcher = new Agent({ connect: { ca: ca(info) } });
const control = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${info.controlUrl}${path}`, {
    method,
    dispatcher,
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { "content-type": "application/json" } } : {}),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status}`);
  return res.json() as Promise<unknown>;
};

try {
  const store = await openStore({ url: `sqlite:${join(dir, "store.db")}` });
  for (const t of info.tenants) await store.upsertTenant({ id: t.id, name: t.name, initialState: "consented" });
  const partner = createPartnerClient({
    clientId: info.partnerApp.clientId,
    credential: { clientSecret: info.partnerApp.clientSecret },
    cloud: { name: "custom", loginUrl: info.loginUrl, apiUrl: info.apiUrl, ca: info.caCertFile },
  });
  const first = await syncOnce({ store, partner, concurrency: CONCURRENCY, machines: false });
  if (!first.ok) throw new Error("the first sync did not finish cleanly");
  await control("POST", "/faults", { target: "api", latencyMs: RTT_MS });
  const { lastSeq } = (await control("GET", "/journal?limit=1")) as { lastSeq: number };
  const t0 = performance.now();
  const second = await syncOnce({ store, partner, concurrency: CONCURRENCY, machines: false });
  const elapsed = performance.now() - t0;
  if (!second.ok) throw new Error("the incremental sync did not finish cleanly");
  const { entries } = (await control("GET", `/journal?afterSeq=${lastSeq}&kind=api`)) as { entries: Array<{ tenantId: string }> };
  const perTenant = entries.length / TENANTS;
  const expected = RTT_MS * Math.ceil(TENANTS / CONCURRENCY);
  await partner.close();
  await store.close();
  saveResult("sync-incremental", {
    title: `Sync: incremental run over ${TENANTS} tenants with no changes`,
    command: "npm run bench -- sync-incremental",
    rows: [
      ["tenants / concurrency / injected round trip", `${TENANTS} / ${CONCURRENCY} / ${RTT_MS} ms`],
      ["API calls per tenant (from the emulator's journal)", perTenant.toFixed(2)],
      ["expected time: round trip × ⌈tenants / concurrency⌉", `${expected} ms`],
      ["measured time", `${elapsed.toFixed(0)} ms`],
      ["ratio measured / expected", `${(elapsed / expected).toFixed(2)}×`],
    ],
    notes: ["Tokens were cached from the first run, so the incremental run makes no token requests; the latency is added by the emulator to every API call."],
  });
} finally {
  await dispatcher.close();
  await emulator.stop();
  rmSync(dir, { recursive: true, force: true });
}
