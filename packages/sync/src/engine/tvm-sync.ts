/**
 * A tenant's vulnerability-management snapshot, on its own interval. TVM data
 * changes slowly (the export data is produced every 6 hours, mde-api.md §5.17),
 * so a tenant's run (sync-tenant.ts) takes it only when the last good snapshot
 * is older than `tvmIntervalMs` (default 6 h) — in `sync --once`, `--watch`
 * and the workers alike, since the due time lives in the store.
 *
 * Bulk sources only, a handful of calls per tenant whatever its size:
 * - scores: `GET /api/exposureScore`, `GET /api/configurationScore` (§5.14);
 * - machine × CVE rows: `GET /api/vulnerabilities/machinesVulnerabilities` (§5.12),
 *   which also name each row's fixing KB — a machine's missing KBs;
 * - the CVE catalog: `GET /api/vulnerabilities` (§5.12, `$top` ≤ 8,000);
 * - installed software per machine: `GET /api/machines/SoftwareInventoryByMachine` (§5.17);
 * - recommendations: `GET /api/recommendations` (§5.13).
 *
 * A part the tenant did not grant (its token's roles lack the permission, or
 * the API answers 403) is not read, and its permission is named;
 * any other failure drops the whole read and records the failure beside the
 * last good snapshot, which stays. The scores also go into the day's row of
 * the score history (tvm-write.ts, same transaction as the snapshot), which
 * reports draw as a trend. Nothing here throws for the tenant's own
 * trouble, and none of it changes the tenant's onboarding state: alerts and
 * machines synced fine, and TVM permissions are optional.
 */
import { type AnyOperationName, isMdeError, MdeForbiddenError, type Page, type PartnerTenant } from "@mde-partner/client";
import type { Store, TenantRecord, TvmSnapshotInput } from "../store/index.js";
import { TVM_LIMITS } from "../store/index.js";
import { emitProgress } from "./run-control.js";
import { tenantOf } from "./tenant-of.js";
import { firstLine, isAbort } from "./tenant-problem.js";
import type { TenantSyncSettings } from "./sync-tenant.js";
import type { TvmSyncResult } from "./types.js";

/** Default time between two TVM snapshots of a tenant. */
export const DEFAULT_TVM_INTERVAL_MS = 6 * 3600_000;
/** After a failed TVM read, the next try waits this long (or the interval, if shorter). */
export const TVM_RETRY_MS = 30 * 60_000;
/** The sync-run stream name of TVM reads. */
export const TVM_STREAM = "tvm";

/** The permission each part needs (mde-api.md §4). */
const PART_PERMISSION = {
  scores: "Score.Read.All",
  machineVulnerabilities: "Vulnerability.Read.All",
  vulnerabilities: "Vulnerability.Read.All",
  software: "Software.Read.All",
  recommendations: "SecurityRecommendation.Read.All",
} as const;

type Part = keyof typeof PART_PERMISSION;

/** The client operations each part calls (the client's registry names). */
const PART_OPERATIONS: Readonly<Record<Part, readonly AnyOperationName[]>> = {
  scores: ["GetExposureScore", "GetConfigurationScore"],
  machineVulnerabilities: ["ListMachinesVulnerabilities"],
  vulnerabilities: ["ListVulnerabilities"],
  software: ["ListSoftwareInventoryAssessment"],
  recommendations: ["ListRecommendations"],
};

/**
 * The parts the tenant's MDE token does not allow, read from its `roles`
 * (the token is cached, so this costs no API call): a part the tenant did not
 * grant is not called at all. `undefined` when the roles cannot be read — then
 * every part is tried and a 403 says the same.
 */
async function refusedByToken(tenant: PartnerTenant, signal: AbortSignal | undefined): Promise<Set<Part> | undefined> {
  try {
    const report = await tenant.checkPermissions(Object.values(PART_OPERATIONS).flat(), signal ? { signal } : {});
    const unmet = new Set(report.mde.unmet.map((r) => r.operation));
    return new Set((Object.keys(PART_OPERATIONS) as Part[]).filter((p) => PART_OPERATIONS[p].some((o) => unmet.has(o))));
  } catch (error) {
    if (isAbort(error, signal)) throw error;
    return undefined;
  }
}

/**
 * Whether the tenant's TVM snapshot is due at `now`: none yet, or the last
 * good one is `intervalMs` old — and the last failed try (if any) is
 * {@link TVM_RETRY_MS} old.
 */
export async function tvmDue(store: Store, tenantId: string, now: number, intervalMs: number): Promise<boolean> {
  const snapshot = await store.getTvmSnapshot(tenantId);
  if (!snapshot) return true;
  const age = (iso: string | null) => (iso ? now - Date.parse(iso) : Number.POSITIVE_INFINITY);
  if (age(snapshot.takenAt) < intervalMs) return false;
  if (snapshot.lastError !== null && age(snapshot.attemptedAt) < Math.min(intervalMs, TVM_RETRY_MS)) return false;
  return true;
}

