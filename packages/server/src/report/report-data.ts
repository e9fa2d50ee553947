/**
 * What a customer report says, read from the store: alerts of the period by severity, category and
 * day, how long the SOC took to acknowledge and to resolve them (from the alert history the store
 * keeps), the response actions taken with who asked and why, the devices with the most alerts,
 * and — once vulnerability data is synced — exposure scores and the top CVEs. Plain data: the
 * page (report-page.tsx) and the charts (charts.tsx) only draw it.
 */
import type { Store, StoredAlert, TenantRecord } from "@mde-partner/sync";

/** Severities in the order reports show them (MDE's, mde-api.md §5.1). */
export const SEVERITIES = ["High", "Medium", "Low", "Informational", "UnSpecified"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Whom and which days a report covers. */
export interface ReportRequest {
  /** The customer: one tenant, or a customer group's tenants. */
  readonly subject: { readonly kind: "tenant" | "group"; readonly name: string };
  readonly tenantIds: readonly string[];
  /** First day, `YYYY-MM-DD` (UTC), inclusive. */
  readonly from: string;
  /** Last day, `YYYY-MM-DD` (UTC), inclusive. */
  readonly to: string;
  /** Rows in the tables (devices, actions, CVEs). Default 10 devices, 200 actions, 10 CVEs. */
  readonly limits?: { readonly devices?: number; readonly actions?: number; readonly cves?: number };
  /** Injectable time for "generated at". */
  readonly now?: () => number;
}

export interface CountOf<K extends string = string> {
  readonly key: K;
  readonly count: number;
}

/** Alerts created in one bucket of the period, by severity. */
export interface TimelineBucket {
  /** First day of the bucket, `YYYY-MM-DD`. */
  readonly start: string;
  readonly counts: Readonly<Record<Severity, number>>;
}

/** How long something took, over the alerts where the store saw it happen. */
export interface DurationStats {
  /** Alerts measured. */
  readonly measured: number;
  readonly medianMinutes: number | null;
  readonly p90Minutes: number | null;
}

export interface ReportAction {
  readonly tenantName: string;
  readonly device: string;
  readonly type: string;
  readonly status: string;
  readonly at: string | null;
  /** The operator who asked through this product, else the requestor MDE recorded. */
  readonly who: string;
  /** The comment the action was asked with. */
  readonly why: string;
}

export interface ReportDevice {
  readonly tenantName: string;
  readonly name: string;
  readonly alerts: number;
  readonly worstSeverity: Severity;
}

export interface ReportCve {
  readonly cveId: string;
  readonly severity: string | null;
  readonly cvssV3: number | null;
  readonly machines: number;
  readonly publicExploit: boolean;
}

/** One tenant's daily scores over the report's period, oldest day first. */
export interface ScoreSeries {
  readonly tenantId: string;
  readonly tenantName: string;
  readonly points: ReadonlyArray<{ readonly day: string; readonly score: number }>;
}

export interface ReportExposure {
  /** Each tenant's last exposure score (0–100, lower is better) and when MDE computed it. */
  readonly scores: ReadonlyArray<{ readonly tenantName: string; readonly score: number; readonly time: string | null }>;
  /**
   * The scores the vulnerability syncs recorded during the period, a point per tenant and day:
   * exposure score (0–100, lower is better) and Microsoft Secure Score for Devices (higher is
   * better). A tenant without any point in the period has no series.
   */
  readonly trend: { readonly exposure: readonly ScoreSeries[]; readonly secure: readonly ScoreSeries[] };
  readonly topCves: readonly ReportCve[];
}

export interface ReportData {
  readonly subject: ReportRequest["subject"];
  readonly tenants: ReadonlyArray<{ readonly id: string; readonly name: string }>;
  readonly period: { readonly from: string; readonly to: string; readonly bucket: "day" | "week" };
  readonly generatedAt: string;
  readonly alerts: {
    readonly total: number;
    readonly open: number;
    readonly bySeverity: readonly CountOf<Severity>[];
    readonly byCategory: readonly CountOf[];
    readonly timeline: readonly TimelineBucket[];
  };
  readonly response: { readonly acknowledge: DurationStats; readonly resolve: DurationStats };
  readonly actions: { readonly total: number; readonly shown: readonly ReportAction[] };
  readonly devices: readonly ReportDevice[];
  /** Null when no tenant of the report has a vulnerability snapshot yet. */
  readonly exposure: ReportExposure | null;
}

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Milliseconds of a `YYYY-MM-DD` day's start (UTC), or throws a `RangeError` naming `name`. */
export function parseDay(value: string, name: string): number {
  const m = DATE.exec(value);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN;
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) {
    throw new RangeError(`${name} must be a date as YYYY-MM-DD, got ${JSON.stringify(value)}`);
  }
  return ms;
}

