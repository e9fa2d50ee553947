/**
 * Reads of the TVM snapshots (tvm-write.ts) for the console: exposure per
 * customer, the CVEs that hit the most customers, one CVE's customers and
 * machines, and one machine's vulnerabilities, missing KBs, software and
 * recommendations. Cross-tenant answers come from the per-tenant CVE catalog
 * (a few thousand rows per tenant, each with its machine count), not from the
 * machine × CVE rows, so "top CVEs" over a hundred tenants stays an index scan
 * of a small table (bench/tvm-cross-tenant.bench.ts).
 */
import { type Selectable, sql } from "kysely";
import { parseJson, type StoreContext, tenantKey } from "./context.js";
import type { TvmSnapshotsTable } from "./schema-types.js";

/** A tenant's TVM snapshot as the console shows it. */
export interface TvmSnapshotRecord {
  readonly tenantId: string;
  /** When the last good snapshot was taken; null before the first. */
  readonly takenAt: string | null;
  readonly exposureScore: number | null;
  readonly exposureTime: string | null;
  readonly secureScore: number | null;
  readonly secureScoreTime: string | null;
  readonly machines: number;
  readonly vulnerabilities: number;
  readonly software: number;
  readonly recommendations: number;
  /** Permissions the tenant did not grant, whose parts the snapshot lacks. */
  readonly missingPermissions: readonly string[];
  /** Parts cut at their row limit. */
  readonly truncated: readonly string[];
  readonly attemptedAt: string | null;
  /** Why the last attempt failed (the snapshot above is the one before), or null. */
  readonly lastError: string | null;
  readonly lastErrorCode: string | null;
}

/** A CVE across customers. */
export interface TvmCveSummary {
  readonly cveId: string;
  /** Customers (tenants) with at least one machine that has it. */
  readonly customers: number;
  readonly machines: number;
  /** The worst severity any tenant's catalog gives it. */
  readonly severity: string | null;
  readonly cvssV3: number | null;
  readonly publicExploit: boolean;
  readonly exploitVerified: boolean;
  readonly exploitInKit: boolean;
}

/** One tenant's view of a CVE (its catalog row). */
export interface TvmCveTenant {
  readonly tenantId: string;
  readonly cveId: string;
  readonly name: string | null;
  readonly severity: string | null;
  readonly cvssV3: number | null;
  readonly publishedOn: string | null;
  readonly updatedOn: string | null;
  readonly description: string | null;
  readonly exploitTypes: readonly string[];
  readonly publicExploit: boolean;
  readonly exploitVerified: boolean;
  readonly exploitInKit: boolean;
  readonly machines: number;
}

/** A machine that has a CVE, with the products that carry it. */
export interface TvmCveMachine {
  readonly tenantId: string;
  readonly machineId: string;
  /** From the stored machines, when the machine is there. */
  readonly computerDnsName: string | null;
  readonly products: readonly string[];
  readonly fixingKbIds: readonly string[];
}

/** A vulnerability of one machine, with its catalog facts. */
export interface TvmMachineVulnerability {
  readonly cveId: string;
  readonly severity: string | null;
  readonly cvssV3: number | null;
  readonly productVendor: string | null;
  readonly productName: string | null;
  readonly productVersion: string | null;
  readonly fixingKbId: string | null;
  readonly publicExploit: boolean;
  readonly exploitVerified: boolean;
}

/** A KB a machine misses: a fixing KB of its vulnerabilities. */
export interface TvmMissingKb {
  readonly kbId: string;
  readonly cves: number;
  readonly products: readonly string[];
}

export interface TvmSoftwareRecord {
  readonly softwareId: string;
  readonly name: string | null;
  readonly vendor: string | null;
  readonly version: string;
  readonly weaknesses: number;
  readonly endOfSupport: string | null;
}

export interface TvmRecommendationRecord {
  readonly id: string;
  readonly name: string | null;
  readonly productName: string | null;
  readonly vendor: string | null;
  readonly category: string | null;
  readonly remediationType: string | null;
  readonly status: string | null;
  readonly recommendedVersion: string | null;
  readonly severityScore: number | null;
  readonly exposedMachines: number;
  readonly weaknesses: number;
  readonly publicExploit: boolean;
}

const SEVERITY_BY_RANK = ["", "Low", "Medium", "High", "Critical"] as const;

