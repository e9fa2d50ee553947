import { isIP } from "node:net";
import { toMdeTime } from "../core/clock.js";
import { type IndicatorRecord, insertIndicatorRow, nextIndicatorId } from "../data/indicator-store.js";
import { MdeApiError, resourceNotFound } from "./errors.js";
import { columnFields, type FieldMap, normalizeDateTime } from "./odata-filter.js";
import { parseListQuery, queryPage } from "./odata-query.js";
import { collectionResponse, entityResponse, jsonResponse, operation, type OperationContext, type OperationSpec } from "./operation-context.js";
import { checkBody, readJsonObject } from "./request-body.js";

const ROLES = ["Ti.ReadWrite", "Ti.ReadWrite.All"] as const;
const INDICATOR_TYPES = ["FileSha1", "FileSha256", "FileMd5", "CertificateThumbprint", "IpAddress", "DomainName", "Url"] as const;
const ACTIONS = ["Warn", "Block", "Audit", "Alert", "AlertAndBlock", "BlockAndRemediate", "Allowed"] as const;
const SEVERITIES = ["Informational", "Low", "Medium", "High"] as const;
const BODY_KEYS = [
  "indicatorValue",
  "indicatorType",
  "action",
  "title",
  "description",
  "application",
  "expirationTime",
  "severity",
  "recommendedActions",
  "rbacGroupNames",
  "educateUrl",
  "generateAlert",
] as const;
const REQUIRED = ["indicatorValue", "indicatorType", "action", "title", "description"] as const;
/** Active indicators per tenant (ti-indicator.md; mde-api.md §5.5). */
export const MAX_ACTIVE_INDICATORS = 15_000;

/** Filterable indicator properties (get-ti-indicators-collection.md; mde-api.md §5.5). */
export const INDICATOR_FIELDS: FieldMap = columnFields(`
  application created_by_display_name expiration_time:datetime generate_alert:bool title
  rbac_group_names:stringList rbac_group_ids:stringList indicator_value indicator_type
  creationtimedatetimeutc=creation_time:datetime created_by action severity
`);

/** With only Ti.ReadWrite an app sees the indicators it created (mde-api.md §4). */
function visibility(ctx: OperationContext): { sql: string; params: unknown[] } {
  const now = toMdeTime(ctx.state.clock.now());
  const all = ctx.token.roles.some((r) => r.toLowerCase() === "ti.readwrite.all");
  // "Returns all active indicators": expired ones are left out.
  const active = "(expiration_time IS NULL OR expiration_time > ?)";
  return all ? { sql: active, params: [now] } : { sql: `${active} AND created_by = ?`, params: [now, ctx.token.clientId] };
}

function listIndicators(ctx: OperationContext): Response {
  const query = parseListQuery(ctx.url, { entity: "Indicators", fields: INDICATOR_FIELDS });
  const page = queryPage<{ json: string }>(ctx.state.db, {
    table: "indicators",
    select: "json",
    tenantId: ctx.tenantId,
    query,
    where: visibility(ctx),
  });
  return collectionResponse(
    ctx,
    "Indicators",
    page.rows.map((r) => r.json),
  );
}

function fail(code: string, message: string): never {
  throw new MdeApiError(400, code, message);
}

