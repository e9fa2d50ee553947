import { toMdeTime } from "../core/clock.js";
import type { EmulatorState } from "../core/state.js";
import { tenantRandom } from "./tenant-profile.js";
import { type CatalogCve, CONFIGURATIONS, CVES, KBS, PRODUCTS, productById } from "./tvm-catalog.js";
import type { TvmMachine } from "./tvm-store.js";

/*
 * What a tenant's TVM views derive from its per-machine rows: the software,
 * vulnerability and recommendation entities with their counts, remediation
 * tasks, exposure per machine and missing KBs.
 */

const DAY = 86_400_000;

/** Severity weights of the exposure score: the chance each CVE adds that a machine is compromised. */
const SEVERITY_WEIGHT: Readonly<Record<CatalogCve["severity"], number>> = { Critical: 0.3, High: 0.15, Medium: 0.05, Low: 0.01 };

/** Exposure of one machine, 0–100: the chance that at least one of its CVEs is used against it. */
export function machineExposure(severities: readonly string[]): number {
  let safe = 1;
  for (const s of severities) safe *= 1 - (SEVERITY_WEIGHT[s as CatalogCve["severity"]] ?? 0);
  return 100 * (1 - safe);
}

/** Recomputes the tenant-level software, vulnerability and recommendation rows from the per-machine rows. */
export function rebuildAggregates(state: EmulatorState, tenantId: string, machines: Map<string, TvmMachine>): void {
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
export function seedRemediationTasks(state: EmulatorState, tenantId: string, now: number): void {
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
