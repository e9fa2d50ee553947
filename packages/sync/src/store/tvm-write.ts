/**
 * A tenant's vulnerability-management snapshot (mde-api.md §5.11–§5.14,
 * §6.8–§6.10): scores, machine × CVE rows, the CVE catalog, installed software
 * and recommendations. TVM data changes slowly and is read in bulk, so a sync
 * takes it whole on its own interval (engine/tvm-sync.ts) and the store
 * replaces the tenant's snapshot in one transaction: readers see the old one or
 * the new one, never a mix, and a failed fetch never reaches the store.
 *
 * The scores are also kept per day (tvm_score_history, {@link TVM_SCORE_HISTORY_DAYS} days) in
 * the same transaction, so reports can draw their trend.
 *
 * Everything here comes from a customer tenant and is attacker-controlled:
 * every text is cut to a bound and every list to a row limit, so one hostile
 * tenant cannot grow the store (or the console's pages) without limit.
 */
import type { Insertable, Kysely } from "kysely";
import { chunks, rowsPerStatement, type StoreContext, tenantKey } from "./context.js";
import type {
  StoreDatabase,
  TvmMachineVulnerabilitiesTable,
  TvmRecommendationsTable,
  TvmSoftwareTable,
  TvmVulnerabilitiesTable,
} from "./schema-types.js";

/** Row limits of one tenant's snapshot; rows past them are left out and the part is named in `truncated`. */
export const TVM_LIMITS = Object.freeze({
  machineVulnerabilities: 500_000,
  vulnerabilities: 50_000,
  software: 500_000,
  recommendations: 10_000,
  /** Characters of a name, product, vendor, version or id. */
  text: 256,
  /** Characters of a CVE description. */
  description: 2_000,
});

/** TVM severities (mde-api.md §6.9) by rank, for sorting worst first. */
export const TVM_SEVERITY_RANK: Readonly<Record<string, number>> = Object.freeze({ Low: 1, Medium: 2, High: 3, Critical: 4 });

/** A score as `GET /api/exposureScore` and `/api/configurationScore` return it (§5.14). */
export interface TvmScoreInput {
  readonly score?: unknown;
  readonly time?: unknown;
}

/** A `machinesVulnerabilities` row (§5.12). */
export interface TvmMachineVulnerabilityInput {
  readonly machineId?: unknown;
  readonly cveId?: unknown;
  readonly productVendor?: unknown;
  readonly productName?: unknown;
  readonly productVersion?: unknown;
  readonly fixingKbId?: unknown;
  readonly severity?: unknown;
}

/** A vulnerability (§6.9). */
export interface TvmVulnerabilityInput {
  readonly id?: unknown;
  readonly name?: unknown;
  readonly description?: unknown;
  readonly severity?: unknown;
  readonly cvssV3?: unknown;
  readonly publishedOn?: unknown;
  readonly updatedOn?: unknown;
  readonly exposedMachines?: unknown;
  readonly publicExploit?: unknown;
  readonly exploitVerified?: unknown;
  readonly exploitInKit?: unknown;
  readonly exploitTypes?: unknown;
}

/** A software inventory row of one machine (`SoftwareInventoryByMachine`, §5.17). */
export interface TvmSoftwareInput {
  readonly deviceId?: unknown;
  readonly softwareVendor?: unknown;
  readonly softwareName?: unknown;
  readonly softwareVersion?: unknown;
  readonly numberOfWeaknesses?: unknown;
  readonly endOfSupportStatus?: unknown;
}

/** A security recommendation (§6.10). */
export interface TvmRecommendationInput {
  readonly id?: unknown;
  readonly recommendationName?: unknown;
  readonly productName?: unknown;
  readonly vendor?: unknown;
  readonly recommendationCategory?: unknown;
  readonly remediationType?: unknown;
  readonly status?: unknown;
  readonly recommendedVersion?: unknown;
  readonly severityScore?: unknown;
  readonly exposureImpact?: unknown;
  readonly configScoreImpact?: unknown;
  readonly exposedMachinesCount?: unknown;
  readonly weaknesses?: unknown;
  readonly publicExploit?: unknown;
  readonly activeAlert?: unknown;
}

/**
 * What one TVM sync read from a tenant. A part the tenant did not grant the
 * permission for is left empty (or null) and its permission is named in
 * `missingPermissions`.
 */
export interface TvmSnapshotInput {
  readonly exposureScore?: TvmScoreInput | null;
  readonly secureScore?: TvmScoreInput | null;
  readonly machineVulnerabilities?: readonly TvmMachineVulnerabilityInput[];
  readonly vulnerabilities?: readonly TvmVulnerabilityInput[];
  readonly software?: readonly TvmSoftwareInput[];
  readonly recommendations?: readonly TvmRecommendationInput[];
  readonly missingPermissions?: readonly string[];
}

