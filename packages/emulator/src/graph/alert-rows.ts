import type { EmulatorState } from "../core/state.js";
import type { FieldMap } from "../mde/odata-filter.js";
import type { StoredAlert } from "./alert-model.js";
import { CLASSIFICATION_TO_GRAPH, DETERMINATION_TO_GRAPH, SEVERITY_TO_GRAPH, STATUS_TO_GRAPH, sqlCase } from "./enums.js";
import type { MdeMachine } from "./evidence.js";

/**
 * alerts_v2 `$filter` properties (graph-security.md §4.2: assignedTo,
 * classification, determination, createdDateTime, lastUpdateDateTime, severity,
 * serviceSource, status) as SQL over the MDE `alerts` table. Enum properties
 * compare Graph's camelCase value case-insensitively (INFERRED, as PATCH bodies
 * are accepted in any casing).
 */
export const GRAPH_ALERT_FIELDS: FieldMap = {
  assignedto: { column: "assigned_to", type: "string" },
  classification: { column: `lower(${sqlCase("json_extract(json, '$.classification')", CLASSIFICATION_TO_GRAPH, "unknown")})`, type: "string", lowercase: true },
  determination: { column: `lower(${sqlCase("json_extract(json, '$.determination')", DETERMINATION_TO_GRAPH, "unknown")})`, type: "string", lowercase: true },
  createddatetime: { column: "alert_creation_time", type: "datetime" },
  lastupdatedatetime: { column: "last_update_time", type: "datetime" },
  severity: { column: `lower(${sqlCase("severity", SEVERITY_TO_GRAPH, "unknown")})`, type: "string", lowercase: true },
  // Every alert the emulator holds comes from Defender for Endpoint.
  servicesource: { column: "'microsoftdefenderforendpoint'", type: "string", lowercase: true },
  status: { column: `lower(${sqlCase("status", STATUS_TO_GRAPH, "unknown")})`, type: "string", lowercase: true },
};

/** "Most recent alerts … at the top" (security-list-alerts_v2.md); `seq` breaks ties so pages are stable. */
export const ALERTS_ORDER = "alert_creation_time DESC, seq DESC";

/** Adds each alert's machine (for deviceEvidence) with one query per page. */
export function withMachines(state: EmulatorState, tenantId: string, rows: Array<{ json: string; evidence: string; machine_id: string | null }>): StoredAlert[] {
  const ids = [...new Set(rows.flatMap((r) => (r.machine_id ? [r.machine_id] : [])))];
  const machines = new Map<string, MdeMachine>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const found = state.db
      .prepare(`SELECT id, json FROM machines WHERE tenant_id = ? AND id IN (${chunk.map(() => "?").join(",")})`)
      .all(tenantId, ...chunk) as Array<{ id: string; json: string }>;
    for (const m of found) machines.set(m.id, JSON.parse(m.json) as MdeMachine);
  }
  return rows.map((r) => ({ json: r.json, evidence: r.evidence, machine: r.machine_id ? machines.get(r.machine_id) : undefined }));
}

/** One alert of a tenant by id, with its machine, or undefined. */
export function loadAlert(state: EmulatorState, tenantId: string, id: string): StoredAlert | undefined {
  const row = state.db.prepare("SELECT json, evidence, machine_id FROM alerts WHERE tenant_id = ? AND id = ?").get(tenantId, id) as
    | { json: string; evidence: string; machine_id: string | null }
    | undefined;
  return row ? withMachines(state, tenantId, [row])[0] : undefined;
}

/** The alerts of some incidents, newest first, grouped by incident id. */
export function alertsOfIncidents(state: EmulatorState, tenantId: string, incidentIds: readonly number[]): Map<number, StoredAlert[]> {
  const out = new Map<number, StoredAlert[]>();
  if (incidentIds.length === 0) return out;
  const rows = state.db
    .prepare(
      `SELECT json, evidence, machine_id, incident_id FROM alerts WHERE tenant_id = ? AND incident_id IN (${incidentIds.map(() => "?").join(",")}) ORDER BY ${ALERTS_ORDER}`,
    )
    .all(tenantId, ...incidentIds) as Array<{ json: string; evidence: string; machine_id: string | null; incident_id: number }>;
  const stored = withMachines(state, tenantId, rows);
  rows.forEach((r, i) => {
    const list = out.get(r.incident_id) ?? [];
    list.push(stored[i] as StoredAlert);
    out.set(r.incident_id, list);
  });
  return out;
}
