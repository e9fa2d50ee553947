import { toMdeTime } from "../core/clock.js";
import { type AlertPatch, bumpedUpdateTime, patchAlert } from "../data/alert-changes.js";
import { type StoredAlert, toGraphAlert } from "./alert-model.js";
import { alertsOfIncidents } from "./alert-rows.js";
import { CLASSIFICATION_TO_MDE, DETERMINATION_TO_MDE, matchEnum } from "./enums.js";
import { graphContext, graphJson } from "./graph-call.js";
import { GraphApiError } from "./graph-error.js";
import { type GraphContext, type GraphOperationSpec, readGraphJson, unknownProperty } from "./graph-operation.js";
import {
  countIncidents,
  GRAPH_INCIDENT_FIELDS,
  getIncident,
  type IncidentOverride,
  type IncidentRow,
  queryIncidents,
  saveIncidentOverride,
  toGraphIncident,
} from "./incident-store.js";
import { collectionBody, cutPage, parseGraphListQuery } from "./odata.js";

const READ = ["SecurityIncident.Read.All", "SecurityIncident.ReadWrite.All"] as const;
const WRITE = ["SecurityIncident.ReadWrite.All"] as const;

function incidentView(ctx: GraphContext, row: IncidentRow, alerts?: Map<number, StoredAlert[]>) {
  const incident = toGraphIncident(row, ctx.tenantId, ctx);
  if (!alerts) return incident;
  // Alerts inside an incident carry no `@odata.type` (examples/graph/list-incidents-expand-alerts.response.json).
  incident.alerts = (alerts.get(row.iid) ?? []).map((a) => toGraphAlert(a, { includeUnknownEnums: ctx.includeUnknownEnums, withType: false, hostile: ctx.hostile }));
  return incident;
}

/**
 * `GET /security/incidents` (security-list-incidents.md; graph-security.md §5):
 * incidents grouped from the alerts' `incidentId`, newest first, with
 * `$filter`/`$top` (≤ 50)/`$skip`/`$count`/`$expand=alerts`.
 */
function listIncidents(ctx: GraphContext): Response {
  const query = parseGraphListQuery(ctx.url, { entity: "incidents", fields: GRAPH_INCIDENT_FIELDS, ...ctx.options.incidents, expandable: ["alerts"] });
  const rows = queryIncidents(ctx.state.db, ctx.tenantId, query.filter, query.pageSize + 1, query.skip);
  const hasMore = cutPage(rows, query.pageSize);
  const total = query.count ? countIncidents(ctx.state.db, ctx.tenantId, query.filter) : undefined;
  const expand = query.expand.has("alerts");
  const alerts = expand ? alertsOfIncidents(ctx.state, ctx.tenantId, rows.map((r) => r.iid)) : undefined;
  const items = rows.map((r) => JSON.stringify(incidentView(ctx, r, alerts)));
  const context = graphContext(ctx.call, expand ? "security/incidents(alerts())" : "security/incidents");
  return graphJson(200, collectionBody(ctx.call, ctx.url, context, query, items, total, hasMore));
}

function loadIncident(ctx: GraphContext): IncidentRow {
  const raw = ctx.params.id ?? "";
  const row = /^\d{1,15}$/.test(raw) ? getIncident(ctx.state.db, ctx.tenantId, Number(raw)) : undefined;
  // DOC-SILENT: the get page documents only 200.
  if (!row) throw new GraphApiError(404, "NotFound", `Incident with id '${raw}' was not found.`);
  return row;
}

