import { type AlertPatch, patchAlert } from "../data/alert-changes.js";
import { graphComments, type MdeAlert, toGraphAlert } from "./alert-model.js";
import { ALERTS_ORDER, GRAPH_ALERT_FIELDS, loadAlert, withMachines } from "./alert-rows.js";
import { CLASSIFICATION_TO_MDE, DETERMINATION_TO_MDE, matchEnum, STATUS_TO_MDE } from "./enums.js";
import { graphContext, graphJson } from "./graph-call.js";
import { GraphApiError } from "./graph-error.js";
import { type GraphContext, type GraphOperationSpec, readGraphJson, unknownProperty } from "./graph-operation.js";
import { collectionBody, cutPage, parseGraphListQuery } from "./odata.js";

const READ = ["SecurityAlert.Read.All", "SecurityAlert.ReadWrite.All"] as const;
const WRITE = ["SecurityAlert.ReadWrite.All"] as const;

const view = (ctx: GraphContext) => ({ includeUnknownEnums: ctx.includeUnknownEnums, withType: true, hostile: ctx.hostile });

/**
 * `GET /security/alerts_v2` (security-list-alerts_v2.md; graph-security.md §4.2):
 * the tenant's MDE alerts newest first, `$filter`/`$top`/`$skip`/`$count`, and
 * `@odata.nextLink` with `$skip` while more rows exist.
 */
function listAlerts(ctx: GraphContext): Response {
  const query = parseGraphListQuery(ctx.url, { entity: "alerts_v2", fields: GRAPH_ALERT_FIELDS, ...ctx.options.alerts_v2 });
  const conditions = ["tenant_id = ?"];
  const params: unknown[] = [ctx.tenantId];
  if (query.filter) {
    conditions.push(query.filter.sql);
    params.push(...query.filter.params);
  }
  const where = conditions.join(" AND ");
  const rows = ctx.state.db
    .prepare(`SELECT json, evidence, machine_id FROM alerts WHERE ${where} ORDER BY ${ALERTS_ORDER} LIMIT ? OFFSET ?`)
    .all(...params, query.pageSize + 1, query.skip) as Array<{ json: string; evidence: string; machine_id: string | null }>;
  const hasMore = cutPage(rows, query.pageSize);
  const total = query.count
    ? (ctx.state.db.prepare(`SELECT count(*) AS n FROM alerts WHERE ${where}`).get(...params) as { n: number }).n
    : undefined;
  const items = withMachines(ctx.state, ctx.tenantId, rows).map((r) => JSON.stringify(toGraphAlert(r, view(ctx))));
  return graphJson(200, collectionBody(ctx.call, ctx.url, graphContext(ctx.call, "security/alerts_v2"), query, items, total, hasMore));
}

function notFound(id: string): GraphApiError {
  // DOC-SILENT: the get page documents only 200.
  return new GraphApiError(404, "NotFound", `Alert with id '${id}' was not found.`);
}

function entity(ctx: GraphContext, id: string): Response {
  const row = loadAlert(ctx.state, ctx.tenantId, id);
  if (!row) throw notFound(id);
  return graphJson(200, { "@odata.context": graphContext(ctx.call, "security/alerts_v2/$entity"), ...toGraphAlert(row, view(ctx)) });
}

/** `GET /security/alerts_v2/{id}` (security-alert-get.md). */
const getAlert = (ctx: GraphContext) => entity(ctx, ctx.params.id ?? "");

const PATCHABLE = ["status", "classification", "determination", "assignedTo"] as const;

/**
 * Reads an update-alert body (security-alert-update.md: any of status,
 * classification, determination, assignedTo) into the MDE vocabulary, so the
 * change lands on the same stored alert the MDE API serves.
 */
