/**
 * Vulnerability management across customers, from the store's TVM snapshots
 * only (sync takes them on their own interval, sync/engine/tvm-sync.ts): the
 * console never calls the API for these pages, so a hundred tenants answer
 * as fast as one and no tenant's rate budget is spent on a page view.
 */
import type {
  Store,
  TenantRecord,
  TvmCveMachine,
  TvmCveSummary,
  TvmCveTenant,
  TvmMachineVulnerability,
  TvmMissingKb,
  TvmRecommendationRecord,
  TvmSnapshotRecord,
  TvmSoftwareRecord,
} from "@mde-partner/sync";
import type { TenantScope } from "../access.js";
import { NotFoundError } from "./errors.js";

/** CVE ids as the API prints them (`CVE-2019-0708`); other text never reaches a query. */
const CVE_ID = /^CVE-\d{4}-\d{4,9}$/i;

/** Rows of each list a page shows. */
export const PAGE_ROWS = Object.freeze({ cves: 50, machines: 500, device: 200 });

/** A customer's exposure line: the tenant and its snapshot (null: none recorded yet). */
export interface CustomerExposure {
  readonly tenant: TenantRecord;
  readonly snapshot: TvmSnapshotRecord | null;
}

export interface VulnerabilityOverview {
  /** Highest exposure first; customers without a score (or snapshot) last. */
  readonly customers: readonly CustomerExposure[];
  readonly topCves: readonly TvmCveSummary[];
}

const EVERY: TenantScope = { all: true };
const within = (scope: TenantScope, tenantId: string) => scope.all || scope.tenantIds.includes(tenantId);

/** The overview page: exposure per customer and the CVEs on the most customers, of the tenants in `scope`. */
export async function vulnerabilityOverview(store: Store, scope: TenantScope = EVERY): Promise<VulnerabilityOverview> {
  const [tenants, snapshots, topCves] = await Promise.all([
    store.listTenants(),
    store.listTvmSnapshots(),
    store.topTvmCves({ limit: PAGE_ROWS.cves, ...(scope.all ? {} : { tenantIds: scope.tenantIds }) }),
  ]);
  const byId = new Map(tenants.filter((t) => within(scope, t.id)).map((t) => [t.id, t]));
  const customers: CustomerExposure[] = [];
  for (const s of snapshots) {
    const tenant = byId.get(s.tenantId);
    if (!tenant) continue;
    customers.push({ tenant, snapshot: s });
    byId.delete(s.tenantId);
  }
  for (const tenant of byId.values()) customers.push({ tenant, snapshot: null });
  return { customers, topCves };
}

export interface CveDetail {
  readonly cveId: string;
  /** Each customer's catalog row of the CVE, most machines first. */
  readonly customers: readonly TvmCveTenant[];
  readonly machines: readonly TvmCveMachine[];
  readonly names: ReadonlyMap<string, string>;
  readonly snapshots: ReadonlyMap<string, TvmSnapshotRecord>;
}

/** One CVE: which customers (of those in `scope`) and which of their machines have it. */
export async function cveDetail(store: Store, cve: string, scope: TenantScope = EVERY): Promise<CveDetail> {
  if (!CVE_ID.test(cve)) throw new NotFoundError("no such CVE (ids look like CVE-2024-12345)");
  const cveId = cve.toUpperCase();
  const [allCustomers, machines, tenants, snapshots] = await Promise.all([
    store.listTvmCveTenants(cveId),
    store.listTvmCveMachines(cveId, { limit: PAGE_ROWS.machines, ...(scope.all ? {} : { tenantIds: scope.tenantIds }) }),
    store.listTenants().then((all) => all.filter((t) => within(scope, t.id))),
    store.listTvmSnapshots().then((all) => all.filter((s) => within(scope, s.tenantId))),
  ]);
  const customers = allCustomers.filter((c) => within(scope, c.tenantId));
  if (customers.length === 0 && machines.length === 0) throw new NotFoundError(`${cveId} is on no machine of the stored snapshots`);
  return {
    cveId,
    customers,
    machines,
    names: new Map(tenants.map((t) => [t.id, t.name])),
    snapshots: new Map(snapshots.map((s) => [s.tenantId, s])),
  };
}

/** The device page's TVM sections. */
export interface DeviceTvm {
  /** The tenant's snapshot record; null when none was ever attempted. */
  readonly snapshot: TvmSnapshotRecord | null;
  readonly vulnerabilities: readonly TvmMachineVulnerability[];
  readonly missingKbs: readonly TvmMissingKb[];
  readonly software: readonly TvmSoftwareRecord[];
  readonly recommendations: readonly TvmRecommendationRecord[];
}

/** One machine's vulnerabilities, missing KBs, software and recommendations from its tenant's snapshot. */
export async function deviceTvm(store: Store, tenantId: string, machineId: string): Promise<DeviceTvm> {
  const n = PAGE_ROWS.device;
  // One more than shown, so the page can say there are more.
  const [snapshot, vulnerabilities, missingKbs, software, recommendations] = await Promise.all([
    store.getTvmSnapshot(tenantId),
    store.listMachineTvmVulnerabilities(tenantId, machineId, n + 1),
    store.listMachineMissingKbs(tenantId, machineId, n + 1),
    store.listMachineSoftware(tenantId, machineId, n + 1),
    store.listMachineRecommendations(tenantId, machineId, n + 1),
  ]);
  return { snapshot, vulnerabilities, missingKbs, software, recommendations };
}
