import type Database from "better-sqlite3";

/**
 * The vulnerability-management tables (data/tvm-store.ts fills them). Per
 * machine: `tvm_installs` (installed product versions), `tvm_exposures` (the
 * CVEs of those versions: the machinesVulnerabilities rows), `tvm_config`
 * (secure-configuration results), `tvm_av` (device AV rows). Per tenant,
 * derived: `tvm_software`, `tvm_vulnerabilities`, `tvm_recommendations`,
 * `tvm_remediation_tasks`. Same layout as the entity tables (data/schema.ts):
 * `seq` orders lists, columns next to `json` are what `$filter` names.
 */
export function initTvmSchema(db: Database.Database): void {
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
