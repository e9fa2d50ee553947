import type Database from "better-sqlite3";
import { reserve } from "../data/identifiers.js";
import { columnFields, type FieldMap } from "../mde/odata-filter.js";
import type { DetectionRuleRecord } from "./detection-rule-model.js";

/**
 * Custom detection rules per tenant: the rule as JSON plus the columns `$filter`
 * reads. The Graph routes and the control API both write through here, so a rule
 * changed "by hand" looks to a client exactly like one changed in the portal.
 */
export function initDetectionRuleStore(db: Database.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS graph_detection_rules (
      tenant_id TEXT NOT NULL,
      id INTEGER NOT NULL,
      display_name TEXT NOT NULL,
      is_enabled INTEGER NOT NULL,
      created_by TEXT NOT NULL,
      created_date_time TEXT NOT NULL,
      last_modified_by TEXT NOT NULL,
      last_modified_date_time TEXT NOT NULL,
      json TEXT NOT NULL,
      PRIMARY KEY (tenant_id, id)) WITHOUT ROWID;
  `);
}

/**
 * `$filter` properties: the v1.0 resource page lists `$filter` on createdBy,
 * createdDateTime, displayName, isEnabled, lastModifiedBy and
 * lastModifiedDateTime (security-detectionrule v1.0, "Supports $filter").
 */
export const DETECTION_RULE_FIELDS: FieldMap = columnFields(`
  id display_name is_enabled:bool created_by created_date_time:datetime last_modified_by last_modified_date_time:datetime
`);

/** Next rule id of a tenant: numeric strings, as the documented example's `"35079"`. */
export function nextRuleId(db: Database.Database, tenantId: string): string {
  return String(reserve(db, tenantId, "detectionRuleId", 1, 35_000));
}

export function saveRule(db: Database.Database, tenantId: string, r: DetectionRuleRecord): void {
  db.prepare(
    `INSERT OR REPLACE INTO graph_detection_rules
      (tenant_id, id, display_name, is_enabled, created_by, created_date_time, last_modified_by, last_modified_date_time, json)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(tenantId, Number(r.id), r.displayName, r.isEnabled ? 1 : 0, r.createdBy, r.createdDateTime, r.lastModifiedBy, r.lastModifiedDateTime, JSON.stringify(r));
}

const asId = (raw: string): number | undefined => (/^\d{1,15}$/.test(raw) ? Number(raw) : undefined);

export function getRule(db: Database.Database, tenantId: string, id: string): DetectionRuleRecord | undefined {
  const n = asId(id);
  if (n === undefined) return undefined;
  const row = db.prepare("SELECT json FROM graph_detection_rules WHERE tenant_id = ? AND id = ?").get(tenantId, n) as { json: string } | undefined;
  return row ? (JSON.parse(row.json) as DetectionRuleRecord) : undefined;
}

/** Deletes a rule; false when there was none. */
export function deleteRule(db: Database.Database, tenantId: string, id: string): boolean {
  const n = asId(id);
  return n !== undefined && db.prepare("DELETE FROM graph_detection_rules WHERE tenant_id = ? AND id = ?").run(tenantId, n).changes > 0;
}

type Filter = { sql: string; params: unknown[] } | undefined;

/** `$orderby` columns: the v1.0 resource page documents it for createdDateTime. */
export const DETECTION_RULE_ORDER: Readonly<Record<string, string>> = { createddatetime: "created_date_time" };

/**
 * A page of rules as JSON texts, oldest first (by id) unless ordered by a
 * column of `DETECTION_RULE_ORDER` (ties by id).
 */
export function queryRules(
  db: Database.Database,
  tenantId: string,
  filter: Filter,
  limit: number,
  offset: number,
  orderBy?: { column: string; descending: boolean },
): string[] {
  const where = filter ? `AND (${filter.sql})` : "";
  // Only our own column names reach the SQL text.
  const column = orderBy && Object.values(DETECTION_RULE_ORDER).includes(orderBy.column) ? orderBy.column : undefined;
  const order = column ? `${column} ${orderBy?.descending ? "DESC" : "ASC"}, id` : "id";
  const rows = db
    .prepare(`SELECT json FROM graph_detection_rules WHERE tenant_id = ? ${where} ORDER BY ${order} LIMIT ? OFFSET ?`)
    .all(tenantId, ...(filter?.params ?? []), limit, offset) as Array<{ json: string }>;
  return rows.map((r) => r.json);
}

export function countRules(db: Database.Database, tenantId: string, filter?: Filter): number {
  const where = filter ? `AND (${filter.sql})` : "";
  return (db.prepare(`SELECT count(*) AS n FROM graph_detection_rules WHERE tenant_id = ? ${where}`).get(tenantId, ...(filter?.params ?? [])) as { n: number }).n;
}
