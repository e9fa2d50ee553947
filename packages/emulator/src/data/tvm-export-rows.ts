import type { EmulatorState } from "../core/state.js";
import { createRandom } from "../core/random.js";
import { CONFIGURATIONS, cveById, cvesOf, KBS, productById } from "./tvm-catalog.js";
import type { TvmMachine } from "./tvm-store.js";

/**
 * Rows of the export-assessment APIs (mde-api.md §5.16–§5.17), one generator
 * per export, read from the tenant's TVM tables in a stable order. The JSON
 * variants page over them; the file variants stream the same rows as JSON
 * lines, so a row in a file is byte-for-byte a row of the JSON API.
 *
 * Row properties follow the pages' property tables and examples
 * (get-assessment-secure-config.md, get-assessment-software-vulnerabilities.md,
 * get-assessment-software-inventory.md, get-assessment-non-cpe-software-inventory.md,
 * get-assessment-information-gathering.md). Their timestamps are written as the
 * examples print them: `2021-01-11 09:47:58.854`, no `T`, no zone.
 */

export type ExportKind = "SecureConfigurations" | "SoftwareVulnerabilities" | "SoftwareInventory" | "SoftwareInventoryNonCpe" | "InfoGathering" | "SoftwareVulnerabilityChanges";

/** `2021-01-11 09:47:58.854` from any ISO-8601 time. */
export function exportTime(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace("T", " ").slice(0, 23) : "";
}

const DAY = 86_400_000;
const osVersionOf = (m: TvmMachine, versions: Map<string, string>) => versions.get(m.id) ?? m.version;
const architecture = (m: TvmMachine) => (m.osArchitecture === "32-bit" ? "x86" : "x64");
const group = (m: TvmMachine) => m.rbacGroupName || "Unassigned";

function registryPath(vendor: string, displayName: string, osPlatform: string): string[] {
  if (!osPlatform.startsWith("Windows")) return [];
  return [`HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\${displayName || vendor}`];
}

/** The binary's path where the catalogue knows it for the device's OS. */
function diskPaths(path: string | undefined, osPlatform: string): string[] {
  if (!path) return [];
  return path.startsWith("C:") === osPlatform.startsWith("Windows") ? [path] : [];
}

/** Exploitability level of a CVE (NoExploit, ExploitIsPublic, ExploitIsVerified, ExploitIsInKit). */
function exploitability(cveId: string | null): string {
  const c = cveId ? cveById(cveId) : undefined;
  if (!c?.publicExploit) return "NoExploit";
  return c.exploitInKit ? "ExploitIsInKit" : c.exploitVerified ? "ExploitIsVerified" : "ExploitIsPublic";
}

interface InstallRow {
  machine_id: string;
  product_id: string;
  version: string;
  first_seen: string;
  last_seen: string;
  cve_id: string | null;
  e_first_seen: string | null;
}

/** The operating-system version each machine runs (its installed OS product's version). */
function osVersions(state: EmulatorState, tenantId: string): Map<string, string> {
  const rows = state.db
    .prepare("SELECT machine_id, os_version FROM tvm_av WHERE tenant_id = ?")
    .all(tenantId) as Array<{ machine_id: string; os_version: string }>;
  return new Map(rows.map((r) => [r.machine_id, r.os_version]));
}

/** One software-vulnerability row (installed version × CVE, or the version alone when it has none). */
function vulnerabilityRow(m: TvmMachine, r: InstallRow, osVersion: string): Record<string, unknown> {
  const product = productById(r.product_id);
  const c = r.cve_id ? cveById(r.cve_id) : undefined;
  const kb = c?.fixingKb ? KBS.find((k) => k.id === c.fixingKb) : undefined;
  const vendor = product?.vendor ?? "";
  const name = product?.name ?? r.product_id;
  return {
    id: `${m.id}_${name}_${r.version}_${r.cve_id ?? ""}_`,
    deviceId: m.id,
    rbacGroupName: group(m),
    deviceName: m.computerDnsName,
    osPlatform: m.osPlatform,
    osVersion,
    osArchitecture: architecture(m),
    softwareVendor: vendor,
    softwareName: name,
    softwareVersion: r.version,
    cveId: r.cve_id,
    cvssScore: c ? String(c.cvssV3) : null,
    vulnerabilitySeverityLevel: c?.severity ?? null,
    recommendedSecurityUpdate: kb?.name ?? null,
    recommendedSecurityUpdateId: kb?.id ?? null,
    recommendedSecurityUpdateUrl: kb ? `https://catalog.update.microsoft.com/v7/site/Search.aspx?q=KB${kb.id}` : null,
    diskPaths: diskPaths(product?.path, m.osPlatform),
    registryPaths: registryPath(vendor, product?.displayName ?? "", m.osPlatform),
    lastSeenTimestamp: exportTime(r.last_seen),
    firstSeenTimestamp: exportTime(r.e_first_seen ?? r.first_seen),
    exploitabilityLevel: exploitability(r.cve_id),
    recommendationReference: `va-_-${vendor}-_-${name}`,
    securityUpdateAvailable: c !== undefined,
  };
}

