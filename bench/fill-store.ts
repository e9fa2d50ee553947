// Fills a store with synthetic alerts the way a first sync would write them:
// each tenant's alerts oldest first (lastUpdateTime ascending, with jitter), in
// pages of the API's maximum size, through `applyAlertPage`. Shared by the store
// and console benchmarks so both measure queries over the same data.
import { performance } from "node:perf_hooks";
import { advanceCursor, type Store } from "@mde-partner/sync";

export const BENCH_SEVERITIES = ["UnSpecified", "Informational", "Low", "Medium", "High"];
export const BENCH_STATUSES = ["New", "InProgress", "Resolved"];
const PAGE = 10_000; // the API's maximum page (mde-api.md §3.6)
export const DAY = 86_400_000;
/** The first synthetic alert time; alerts spread over 90 days from here. */
export const BENCH_START = Date.parse("2025-01-01T00:00:00Z");

/** Tenant ids the synthetic data uses (`00000000-0000-4000-8000-00000000000N`). */
export function benchTenants(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);
}

/** Inserts `total` alerts spread over `tenants`; returns the insert time in ms. */
export async function fillStore(
  store: Store,
  tenants: readonly string[],
  total: number,
  options: { upsertTenants?: boolean } = {},
): Promise<number> {
  const start = BENCH_START;
  let seed = 1;
  const rnd = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const time = (ms: number) => `${new Date(ms).toISOString().slice(0, 23)}${rnd(10_000).toString().padStart(4, "0")}Z`;
  const perTenant = total / tenants.length;
  const t0 = performance.now();
  for (const [ti, tenant] of tenants.entries()) {
    if (options.upsertTenants) await store.upsertTenant({ id: tenant, name: `Customer ${ti}`, initialState: "verified" });
    for (let offset = 0; offset < perTenant; offset += PAGE) {
      const page = Array.from({ length: Math.min(PAGE, perTenant - offset) }, (_, i) => {
        const n = offset + i;
        const ms = start + Math.floor((n * 90 * DAY) / perTenant) + rnd(60_000);
        return {
          id: `da${String(638_000_000_000_000_000 + ti * perTenant + n)}_${rnd(2 ** 31)}`,
          title: `Suspicious activity ${n % 97}`,
          severity: BENCH_SEVERITIES[rnd(5)]!,
          status: BENCH_STATUSES[rnd(3)]!,
          machineId: rnd(2 ** 31).toString(16).padStart(40, "0"),
          assignedTo: null,
          alertCreationTime: time(ms - rnd(DAY)),
          lastUpdateTime: time(ms),
        };
      });
      await store.applyAlertPage(tenant, page, advanceCursor(null, page));
    }
    if (process.stdout.isTTY) process.stdout.write(`\rinserted ${((ti + 1) * perTenant).toLocaleString("en")} alerts`);
  }
  if (process.stdout.isTTY) process.stdout.write("\n");
  return performance.now() - t0;
}
