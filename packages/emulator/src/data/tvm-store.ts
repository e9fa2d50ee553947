import type Database from "better-sqlite3";
import { toMdeTime } from "../core/clock.js";
import { createRandom } from "../core/random.js";
import type { EmulatorState } from "../core/state.js";
import { dataAnchor } from "./generator.js";
import { osFamily } from "./machine-factory.js";
import { rebuildAggregates, seedRemediationTasks } from "./tvm-aggregates.js";
import { buildAvRow } from "./tvm-av.js";
import { type CatalogCve, CONFIGURATIONS, cvesOf, osProductFor, PRODUCTS, productById } from "./tvm-catalog.js";
import { initTvmSchema } from "./tvm-schema.js";

export { machineExposure, missingKbs, vulnerabilityJson } from "./tvm-aggregates.js";

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

const initialized = new WeakSet<Database.Database>();

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

/** Per emulator: each tenant's machines as last read, with the fingerprint of the rows they came from. */
const machineCache = new WeakMap<EmulatorState, Map<string, { signature: string; machines: Map<string, TvmMachine> }>>();

/** A cheap fingerprint of a tenant's machine rows: a machine added, or one whose JSON changed, changes it. */
function machinesSignature(state: EmulatorState, tenantId: string): string {
  const r = state.db.prepare("SELECT count(*) AS n, max(seq) AS s, total(length(json)) AS size FROM machines WHERE tenant_id = ?").get(tenantId) as {
    n: number;
    s: number | null;
    size: number;
  };
  return `${r.n}|${r.s ?? ""}|${r.size}`;
}

/**
 * Makes sure the tenant's TVM rows exist and cover every machine it has now,
 * and returns its machines. Cheap when nothing changed: one aggregate query
 * over the tenant's machine rows.
 */
export function ensureTvm(state: EmulatorState, tenantId: string): Map<string, TvmMachine> {
  if (!initialized.has(state.db)) {
    initTvmSchema(state.db);
    initialized.add(state.db);
  }
  let cache = machineCache.get(state);
  if (!cache) machineCache.set(state, (cache = new Map()));
  const signature = machinesSignature(state, tenantId);
  const cached = cache.get(tenantId);
  if (cached?.signature === signature) return cached.machines;
  const machines = tvmMachines(state, tenantId);
  const now = dataAnchor(state);
  const added = coverNewMachines(state, tenantId, machines, now);
  const hasAggregates = state.db.prepare("SELECT 1 FROM tvm_vulnerabilities WHERE tenant_id = ? LIMIT 1").get(tenantId) !== undefined;
  if (added > 0 || !hasAggregates) {
    rebuildAggregates(state, tenantId, machines);
    seedRemediationTasks(state, tenantId, now);
  }
  cache.set(tenantId, { signature, machines });
  return machines;
}