/** What {@link createTvmWriter}'s `replaceTvmSnapshot` stored. */
export interface TvmSnapshotWrite {
  readonly takenAt: string;
  readonly machines: number;
  readonly machineVulnerabilities: number;
  readonly vulnerabilities: number;
  readonly software: number;
  readonly recommendations: number;
  /** Parts cut at their row limit. */
  readonly truncated: readonly string[];
}

/** Bounded text, or null when `value` is not a non-empty string. */
export function tvmText(value: unknown, max: number = TVM_LIMITS.text): string | null {
  if (typeof value !== "string" || value === "") return null;
  if (value.length <= max) return value;
  const end = value.charCodeAt(max - 1) >= 0xd800 && value.charCodeAt(max - 1) <= 0xdbff ? max - 1 : max;
  return value.slice(0, end);
}

const num = (value: unknown): number | null => (typeof value === "number" && Number.isFinite(value) ? value : null);
const count = (value: unknown): number => {
  const n = num(value);
  return n === null ? 0 : Math.max(0, Math.min(2_147_483_647, Math.trunc(n)));
};
const flag = (value: unknown): number => (value === true ? 1 : 0);
const lower = (value: string | null) => (value === null ? null : value.toLowerCase());

/**
 * The software id of a product as the API prints it (`{vendor}-_-{product}`,
 * mde-api.md §3.7), from the export's vendor and name.
 */
export function softwareIdOf(vendor: string | null, name: string | null): string | null {
  if (!vendor || !name) return null;
  return tvmText(`${vendor}-_-${name}`.toLowerCase());
}

/** The product of a software recommendation (`va-_-{vendor}-_-{product}`) as a software id; null for others. */
export function recommendationSoftwareId(id: string): string | null {
  return id.startsWith("va-_-") && id.length > 5 ? id.slice(5).toLowerCase() : null;
}

function machineVulnerabilityRow(tenant: string, v: TvmMachineVulnerabilityInput): Insertable<TvmMachineVulnerabilitiesTable> | null {
  const machineId = lower(tvmText(v.machineId, 64));
  const cveId = tvmText(v.cveId, 64);
  if (!machineId || !cveId) return null;
  const severity = tvmText(v.severity, 32);
  const vendor = tvmText(v.productVendor);
  const product = tvmText(v.productName);
  const version = tvmText(v.productVersion);
  const kb = tvmText(v.fixingKbId, 64);
  return {
    tenant_id: tenant,
    machine_id: machineId,
    cve_id: cveId,
    // Bounded parts joined by a separator the API does not print: unique per machine as the API's row id is.
    row_key: [cveId, vendor ?? "", product ?? "", version ?? "", kb ?? ""].join("\u001f"),
    product_vendor: vendor,
    product_name: product,
    product_version: version,
    fixing_kb_id: kb,
    severity,
    severity_rank: (severity !== null ? TVM_SEVERITY_RANK[severity] : undefined) ?? 0,
  };
}

function vulnerabilityRow(tenant: string, v: TvmVulnerabilityInput, machines: number): Insertable<TvmVulnerabilitiesTable> | null {
  const cveId = tvmText(v.id, 64);
  if (!cveId) return null;
  const severity = tvmText(v.severity, 32);
  const types = Array.isArray(v.exploitTypes)
    ? v.exploitTypes
        .slice(0, 10)
        .map((t) => tvmText(t, 64))
        .filter((t): t is string => t !== null)
    : [];
  return {
    tenant_id: tenant,
    cve_id: cveId,
    name: tvmText(v.name),
    severity,
    severity_rank: (severity !== null ? TVM_SEVERITY_RANK[severity] : undefined) ?? 0,
    cvss_v3: num(v.cvssV3),
    published_on: tvmText(v.publishedOn, 40),
    updated_on: tvmText(v.updatedOn, 40),
    description: tvmText(v.description, TVM_LIMITS.description),
    exploit_types: types.length ? JSON.stringify(types) : null,
    public_exploit: flag(v.publicExploit),
    exploit_verified: flag(v.exploitVerified),
    exploit_in_kit: flag(v.exploitInKit),
    exposed_machines: count(v.exposedMachines),
    machines,
  };
}

function softwareRow(tenant: string, s: TvmSoftwareInput): Insertable<TvmSoftwareTable> | null {
  const machineId = lower(tvmText(s.deviceId, 64));
  const vendor = tvmText(s.softwareVendor);
  const name = tvmText(s.softwareName);
  const softwareId = softwareIdOf(vendor, name);
  if (!machineId || !softwareId) return null;
  return {
    tenant_id: tenant,
    machine_id: machineId,
    software_id: softwareId,
    version: tvmText(s.softwareVersion, 128) ?? "",
    name,
    vendor,
    end_of_support: tvmText(s.endOfSupportStatus, 64),
    weaknesses: count(s.numberOfWeaknesses),
  };
}

