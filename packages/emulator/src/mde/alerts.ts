import { createAlertByReference } from "./alert-by-reference.js";
import { fileEntity } from "./entities.js";
import { entityIndex } from "../data/entity-index.js";
import { DETERMINATIONS } from "../data/alert-catalog.js";
import { type AlertPatch, patchAlert } from "../data/alert-changes.js";
import { alertJson } from "../data/alert-store.js";
import { tenantProfile } from "../data/tenant-profile.js";
import { MdeApiError, resourceNotFound } from "./errors.js";
import { columnFields, type CompiledFilter, type FieldMap } from "./odata-filter.js";
import { MAX_PAGE, nextLinkFor, parseListQuery, queryCount, queryPage } from "./odata-query.js";
import { collectionResponse, entityResponse, operation, type OperationContext, type OperationSpec } from "./operation-context.js";
import { checkBody, optionalEnum, optionalString, readJsonObject } from "./request-body.js";

const READ = ["Alert.Read.All", "Alert.ReadWrite.All"] as const;
const WRITE = ["Alert.ReadWrite.All"] as const;

/**
 * Filterable alert properties (get-alerts.md; mde-api.md §5.1): the documented
 * list (its `InvestigationId` and `asssignedTo` spellings resolve through the
 * case-insensitive names; the triple-s typo is not accepted) plus `machineId`,
 * which the emulator adds for per-device queries.
 */
export const ALERT_FIELDS: FieldMap = columnFields(`
  alert_creation_time:datetime last_update_time:datetime last_event_time:datetime incident_id:int
  investigation_id:int id assigned_to detection_source status severity category machine_id:lower
`);

const STATUSES = ["New", "InProgress", "Resolved"] as const;
const CLASSIFICATIONS = ["TruePositive", "InformationalExpectedActivity", "FalsePositive"] as const;
// Both spellings of the renamed determinations are accepted (alerts.md vs update-alert.md, mde-api.md §6.1).
const DETERMINATION_VALUES = [...new Set([...Object.values(DETERMINATIONS).flat(), "ConfirmedUserActivity", "Clean"])];
const PATCH_KEYS = ["status", "assignedTo", "classification", "determination", "comment"] as const;

/**
 * Lists a tenant's alerts (optionally a fixed subset): `$filter`, `$top`
 * (≤ 10,000), `$skip`, `$expand=evidence` (without it `"evidence": []`, as the
 * examples show). `@odata.nextLink` (with `$skip`) only when the client sent no
 * `$top` and more rows exist, and only with `nextLinkWithoutTop` (mde-api.md §3.6).
 */
export function listAlerts(ctx: OperationContext, where?: CompiledFilter): Response {
  const query = parseListQuery(ctx.url, { entity: "Alerts", fields: ALERT_FIELDS, expandable: ["evidence"] });
  const expand = query.expand.has("evidence");
  const page = queryPage<{ json: string; evidence?: string }>(ctx.state.db, {
    table: "alerts",
    select: expand ? "json, evidence" : "json",
    tenantId: ctx.tenantId,
    query,
    ...(where ? { where } : {}),
  });
  const items = page.rows.map((r) => alertJson(r.json, r.evidence));
  const next =
    page.hasMore && query.top === undefined && ctx.state.options.nextLinkWithoutTop
      ? nextLinkFor(ctx.url, query.skip + MAX_PAGE)
      : undefined;
  return collectionResponse(ctx, "Alerts", items, next);
}

/** `/$count` of a list: the bare number (exposed-apis-odata-samples.md example 7). */
export function countAlerts(ctx: OperationContext, where?: CompiledFilter): Response {
  const query = parseListQuery(ctx.url, { entity: "Alerts", fields: ALERT_FIELDS });
  const n = queryCount(ctx.state.db, { table: "alerts", tenantId: ctx.tenantId, query, ...(where ? { where } : {}) });
  return new Response(String(n), { status: 200, headers: { "content-type": "text/plain; charset=utf-8" } });
}

