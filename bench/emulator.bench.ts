// The emulator must never be the bottleneck of the client benchmarks. Measures,
// side by side in one run: a 10,000-alert page over HTTPS (median, p95), token
// requests per second, and the cost of only JSON.stringify of the same page.
import { performance } from "node:perf_hooks";
import { Agent, fetch } from "undici";
import { ca, median, quantile, saveResult, startEmulatorProcess } from "./lib.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const emulator = await startEmulatorProcess(["--tenants", "1", "--alerts-per-tenant", "10000", "--no-rate-limits"]);
const { info } = emulator;
const dispatcher = new Agent({ connect: { ca: ca(info) }, connections: 8 });
const tenant = info.tenants[0]!;
const tokenUrl = `${info.loginUrl}/${tenant.id}/oauth2/v2.0/token`;
const form = new URLSearchParams({
  grant_type: "client_credentials",
  client_id: info.partnerApp.clientId,
  client_secret: info.partnerApp.clientSecret,
  scope: "https://api.securitycenter.microsoft.com/.default",
});
const getToken = async () => {
  const res = await fetch(tokenUrl, { method: "POST", body: form, dispatcher });
  if (!res.ok) throw new Error(`token request failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
};

try {
  const token = await getToken();
  const pageUrl = `${info.apiUrl}/api/alerts?$top=10000`;
  const headers = { authorization: `Bearer ${token}` };
  const pageTimes: number[] = [];
  const stringifyTimes: number[] = [];
  let page: unknown;
  let bytes = 0;
  for (let i = 0; i < ROUNDS + 2; i++) {
    const t0 = performance.now();
    const res = await fetch(pageUrl, { headers, dispatcher });
    const text = await res.text();
    const t1 = performance.now();
    if (res.status !== 200) throw new Error(`page request failed: ${res.status} ${text.slice(0, 200)}`);
    page = JSON.parse(text);
    bytes = text.length;
    const t2 = performance.now();
    JSON.stringify(page);
    const t3 = performance.now();
    if (i >= 2) {
      pageTimes.push(t1 - t0);
      stringifyTimes.push(t3 - t2);
    }
  }
  const count = (page as { value: unknown[] }).value.length;

  const TOKENS = 400;
  const CONCURRENCY = 8;
  let issued = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (issued < TOKENS) {
        issued++;
        await getToken();
      }
    }),
  );
  const tokensPerSec = TOKENS / ((performance.now() - t0) / 1000);

  const pageMedian = median(pageTimes);
  const strMedian = median(stringifyTimes);
  saveResult("emulator", {
    title: "Emulator: 10,000-alert page over HTTPS vs JSON.stringify of the same page",
    command: "npm run bench -- emulator",
    rows: [
      ["alerts in the page / bytes", `${count} / ${(bytes / 2 ** 20).toFixed(1)} MiB`],
      ["page over HTTPS (request → body read), median", `${pageMedian.toFixed(1)} ms`],
      ["page over HTTPS, p95", `${quantile(pageTimes, 0.95).toFixed(1)} ms`],
      ["JSON.stringify of the same page, median", `${strMedian.toFixed(1)} ms`],
      ["ratio page / stringify (the figure)", `${(pageMedian / strMedian).toFixed(2)}×`],
      [`token requests per second (v2, secret, ${CONCURRENCY} concurrent)`, `${tokensPerSec.toFixed(0)} /s`],
    ],
    notes: [`${ROUNDS} measured rounds after 2 warm-ups; emulator in its own process; client in this process.`],
  });
} finally {
  await dispatcher.close();
  await emulator.stop();
}