function recommendationRow(tenant: string, r: TvmRecommendationInput): Insertable<TvmRecommendationsTable> | null {
  const id = tvmText(r.id);
  if (!id) return null;
  return {
    tenant_id: tenant,
    id,
    software_id: recommendationSoftwareId(id),
    name: tvmText(r.recommendationName, 512),
    product_name: tvmText(r.productName),
    vendor: tvmText(r.vendor),
    category: tvmText(r.recommendationCategory, 64),
    remediation_type: tvmText(r.remediationType, 64),
    status: tvmText(r.status, 64),
    recommended_version: tvmText(r.recommendedVersion, 128),
    severity_score: num(r.severityScore),
    exposure_impact: num(r.exposureImpact),
    config_score_impact: num(r.configScoreImpact),
    exposed_machines: count(r.exposedMachinesCount),
    weaknesses: count(r.weaknesses),
    public_exploit: flag(r.publicExploit),
    active_alert: flag(r.activeAlert),
  };
}

/** Mapped rows without duplicate keys (PostgreSQL refuses one INSERT touching a key twice), at most `limit`. */
function rowsOf<I, R>(items: readonly I[] | undefined, map: (item: I) => R | null, key: (row: R) => string, limit: number) {
  const byKey = new Map<string, R>();
  let cut = false;
  for (const item of items ?? []) {
    const row = item && typeof item === "object" ? map(item) : null;
    if (row === null) continue;
    const k = key(row);
    if (byKey.has(k)) continue;
    if (byKey.size >= limit) {
      cut = true;
      break;
    }
    byKey.set(k, row);
  }
  return { rows: [...byKey.values()], cut };
}

const SCORE_TIME = 40;

/** Days a tenant's score history is kept (a year-on-year report still has its month). */
export const TVM_SCORE_HISTORY_DAYS = 400;

/**
 * Keeps the day's scores of a snapshot in `tvm_score_history` (one row per tenant and UTC day,
 * the newest snapshot of the day winning) and drops the tenant's rows past
 * {@link TVM_SCORE_HISTORY_DAYS}. A snapshot without either score adds nothing.
 */
async function recordScores(
  trx: Kysely<StoreDatabase>,
  tenant: string,
  now: string,
  scores: { exposure_score: number | null; exposure_time: string | null; secure_score: number | null; secure_score_time: string | null },
): Promise<void> {
  const nowMs = Date.parse(now);
  if (Number.isNaN(nowMs)) return;
  const day = new Date(nowMs).toISOString().slice(0, 10);
  if (scores.exposure_score !== null || scores.secure_score !== null) {
    const row = {
      taken_at: now,
      exposure_score: scores.exposure_score,
      exposure_time: scores.exposure_time,
      secure_score: scores.secure_score,
      secure_score_time: scores.secure_score_time,
    };
    await trx
      .insertInto("tvm_score_history")
      .values({ tenant_id: tenant, day, ...row })
      .onConflict((oc) => oc.columns(["tenant_id", "day"]).doUpdateSet(row))
      .execute();
  }
  const oldest = new Date(nowMs - TVM_SCORE_HISTORY_DAYS * 86_400_000).toISOString().slice(0, 10);
  await trx.deleteFrom("tvm_score_history").where("tenant_id", "=", tenant).where("day", "<", oldest).execute();
}