/** `GET /security/incidents/{id}` (security-incident-get.md), with `$expand=alerts` (INFERRED from the relationship). */
function getOne(ctx: GraphContext): Response {
  const expandParam = [...ctx.url.searchParams].find(([k]) => k.trim().toLowerCase() === "$expand")?.[1];
  for (const [k] of ctx.url.searchParams) {
    const key = k.trim().toLowerCase();
    if (key.startsWith("$") && key !== "$expand") throw new GraphApiError(400, "BadRequest", `Query option '${k}' is not supported on incidents/{id}.`);
  }
  const expand = expandParam !== undefined;
  if (expand && expandParam.trim().toLowerCase() !== "alerts") {
    throw new GraphApiError(400, "BadRequest", `Could not find a property named '${expandParam}' on type 'microsoft.graph.security.incident'.`);
  }
  const row = loadIncident(ctx);
  const alerts = expand ? alertsOfIncidents(ctx.state, ctx.tenantId, [row.iid]) : undefined;
  const context = graphContext(ctx.call, expand ? "security/incidents(alerts())/$entity" : "security/incidents/$entity");
  return graphJson(200, { "@odata.context": context, ...incidentView(ctx, row, alerts) });
}

/** `GET /security/incidents/{id}/alerts` (alertsv1-alertsv2-migration.md). */
function incidentAlerts(ctx: GraphContext): Response {
  const row = loadIncident(ctx);
  const alerts = alertsOfIncidents(ctx.state, ctx.tenantId, [row.iid]).get(row.iid) ?? [];
  return graphJson(200, {
    "@odata.context": graphContext(ctx.call, `security/incidents('${row.iid}')/alerts`),
    value: alerts.map((a) => toGraphAlert(a, { includeUnknownEnums: ctx.includeUnknownEnums, withType: true, hostile: ctx.hostile })),
  });
}

const PATCHABLE = ["assignedTo", "classification", "customTags", "description", "determination", "displayName", "severity", "resolvingComment", "status", "summary"];
const SEVERITIES = ["unknown", "informational", "low", "medium", "high"];
/** What the alerts of an incident become when the incident's status is set (INFERRED: resolving an incident resolves its alerts). */
const STATUS_FOR_ALERTS: Readonly<Record<string, string>> = { active: "New", inProgress: "InProgress", resolved: "Resolved" };

const optionalText = (key: string, value: unknown): string | null => {
  if (value !== null && typeof value !== "string") throw new GraphApiError(400, "BadRequest", `Invalid value for property '${key}': expected a string or null.`);
  return value;
};

const enumValue = (key: string, allowed: Iterable<string>, value: unknown): string => {
  const member = typeof value === "string" ? matchEnum(allowed, value) : undefined;
  if (member === undefined) throw new GraphApiError(400, "BadRequest", `Requested value '${String(value)}' was not found for property '${key}'.`);
  return member;
};

/**
 * `PATCH /security/incidents/{id}` (security-incident-update.md): status,
 * assignedTo, classification and determination go to every alert of the incident
 * (so the MDE API sees them, with `lastUpdateTime` moved forward); the other
 * properties belong to the incident. Enum values are accepted in any casing (the
 * documented request sends `TruePositive` and gets `truePositive` back).
 */
