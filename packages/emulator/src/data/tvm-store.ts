import type Database from "better-sqlite3";
import { toMdeTime } from "../core/clock.js";
import { createRandom } from "../core/random.js";
import type { EmulatorState } from "../core/state.js";
import { dataAnchor } from "./generator.js";
import { osFamily } from "./machine-factory.js";
import { tenantRandom } from "./tenant-profile.js";
import {
  type CatalogCve,
  CONFIGURATIONS,
  CVES,
  cvesOf,
  KBS,
  osProductFor,
  PRODUCTS,
  productById,
} from "./tvm-catalog.js";
import { buildAvRow } from "./tvm-av.js";

/**
 * A tenant's vulnerability-management data in the emulator's database
 * (mde-api.md §5.11–§5.17), materialized on the tenant's first TVM call rather
 * than at start-up (tenants with 100k alerts must start fast), and extended
 * for machines added since. Per machine: installed software versions, the
 * CVEs those versions carry (`tvm_exposures`, the machinesVulnerabilities
 * rows), secure-configuration results and a device AV row. Per tenant, derived
 * from those in one pass: the software, vulnerability and recommendation
 * entities with their counts, and a few remediation tasks.
 */

const DAY = 86_400_000;

function initTvmSchema(db: Database.Database): void {
  const table = (name: string, columns: string, unique = "tenant_id, id") => `
    CREATE TABLE IF NOT EXISTS ${name} (seq INTEGER PRIMARY KEY, tenant_id TEXT NOT NULL, id TEXT NOT NULL, ${columns});
    CREATE UNIQUE INDEX IF NOT EXISTS ${name}_id ON ${name} (${unique});`;
  db.exec(`
    CREATE TABLE IF NOT EXISTS tvm_machines (tenant_id TEXT NOT NULL, machine_id TEXT NOT NULL, covered_at TEXT NOT NULL,
      PRIMARY KEY (tenant_id, machine_id)) WITHOUT ROWID;
    ${table("tvm_installs", "machine_id TEXT NOT NULL, product_id TEXT NOT NULL, version TEXT NOT NULL, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL")}
    CREATE INDEX IF NOT EXISTS tvm_installs_product ON tvm_installs (tenant_id, product_id);
    CREATE INDEX IF NOT EXISTS tvm_installs_machine ON tvm_installs (tenant_id, machine_id);
    ${table(
      "tvm_exposures",
      `cve_id TEXT NOT NULL, machine_id TEXT NOT NULL, fixing_kb_id TEXT, product_id TEXT NOT NULL, product_name TEXT NOT NULL,
       product_vendor TEXT NOT NULL, product_version TEXT NOT NULL, severity TEXT NOT NULL, first_seen TEXT NOT NULL, json TEXT NOT NULL`,
    )}
    CREATE INDEX IF NOT EXISTS tvm_exposures_machine ON tvm_exposures (tenant_id, machine_id);
    CREATE INDEX IF NOT EXISTS tvm_exposures_cve ON tvm_exposures (tenant_id, cve_id);
    CREATE INDEX IF NOT EXISTS tvm_exposures_product ON tvm_exposures (tenant_id, product_id);
    ${table("tvm_config", "machine_id TEXT NOT NULL, scid TEXT NOT NULL, compliant INTEGER NOT NULL")}
    CREATE INDEX IF NOT EXISTS tvm_config_scid ON tvm_config (tenant_id, scid);
    ${table("tvm_software", "name TEXT NOT NULL, vendor TEXT NOT NULL, json TEXT NOT NULL")}
    ${table(
      "tvm_vulnerabilities",
      `product_id TEXT NOT NULL, name TEXT NOT NULL, description TEXT NOT NULL, severity TEXT NOT NULL, cvss_v3 REAL NOT NULL,
       published_on TEXT NOT NULL, updated_on TEXT NOT NULL, exposed INTEGER NOT NULL, json TEXT NOT NULL`,
    )}
    ${table(
      "tvm_recommendations",
      `product_id TEXT, product_name TEXT NOT NULL, vendor TEXT NOT NULL, recommended_version TEXT NOT NULL,
       recommendation_category TEXT NOT NULL, sub_category TEXT NOT NULL, severity_score REAL NOT NULL, remediation_type TEXT NOT NULL,
       recommended_program TEXT NOT NULL, recommended_vendor TEXT NOT NULL, status TEXT NOT NULL, json TEXT NOT NULL`,
    )}
    ${table("tvm_remediation_tasks", "created_on TEXT NOT NULL, status TEXT NOT NULL, recommendation_id TEXT NOT NULL, json TEXT NOT NULL")}
    ${table(
      "tvm_av",
      `machine_id TEXT NOT NULL, computer_dns_name TEXT, os_kind TEXT, os_platform TEXT, os_version TEXT, av_mode TEXT,
       av_signature_version TEXT, av_engine_version TEXT, av_platform_version TEXT, quick_scan_result TEXT, quick_scan_error TEXT,
       full_scan_result TEXT, full_scan_error TEXT, av_is_signature_up_to_date TEXT, av_is_engine_up_to_date TEXT,
       av_is_platform_up_to_date TEXT, rbac_group_id INTEGER, json TEXT NOT NULL`,
    )}
  `);
}