function validValue(type: string, raw: string): string {
  const value = raw.trim();
  const hex = (n: number) => new RegExp(`^[0-9a-fA-F]{${n}}$`).test(value);
  switch (type) {
    case "FileSha1":
    case "CertificateThumbprint":
      return hex(40) ? value.toLowerCase() : fail("InvalidHashValue", `Hash ${value} is invalid`);
    case "FileSha256":
      return hex(64) ? value.toLowerCase() : fail("InvalidHashValue", `Hash ${value} is invalid`);
    case "FileMd5":
      return hex(32) ? value.toLowerCase() : fail("InvalidHashValue", `Hash ${value} is invalid`);
    case "IpAddress":
      // CIDR ranges are not supported (post-ti-indicator.md).
      return isIP(value) ? value : fail("InvalidIpAddress", `IP address ${value} is invalid`);
    case "DomainName":
      return /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i.test(value)
        ? value.toLowerCase()
        : fail("InvalidDomainName", `Domain name ${value} is invalid`);
    default:
      try {
        const url = new URL(/^[a-z]+:\/\//i.test(value) ? value : `http://${value}`);
        if (!url.hostname.includes(".")) throw new TypeError("no host");
        return value;
      } catch {
        return fail("InvalidUrl", `URL ${value} is invalid`);
      }
  }
}

function str(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") fail("InvalidRequestBody", `Request body is incorrect: '${key}' must be a string.`);
  return v;
}

function oneOf<T extends string>(body: Record<string, unknown>, key: string, values: readonly T[]): T | undefined {
  const v = str(body, key);
  if (v === undefined) return undefined;
  return values.includes(v as T)
    ? (v as T)
    : fail("InvalidRequestBody", `Request body is incorrect: '${v}' is not a valid ${key} (one of ${values.join(", ")}).`);
}

/**
 * Submit or update (post-ti-indicator.md): upsert by value + type; required
 * fields and enum values validated; `application` only applies to new
 * indicators; `generateAlert` must be true for `Audit`.
 */
function upsertIndicator(ctx: OperationContext, body: Record<string, unknown>, active = activeCounter(ctx)): string {
  checkBody(body, BODY_KEYS, REQUIRED);
  const indicatorType = oneOf(body, "indicatorType", INDICATOR_TYPES) as string;
  const action = oneOf(body, "action", ACTIONS) as string;
  const severity = oneOf(body, "severity", SEVERITIES) ?? null;
  const indicatorValue = validValue(indicatorType, str(body, "indicatorValue") ?? "");
  const generateAlert = body.generateAlert;
  if (generateAlert !== undefined && typeof generateAlert !== "boolean")
    fail("InvalidRequestBody", "Request body is incorrect: 'generateAlert' must be a boolean.");
  if (action === "Audit" && generateAlert !== true)
    fail("InvalidRequestBody", "Request body is incorrect: generateAlert must be true when action is Audit.");
  let expirationTime: string | null = null;
  const rawExpiration = str(body, "expirationTime");
  if (rawExpiration !== undefined) {
    expirationTime =
      normalizeDateTime(rawExpiration) ??
      fail("InvalidRequestBody", `Request body is incorrect: expirationTime '${rawExpiration}' is not a valid date.`);
  }
  const groups = body.rbacGroupNames;
  // DOC-CONFLICT §8.14: a comma-separated string or a JSON array; both accepted.
  const rbacGroupNames =
    groups === undefined || groups === null
      ? []
      : typeof groups === "string"
        ? groups
            .split(",")
            .map((g) => g.trim())
            .filter(Boolean)
        : Array.isArray(groups) && groups.every((g) => typeof g === "string")
          ? (groups as string[])
          : fail("InvalidRequestBody", "Request body is incorrect: rbacGroupNames must be an array of strings.");
  const now = toMdeTime(ctx.state.clock.now());
  const app = ctx.state.apps.get(ctx.token.clientId);
  const appName = app?.displayName ?? ctx.token.clientId;
  const existing = ctx.state.db
    .prepare("SELECT json FROM indicators WHERE tenant_id = ? AND indicator_type = ? AND indicator_value = ?")
    .get(ctx.tenantId, indicatorType, indicatorValue) as { json: string } | undefined;
  const previous = existing ? (JSON.parse(existing.json) as IndicatorRecord) : undefined;
  if (!previous) {
    // The limit is documented (post-ti-indicator.md, import-ti-indicators.md), its error is DOC-SILENT
    // (detection-rules.md §3): 400 here, and a per-item failure inside an import.
    if (active.n >= MAX_ACTIVE_INDICATORS)
      fail("BadRequest", `The tenant already has the maximum of ${MAX_ACTIVE_INDICATORS} active indicators.`);
  }
  const record: IndicatorRecord = {
    id: previous?.id ?? nextIndicatorId(ctx.state, ctx.tenantId),
    indicatorValue,
    indicatorType,
    action,
    application: previous ? previous.application : (str(body, "application") ?? null),
    source: previous?.source ?? appName,
    sourceType: previous?.sourceType ?? "AadApp",
    createdBy: previous?.createdBy ?? ctx.token.clientId,
    severity,
    title: str(body, "title") ?? "",
    description: str(body, "description") ?? "",
    recommendedActions: str(body, "recommendedActions") ?? null,
    creationTimeDateTimeUtc: previous?.creationTimeDateTimeUtc ?? now,
    expirationTime,
    lastUpdateTime: now,
    lastUpdatedBy: previous ? appName : null,
    rbacGroupNames,
    rbacGroupIds: previous?.rbacGroupIds ?? [],
    generateAlert: generateAlert === true,
  };
  insertIndicatorRow(ctx.state, ctx.tenantId, record);
  if (!previous && (expirationTime === null || expirationTime > now)) active.n++;
  return JSON.stringify(record);
}

/**
 * The tenant's active (unexpired) indicators, counted once per request: an
 * import of 500 checks the limit against it instead of counting 500 times.
 */
function activeCounter(ctx: OperationContext): { n: number } {
  const now = toMdeTime(ctx.state.clock.now());
  return ctx.state.db
    .prepare("SELECT count(*) AS n FROM indicators WHERE tenant_id = ? AND (expiration_time IS NULL OR expiration_time > ?)")
    .get(ctx.tenantId, now) as { n: number };
}

async function submitIndicator(ctx: OperationContext): Promise<Response> {
  const body = await readJsonObject(ctx.c);
  const json = ctx.state.db.transaction(() => upsertIndicator(ctx, body))();
  return entityResponse(ctx, "Indicators/$entity", json);
}

/** The one property of a bulk request body: a non-empty array of at most 500 items. */
async function readBatch(ctx: OperationContext, key: string): Promise<unknown[]> {
  const body = await readJsonObject(ctx.c);
  checkBody(body, [key], [key]);
  const items = body[key];
  if (!Array.isArray(items) || items.length === 0) fail("InvalidRequestBody", `Request body is incorrect: ${key} must be a non-empty array.`);
  if (items.length > 500) fail("MaximumBatchSizeExceeded", `Maximum batch size exceeded. Received: ${items.length}, allowed: 500.`);
  return items;
}

/** Import (import-ti-indicators.md): ≤ 500 per call, one result per item. */
async function importIndicators(ctx: OperationContext): Promise<Response> {
  const items = await readBatch(ctx, "Indicators");
  const results = ctx.state.db.transaction(() => {
    const active = activeCounter(ctx);
    return items.map((item: unknown) => {
      const value = typeof item === "object" && item !== null ? String((item as Record<string, unknown>).indicatorValue ?? "") : "";
      try {
        if (typeof item !== "object" || item === null || Array.isArray(item))
          fail("InvalidRequestBody", "An indicator must be a JSON object.");
        const saved = JSON.parse(upsertIndicator(ctx, item as Record<string, unknown>, active)) as IndicatorRecord;
        return { id: saved.id, indicator: saved.indicatorValue, isFailed: false, failureReason: null };
      } catch (error) {
        if (!(error instanceof MdeApiError)) throw error;
        return { id: null, indicator: value, isFailed: true, failureReason: error.message };
      }
    });
  })();
  // The import-ti-indicators.md example has no @odata.context.
  return jsonResponse(200, { value: results });
}

function findVisible(ctx: OperationContext, id: string): { seq: number } | undefined {
  const v = visibility(ctx);
  return ctx.state.db
    .prepare(`SELECT seq FROM indicators WHERE tenant_id = ? AND id = ? AND ${v.sql}`)
    .get(ctx.tenantId, id, ...v.params) as { seq: number } | undefined;
}

function deleteIndicator(ctx: OperationContext): Response {
  const id = ctx.params.id ?? "";
  const row = findVisible(ctx, id);
  if (!row) throw resourceNotFound("Indicator", id);
  ctx.state.db.prepare("DELETE FROM indicators WHERE seq = ?").run(row.seq);
  return new Response(null, { status: 204 });
}

/** BatchDelete (batch-delete-ti-indicators.md): all-or-nothing; empty/over 500/invalid → 400, unknown → 404. */
async function batchDelete(ctx: OperationContext): Promise<Response> {
  const ids = await readBatch(ctx, "IndicatorIds");
  const bad = ids.find((i) => typeof i !== "string" || !/^\d+$/.test(i));
  if (bad !== undefined) fail("InvalidInput", `Invalid input ${String(bad)}`);
  const rows = (ids as string[]).map((id) => ({ id, row: findVisible(ctx, id) }));
  const missing = rows.find((r) => !r.row);
  if (missing) throw resourceNotFound("Indicator", missing.id);
  ctx.state.db.transaction(() => {
    for (const r of rows) ctx.state.db.prepare("DELETE FROM indicators WHERE seq = ?").run(r.row?.seq);
  })();
  return new Response(null, { status: 204 });
}

/** Indicator operations of mde-api.md §5.5. */
export const indicatorOperations: OperationSpec[] = [
  operation("GET", "indicators", "ListIndicators", ROLES, listIndicators),
  operation("POST", "indicators", "SubmitIndicator", ROLES, submitIndicator),
  operation("POST", "indicators/import", "ImportIndicators", ROLES, importIndicators, { perMinute: 30 }),
  operation("POST", "indicators/BatchDelete", "BatchDeleteIndicators", ROLES, batchDelete, { perMinute: 30, perHour: 1500 }),
  operation("DELETE", "indicators/{id}", "DeleteIndicator", ROLES, deleteIndicator),
];