/** Options of one pass over an export's rows. */
export interface RowWindow {
  offset: number;
  /** Rows wanted; Infinity for all. */
  limit: number;
  /** SoftwareVulnerabilityChanges: the `sinceTime` (ISO, fixed width). */
  since?: string;
}

const sqlLimit = (w: RowWindow) => (Number.isFinite(w.limit) ? w.limit : -1);

/**
 * The rows of one export for a tenant whose TVM tables exist (`ensureTvm`),
 * lazily, in a stable order: SQL walks the rows, so the whole export is never
 * held in memory.
 */
export function* exportRows(
  state: EmulatorState,
  tenantId: string,
  machines: Map<string, TvmMachine>,
  kind: ExportKind,
  window: RowWindow,
): Generator<Record<string, unknown>> {
  const db = state.db;
  const versions = osVersions(state, tenantId);
  if (kind === "SoftwareVulnerabilityChanges") {
    yield* windowed(vulnerabilityChanges(state, tenantId, machines, versions, window.since ?? ""), window);
    return;
  }
  if (kind === "SoftwareVulnerabilities") {
    const sql = `SELECT i.machine_id, i.product_id, i.version, i.first_seen, i.last_seen, e.cve_id, e.first_seen AS e_first_seen
         FROM tvm_installs i LEFT JOIN tvm_exposures e ON e.tenant_id = i.tenant_id AND e.machine_id = i.machine_id AND e.product_id = i.product_id
         WHERE i.tenant_id = ? ORDER BY i.seq, e.seq LIMIT ? OFFSET ?`;
    for (const r of db.prepare(sql).iterate(tenantId, sqlLimit(window), window.offset) as IterableIterator<InstallRow>) {
      const m = machines.get(r.machine_id);
      if (m) yield vulnerabilityRow(m, r, osVersionOf(m, versions));
    }
    return;
  }
  if (kind === "SoftwareInventory") {
    const sql = `SELECT i.machine_id, i.product_id, i.version, i.first_seen,
        (SELECT count(*) FROM tvm_exposures e WHERE e.tenant_id = i.tenant_id AND e.machine_id = i.machine_id AND e.product_id = i.product_id) AS weaknesses
      FROM tvm_installs i WHERE i.tenant_id = ? ORDER BY i.seq LIMIT ? OFFSET ?`;
    for (const r of db.prepare(sql).iterate(tenantId, sqlLimit(window), window.offset) as IterableIterator<InstallRow & { weaknesses: number }>) {
      const m = machines.get(r.machine_id);
      const product = productById(r.product_id);
      if (!m || !product) continue;
      yield {
        id: `${m.id}_${product.vendor}_${product.name}_${r.version}`,
        deviceId: m.id,
        rbacGroupName: group(m),
        deviceName: m.computerDnsName,
        osPlatform: m.osPlatform,
        softwareVendor: product.vendor,
        softwareName: product.name,
        softwareVersion: r.version,
        numberOfWeaknesses: r.weaknesses,
        diskPaths: diskPaths(product.path, m.osPlatform),
        registryPaths: registryPath(product.vendor, product.displayName, m.osPlatform),
        softwareFirstSeenTimestamp: exportTime(r.first_seen),
        endOfSupportStatus: "",
        endOfSupportDate: null,
      };
    }
    return;
  }
  if (kind === "SecureConfigurations") {
    const sql = "SELECT machine_id, scid, compliant FROM tvm_config WHERE tenant_id = ? ORDER BY seq LIMIT ? OFFSET ?";
    const timestamp = exportTime(new Date(state.clock.now()).toISOString());
    for (const r of db.prepare(sql).iterate(tenantId, sqlLimit(window), window.offset) as IterableIterator<{ machine_id: string; scid: string; compliant: number }>) {
      const m = machines.get(r.machine_id);
      const config = CONFIGURATIONS.find((c) => c.scid === r.scid);
      if (!m || !config) continue;
      yield {
        deviceId: m.id,
        rbacGroupName: group(m),
        deviceName: m.computerDnsName,
        osPlatform: m.osPlatform,
        osVersion: osVersionOf(m, versions),
        timestamp,
        configurationId: config.scid,
        configurationCategory: config.category,
        configurationSubcategory: config.subCategory,
        configurationImpact: config.impact,
        isCompliant: r.compliant === 1,
        isApplicable: true,
        isExpectedUserImpact: false,
        configurationName: config.name,
        recommendationReference: `sca-_-${config.scid}`,
      };
    }
    return;
  }
  // Per machine: non-CPE software and information gathering.
  const sql = "SELECT machine_id, json FROM tvm_av WHERE tenant_id = ? ORDER BY seq";
  let index = 0;
  let emitted = 0;
  for (const r of db.prepare(sql).iterate(tenantId) as IterableIterator<{ machine_id: string; json: string }>) {
    const m = machines.get(r.machine_id);
    if (!m) continue;
    const rows = kind === "InfoGathering" ? [infoGatheringRow(m, JSON.parse(r.json) as Record<string, unknown>)] : nonCpeRows(state, tenantId, m, osVersionOf(m, versions));
    for (const row of rows) {
      if (index++ < window.offset) continue;
      if (emitted++ >= window.limit) return;
      yield row;
    }
  }
}

