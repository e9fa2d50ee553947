/**
 * Incidents for the console's pages and JSON API: one query-string parser (so
 * the page and the API filter alike) over the store's incidents, which the
 * sync fills for tenants whose alert source is Microsoft Graph
 * (graph-security.md §5).
 */
import { type IncidentQuery, incidentSummary, type StoredAlert, type StoredIncident, type Store } from "@mde-partner/sync";
import { NotFoundError } from "./errors.js";
import { limitParam, listParam, oneOf, tenantIdsParam } from "./query-params.js";

/** `incidentStatus` values (graph-security.md §5). */
export const INCIDENT_STATUSES = ["active", "inProgress", "awaitingAction", "resolved", "redirected"] as const;
/** `alertSeverity` values, highest first (graph-security.md §4.4). */
export const INCIDENT_SEVERITIES = ["high", "medium", "low", "informational", "unknown"] as const;

/** `tenant`, `status`, `severity` (repeatable or comma separated), `q` (name text), `assignedTo`, `order`, `limit`, `pageToken` → the store's query. */
export function parseIncidentQuery(params: URLSearchParams, maxLimit = 500): IncidentQuery {
  const tenantIds = tenantIdsParam(params);
  const statuses = oneOf(listParam(params, "status"), INCIDENT_STATUSES, "status");
  const severities = oneOf(listParam(params, "severity"), INCIDENT_SEVERITIES, "severity");
  const order = params.get("order") || "desc";
  oneOf([order], ["asc", "desc"], "order");
  const limit = limitParam(params, 50, maxLimit);
  const q = params.get("q")?.trim();
  const assignedTo = params.get("assignedTo")?.trim();
  const pageToken = params.get("pageToken");
  return {
    ...(tenantIds.length ? { tenantIds } : {}),
    ...(statuses.length ? { statuses } : {}),
    ...(severities.length ? { severities } : {}),
    ...(q ? { search: q.slice(0, 200) } : {}),
    ...(assignedTo ? { assignedTo } : {}),
    order: order as "asc" | "desc",
    limit,
    ...(pageToken ? { pageToken } : {}),
  };
}

/** The JSON shape of an incident in lists: the store's summary. */
export { incidentSummary };

/** One incident and its alerts as stored (the ids it lists, plus any stored alert that names it). */
export async function incidentWithAlerts(store: Store, tenantId: string, incidentId: string): Promise<{ incident: StoredIncident; alerts: StoredAlert[] }> {
  if (!/^[A-Za-z0-9_.:-]{1,128}$/.test(incidentId)) throw new NotFoundError("no such incident");
  const incident = await store.getIncident(tenantId, incidentId);
  if (!incident) throw new NotFoundError(`incident ${incidentId} is not in the console`);
  const listed = await store.getAlerts(tenantId, incident.alertIds);
  const naming = (await store.queryAlerts({ tenantIds: [tenantId], incidentId, limit: 1000 })).items;
  const seen = new Set(listed.map((a) => a.id));
  return { incident, alerts: [...listed, ...naming.filter((a) => !seen.has(a.id))] };
}