/** Reads `pages` until the end or until `limit` items (then one more, so the store sees the cut). */
async function collect<T>(pages: AsyncIterable<Page<T>>, limit: number, onPage: (total: number) => void): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) {
    for (const item of page.value) {
      out.push(item);
      if (out.length > limit) return out;
    }
    onPage(out.length);
  }
  return out;
}

/** Reads and stores the tenant's snapshot when it is due; never throws for the tenant's trouble. */
export async function syncTenantTvm(settings: TenantSyncSettings, tenant: TenantRecord, options: { force?: boolean } = {}): Promise<TvmSyncResult> {
  const { store, clock, signal } = settings;
  if (!options.force && !(await tvmDue(store, tenant.id, clock.now(), settings.tvmIntervalMs))) {
    const snapshot = await store.getTvmSnapshot(tenant.id);
    return { status: "not-due", takenAt: snapshot?.takenAt ?? null };
  }
  emitProgress(settings.onProgress, { type: "tenant-start", tenantId: tenant.id, stream: "tvm" });
  const client = tenantOf(settings.partner, tenant);
  const api = client.mde;
  const s = signal ? { signal } : {};
  const missing = new Set<string>();
  const refused = new Set<Part>();
  const notGranted = await refusedByToken(client, signal);
  let pages = 0;
  const progress = (total: number) => {
    pages++;
    emitProgress(settings.onProgress, { type: "page", tenantId: tenant.id, stream: "tvm", page: pages, items: total, total });
  };
  /** The part's value, or `fallback` when the tenant did not grant its permission. */
  const part = async <T>(name: Part, read: () => Promise<T>, fallback: T): Promise<T> => {
    if (notGranted?.has(name)) {
      missing.add(PART_PERMISSION[name]);
      refused.add(name);
      return fallback;
    }
    try {
      return await read();
    } catch (error) {
      if (!(error instanceof MdeForbiddenError)) throw error;
      const named = error.missingPermissions.length ? error.missingPermissions : [PART_PERMISSION[name]];
      for (const p of named) missing.add(p);
      refused.add(name);
      return fallback;
    }
  };

  const run = await store.startSyncRun(tenant.id, TVM_STREAM);
  try {
    const input: TvmSnapshotInput = {
      exposureScore: await part("scores", () => api.scores.getExposureScore(s), null),
      secureScore: await part("scores", () => api.scores.getConfigurationScore(s), null),
      machineVulnerabilities: await part(
        "machineVulnerabilities",
        () => collect(api.vulnerabilities.listMachinesVulnerabilities({ pageSize: 10_000, ...s }).pages(), TVM_LIMITS.machineVulnerabilities, progress),
        [],
      ),
      vulnerabilities: await part(
        "vulnerabilities",
        () => collect(api.vulnerabilities.list({ pageSize: 8_000, ...s }).pages(), TVM_LIMITS.vulnerabilities * 4, progress),
        [],
      ),
      software: await part("software", () => collect(api.exports.listSoftwareInventory(s).pages(), TVM_LIMITS.software, progress), []),
      recommendations: await part(
        "recommendations",
        () => collect(api.recommendations.list({ pageSize: 10_000, ...s }).pages(), TVM_LIMITS.recommendations, progress),
        [],
      ),
    };
    const missingPermissions = [...missing].sort();
    // Every part refused: nothing to show, and the last good snapshot (if any) stays.
    if (refused.size === Object.keys(PART_PERMISSION).length) {
      const message = `permission missing: ${missingPermissions.join(", ")}`;
      await store.recordTvmFailure(tenant.id, { code: "ERR_MDE_FORBIDDEN", message });
      await store.finishSyncRun(run.id, { status: "failed", pages, error: message });
      return { status: "failed", error: { code: "ERR_MDE_FORBIDDEN", message }, missingPermissions };
    }
    const written = await store.replaceTvmSnapshot(tenant.id, { ...input, missingPermissions });
    await store.finishSyncRun(run.id, { status: "succeeded", pages, items: written.machineVulnerabilities + written.software });
    return {
      status: "ok",
      takenAt: written.takenAt,
      machines: written.machines,
      vulnerabilities: written.vulnerabilities,
      machineVulnerabilities: written.machineVulnerabilities,
      software: written.software,
      recommendations: written.recommendations,
      ...(missingPermissions.length ? { missingPermissions } : {}),
      ...(written.truncated.length ? { truncated: [...written.truncated] } : {}),
    };
  } catch (error) {
    const stopped = isAbort(error, signal);
    const code = stopped ? "ERR_SYNC_STOPPED" : isMdeError(error) ? error.code : ((error as { code?: unknown })?.code as string | undefined) ?? "ERR_UNEXPECTED";
    const message = stopped ? "stopped before the TVM snapshot was read; the last good one stays" : firstLine(error);
    await store.finishSyncRun(run.id, { status: stopped ? "partial" : "failed", pages, error: message }).catch(() => {});
    if (!stopped) await store.recordTvmFailure(tenant.id, { code: String(code), message }).catch(() => {});
    return { status: "failed", error: { code: String(code), message } };
  }
}
