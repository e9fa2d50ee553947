/**
 * The SOC overview, the console's home page: per customer tenant the open
 * High and Medium alerts, the oldest alert nobody has acknowledged (still
 * `New`), the health of its alert sync, its consent state, the devices
 * isolated now, and the alerts created per day over the last 30 days. The
 * figures come from one store call (`alertOverview`, index-only aggregates)
 * plus the newest runs of each tenant's alert stream.
 */
import { GRAPH_ALERTS_STREAM, type SyncRunRecord, type TenantRecord } from "@mde-partner/sync";
import type { ResolvedConsoleOptions } from "../options.js";

/** The severities whose open alerts the overview counts, highest first. */
export const OVERVIEW_SEVERITIES = Object.freeze(["High", "Medium"] as const);
/** What the overview counts as open: nobody has resolved it. */
export const OPEN_STATUSES = Object.freeze(["New", "InProgress"] as const);
/** The chart's choices of days; the figures always hold 30. */
export const OVERVIEW_DAYS = Object.freeze([7, 30] as const);
/** Runs of a tenant's alert stream read to count its failures in a row. */
const RUNS_READ = 10;

/** The health of a tenant's alert sync, from its newest runs. */
export interface SyncHealth {
  /** The stream read: `alerts` (MDE API) or `graph-alerts` (Microsoft Graph). */
  readonly stream: string;
  /** The newest run, or null before the first. */
  readonly lastRun: SyncRunRecord | null;
  /** Failed runs since the last that succeeded (at most {@link RUNS_READ}; `failuresCapped` when there may be more). */
  readonly failures: number;
  readonly failuresCapped: boolean;
}

/** One customer's row of the overview. */
export interface OverviewRow {
  readonly tenant: TenantRecord;
  /** Open (New or InProgress) alerts per severity in {@link OVERVIEW_SEVERITIES}. */
  readonly open: Readonly<Record<(typeof OVERVIEW_SEVERITIES)[number], number>>;
  /** The oldest alert still New, and how long it has waited. */
  readonly oldestNew: { readonly id: string; readonly createdAt: string; readonly ageMs: number } | null;
  readonly sync: SyncHealth;
  /** Machines isolated now (their newest decided isolation action is a succeeded Isolate). */
  readonly isolatedMachineIds: readonly string[];
  /** Alerts created in the last 7 and 30 UTC days (today included). */
  readonly last7: number;
  readonly last30: number;
  /** Alerts created per UTC day by severity, one entry per day of {@link Overview.days}. */
  readonly daily: ReadonlyArray<Readonly<Record<string, number>>>;
}

/** The whole overview. */
export interface Overview {
  /** When it was computed (the console's clock). */
  readonly at: string;
  /** The first instant of each of the last 30 UTC days, oldest first. */
  readonly days: readonly string[];
  readonly rows: readonly OverviewRow[];
  /** Sums over the rows: open alerts by severity, isolated devices, and alerts per day by severity. */
  readonly totals: {
    readonly open: Readonly<Record<(typeof OVERVIEW_SEVERITIES)[number], number>>;
    readonly isolated: number;
    readonly daily: ReadonlyArray<Readonly<Record<string, number>>>;
  };
}

const total = (day: Readonly<Record<string, number>>) => Object.values(day).reduce((n, v) => n + v, 0);

/** Failed runs at the head of `runs` (newest first) before one that succeeded; running ones are passed over. */
function healthOf(stream: string, runs: readonly SyncRunRecord[]): SyncHealth {
  let failures = 0;
  let ended = false;
  for (const r of runs) {
    if (r.status === "running") continue;
    if (r.status !== "failed") {
      ended = true;
      break;
    }
    failures++;
  }
  return { stream, lastRun: runs[0] ?? null, failures, failuresCapped: !ended && runs.length >= RUNS_READ && failures > 0 };
}

/**
 * The overview of the tenants in `tenantIds` (an operator's scope narrowed to
 * a group; undefined = every tenant), by customer name.
 *
 * @example
 * const overview = await buildOverview(options, narrowed(scope, group.tenantIds));
 */
export async function buildOverview(options: ResolvedConsoleOptions, tenantIds: readonly string[] | undefined): Promise<Overview> {
  const { store, clock } = options;
  const now = clock.now();
  const inside = tenantIds === undefined ? undefined : new Set(tenantIds);
  const tenants = (await store.listTenants()).filter((t) => inside === undefined || inside.has(t.id));
  const ids = tenants.map((t) => t.id);
  const [figures, runs] = await Promise.all([
    store.alertOverview({ tenantIds: ids, now: new Date(now), days: 30, openSeverities: OVERVIEW_SEVERITIES, openStatuses: OPEN_STATUSES }),
    // Per tenant and stream: a range of the (tenant_id, stream, id) index, however many runs are stored.
    Promise.all(
      tenants.map((t) => {
        const stream = t.alertSource === "graph" ? GRAPH_ALERTS_STREAM : "alerts";
        return store.listSyncRuns({ tenantId: t.id, stream, limit: RUNS_READ }).then((r) => healthOf(stream, r));
      }),
    ),
  ]);
  const byId = new Map(figures.tenants.map((f) => [f.tenantId, f]));
  const rows: OverviewRow[] = tenants.map((tenant, i) => {
    const f = byId.get(tenant.id);
    const daily: ReadonlyArray<Readonly<Record<string, number>>> = f?.daily ?? figures.days.map(() => ({}));
    return {
      tenant,
      open: { High: f?.open.High ?? 0, Medium: f?.open.Medium ?? 0 },
      oldestNew: f?.oldestNew ? { ...f.oldestNew, ageMs: Math.max(0, now - Date.parse(f.oldestNew.createdAt)) } : null,
      sync: runs[i]!,
      isolatedMachineIds: f?.isolatedMachineIds ?? [],
      last7: daily.slice(-7).reduce((n: number, d) => n + total(d), 0),
      last30: daily.reduce((n: number, d) => n + total(d), 0),
      daily,
    };
  });
  rows.sort((a, b) => a.tenant.name.localeCompare(b.tenant.name, "en") || (a.tenant.id < b.tenant.id ? -1 : 1));
  const daily = figures.days.map((_, d) => {
    const sum: Record<string, number> = {};
    for (const r of rows) for (const [s, n] of Object.entries(r.daily[d] ?? {})) sum[s] = (sum[s] ?? 0) + n;
    return sum;
  });
  return {
    at: new Date(now).toISOString(),
    days: figures.days,
    rows,
    totals: {
      open: { High: rows.reduce((n, r) => n + r.open.High, 0), Medium: rows.reduce((n, r) => n + r.open.Medium, 0) },
      isolated: rows.reduce((n, r) => n + r.isolatedMachineIds.length, 0),
      daily,
    },
  };
}