function toSnapshot(row: Selectable<TvmSnapshotsTable>): TvmSnapshotRecord {
  return {
    tenantId: row.tenant_id,
    takenAt: row.taken_at,
    exposureScore: row.exposure_score === null ? null : Number(row.exposure_score),
    exposureTime: row.exposure_time,
    secureScore: row.secure_score === null ? null : Number(row.secure_score),
    secureScoreTime: row.secure_score_time,
    machines: Number(row.machines),
    vulnerabilities: Number(row.vulnerabilities),
    software: Number(row.software),
    recommendations: Number(row.recommendations),
    missingPermissions: parseJson<string[]>(row.missing_permissions, []),
    truncated: parseJson<string[]>(row.truncated, []),
    attemptedAt: row.attempted_at,
    lastError: row.last_error,
    lastErrorCode: row.last_error_code,
  };
}

const limitOf = (limit: number | undefined, fallback: number, max: number) => {
  const n = limit ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > max) throw new TypeError(`limit must be an integer from 1 to ${max}`);
  return n;
};

/** A tenant's scores on one day (the day's last TVM snapshot). */
export interface TvmScorePoint {
  readonly tenantId: string;
  /** `YYYY-MM-DD` (UTC) the snapshot was taken. */
  readonly day: string;
  /** When the snapshot was taken (our clock). */
  readonly takenAt: string;
  readonly exposureScore: number | null;
  /** The score's `time` as MDE gave it. */
  readonly exposureTime: string | null;
  readonly secureScore: number | null;
  readonly secureScoreTime: string | null;
}