async function updateIncident(ctx: GraphContext): Promise<Response> {
  const row = loadIncident(ctx);
  const body = await readGraphJson(ctx);
  const alertPatch: AlertPatch = {};
  const now = ctx.state.clock.now();
  const override: IncidentOverride = { lastModifiedBy: `API-App:${ctx.token.clientId}`, updated: toMdeTime(now) };
  let status: string | undefined;
  for (const [key, value] of Object.entries(body)) {
    if (key === "@odata.type") continue;
    if (!PATCHABLE.includes(key)) throw unknownProperty(key, "incident");
    if (key === "status") {
      status = enumValue(key, ["active", "inProgress", "resolved", "redirected", "unknownFutureValue"], value);
      if (!(status in STATUS_FOR_ALERTS)) throw new GraphApiError(400, "BadRequest", `The emulator cannot set incident status '${status}' (merging incidents is not supported).`);
      override.statusSet = true;
    } else if (key === "assignedTo") alertPatch.assignedTo = optionalText(key, value);
    else if (key === "classification") alertPatch.classification = CLASSIFICATION_TO_MDE[enumValue(key, Object.keys(CLASSIFICATION_TO_MDE), value)] ?? null;
    else if (key === "determination") alertPatch.determination = DETERMINATION_TO_MDE[enumValue(key, Object.keys(DETERMINATION_TO_MDE), value)] ?? null;
    else if (key === "severity") override.severity = enumValue(key, SEVERITIES, value);
    else if (key === "customTags") {
      if (!Array.isArray(value) || value.some((t) => typeof t !== "string")) throw new GraphApiError(400, "BadRequest", "Invalid value for property 'customTags': expected an array of strings.");
      override.customTags = value as string[];
    } else if (key === "displayName") override.displayName = optionalText(key, value);
    else if (key === "description") override.description = optionalText(key, value);
    else if (key === "summary") override.summary = optionalText(key, value);
    else if (key === "resolvingComment") override.resolvingComment = optionalText(key, value);
  }
  ctx.state.db.transaction(() => {
    const alerts = ctx.state.db
      .prepare("SELECT id, status, assigned_to, json_extract(json, '$.classification') AS c, json_extract(json, '$.determination') AS d FROM alerts WHERE tenant_id = ? AND incident_id = ?")
      .all(ctx.tenantId, row.iid) as Array<{ id: string; status: string; assigned_to: string | null; c: string | null; d: string | null }>;
    for (const a of alerts) {
      const patch: AlertPatch = {};
      const wanted = status ? STATUS_FOR_ALERTS[status] : undefined;
      if (wanted && wanted !== a.status) patch.status = wanted;
      if (alertPatch.assignedTo !== undefined && alertPatch.assignedTo !== a.assigned_to) patch.assignedTo = alertPatch.assignedTo;
      if (alertPatch.classification !== undefined && alertPatch.classification !== a.c) patch.classification = alertPatch.classification;
      if (alertPatch.determination !== undefined && alertPatch.determination !== a.d) patch.determination = alertPatch.determination;
      if (Object.keys(patch).length > 0) patchAlert(ctx.state, ctx.tenantId, a.id, patch);
    }
    override.updated = bumpedUpdateTime(now, row.updated);
    saveIncidentOverride(ctx.state.db, ctx.tenantId, row.iid, override);
  })();
  return getOne(ctx);
}

/** `POST /security/incidents/{id}/comments` → 200 with all the incident's comments (alertComment shape, graph-security.md §5). */
async function addComment(ctx: GraphContext): Promise<Response> {
  const row = loadIncident(ctx);
  const body = await readGraphJson(ctx);
  for (const key of Object.keys(body)) if (key !== "@odata.type" && key !== "comment") throw unknownProperty(key, "alertComment");
  if (typeof body.comment !== "string" || body.comment.trim() === "") throw new GraphApiError(400, "BadRequest", "The comment property is required.");
  const updated = bumpedUpdateTime(ctx.state.clock.now(), row.updated);
  const comment = { comment: body.comment, createdByDisplayName: ctx.token.clientId, createdDateTime: updated };
  ctx.state.db.transaction(() =>
    saveIncidentOverride(ctx.state.db, ctx.tenantId, row.iid, { comment, lastModifiedBy: `API-App:${ctx.token.clientId}`, updated }),
  )();
  const after = getIncident(ctx.state.db, ctx.tenantId, row.iid);
  return graphJson(200, {
    "@odata.context": graphContext(ctx.call, `security/incidents('${row.iid}')/comments`),
    value: after?.comments ? JSON.parse(after.comments) : [comment],
  });
}

/** The incident operations (graph-security.md §5). */
export const graphIncidentOperations: GraphOperationSpec[] = [
  { method: "GET", path: "security/incidents", name: "ListIncidents", roles: READ, bucket: "security", handler: listIncidents },
  { method: "GET", path: "security/incidents/{id}", name: "GetIncident", roles: READ, bucket: "security", handler: getOne },
  { method: "PATCH", path: "security/incidents/{id}", name: "UpdateIncident", roles: WRITE, bucket: "security", handler: updateIncident },
  { method: "GET", path: "security/incidents/{id}/alerts", name: "ListIncidentAlerts", roles: READ, bucket: "security", handler: incidentAlerts },
  { method: "POST", path: "security/incidents/{id}/comments", name: "CreateIncidentComment", roles: WRITE, bucket: "security", handler: addComment },
];