const dayText = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const severityOf = (s: string | null): Severity => ((SEVERITIES as readonly string[]).includes(s ?? "") ? (s as Severity) : "UnSpecified");
const zeroCounts = (): Record<Severity, number> => ({ High: 0, Medium: 0, Low: 0, Informational: 0, UnSpecified: 0 });

/** The value below which `share` of the sorted values lie (nearest rank). */
function quantile(sorted: readonly number[], share: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))]!;
}

function stats(minutes: number[]): DurationStats {
  minutes.sort((a, b) => a - b);
  return { measured: minutes.length, medianMinutes: quantile(minutes, 0.5), p90Minutes: quantile(minutes, 0.9) };
}

/** Minutes from `from` to `to` (ISO texts), or null when either is missing or the order is wrong. */
function minutesBetween(from: string | null, to: string | null | undefined): number | null {
  if (!from || !to) return null;
  const a = Date.parse(from);
  const b = Date.parse(to);
  if (Number.isNaN(a) || Number.isNaN(b) || b < a) return null;
  return (b - a) / 60_000;
}

function sortedCounts<K extends string>(map: Map<K, number>): CountOf<K>[] {
  return [...map].map(([key, count]) => ({ key, count })).sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1));
}

/**
 * Reads what the report for `request` shows. Alerts count in the period by their creation time;
 * an alert is acknowledged at its first recorded status change away from `New`, and resolved at
 * its first recorded change to `Resolved` (or at the `resolvedTime` MDE gives an alert that was
 * already resolved when first synced). Rejects with a `RangeError` for a bad period.
 *
 * @example
 * const data = await collectReport(store, { subject: { kind: "tenant", name: "Contoso" }, tenantIds: [id], from: "2026-11-01", to: "2026-11-30" });
 */