function loadAlert(ctx: OperationContext): { json: string; evidence: string } {
  const id = ctx.params.id ?? "";
  const row = ctx.state.db.prepare("SELECT json, evidence FROM alerts WHERE tenant_id = ? AND id = ?").get(ctx.tenantId, id) as
    | { json: string; evidence: string }
    | undefined;
  if (!row) throw resourceNotFound("Alert", id);
  return row;
}

function getAlert(ctx: OperationContext): Response {
  const row = loadAlert(ctx);
  // The single-alert example includes populated evidence (alerts.md).
  return entityResponse(ctx, "Alerts/$entity", alertJson(row.json, row.evidence));
}

/** Validates an update-alert.md body (case-sensitive names, enum values). */
function readPatch(body: Record<string, unknown>, extraKeys: readonly string[] = []): AlertPatch {
  checkBody(body, [...PATCH_KEYS, ...extraKeys]);
  const patch: AlertPatch = {};
  const status = optionalEnum(body, "status", STATUSES);
  if (status) patch.status = status;
  if ("assignedTo" in body) patch.assignedTo = optionalString(body, "assignedTo") ?? null;
  if ("classification" in body) patch.classification = optionalEnum(body, "classification", CLASSIFICATIONS) ?? null;
  if ("determination" in body) patch.determination = optionalEnum(body, "determination", DETERMINATION_VALUES) ?? null;
  const comment = optionalString(body, "comment");
  if (comment !== undefined) patch.comment = comment;
  if (Object.keys(patch).length === 0) throw new MdeApiError(400, "InvalidRequestBody", "Request body is incorrect: nothing to update.");
  return patch;
}

async function updateAlert(ctx: OperationContext): Promise<Response> {
  const patch = readPatch(await readJsonObject(ctx.c));
  patch.commentBy = ctx.token.clientId;
  const id = ctx.params.id ?? "";
  const json = ctx.state.db.transaction(() => patchAlert(ctx.state, ctx.tenantId, id, patch))();
  if (json === undefined) throw resourceNotFound("Alert", id);
  const evidence = (
    ctx.state.db.prepare("SELECT evidence FROM alerts WHERE tenant_id = ? AND id = ?").get(ctx.tenantId, id) as { evidence: string }
  ).evidence;
  return entityResponse(ctx, "Alerts/$entity", alertJson(json, evidence));
}

async function batchUpdate(ctx: OperationContext): Promise<Response> {
  const body = await readJsonObject(ctx.c);
  const ids = body.alertIds;
  if (ids === undefined) throw new MdeApiError(400, "MissingRequiredParameter", "Parameter alertIds is missing.");
  if (!Array.isArray(ids) || ids.length === 0 || ids.some((i) => typeof i !== "string")) {
    throw new MdeApiError(400, "InvalidRequestBody", "Request body is incorrect: alertIds must be a non-empty array of strings.");
  }
  const patch = readPatch(body, ["alertIds"]);
  patch.commentBy = ctx.token.clientId;
  // Unknown ids are skipped (DOC-SILENT: batch-update-alerts.md documents no per-id errors).
  ctx.state.db.transaction(() => {
    for (const id of ids as string[]) patchAlert(ctx.state, ctx.tenantId, id, patch);
  })();
  return new Response(null, { status: 200 });
}

interface Evidence {
  entityType: string;
  sha1: string | null;
  sha256: string | null;
  fileName: string | null;
  ipAddress: string | null;
  url: string | null;
  evidenceCreationTime: string;
}

function evidenceOf(ctx: OperationContext): Evidence[] {
  return JSON.parse(loadAlert(ctx).evidence) as Evidence[];
}

function relatedIps(ctx: OperationContext): Response {
  const ips = [...new Set(evidenceOf(ctx).flatMap((e) => (e.ipAddress ? [e.ipAddress] : [])))];
  return collectionResponse(
    ctx,
    "Ips",
    ips.map((id) => JSON.stringify({ id })),
  );
}

function relatedDomains(ctx: OperationContext): Response {
  // A URL without a host (a hostile tenant's `javascript:` evidence) names no domain.
  const hosts = [...new Set(evidenceOf(ctx).flatMap((e) => (e.url && URL.canParse(e.url) ? [new URL(e.url).hostname] : [])).filter(Boolean))];
  return collectionResponse(
    ctx,
    "Domains",
    hosts.map((host) => JSON.stringify({ host })),
  );
}