const initialized = new WeakSet<Database.Database>();

/** Severity weights of the exposure score: the chance each CVE adds that a machine is compromised. */
const SEVERITY_WEIGHT: Readonly<Record<CatalogCve["severity"], number>> = { Critical: 0.3, High: 0.15, Medium: 0.05, Low: 0.01 };

/** A machine as the TVM views need it, from its stored JSON (mde-api.md §6.2). */
export interface TvmMachine {
  id: string;
  computerDnsName: string;
  osPlatform: string;
  version: string;
  rbacGroupName: string;
  rbacGroupId: number | null;
  deviceValue: string;
  firstSeen: string;
  lastSeen: string;
  osArchitecture: string;
}

function toTvmMachine(id: string, text: string): TvmMachine {
  const j = JSON.parse(text) as Record<string, unknown>;
  const s = (v: unknown, d = "") => (typeof v === "string" ? v : d);
  return {
    id,
    computerDnsName: s(j.computerDnsName, id),
    osPlatform: s(j.osPlatform, "Windows10"),
    version: s(j.version),
    rbacGroupName: s(j.rbacGroupName),
    rbacGroupId: typeof j.rbacGroupId === "number" ? j.rbacGroupId : null,
    deviceValue: s(j.deviceValue, "Normal"),
    firstSeen: s(j.firstSeen),
    lastSeen: s(j.lastSeen),
    osArchitecture: s(j.osArchitecture, "64-bit"),
  };
}

/** The tenant's machines, covered or not, by id. */
export function tvmMachines(state: EmulatorState, tenantId: string): Map<string, TvmMachine> {
  const rows = state.db.prepare("SELECT id, json FROM machines WHERE tenant_id = ? ORDER BY seq").all(tenantId) as Array<{ id: string; json: string }>;
  return new Map(rows.map((r) => [r.id, toTvmMachine(r.id, r.json)]));
}

/** The software a machine has: the OS product plus applications picked from the machine id. */
function installsFor(seed: string, tenantId: string, m: TvmMachine): Array<{ productId: string; version: string }> {
  const random = createRandom(`${seed}/tvm/${tenantId}/${m.id}`);
  const family = osFamily(m.osPlatform);
  const out: Array<{ productId: string; version: string }> = [];
  // Half the installs run the newest version; the rest spread over older ones.
  const pickVersion = (versions: readonly string[]) =>
    random.bool(0.5) ? (versions[versions.length - 1] as string) : random.pick(versions.slice(0, -1).length ? versions.slice(0, -1) : versions);
  const os = osProductFor(m.osPlatform);
  if (os) out.push({ productId: os.id, version: pickVersion(os.versions) });
  for (const p of PRODUCTS) {
    const share = p.installs[family];
    if (!share || p.osPlatforms) continue;
    if (random.next() < share) out.push({ productId: p.id, version: pickVersion(p.versions) });
  }
  return out;
}

/** The machinesVulnerabilities row id (mde-api.md §5.12): `{machine}-_-{cve}-_-{vendor}-_-{product}-_-{version}-_-{kb}`. */
const exposureId = (machineId: string, c: CatalogCve, vendor: string, name: string, version: string) =>
  `${machineId}-_-${c.id}-_-${vendor}-_-${name}-_-${version}-_-${c.fixingKb ?? ""}`;