export async function collectReport(store: Store, request: ReportRequest): Promise<ReportData> {
  const fromMs = parseDay(request.from, "from");
  const toMs = parseDay(request.to, "to") + DAY_MS;
  if (toMs <= fromMs) throw new RangeError(`the period ends (${request.to}) before it starts (${request.from})`);
  const days = Math.round((toMs - fromMs) / DAY_MS);
  if (days > 366 * 2) throw new RangeError("a report covers at most two years");
  const bucket = days > 62 ? "week" : "day";
  const bucketMs = bucket === "week" ? 7 * DAY_MS : DAY_MS;
  const limits = { devices: 10, actions: 200, cves: 10, ...request.limits };

  const tenants: TenantRecord[] = [];
  for (const id of request.tenantIds) {
    const t = await store.getTenant(id);
    if (t) tenants.push(t);
  }
  const nameOf = new Map(tenants.map((t) => [t.id, t.name || t.id]));
  const tenantIds = tenants.map((t) => t.id);

  const timeline: TimelineBucket[] = [];
  for (let start = fromMs; start < toMs; start += bucketMs) timeline.push({ start: dayText(start), counts: zeroCounts() });
  const bySeverity = new Map<Severity, number>(SEVERITIES.map((s) => [s, 0]));
  const byCategory = new Map<string, number>();
  const devices = new Map<string, { tenantName: string; name: string; alerts: number; worst: number }>();
  const perTenant = new Map<string, StoredAlert[]>();
  let total = 0;
  let open = 0;
  for await (const alert of store.streamAlerts({
    tenantIds,
    timeField: "alertCreationTime",
    from: new Date(fromMs),
    to: new Date(toMs),
    sort: "alertCreationTime",
    order: "asc",
  })) {
    total++;
    const severity = severityOf(alert.severity);
    bySeverity.set(severity, (bySeverity.get(severity) ?? 0) + 1);
    const category = typeof alert.payload.category === "string" && alert.payload.category !== "" ? alert.payload.category : "Uncategorized";
    byCategory.set(category, (byCategory.get(category) ?? 0) + 1);
    if (alert.status !== "Resolved") open++;
    const created = Date.parse(alert.alertCreationTime ?? "");
    const slot = timeline[Math.floor((created - fromMs) / bucketMs)];
    if (slot) (slot.counts as Record<Severity, number>)[severity]++;
    if (alert.machineId) {
      const key = `${alert.tenantId}\n${alert.machineId}`;
      const dns = typeof alert.payload.computerDnsName === "string" && alert.payload.computerDnsName !== "" ? alert.payload.computerDnsName : alert.machineId;
      const device = devices.get(key) ?? { tenantName: nameOf.get(alert.tenantId) ?? alert.tenantId, name: dns, alerts: 0, worst: SEVERITIES.length - 1 };
      device.alerts++;
      device.worst = Math.min(device.worst, SEVERITIES.indexOf(severity));
      devices.set(key, device);
    }
    const list = perTenant.get(alert.tenantId);
    if (list) list.push(alert);
    else perTenant.set(alert.tenantId, [alert]);
  }

  const acknowledge: number[] = [];
  const resolve: number[] = [];
  for (const [tenantId, alerts] of perTenant) {
    const changes = await store.alertChangesOf(
      tenantId,
      alerts.map((a) => a.id),
    );
    for (const alert of alerts) {
      const history = changes.get(alert.id) ?? [];
      const acked = history.find((c) => c.oldValue === "New" && c.newValue !== "New");
      const ack = minutesBetween(alert.alertCreationTime, acked?.changedAt ?? acked?.recordedAt);
      if (ack !== null) acknowledge.push(ack);
      const resolved = history.find((c) => c.newValue === "Resolved");
      const resolvedAt = resolved
        ? (resolved.changedAt ?? resolved.recordedAt)
        : alert.status === "Resolved" && typeof alert.payload.resolvedTime === "string"
          ? alert.payload.resolvedTime
          : null;
      const res = minutesBetween(alert.alertCreationTime, resolvedAt);
      if (res !== null) resolve.push(res);
    }
  }

  const actions: ReportAction[] = [];
  let actionTotal = 0;
  for (const tenantId of tenantIds) {
    const machineNames = new Map<string, string>();
    for (const [key, d] of devices) if (key.startsWith(`${tenantId}\n`)) machineNames.set(key.slice(tenantId.length + 1), d.name);
    for (const a of await store.listMachineActions(tenantId, { limit: 10_000 })) {
      const at = Date.parse(a.creationTime ?? "");
      if (Number.isNaN(at) || at < fromMs || at >= toMs) continue;
      actionTotal++;
      let device = a.machineId ? machineNames.get(a.machineId) : undefined;
      if (device === undefined && a.machineId) device = (await store.getMachine(tenantId, a.machineId))?.computerDnsName ?? a.machineId;
      if (a.machineId && device) machineNames.set(a.machineId, device);
      actions.push({
        tenantName: nameOf.get(tenantId) ?? tenantId,
        device: device ?? "—",
        type: a.type ?? "—",
        status: a.status ?? "—",
        at: a.creationTime,
        who: a.operator ?? a.requestor ?? "—",
        why: a.comment ?? "",
      });
    }
  }
  actions.sort((a, b) => (a.at ?? "").localeCompare(b.at ?? ""));

  const scores: { tenantName: string; score: number; time: string | null }[] = [];
  for (const tenantId of tenantIds) {
    const snap = await store.getTvmSnapshot(tenantId);
    if (snap?.exposureScore != null) scores.push({ tenantName: nameOf.get(tenantId) ?? tenantId, score: snap.exposureScore, time: snap.exposureTime });
  }
  const topCves = tenantIds.length ? await store.topTvmCves({ tenantIds, limit: limits.cves }) : [];
  const history = await store.listTvmScoreHistory({ tenantIds, from: request.from, to: request.to, limit: tenantIds.length * days });
  const seriesOf = (pick: (p: (typeof history)[number]) => number | null): ScoreSeries[] =>
    tenantIds
      .map((id) => ({
        tenantId: id,
        tenantName: nameOf.get(id) ?? id,
        points: history.filter((p) => p.tenantId === id && pick(p) !== null).map((p) => ({ day: p.day, score: pick(p)! })),
      }))
      .filter((s) => s.points.length > 0);
  const trend = { exposure: seriesOf((p) => p.exposureScore), secure: seriesOf((p) => p.secureScore) };

  return {
    subject: request.subject,
    tenants: tenants.map((t) => ({ id: t.id, name: t.name || t.id })),
    period: { from: request.from, to: request.to, bucket },
    generatedAt: new Date(request.now?.() ?? Date.now()).toISOString(),
    alerts: {
      total,
      open,
      bySeverity: SEVERITIES.map((key) => ({ key, count: bySeverity.get(key) ?? 0 })),
      byCategory: sortedCounts(byCategory),
      timeline,
    },
    response: { acknowledge: stats(acknowledge), resolve: stats(resolve) },
    actions: { total: actionTotal, shown: actions.slice(-limits.actions) },
    devices: [...devices.values()]
      .sort((a, b) => b.alerts - a.alerts || a.worst - b.worst || a.name.localeCompare(b.name))
      .slice(0, limits.devices)
      .map((d) => ({ tenantName: d.tenantName, name: d.name, alerts: d.alerts, worstSeverity: SEVERITIES[d.worst]! })),
    exposure:
      scores.length || topCves.length || trend.exposure.length || trend.secure.length
        ? {
            scores,
            trend,
            topCves: topCves.map((c) => ({ cveId: c.cveId, severity: c.severity, cvssV3: c.cvssV3, machines: c.machines, publicExploit: c.publicExploit })),
          }
        : null,
  };
}
