/**
 * Incidents for the console's pages and JSON API: one query-string parser (so
 * the page and the API filter alike) over the store's incidents, which the
 * sync fills for tenants whose alert source is Microsoft Graph
 * (graph-security.md §5).
 */
import { isTenantGuid } from "@mde-partner/client";
import { type IncidentQuery, incidentSummary, type StoredAlert, type StoredIncident, type Store } from "@mde-partner/sync";
import { InputError, NotFoundError } from "./errors.js";

/** `incidentStatus` values (graph-security.md §5). */
export const INCIDENT_STATUSES = ["active", "inProgress", "awaitingAction", "resolved", "redirected"] as const;
/** `alertSeverity` values, highest first (graph-security.md §4.4). */
export const INCIDENT_SEVERITIES = ["high", "medium", "low", "informational", "unknown"] as const;

const list = (params: URLSearchParams, name: string) =>
  params
    .getAll(name)
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter(Boolean);

function oneOf(values: readonly string[], allowed: readonly string[], name: string): string[] {
  for (const v of values) if (!allowed.includes(v)) throw new InputError(`${name} must be one of ${allowed.join(", ")}; got ${JSON.stringify(v)}`);
  return [...values];
}

/** `tenant`, `status`, `severity` (repeatable or comma separated), `q` (name text), `assignedTo`, `order`, `limit`, `pageToken` → the store's query. */
export function parseIncidentQuery(params: URLSearchParams, maxLimit = 500): IncidentQuery {
  const tenantIds = list(params, "tenant").map((t) => {
    if (!isTenantGuid(t)) throw new InputError(`tenant must be a tenant id (GUID); got ${JSON.stringify(t)}`);
    return t.toLowerCase();
  });
  const statuses = oneOf(list(params, "status"), INCIDENT_STATUSES, "status");
  const severities = oneOf(list(params, "severity"), INCIDENT_SEVERITIES, "severity");
  const order = params.get("order") || "desc";
  oneOf([order], ["asc", "desc"], "order");
  const limitText = params.get("limit");
  const limit = limitText ? Number(limitText) : 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) throw new InputError(`limit must be an integer from 1 to ${maxLimit}`);
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