/** The rows of `source` from `window.offset` on, at most `window.limit` of them. */
function* windowed<T>(source: Iterable<T>, window: RowWindow): Generator<T> {
  let index = 0;
  let emitted = 0;
  for (const row of source) {
    if (index++ < window.offset) continue;
    if (emitted++ >= window.limit) return;
    yield row;
  }
}

/**
 * Changes since `since` (get-assessment-software-vulnerabilities.md §3): a
 * `New` row for each exposure first seen since then and, where that exposure
 * came with an update of the product (the version was first seen after the
 * machine itself, so it replaced the previous one), a `Fixed` row for each
 * CVE of the previous version, at the same instant, as the page's
 * "1.0 → 2.0" clarification describes. Rows add `status` and `eventTimestamp`.
 */
function* vulnerabilityChanges(
  state: EmulatorState,
  tenantId: string,
  machines: Map<string, TvmMachine>,
  versions: Map<string, string>,
  since: string,
): Generator<Record<string, unknown>> {
  const event = (iso: string) => new Date(Date.parse(iso)).toISOString();
  const fresh = `SELECT i.machine_id, i.product_id, i.version, i.first_seen, i.last_seen, e.cve_id, e.first_seen AS e_first_seen
       FROM tvm_exposures e JOIN tvm_installs i ON i.tenant_id = e.tenant_id AND i.machine_id = e.machine_id AND i.product_id = e.product_id
       WHERE e.tenant_id = ? AND e.first_seen >= ? ORDER BY e.seq`;
  for (const r of state.db.prepare(fresh).all(tenantId, since) as InstallRow[]) {
    const m = machines.get(r.machine_id);
    if (m) yield { ...vulnerabilityRow(m, r, osVersionOf(m, versions)), status: "New", eventTimestamp: event(r.first_seen) };
  }
  const updated = "SELECT machine_id, product_id, version, first_seen, last_seen FROM tvm_installs WHERE tenant_id = ? AND first_seen >= ? ORDER BY seq";
  for (const r of state.db.prepare(updated).all(tenantId, since) as InstallRow[]) {
    const m = machines.get(r.machine_id);
    const product = productById(r.product_id);
    const index = product ? product.versions.indexOf(r.version) : -1;
    if (!m || !product || index < 1 || Date.parse(r.first_seen) - Date.parse(m.firstSeen) < DAY) continue;
    const previous = product.versions[index - 1] as string;
    for (const c of cvesOf(product, previous)) {
      const row = { ...r, version: previous, cve_id: c.id, e_first_seen: m.firstSeen, last_seen: r.first_seen };
      yield { ...vulnerabilityRow(m, row, osVersionOf(m, versions)), status: "Fixed", eventTimestamp: event(r.first_seen) };
    }
  }
}

/** Information gathering (get-assessment-information-gathering.md): one row per device, its sensor and AV facts in `additionalFields`. */
function infoGatheringRow(m: TvmMachine, av: Record<string, unknown>): Record<string, unknown> {
  return {
    deviceId: m.id,
    deviceName: m.computerDnsName,
    osPlatform: m.osPlatform,
    osVersion: av.osVersion,
    rbacGroupName: group(m),
    rbacGroupId: m.rbacGroupId,
    lastSeenTime: exportTime(m.lastSeen),
    additionalFields: {
      AvMode: av.avMode,
      AvEngineVersion: av.avEngineVersion,
      AvSignatureVersion: av.avSignatureVersion,
      AvPlatformVersion: av.avPlatformVersion,
      AvSignatureLastUpdateTime: av.avSignatureUpdateTime,
      AvIsSignatureUpToDate: av.avIsSignatureUpToDate,
      AvIsEngineUpToDate: av.avIsEngineUpToDate,
      AvIsPlatformUpToDate: av.avIsPlatformUpToDate,
    },
  };
}

const NON_CPE = [
  ["contoso", "Line-of-Business Client"],
  ["internal", "Build Agent Helper"],
  ["printvendor", "Printer Utility"],
] as const;

/** Software the catalogue cannot map to a CPE: zero to two in-house tools per Windows device, picked from its id. */
function nonCpeRows(state: EmulatorState, tenantId: string, m: TvmMachine, osVersion: string): Array<Record<string, unknown>> {
  if (!m.osPlatform.startsWith("Windows")) return [];
  const random = createRandom(`${state.options.seed}/tvm-noncpe/${tenantId}/${m.id}`);
  const count = random.int(0, 2);
  return NON_CPE.slice(0, count).map(([vendor, name]) => ({
    deviceId: m.id,
    deviceName: m.computerDnsName,
    osPlatform: m.osPlatform,
    osVersion,
    rbacGroupName: group(m),
    rbacGroupId: m.rbacGroupId,
    softwareLastSeenTimestamp: exportTime(m.lastSeen),
    softwareName: name,
    softwareVendor: vendor,
    softwareVersion: `${random.int(1, 9)}.${random.int(0, 20)}.${random.int(0, 999)}`,
  }));
}