function readPatch(body: Record<string, unknown>): AlertPatch {
  const patch: AlertPatch = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === "@odata.type") continue;
    if (!(PATCHABLE as readonly string[]).includes(key)) throw unknownProperty(key, "alert");
    if (key === "assignedTo") {
      if (value !== null && typeof value !== "string") throw new GraphApiError(400, "BadRequest", "Invalid value for property 'assignedTo': expected a string or null.");
      patch.assignedTo = value;
      continue;
    }
    if (typeof value !== "string") throw new GraphApiError(400, "BadRequest", `Invalid value for property '${key}': expected a string.`);
    const table: Readonly<Record<string, string | null>> =
      key === "status" ? STATUS_TO_MDE : key === "classification" ? CLASSIFICATION_TO_MDE : DETERMINATION_TO_MDE;
    const member = matchEnum(Object.keys(table), value);
    if (member === undefined) throw new GraphApiError(400, "BadRequest", `Requested value '${value}' was not found for property '${key}'.`);
    const mde = table[member] ?? null;
    if (key === "status") patch.status = mde ?? "New";
    else if (key === "classification") patch.classification = mde;
    else patch.determination = mde;
  }
  return patch;
}

/**
 * `PATCH /security/alerts_v2/{id}` → 200 with the full updated alert
 * (examples/graph/update-alert-v2.*). The stored MDE alert changes and its
 * `lastUpdateTime` moves forward (`patchAlert`), so the MDE API sees it too.
 */
async function updateAlert(ctx: GraphContext): Promise<Response> {
  const id = ctx.params.id ?? "";
  const patch = readPatch(await readGraphJson(ctx));
  // An empty body changes nothing, so it does not move lastUpdateTime either.
  if (Object.keys(patch).length === 0) return entity(ctx, id);
  const json = ctx.state.db.transaction(() => patchAlert(ctx.state, ctx.tenantId, id, patch))();
  if (json === undefined) throw notFound(id);
  return entity(ctx, id);
}

/**
 * `POST /security/alerts_v2/{id}/comments` (security-alert-post-comments.md):
 * appends the comment to the MDE alert and answers 200 with all its comments.
 */
async function addComment(ctx: GraphContext): Promise<Response> {
  const id = ctx.params.id ?? "";
  const body = await readGraphJson(ctx);
  for (const key of Object.keys(body)) if (key !== "@odata.type" && key !== "comment") throw unknownProperty(key, "alertComment");
  if (typeof body.comment !== "string" || body.comment.trim() === "") throw new GraphApiError(400, "BadRequest", "The comment property is required.");
  const json = ctx.state.db.transaction(() => patchAlert(ctx.state, ctx.tenantId, id, { comment: body.comment as string, commentBy: ctx.token.clientId }))();
  if (json === undefined) throw notFound(id);
  const alert = JSON.parse(json) as MdeAlert;
  return graphJson(200, {
    "@odata.context": graphContext(ctx.call, `security/alerts_v2('${id}')/comments`),
    value: graphComments(alert.comments),
  });
}

/** The alerts_v2 operations (graph-security.md §4.1). */
export const graphAlertOperations: GraphOperationSpec[] = [
  { method: "GET", path: "security/alerts_v2", name: "ListAlertsV2", roles: READ, bucket: "security", handler: listAlerts },
  { method: "GET", path: "security/alerts_v2/{id}", name: "GetAlertV2", roles: READ, bucket: "security", handler: getAlert },
  { method: "PATCH", path: "security/alerts_v2/{id}", name: "UpdateAlertV2", roles: WRITE, bucket: "security", handler: updateAlert },
  { method: "POST", path: "security/alerts_v2/{id}/comments", name: "CreateAlertComment", roles: WRITE, bucket: "security", handler: addComment },
  // The legacy alerts resource is retiring (graph-security.md §1): routed so that callers get a clear 501.
  { method: "GET", path: "security/alerts", name: "ListLegacyAlerts", roles: ["SecurityEvents.Read.All", "SecurityEvents.ReadWrite.All"], bucket: "security" },
];