/** Reads the TVM snapshots (see the file comment). */
export function createTvmReader(ctx: StoreContext) {
  const { db } = ctx;
  return {
    /** The tenant's snapshot record (also when only failed attempts are recorded), or null. */
    async getTvmSnapshot(tenantId: string): Promise<TvmSnapshotRecord | null> {
      const row = await db.selectFrom("tvm_snapshots").selectAll().where("tenant_id", "=", tenantKey(tenantId)).executeTakeFirst();
      return row ? toSnapshot(row) : null;
    },

    /**
     * The tenants' daily scores from `from` to `to` (`YYYY-MM-DD`, both included), oldest day
     * first, at most `limit` rows (default 10,000: 400 days × 25 tenants).
     *
     * @example
     * const points = await store.listTvmScoreHistory({ tenantIds: [id], from: "2026-11-01", to: "2026-11-30" });
     */
    async listTvmScoreHistory(options: { readonly tenantIds: readonly string[]; readonly from: string; readonly to: string; readonly limit?: number }): Promise<TvmScorePoint[]> {
      if (options.tenantIds.length === 0) return [];
      const rows = await db
        .selectFrom("tvm_score_history")
        .selectAll()
        .where("tenant_id", "in", options.tenantIds.map(tenantKey))
        .where("day", ">=", options.from)
        .where("day", "<=", options.to)
        .orderBy("day")
        .orderBy("tenant_id")
        .limit(Math.max(1, Math.min(options.limit ?? 10_000, 100_000)))
        .execute();
      return rows.map((r) => ({
        tenantId: r.tenant_id,
        day: r.day,
        takenAt: r.taken_at,
        exposureScore: r.exposure_score === null ? null : Number(r.exposure_score),
        exposureTime: r.exposure_time,
        secureScore: r.secure_score === null ? null : Number(r.secure_score),
        secureScoreTime: r.secure_score_time,
      }));
    },

    /** Every tenant's snapshot record, highest exposure score first (tenants without a score last). */
    async listTvmSnapshots(): Promise<TvmSnapshotRecord[]> {
      const rows = await db
        .selectFrom("tvm_snapshots")
        .selectAll()
        .orderBy(sql`case when exposure_score is null then 1 else 0 end`)
        .orderBy("exposure_score", "desc")
        .orderBy("tenant_id")
        .execute();
      return rows.map(toSnapshot);
    },

    /**
     * The CVEs on the most customers' machines (then the most machines), across
     * the given (default: all) tenants.
     */
    async topTvmCves(options: { readonly tenantIds?: readonly string[]; readonly limit?: number } = {}): Promise<TvmCveSummary[]> {
      const limit = limitOf(options.limit, 50, 1_000);
      let q = db
        .selectFrom("tvm_vulnerabilities")
        .select((eb) => [
          "cve_id",
          eb.fn.countAll<number>().as("customers"),
          eb.fn.sum<number>("machines").as("machines"),
          eb.fn.max("severity_rank").as("severity_rank"),
          eb.fn.max("cvss_v3").as("cvss_v3"),
          eb.fn.max("public_exploit").as("public_exploit"),
          eb.fn.max("exploit_verified").as("exploit_verified"),
          eb.fn.max("exploit_in_kit").as("exploit_in_kit"),
        ])
        .where("machines", ">", 0);
      if (options.tenantIds) {
        if (options.tenantIds.length === 0) return [];
        q = q.where("tenant_id", "in", options.tenantIds.map(tenantKey));
      }
      const rows = await q
        .groupBy("cve_id")
        .orderBy("customers", "desc")
        .orderBy("machines", "desc")
        .orderBy("cve_id")
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        cveId: r.cve_id,
        customers: Number(r.customers),
        machines: Number(r.machines),
        severity: SEVERITY_BY_RANK[Number(r.severity_rank)] || null,
        cvssV3: r.cvss_v3 === null ? null : Number(r.cvss_v3),
        publicExploit: Number(r.public_exploit) > 0,
        exploitVerified: Number(r.exploit_verified) > 0,
        exploitInKit: Number(r.exploit_in_kit) > 0,
      }));
    },

    /** Each tenant's catalog row of `cveId` (the customers it hits), most machines first. */
    async listTvmCveTenants(cveId: string): Promise<TvmCveTenant[]> {
      const rows = await db
        .selectFrom("tvm_vulnerabilities")
        .selectAll()
        .where("cve_id", "=", cveId)
        .where("machines", ">", 0)
        .orderBy("machines", "desc")
        .orderBy("tenant_id")
        .limit(10_000)
        .execute();
      return rows.map((r) => ({
        tenantId: r.tenant_id,
        cveId: r.cve_id,
        name: r.name,
        severity: r.severity,
        cvssV3: r.cvss_v3 === null ? null : Number(r.cvss_v3),
        publishedOn: r.published_on,
        updatedOn: r.updated_on,
        description: r.description,
        exploitTypes: parseJson<string[]>(r.exploit_types, []),
        publicExploit: r.public_exploit > 0,
        exploitVerified: r.exploit_verified > 0,
        exploitInKit: r.exploit_in_kit > 0,
        machines: Number(r.machines),
      }));
    },

    /** The machines that have `cveId` (of the given tenants, default all), by tenant then machine, at most `limit`. */
    async listTvmCveMachines(
      cveId: string,
      options: { readonly tenantIds?: readonly string[]; readonly limit?: number } = {},
    ): Promise<TvmCveMachine[]> {
      const limit = limitOf(options.limit, 500, 10_000);
      let q = db
        .selectFrom("tvm_machine_vulnerabilities as v")
        .leftJoin("machines as m", (j) => j.onRef("m.tenant_id", "=", "v.tenant_id").onRef("m.id", "=", "v.machine_id"))
        .select(["v.tenant_id", "v.machine_id", "m.computer_dns_name", "v.product_vendor", "v.product_name", "v.product_version", "v.fixing_kb_id"])
        .where("v.cve_id", "=", cveId);
      if (options.tenantIds) {
        if (options.tenantIds.length === 0) return [];
        q = q.where("v.tenant_id", "in", options.tenantIds.map(tenantKey));
      }
      // A machine has a few rows per CVE (one per product): read a little more than `limit` machines' worth.
      const rows = await q.orderBy("v.tenant_id").orderBy("v.machine_id").limit(limit * 4).execute();
      const out = new Map<string, { tenantId: string; machineId: string; computerDnsName: string | null; products: Set<string>; kbs: Set<string> }>();
      for (const r of rows) {
        const key = `${r.tenant_id}/${r.machine_id}`;
        let m = out.get(key);
        if (!m) {
          if (out.size >= limit) break;
          out.set(key, (m = { tenantId: r.tenant_id, machineId: r.machine_id, computerDnsName: r.computer_dns_name, products: new Set(), kbs: new Set() }));
        }
        const product = [r.product_vendor, r.product_name, r.product_version].filter(Boolean).join(" ");
        if (product) m.products.add(product);
        if (r.fixing_kb_id) m.kbs.add(r.fixing_kb_id);
      }
      return [...out.values()].map((m) => ({
        tenantId: m.tenantId,
        machineId: m.machineId,
        computerDnsName: m.computerDnsName,
        products: [...m.products],
        fixingKbIds: [...m.kbs],
      }));
    },

    /** One machine's vulnerabilities, worst first. */
    async listMachineTvmVulnerabilities(tenantId: string, machineId: string, limit = 500): Promise<TvmMachineVulnerability[]> {
      const tenant = tenantKey(tenantId);
      const rows = await db
        .selectFrom("tvm_machine_vulnerabilities as v")
        .leftJoin("tvm_vulnerabilities as c", (j) => j.onRef("c.tenant_id", "=", "v.tenant_id").onRef("c.cve_id", "=", "v.cve_id"))
        .select([
          "v.cve_id",
          "v.severity",
          "v.severity_rank",
          "c.cvss_v3",
          "v.product_vendor",
          "v.product_name",
          "v.product_version",
          "v.fixing_kb_id",
          "c.public_exploit",
          "c.exploit_verified",
        ])
        .where("v.tenant_id", "=", tenant)
        .where("v.machine_id", "=", machineId.toLowerCase())
        .orderBy("v.severity_rank", "desc")
        .orderBy(sql`case when c.cvss_v3 is null then 1 else 0 end`)
        .orderBy("c.cvss_v3", "desc")
        .orderBy("v.cve_id")
        .limit(limitOf(limit, 500, 10_000))
        .execute();
      return rows.map((r) => ({
        cveId: r.cve_id,
        severity: r.severity,
        cvssV3: r.cvss_v3 === null ? null : Number(r.cvss_v3),
        productVendor: r.product_vendor,
        productName: r.product_name,
        productVersion: r.product_version,
        fixingKbId: r.fixing_kb_id,
        publicExploit: (r.public_exploit ?? 0) > 0,
        exploitVerified: (r.exploit_verified ?? 0) > 0,
      }));
    },

    /**
     * The KBs a machine misses: the fixing KBs of its vulnerabilities, most
     * CVEs addressed first. (The API's per-machine `getmissingkbs` would be one
     * call per machine; the machine × CVE rows already name the fixing KB.)
     */
    async listMachineMissingKbs(tenantId: string, machineId: string, limit = 200): Promise<TvmMissingKb[]> {
      const rows = await db
        .selectFrom("tvm_machine_vulnerabilities")
        .select(["fixing_kb_id", "cve_id", "product_name"])
        .where("tenant_id", "=", tenantKey(tenantId))
        .where("machine_id", "=", machineId.toLowerCase())
        .where("fixing_kb_id", "is not", null)
        .limit(20_000)
        .execute();
      const byKb = new Map<string, { cves: Set<string>; products: Set<string> }>();
      for (const r of rows) {
        const kb = r.fixing_kb_id!;
        let e = byKb.get(kb);
        if (!e) byKb.set(kb, (e = { cves: new Set(), products: new Set() }));
        e.cves.add(r.cve_id);
        if (r.product_name) e.products.add(r.product_name);
      }
      return [...byKb.entries()]
        .map(([kbId, e]) => ({ kbId, cves: e.cves.size, products: [...e.products].slice(0, 20) }))
        .sort((a, b) => b.cves - a.cves || (a.kbId < b.kbId ? -1 : 1))
        .slice(0, limitOf(limit, 200, 10_000));
    },

    /** One machine's installed software, by vendor and name. */
    async listMachineSoftware(tenantId: string, machineId: string, limit = 1_000): Promise<TvmSoftwareRecord[]> {
      const rows = await db
        .selectFrom("tvm_software")
        .selectAll()
        .where("tenant_id", "=", tenantKey(tenantId))
        .where("machine_id", "=", machineId.toLowerCase())
        .orderBy("software_id")
        .orderBy("version")
        .limit(limitOf(limit, 1_000, 10_000))
        .execute();
      return rows.map((r) => ({
        softwareId: r.software_id,
        name: r.name,
        vendor: r.vendor,
        version: r.version,
        weaknesses: Number(r.weaknesses),
        endOfSupport: r.end_of_support,
      }));
    },

    /**
     * The tenant's software recommendations for products installed on the
     * machine (matched by software id), highest severity score first. The
     * API's per-machine recommendations would be one call per machine;
     * configuration recommendations name no product and are not matched.
     */
    async listMachineRecommendations(tenantId: string, machineId: string, limit = 200): Promise<TvmRecommendationRecord[]> {
      const tenant = tenantKey(tenantId);
      const installed = db
        .selectFrom("tvm_software")
        .select("software_id")
        .where("tenant_id", "=", tenant)
        .where("machine_id", "=", machineId.toLowerCase());
      const rows = await db
        .selectFrom("tvm_recommendations")
        .selectAll()
        .where("tenant_id", "=", tenant)
        .where("software_id", "in", installed)
        .orderBy(sql`case when severity_score is null then 1 else 0 end`)
        .orderBy("severity_score", "desc")
        .orderBy("id")
        .limit(limitOf(limit, 200, 10_000))
        .execute();
      return rows.map((r) => ({
        id: r.id,
        name: r.name,
        productName: r.product_name,
        vendor: r.vendor,
        category: r.category,
        remediationType: r.remediation_type,
        status: r.status,
        recommendedVersion: r.recommended_version,
        severityScore: r.severity_score === null ? null : Number(r.severity_score),
        exposedMachines: Number(r.exposed_machines),
        weaknesses: Number(r.weaknesses),
        publicExploit: r.public_exploit > 0,
      }));
    },
  };
}
