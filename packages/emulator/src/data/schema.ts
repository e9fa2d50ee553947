import type Database from "better-sqlite3";

/**
 * Creates the emulator's tables in the in-memory database.
 *
 * Each table keeps the entity's documented JSON (`json`) next to indexed
 * columns for what `$filter` can name (mde-api.md §5.1–§5.5). The columns are
 * copies of JSON values and are written in the same statement, so a column and
 * its JSON property never disagree; `alerts.last_update_time` in particular is
 * byte-identical to the JSON's `lastUpdateTime`. Timestamps are fixed-width
 * (seven fraction digits, `toMdeTime`) so that string order is time order.
 *
 * `seq` is a global insertion counter: lists are ordered by it, which keeps
 * `$skip` paging stable while rows are added.
 */
/**
 * One entity table: the global `seq`, the tenant and the entity id (unique per
 * tenant) first, then the entity's own columns.
 */
const entityTable = (name: string, columns: string) => `
    CREATE TABLE IF NOT EXISTS ${name} (
      seq INTEGER PRIMARY KEY, tenant_id TEXT NOT NULL, id TEXT NOT NULL,
      ${columns});
    CREATE UNIQUE INDEX IF NOT EXISTS ${name}_id ON ${name} (tenant_id, id);`;

export function initSchema(db: Database.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS meta (
      tenant_id TEXT NOT NULL, key TEXT NOT NULL, value INTEGER NOT NULL,
      PRIMARY KEY (tenant_id, key)) WITHOUT ROWID;
${entityTable(
    "alerts",
    `alert_creation_time TEXT NOT NULL, last_update_time TEXT NOT NULL, last_event_time TEXT, first_event_time TEXT,
      status TEXT NOT NULL, severity TEXT NOT NULL, category TEXT NOT NULL, detection_source TEXT NOT NULL,
      incident_id INTEGER, investigation_id INTEGER, assigned_to TEXT, machine_id TEXT,
      json TEXT NOT NULL, evidence TEXT NOT NULL DEFAULT '[]'`,
  )}
    CREATE INDEX IF NOT EXISTS alerts_tenant_seq ON alerts (tenant_id, seq);
    CREATE INDEX IF NOT EXISTS alerts_last_update ON alerts (tenant_id, last_update_time);
    CREATE INDEX IF NOT EXISTS alerts_creation ON alerts (tenant_id, alert_creation_time);
    CREATE INDEX IF NOT EXISTS alerts_machine ON alerts (tenant_id, machine_id);
${entityTable(
    "machines",
    `computer_dns_name TEXT NOT NULL, last_seen TEXT NOT NULL, first_seen TEXT NOT NULL, os_platform TEXT NOT NULL,
      version TEXT, health_status TEXT NOT NULL, onboarding_status TEXT NOT NULL, risk_score TEXT, exposure_level TEXT,
      device_value TEXT, aad_device_id TEXT, last_ip_address TEXT, rbac_group_id INTEGER, rbac_group_name TEXT,
      machine_tags TEXT NOT NULL DEFAULT '[]', isolated INTEGER NOT NULL DEFAULT 0, code_restricted INTEGER NOT NULL DEFAULT 0,
      json TEXT NOT NULL`,
  )}
    CREATE INDEX IF NOT EXISTS machines_name ON machines (tenant_id, computer_dns_name);
${entityTable(
    "machine_actions",
    `machine_id TEXT NOT NULL, type TEXT NOT NULL, status TEXT NOT NULL, requestor TEXT NOT NULL,
      creation_time TEXT NOT NULL, created_ms INTEGER NOT NULL, json TEXT NOT NULL`,
  )}
    CREATE INDEX IF NOT EXISTS machine_actions_open ON machine_actions (tenant_id, status);
${entityTable(
    "indicators",
    `indicator_value TEXT NOT NULL, indicator_type TEXT NOT NULL, action TEXT NOT NULL, severity TEXT, title TEXT NOT NULL,
      application TEXT, created_by TEXT NOT NULL, created_by_display_name TEXT, creation_time TEXT NOT NULL,
      expiration_time TEXT, generate_alert INTEGER NOT NULL DEFAULT 0,
      rbac_group_names TEXT NOT NULL DEFAULT '[]', rbac_group_ids TEXT NOT NULL DEFAULT '[]', json TEXT NOT NULL`,
  )}
    CREATE UNIQUE INDEX IF NOT EXISTS indicators_value ON indicators (tenant_id, indicator_type, indicator_value);
  `);
}