/** Writes tenants' TVM snapshots (see the file comment). */
export function createTvmWriter(ctx: StoreContext) {
  const { dialect } = ctx;

  async function insertAll<T extends keyof StoreDatabase>(trx: Kysely<StoreDatabase>, table: T, rows: readonly Insertable<StoreDatabase[T]>[], columns: number) {
    const per = rowsPerStatement(dialect, columns);
    // Kysely cannot relate a generic table name to its row type; the rows were built for `table`.
    const db = trx as unknown as Kysely<Record<string, Record<string, unknown>>>;
    for (const part of chunks(rows, per)) await db.insertInto(table as string).values(part as Record<string, unknown>[]).execute();
  }

  return {
    /**
     * Makes `input` the tenant's TVM snapshot, replacing the previous one in
     * one transaction, and records when it was taken. Rows without their key
     * fields are skipped; each part is cut at its {@link TVM_LIMITS} bound.
     */
    async replaceTvmSnapshot(tenantId: string, input: TvmSnapshotInput): Promise<TvmSnapshotWrite> {
      const tenant = tenantKey(tenantId);
      const truncated: string[] = [];
      const mv = rowsOf(input.machineVulnerabilities, (v) => machineVulnerabilityRow(tenant, v), (r) => `${r.machine_id}\u001e${r.row_key}`, TVM_LIMITS.machineVulnerabilities);
      if (mv.cut) truncated.push("machineVulnerabilities");
      // Machines per CVE, and the CVEs the machine rows name (the catalog keeps only those).
      const machinesByCve = new Map<string, Set<string>>();
      for (const r of mv.rows) {
        let set = machinesByCve.get(r.cve_id);
        if (!set) machinesByCve.set(r.cve_id, (set = new Set()));
        set.add(r.machine_id);
      }
      const catalog = rowsOf(
        (input.vulnerabilities ?? []).filter((v) => typeof v?.id === "string" && machinesByCve.has(v.id)),
        (v) => vulnerabilityRow(tenant, v, machinesByCve.get(v.id as string)?.size ?? 0),
        (r) => r.cve_id,
        TVM_LIMITS.vulnerabilities,
      );
      if (catalog.cut) truncated.push("vulnerabilities");
      // A CVE on a machine but missing from the catalog still counts: its severity comes from the machine rows.
      const listed = new Set(catalog.rows.map((r) => r.cve_id));
      for (const r of mv.rows) {
        if (listed.has(r.cve_id) || catalog.rows.length >= TVM_LIMITS.vulnerabilities) continue;
        listed.add(r.cve_id);
        const row = vulnerabilityRow(tenant, { id: r.cve_id, severity: r.severity }, machinesByCve.get(r.cve_id)?.size ?? 0);
        if (row) catalog.rows.push(row);
      }
      const sw = rowsOf(input.software, (s) => softwareRow(tenant, s), (r) => `${r.machine_id}\u001e${r.software_id}\u001e${r.version}`, TVM_LIMITS.software);
      if (sw.cut) truncated.push("software");
      const recs = rowsOf(input.recommendations, (r) => recommendationRow(tenant, r), (r) => r.id, TVM_LIMITS.recommendations);
      if (recs.cut) truncated.push("recommendations");
      const machines = new Set([...mv.rows.map((r) => r.machine_id), ...sw.rows.map((r) => r.machine_id)]).size;
      const missing = [...new Set((input.missingPermissions ?? []).map((p) => tvmText(p, 64)).filter((p): p is string => p !== null))].slice(0, 10);
      const exposure = input.exposureScore ?? null;
      const secure = input.secureScore ?? null;

      return dialect.writeTransaction(async (trx) => {
        const now = ctx.now();
        for (const table of ["tvm_machine_vulnerabilities", "tvm_vulnerabilities", "tvm_software", "tvm_recommendations"] as const)
          await trx.deleteFrom(table).where("tenant_id", "=", tenant).execute();
        await insertAll(trx, "tvm_machine_vulnerabilities", mv.rows, 11);
        await insertAll(trx, "tvm_vulnerabilities", catalog.rows, 16);
        await insertAll(trx, "tvm_software", sw.rows, 8);
        await insertAll(trx, "tvm_recommendations", recs.rows, 17);
        const snapshot = {
          taken_at: now,
          exposure_score: num(exposure?.score),
          exposure_time: tvmText(exposure?.time, SCORE_TIME),
          secure_score: num(secure?.score),
          secure_score_time: tvmText(secure?.time, SCORE_TIME),
          machines,
          vulnerabilities: catalog.rows.length,
          software: sw.rows.length,
          recommendations: recs.rows.length,
          missing_permissions: missing.length ? JSON.stringify(missing) : null,
          truncated: truncated.length ? JSON.stringify(truncated) : null,
          attempted_at: now,
          last_error: null,
          last_error_code: null,
        };
        await trx
          .insertInto("tvm_snapshots")
          .values({ tenant_id: tenant, ...snapshot })
          .onConflict((oc) => oc.column("tenant_id").doUpdateSet(snapshot))
          .execute();
        await recordScores(trx, tenant, now, snapshot);
        return {
          takenAt: now,
          machines,
          machineVulnerabilities: mv.rows.length,
          vulnerabilities: catalog.rows.length,
          software: sw.rows.length,
          recommendations: recs.rows.length,
          truncated,
        };
      });
    },

    /** Records a failed TVM sync of the tenant: the last good snapshot stays as it is. */
    async recordTvmFailure(tenantId: string, error: { readonly code: string; readonly message: string }): Promise<void> {
      const tenant = tenantKey(tenantId);
      await dialect.writeTransaction(async (trx) => {
        const failure = { attempted_at: ctx.now(), last_error: tvmText(error.message, 1_000), last_error_code: tvmText(error.code, 64) };
        await trx
          .insertInto("tvm_snapshots")
          .values({ tenant_id: tenant, taken_at: null, machines: 0, vulnerabilities: 0, software: 0, recommendations: 0, ...failure })
          .onConflict((oc) => oc.column("tenant_id").doUpdateSet(failure))
          .execute();
      });
    },
  };
}