/**
 * The alert's files (File and Process evidence), each as GET /api/files/{sha1}
 * answers it (entities.ts), so both views of a file agree.
 */
function relatedFiles(ctx: OperationContext): Response {
  const sha1s = [...new Set(evidenceOf(ctx).flatMap((e) => (e.sha1 && (e.entityType === "File" || e.entityType === "Process") ? [e.sha1.toLowerCase()] : [])))];
  const index = entityIndex(ctx.state, ctx.tenantId);
  const items = sha1s.flatMap((sha1) => {
    const facts = index.files.get(sha1);
    return facts ? [JSON.stringify(fileEntity(facts))] : [];
  });
  return collectionResponse(ctx, "Files", items);
}

function relatedMachine(ctx: OperationContext): Response {
  const alert = JSON.parse(loadAlert(ctx).json) as { machineId: string | null };
  const row = ctx.state.db.prepare("SELECT json FROM machines WHERE tenant_id = ? AND id = ?").get(ctx.tenantId, alert.machineId ?? "") as
    | { json: string }
    | undefined;
  if (!row) throw resourceNotFound("Machine", alert.machineId ?? "");
  return entityResponse(ctx, "Machines/$entity", row.json);
}

function relatedUser(ctx: OperationContext): Response {
  const alert = JSON.parse(loadAlert(ctx).json) as {
    relatedUser: { userName: string; domainName: string } | null;
    machineId: string;
    alertCreationTime: string;
  };
  if (!alert.relatedUser) throw resourceNotFound("User", "for alert");
  const tenant = ctx.state.tenants.get(ctx.tenantId);
  const user = tenant ? tenantProfile(ctx.state, tenant).users.find((u) => u.userName === alert.relatedUser?.userName) : undefined;
  const body = {
    id: `${alert.relatedUser.domainName.toLowerCase()}\\${alert.relatedUser.userName}`,
    accountName: alert.relatedUser.userName,
    accountDomain: alert.relatedUser.domainName.toLowerCase(),
    accountSid: user?.userSid ?? null,
    firstSeen: alert.alertCreationTime,
    lastSeen: alert.alertCreationTime,
    mostPrevalentMachineId: alert.machineId,
    leastPrevalentMachineId: alert.machineId,
    logonTypes: "Interactive",
    logOnMachinesCount: 1,
    isDomainAdmin: false,
    isOnlyNetworkUser: false,
  };
  return entityResponse(ctx, "Users/$entity", JSON.stringify(body));
}

const RELATED = { perMinute: 100, perHour: 1500 };

/** Alert operations of mde-api.md §5.1. */
export const alertOperations: OperationSpec[] = [
  operation("GET", "alerts", "ListAlerts", READ, (ctx) => listAlerts(ctx)),
  operation("POST", "alerts/batchUpdate", "BatchUpdateAlerts", WRITE, batchUpdate, { perMinute: 10, perHour: 500 }),
  operation("POST", "alerts/CreateAlertByReference", "CreateAlertByReference", WRITE, (ctx) => createAlertByReference(ctx), { perMinute: 15 }),
  operation("GET", "alerts/{id}", "GetAlert", READ, getAlert),
  operation("PATCH", "alerts/{id}", "UpdateAlert", WRITE, updateAlert),
  operation("GET", "alerts/{id}/domains", "GetAlertRelatedDomains", ["URL.Read.All"], relatedDomains, RELATED),
  operation("GET", "alerts/{id}/files", "GetAlertRelatedFiles", ["File.Read.All"], relatedFiles, RELATED),
  operation("GET", "alerts/{id}/ips", "GetAlertRelatedIps", ["Ip.Read.All"], relatedIps, RELATED),
  operation("GET", "alerts/{id}/machine", "GetAlertRelatedMachine", ["Machine.Read.All", "Machine.ReadWrite.All"], relatedMachine, RELATED),
  operation("GET", "alerts/{id}/user", "GetAlertRelatedUser", ["User.Read.All"], relatedUser, RELATED),
];
