import type Database from "better-sqlite3";
import type { FieldMap } from "../mde/odata-filter.js";
import { incidentWebUrl, isDefenderExpertsIncident } from "./alert-model.js";
import { CLASSIFICATION_TO_GRAPH, DETERMINATION_TO_GRAPH, evolvable, sqlCase } from "./enums.js";

/**
 * What the Graph API adds to an incident beyond its alerts: the properties only
 * an incident has (custom tags, names, summary, comments, who changed it last)
 * and a severity override. Everything else is computed from the alerts that share
 * the MDE `incidentId`, so the MDE API and Graph always tell one story.
 */
export function initIncidentStore(db: Database.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS graph_incidents (
      tenant_id TEXT NOT NULL,
      id INTEGER NOT NULL,
      display_name TEXT,
      description TEXT,
      summary TEXT,
      resolving_comment TEXT,
      custom_tags TEXT,
      severity TEXT,
      last_modified_by TEXT,
      status_set INTEGER NOT NULL DEFAULT 0,
      comments TEXT NOT NULL DEFAULT '[]',
      updated TEXT,
      PRIMARY KEY (tenant_id, id)) WITHOUT ROWID;
  `);
}

const SEV_RANK = "CASE severity WHEN 'High' THEN 4 WHEN 'Medium' THEN 3 WHEN 'Low' THEN 2 WHEN 'Informational' THEN 1 ELSE 0 END";

/**
 * One row per incident of a tenant (parameters: tenant id, optional incident id,
 * tenant id). The status is `resolved` when every alert is, `inProgress` when one
 * is in progress, else `active`; Defender Experts incidents that the API never
 * changed are `awaitingAction` while open. Severity is the highest alert
 * severity; classification and determination are the alerts' when they all agree
 * (INFERRED: Microsoft documents no aggregation rule).
 */
function incidentsSql(byId: boolean): string {
  return `
  SELECT a.iid AS iid, a.n AS n, a.devices AS devices, a.cats AS cats,
    (SELECT json_extract(json, '$.title') FROM alerts WHERE seq = a.first_seq) AS first_title,
    (SELECT assigned_to FROM alerts WHERE seq = a.first_seq) AS assigned_to,
    a.created AS created,
    max(a.alerts_updated, coalesce(o.updated, '')) AS updated,
    CASE WHEN a.open_n = 0 THEN 'resolved'
         WHEN coalesce(o.status_set, 0) = 0 AND a.iid % 10 = 0 THEN 'awaitingAction'
         WHEN a.progress_n > 0 THEN 'inProgress' ELSE 'active' END AS status,
    coalesce(o.severity, CASE a.sev_rank WHEN 4 THEN 'high' WHEN 3 THEN 'medium' WHEN 2 THEN 'low' WHEN 1 THEN 'informational' ELSE 'unknown' END) AS severity,
    a.sev_rank AS sev_rank,
    CASE WHEN a.cls_n = 1 THEN ${sqlCase("a.cls", CLASSIFICATION_TO_GRAPH, "unknown")} ELSE 'unknown' END AS classification,
    CASE WHEN a.det_n = 1 THEN ${sqlCase("a.det", DETERMINATION_TO_GRAPH, "unknown")} ELSE 'unknown' END AS determination,
    o.display_name AS display_name, o.description AS description, o.summary AS summary, o.resolving_comment AS resolving_comment,
    o.custom_tags AS custom_tags, o.last_modified_by AS last_modified_by, o.comments AS comments
  FROM (
    SELECT incident_id AS iid, count(*) AS n, count(DISTINCT machine_id) AS devices, group_concat(DISTINCT category) AS cats,
      min(seq) AS first_seq, min(alert_creation_time) AS created, max(last_update_time) AS alerts_updated,
      max(${SEV_RANK}) AS sev_rank,
      sum(status <> 'Resolved') AS open_n, sum(status = 'InProgress') AS progress_n,
      count(DISTINCT coalesce(json_extract(json, '$.classification'), '')) AS cls_n,
      max(coalesce(json_extract(json, '$.classification'), '')) AS cls,
      count(DISTINCT coalesce(json_extract(json, '$.determination'), '')) AS det_n,
      max(coalesce(json_extract(json, '$.determination'), '')) AS det
    FROM alerts WHERE tenant_id = ? AND incident_id IS NOT NULL ${byId ? "AND incident_id = ?" : ""} GROUP BY incident_id
  ) a LEFT JOIN graph_incidents o ON o.tenant_id = ? AND o.id = a.iid`;
}

/** Incident `$filter` properties (graph-security.md §5) over the aggregated rows. */
export const GRAPH_INCIDENT_FIELDS: FieldMap = {
  assignedto: { column: "assigned_to", type: "string" },
  classification: { column: "lower(classification)", type: "string", lowercase: true },
  determination: { column: "lower(determination)", type: "string", lowercase: true },
  createddatetime: { column: "created", type: "datetime" },
  lastupdatedatetime: { column: "updated", type: "datetime" },
  severity: { column: "lower(severity)", type: "string", lowercase: true },
  status: { column: "lower(status)", type: "string", lowercase: true },
};

/** One aggregated incident row. */
export interface IncidentRow {
  iid: number;
  n: number;
  devices: number;
  cats: string | null;
  first_title: string | null;
  assigned_to: string | null;
  created: string;
  updated: string;
  status: string;
  severity: string;
  sev_rank: number;
  classification: string;
  determination: string;
  display_name: string | null;
  description: string | null;
  summary: string | null;
  resolving_comment: string | null;
  custom_tags: string | null;
  last_modified_by: string | null;
  comments: string | null;
}

/** A page of a tenant's incidents, newest first, with the filter's bound parameters. */
export function queryIncidents(
  db: Database.Database,
  tenantId: string,
  filter: { sql: string; params: unknown[] } | undefined,
  limit: number,
  offset: number,
): IncidentRow[] {
  const where = filter ? `WHERE ${filter.sql}` : "";
  return db
    .prepare(`SELECT * FROM (${incidentsSql(false)}) ${where} ORDER BY created DESC, iid DESC LIMIT ? OFFSET ?`)
    .all(tenantId, tenantId, ...(filter?.params ?? []), limit, offset) as IncidentRow[];
}

export function countIncidents(db: Database.Database, tenantId: string, filter: { sql: string; params: unknown[] } | undefined): number {
  const where = filter ? `WHERE ${filter.sql}` : "";
  return (db.prepare(`SELECT count(*) AS n FROM (${incidentsSql(false)}) ${where}`).get(tenantId, tenantId, ...(filter?.params ?? [])) as { n: number }).n;
}

export function getIncident(db: Database.Database, tenantId: string, id: number): IncidentRow | undefined {
  return db.prepare(incidentsSql(true)).get(tenantId, id, tenantId) as IncidentRow | undefined;
}

/** `CommandAndControl` → `Command and control`. */
const words = (category: string) => {
  const parts = category.replace(/([a-z])([A-Z])/g, "$1 $2").split(" ");
  return parts.map((p, i) => (i === 0 ? p : p.toLowerCase())).join(" ");
};

/** Defender's naming style (examples/graph/list-incidents.response.json: "Multi-stage incident involving Execution & Command and control on one endpoint"). */
function derivedName(row: IncidentRow): string {
  const where = row.devices <= 1 ? "on one endpoint" : "on multiple endpoints";
  if (row.n === 1) return `'${row.first_title ?? "Alert"}' ${where}`;
  const cats = (row.cats ?? "").split(",").filter(Boolean).map(words);
  return `Multi-stage incident involving ${cats.join(" & ")} ${where}`;
}

/**
 * `priorityScore` (0–100; graph-security.md §5): from the highest severity and
 * the number of alerts. The real scoring model is DOC-SILENT.
 */
function priorityScore(row: IncidentRow): number {
  const base = [5, 5, 20, 50, 80][row.sev_rank] ?? 5;
  return Math.min(100, base + Math.min(20, (row.n - 1) * 5));
}

/** One aggregated row as Graph's `microsoft.graph.security.incident`, in the examples' key order. */
export function toGraphIncident(
  row: IncidentRow,
  tenantId: string,
  view: { includeUnknownEnums: boolean; hostile: boolean },
): Record<string, unknown> {
  const id = String(row.iid);
  return {
    id,
    tenantId,
    status: evolvable("incidentStatus", row.status, view.includeUnknownEnums),
    incidentWebUrl: incidentWebUrl(id, tenantId, view.hostile),
    redirectIncidentId: null,
    displayName: row.display_name ?? derivedName(row),
    createdDateTime: row.created,
    lastUpdateDateTime: row.updated,
    assignedTo: row.assigned_to,
    classification: row.classification,
    determination: row.determination,
    severity: row.severity,
    customTags: row.custom_tags ? (JSON.parse(row.custom_tags) as string[]) : [],
    systemTags: isDefenderExpertsIncident(row.iid) ? ["Defender Experts"] : [],
    description: row.description,
    lastModifiedBy: row.last_modified_by,
    resolvingComment: row.resolving_comment,
    summary: row.summary,
    priorityScore: priorityScore(row),
    comments: row.comments ? (JSON.parse(row.comments) as unknown[]) : [],
  };
}

/** The incident-only changes of an update (the rest goes to the alerts). */
export interface IncidentOverride {
  displayName?: string | null;
  description?: string | null;
  summary?: string | null;
  resolvingComment?: string | null;
  customTags?: string[];
  severity?: string;
  statusSet?: boolean;
  comment?: { comment: string; createdByDisplayName: string; createdDateTime: string };
  lastModifiedBy: string;
  updated: string;
}

/** Writes an incident's own properties (insert or update). */
export function saveIncidentOverride(db: Database.Database, tenantId: string, id: number, o: IncidentOverride): void {
  db.prepare("INSERT OR IGNORE INTO graph_incidents (tenant_id, id) VALUES (?, ?)").run(tenantId, id);
  const sets: string[] = ["last_modified_by = ?", "updated = ?"];
  const params: unknown[] = [o.lastModifiedBy, o.updated];
  const put = (column: string, value: unknown) => {
    sets.push(`${column} = ?`);
    params.push(value);
  };
  if (o.displayName !== undefined) put("display_name", o.displayName);
  if (o.description !== undefined) put("description", o.description);
  if (o.summary !== undefined) put("summary", o.summary);
  if (o.resolvingComment !== undefined) put("resolving_comment", o.resolvingComment);
  if (o.customTags !== undefined) put("custom_tags", JSON.stringify(o.customTags));
  if (o.severity !== undefined) put("severity", o.severity);
  if (o.statusSet) put("status_set", 1);
  if (o.comment) {
    sets.push("comments = json_insert(comments, '$[#]', json(?))");
    params.push(JSON.stringify(o.comment));
  }
  db.prepare(`UPDATE graph_incidents SET ${sets.join(", ")} WHERE tenant_id = ? AND id = ?`).run(...params, tenantId, id);
}