/** Adds the TVM rows of machines not covered yet. Returns how many were added. */
function coverNewMachines(state: EmulatorState, tenantId: string, machines: Map<string, TvmMachine>, now: number): number {
  const db = state.db;
  const covered = new Set(
    (db.prepare("SELECT machine_id FROM tvm_machines WHERE tenant_id = ?").all(tenantId) as Array<{ machine_id: string }>).map((r) => r.machine_id),
  );
  const fresh = [...machines.values()].filter((m) => !covered.has(m.id));
  if (fresh.length === 0) return 0;
  const insertCovered = db.prepare("INSERT INTO tvm_machines (tenant_id, machine_id, covered_at) VALUES (?, ?, ?)");
  const insertInstall = db.prepare("INSERT INTO tvm_installs (tenant_id, id, machine_id, product_id, version, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?)");
  const insertExposure = db.prepare(
    `INSERT INTO tvm_exposures (tenant_id, id, cve_id, machine_id, fixing_kb_id, product_id, product_name, product_vendor, product_version, severity, first_seen, json)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertConfig = db.prepare("INSERT INTO tvm_config (tenant_id, id, machine_id, scid, compliant) VALUES (?, ?, ?, ?, ?)");
  const insertAv = db.prepare(
    `INSERT INTO tvm_av (tenant_id, id, machine_id, computer_dns_name, os_kind, os_platform, os_version, av_mode, av_signature_version,
      av_engine_version, av_platform_version, quick_scan_result, quick_scan_error, full_scan_result, full_scan_error,
      av_is_signature_up_to_date, av_is_engine_up_to_date, av_is_platform_up_to_date, rbac_group_id, json)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const nowText = toMdeTime(now);
  db.transaction(() => {
    for (const m of fresh) {
      insertCovered.run(tenantId, m.id, nowText);
      const random = createRandom(`${state.options.seed}/tvm-seen/${tenantId}/${m.id}`);
      const machineFirst = Date.parse(m.firstSeen) || now - 90 * DAY;
      const lastSeen = m.lastSeen || nowText;
      let osVersion = m.version;
      for (const install of installsFor(state.options.seed, tenantId, m)) {
        const product = productById(install.productId);
        if (!product) continue;
        if (product.osPlatforms) osVersion = install.version;
        const firstSeen = toMdeTime(Math.min(now, machineFirst + random.int(0, 30) * DAY), random.int(0, 9999));
        insertInstall.run(tenantId, `${m.id}-_-${product.id}`, m.id, product.id, install.version, firstSeen, lastSeen);
        for (const c of cvesOf(product, install.version)) {
          const id = exposureId(m.id, c, product.vendor, product.name, install.version);
          const row = {
            id,
            cveId: c.id,
            machineId: m.id,
            fixingKbId: c.fixingKb,
            productName: product.name,
            productVendor: product.vendor,
            productVersion: install.version,
            severity: c.severity,
          };
          insertExposure.run(tenantId, id, c.id, m.id, c.fixingKb, product.id, product.name, product.vendor, install.version, c.severity, firstSeen, JSON.stringify(row));
        }
      }
      const family = osFamily(m.osPlatform);
      for (const config of CONFIGURATIONS) {
        if (!config.families.includes(family)) continue;
        insertConfig.run(tenantId, `${m.id}-_-${config.scid}`, m.id, config.scid, random.next() < config.compliance ? 1 : 0);
      }
      const av = buildAvRow(createRandom(`${state.options.seed}/tvm-av/${tenantId}/${m.id}`), m, osVersion, now);
      insertAv.run(
        tenantId,
        av.id,
        m.id,
        av.computerDnsName,
        av.osKind,
        av.osPlatform,
        av.osVersion,
        av.avMode,
        av.avSignatureVersion,
        av.avEngineVersion,
        av.avPlatformVersion,
        av.quickScanResult,
        av.quickScanError,
        av.fullScanResult,
        av.fullScanError,
        av.avIsSignatureUpToDate,
        av.avIsEngineUpToDate,
        av.avIsPlatformUpToDate,
        av.rbacGroupId,
        JSON.stringify(av),
      );
    }
  })();
  return fresh.length;
}

/** Exposure of one machine, 0–100: the chance that at least one of its CVEs is used against it. */
export function machineExposure(severities: readonly string[]): number {
  let safe = 1;
  for (const s of severities) safe *= 1 - (SEVERITY_WEIGHT[s as CatalogCve["severity"]] ?? 0);
  return 100 * (1 - safe);
}

/** Recomputes the tenant-level software, vulnerability and recommendation rows from the per-machine rows. */
function rebuildAggregates(state: EmulatorState, tenantId: string, machines: Map<string, TvmMachine>): void {
  const db = state.db;
  const exposures = db.prepare("SELECT machine_id, cve_id, product_id, severity FROM tvm_exposures WHERE tenant_id = ?").all(tenantId) as Array<{
    machine_id: string;
    cve_id: string;
    product_id: string;
    severity: string;
  }>;
  const installs = db.prepare("SELECT machine_id, product_id FROM tvm_installs WHERE tenant_id = ?").all(tenantId) as Array<{ machine_id: string; product_id: string }>;
  const machineCount = Math.max(1, machines.size);
  const byCve = new Map<string, Set<string>>();
  const byProduct = new Map<string, { machines: Set<string>; cves: Set<string>; critical: Set<string>; impact: number }>();
  const installedBy = new Map<string, Set<string>>();
  for (const i of installs) {
    let set = installedBy.get(i.product_id);
    if (!set) installedBy.set(i.product_id, (set = new Set()));
    set.add(i.machine_id);
  }
  for (const e of exposures) {
    let cve = byCve.get(e.cve_id);
    if (!cve) byCve.set(e.cve_id, (cve = new Set()));
    cve.add(e.machine_id);
    let p = byProduct.get(e.product_id);
    if (!p) byProduct.set(e.product_id, (p = { machines: new Set(), cves: new Set(), critical: new Set(), impact: 0 }));
    p.machines.add(e.machine_id);
    p.cves.add(e.cve_id);
    if (machines.get(e.machine_id)?.deviceValue === "High") p.critical.add(e.machine_id);
    p.impact += (100 * (SEVERITY_WEIGHT[e.severity as CatalogCve["severity"]] ?? 0)) / machineCount;
  }
  db.transaction(() => {
    for (const t of ["tvm_software", "tvm_vulnerabilities", "tvm_recommendations"]) db.prepare(`DELETE FROM ${t} WHERE tenant_id = ?`).run(tenantId);
    const insertSoftware = db.prepare("INSERT INTO tvm_software (tenant_id, id, name, vendor, json) VALUES (?, ?, ?, ?, ?)");
    for (const product of PRODUCTS) {
      if (!installedBy.has(product.id)) continue;
      const p = byProduct.get(product.id);
      const cves = [...(p?.cves ?? [])].map((id) => CVES.find((c) => c.id === id));
      insertSoftware.run(
        tenantId,
        product.id,
        product.name,
        product.vendor,
        JSON.stringify({
          id: product.id,
          name: product.name,
          vendor: product.vendor,
          weaknesses: p?.cves.size ?? 0,
          publicExploit: cves.some((c) => c?.publicExploit),
          activeAlert: false,
          exposedMachines: p?.machines.size ?? 0,
          impactScore: Math.round((p?.impact ?? 0) * 1e8) / 1e8,
        }),
      );
    }
    const insertVuln = db.prepare(
      `INSERT INTO tvm_vulnerabilities (tenant_id, id, product_id, name, description, severity, cvss_v3, published_on, updated_on, exposed, json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const c of CVES) {
      const exposed = byCve.get(c.id)?.size ?? 0;
      insertVuln.run(tenantId, c.id, c.productId, c.id, c.description, c.severity, c.cvssV3, c.publishedOn, c.updatedOn, exposed, JSON.stringify(vulnerabilityJson(c, exposed)));
    }
    const insertRec = db.prepare(
      `INSERT INTO tvm_recommendations (tenant_id, id, product_id, product_name, vendor, recommended_version, recommendation_category, sub_category,
        severity_score, remediation_type, recommended_program, recommended_vendor, status, json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const product of PRODUCTS) {
      const p = byProduct.get(product.id);
      if (!p) continue;
      const cves = CVES.filter((c) => p.cves.has(c.id));
      const recommendedVersion = product.versions[product.versions.length - 1] as string;
      const json = {
        id: `va-_-${product.vendor}-_-${product.name}`,
        productName: product.name,
        recommendationName: `Update ${product.displayName} to version ${recommendedVersion}`,
        weaknesses: p.cves.size,
        vendor: product.vendor,
        recommendedVersion,
        recommendedVendor: "",
        recommendedProgram: "",
        recommendationCategory: product.recommendationCategory,
        subCategory: "",
        severityScore: Math.max(0, ...cves.map((c) => c.cvssV3)),
        publicExploit: cves.some((c) => c.publicExploit),
        activeAlert: false,
        associatedThreats: [],
        remediationType: "Update",
        status: "Active",
        configScoreImpact: 0,
        exposureImpact: p.impact,
        totalMachineCount: installedBy.get(product.id)?.size ?? 0,
        exposedMachinesCount: p.machines.size,
        nonProductivityImpactedAssets: 0,
        relatedComponent: product.displayName,
        hasUnpatchableCve: false,
        tags: product.recommendationCategory === "Application" && product.installs.windows ? ["internetFacing"] : [],
        exposedCriticalDevices: p.critical.size,
      };
      insertRec.run(tenantId, json.id, product.id, json.productName, json.vendor, json.recommendedVersion, json.recommendationCategory, "", json.severityScore, "Update", "", "", "Active", JSON.stringify(json));
    }
    const configRows = db
      .prepare("SELECT scid, count(*) AS total, sum(1 - compliant) AS failing FROM tvm_config WHERE tenant_id = ? GROUP BY scid")
      .all(tenantId) as Array<{ scid: string; total: number; failing: number }>;
    for (const config of CONFIGURATIONS) {
      const r = configRows.find((x) => x.scid === config.scid);
      if (!r || r.failing === 0) continue;
      const json = {
        id: `sca-_-${config.scid}`,
        productName: "",
        recommendationName: config.name,
        weaknesses: r.failing,
        vendor: "",
        recommendedVersion: "",
        recommendedVendor: "",
        recommendedProgram: "",
        recommendationCategory: config.category === "Security controls" ? "SecurityControls" : config.category,
        subCategory: config.subCategory,
        severityScore: config.impact,
        publicExploit: false,
        activeAlert: false,
        associatedThreats: [],
        remediationType: "ConfigurationChange",
        status: "Active",
        configScoreImpact: (config.impact * r.failing) / r.total,
        exposureImpact: 0,
        totalMachineCount: r.total,
        exposedMachinesCount: r.failing,
        nonProductivityImpactedAssets: 0,
        relatedComponent: config.relatedComponent,
        hasUnpatchableCve: false,
        tags: [],
        exposedCriticalDevices: 0,
      };
      insertRec.run(tenantId, json.id, null, "", "", "", json.recommendationCategory, json.subCategory, json.severityScore, json.remediationType, "", "", "Active", JSON.stringify(json));
    }
  })();
}

/** The documented Vulnerability JSON (mde-api.md §6.9; the newer example's property set). */
export function vulnerabilityJson(c: CatalogCve, exposedMachines: number): Record<string, unknown> {
  return {
    id: c.id,
    name: c.id,
    description: c.description,
    severity: c.severity,
    cvssV3: c.cvssV3,
    cvssVector: c.cvssVector,
    exposedMachines,
    publishedOn: c.publishedOn,
    updatedOn: c.updatedOn,
    firstDetected: exposedMachines > 0 ? c.updatedOn : null,
    publicExploit: c.publicExploit,
    exploitVerified: c.exploitVerified,
    exploitInKit: c.exploitInKit,
    exploitTypes: c.exploitTypes,
    exploitUris: c.publicExploit ? [`https://exploits.example.org/${c.id.toLowerCase()}`] : [],
    cveSupportability: "Supported",
    tags: [],
    epss: c.epss,
  };
}

/** A few remediation tasks (get-remediation-methods-properties.md), made once per tenant from its top recommendations. */
function seedRemediationTasks(state: EmulatorState, tenantId: string, now: number): void {
  const db = state.db;
  const existing = db.prepare("SELECT count(*) AS n FROM tvm_remediation_tasks WHERE tenant_id = ?").get(tenantId) as { n: number };
  if (existing.n > 0) return;
  const recs = db
    .prepare("SELECT id, json FROM tvm_recommendations WHERE tenant_id = ? ORDER BY json_extract(json, '$.exposedMachinesCount') DESC, seq LIMIT 4")
    .all(tenantId) as Array<{ id: string; json: string }>;
  if (recs.length === 0) return;
  const random = tenantRandom(state, tenantId, "tvm-remediation");
  const groups = (db.prepare("SELECT DISTINCT rbac_group_name AS g FROM machines WHERE tenant_id = ? AND rbac_group_name IS NOT NULL ORDER BY g").all(tenantId) as Array<{ g: string }>).map((r) => r.g);
  const insert = db.prepare("INSERT INTO tvm_remediation_tasks (tenant_id, id, created_on, status, recommendation_id, json) VALUES (?, ?, ?, ?, ?, ?)");
  recs.forEach((r, i) => {
    const rec = JSON.parse(r.json) as { recommendationName: string; remediationType: string; relatedComponent: string; recommendedVersion: string; exposedMachinesCount: number; vendor: string; productName: string };
    const createdMs = now - random.int(3, 40) * DAY;
    const completed = i === recs.length - 1 && recs.length > 1;
    const software = rec.remediationType === "Update";
    const requester = `${random.pick(["secops", "soc.analyst", "it.admin"])}@${tenantId.slice(0, 8)}.example`;
    const json = {
      id: random.guid(),
      title: rec.recommendationName,
      createdOn: toMdeTime(createdMs),
      requesterId: random.guid(),
      requesterEmail: requester,
      requesterNotes: software ? "Patch during the next maintenance window." : "Roll out through the baseline policy.",
      status: completed ? "Completed" : "Active",
      statusLastModifiedOn: toMdeTime(createdMs + DAY),
      description: software ? `Update ${rec.relatedComponent} to version ${rec.recommendedVersion} on the exposed devices.` : rec.recommendationName,
      relatedComponent: rec.relatedComponent,
      targetDevices: rec.exposedMachinesCount,
      fixedDevices: completed ? rec.exposedMachinesCount : random.int(0, Math.max(0, rec.exposedMachinesCount - 1)),
      rbacGroupNames: groups,
      dueOn: toMdeTime(createdMs + 30 * DAY),
      category: software ? "Software" : "Security configuration",
      productivityImpactRemediationType: "AllExposedAssets",
      priority: random.pick(["High", "Medium", "Low"]),
      completionMethod: completed ? "Automatic" : null,
      completerId: completed ? random.guid() : null,
      completerEmail: completed ? requester : null,
      scid: software ? null : String(r.id).replace("sca-_-", ""),
      type: software ? "Update" : "ConfigurationChange",
      productId: software ? `${rec.vendor}-_-${rec.productName}` : null,
      vendorId: software ? rec.vendor : null,
      nameId: software ? rec.productName : null,
      recommendedVersion: software ? rec.recommendedVersion : null,
      recommendedVendor: null,
      recommendedProgram: null,
    };
    insert.run(tenantId, json.id, json.createdOn, json.status, r.id, JSON.stringify(json));
  });
}

/**
 * Makes sure the tenant's TVM rows exist and cover every machine it has now;
 * cheap when nothing changed (one query over the tenant's machine ids).
 */
export function ensureTvm(state: EmulatorState, tenantId: string): Map<string, TvmMachine> {
  if (!initialized.has(state.db)) {
    initTvmSchema(state.db);
    initialized.add(state.db);
  }
  const machines = tvmMachines(state, tenantId);
  const now = dataAnchor(state);
  const added = coverNewMachines(state, tenantId, machines, now);
  const hasAggregates = state.db.prepare("SELECT 1 FROM tvm_vulnerabilities WHERE tenant_id = ? LIMIT 1").get(tenantId) !== undefined;
  if (added > 0 || !hasAggregates) {
    rebuildAggregates(state, tenantId, machines);
    seedRemediationTasks(state, tenantId, now);
  }
  return machines;
}

/** Missing KBs (get-missing-kbs-machine.md): KBs fixing CVEs the machines are exposed to, with org-wide counts. */
export function missingKbs(state: EmulatorState, tenantId: string, where: { machineId?: string; productId?: string }): Array<Record<string, unknown>> {
  const rows = state.db
    .prepare(
      `SELECT fixing_kb_id AS kb, count(DISTINCT machine_id) AS machines FROM tvm_exposures
       WHERE tenant_id = ? AND fixing_kb_id IS NOT NULL GROUP BY fixing_kb_id`,
    )
    .all(tenantId) as Array<{ kb: string; machines: number }>;
  const missedOn = new Map(rows.map((r) => [r.kb, r.machines]));
  let wanted: Set<string>;
  if (where.machineId) {
    wanted = new Set(
      (state.db.prepare("SELECT DISTINCT fixing_kb_id AS kb FROM tvm_exposures WHERE tenant_id = ? AND machine_id = ? AND fixing_kb_id IS NOT NULL").all(tenantId, where.machineId) as Array<{ kb: string }>).map((r) => r.kb),
    );
  } else {
    wanted = new Set(KBS.filter((k) => k.productId === where.productId && missedOn.has(k.id)).map((k) => k.id));
  }
  return KBS.filter((k) => wanted.has(k.id)).map((k) => ({
    id: k.id,
    name: k.name,
    productsNames: [productById(k.productId)?.name ?? ""],
    url: `https://catalog.update.microsoft.com/v7/site/Search.aspx?q=KB${k.id}`,
    machineMissedOn: missedOn.get(k.id) ?? 0,
    cveAddressed: CVES.filter((c) => c.fixingKb === k.id).length,
  }));
}
