/**
 * Alerts for pages and the JSON API: one parser for the query string (so the
 * page and the API filter alike), and alert updates written through the MDE
 * API first and then into the store, with an audit trail.
 */
import {
  ALERT_SEVERITIES as CLIENT_ALERT_SEVERITIES,
  ALERT_UPDATE_CLASSIFICATIONS,
  ALERT_UPDATE_DETERMINATIONS,
  ALERT_UPDATE_STATUSES,
  type AlertUpdate,
} from "@mde-partner/client";
import * as sync from "@mde-partner/sync";
import type { AlertQuery, StoredAlert } from "@mde-partner/sync";
import type { ResolvedConsoleOptions } from "../options.js";
import { InputError, NotFoundError } from "./errors.js";
import { limitParam, listParam, oneOf, tenantIdsParam } from "./query-params.js";

/** The statuses an update sets, and the console's status filter (with `Unknown`): the client's list. */
export const ALERT_STATUSES = ALERT_UPDATE_STATUSES;
/** Severities as the console lists them, highest first (the client's list is lowest first). */
export const ALERT_SEVERITIES: readonly string[] = Object.freeze([...CLIENT_ALERT_SEVERITIES].reverse());
/** PATCH values (mde-api.md §6.1): the client's lists. */
export const ALERT_CLASSIFICATIONS = ALERT_UPDATE_CLASSIFICATIONS;
export const ALERT_DETERMINATIONS = ALERT_UPDATE_DETERMINATIONS;
export const ALERT_SORTS = ["lastUpdateTime", "alertCreationTime", "severity"] as const;

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** A time bound: ISO-8601, or a date (a `to` date includes that whole day). */
function timeBound(value: string, name: string, endOfDay: boolean): string {
  if (DATE_ONLY.test(value)) {
    const ms = Date.parse(`${value}T00:00:00Z`);
    if (Number.isNaN(ms)) throw new InputError(`${name} is not a date`);
    return new Date(endOfDay ? ms + 86_400_000 : ms).toISOString();
  }
  if (Number.isNaN(Date.parse(value))) throw new InputError(`${name} must be an ISO-8601 time or a yyyy-mm-dd date`);
  return value;
}

/** Options of `parseAlertQuery`. */
export interface AlertQueryLimits {
  readonly defaultLimit: number;
  readonly maxLimit: number;
}

/**
 * `tenant`, `severity`, `status`, `classification` (repeatable or comma
 * separated), `from`/`to`, `q` (title text), `assignedTo`, `machineId`,
 * `sort`, `order`, `limit`, `pageToken` → the store's `AlertQuery`.
 */
export function parseAlertQuery(params: URLSearchParams, limits: AlertQueryLimits = { defaultLimit: 50, maxLimit: 500 }): AlertQuery {
  const tenantIds = tenantIdsParam(params);
  const severities = oneOf(listParam(params, "severity"), ALERT_SEVERITIES, "severity");
  const statuses = oneOf(listParam(params, "status"), [...ALERT_STATUSES, "Unknown"], "status");
  const classifications = oneOf(listParam(params, "classification"), [...ALERT_CLASSIFICATIONS, "Unknown"], "classification");
  const sort = params.get("sort") || "lastUpdateTime";
  oneOf([sort], ALERT_SORTS, "sort");
  const order = params.get("order") || "desc";
  oneOf([order], ["asc", "desc"], "order");
  const limit = limitParam(params, limits.defaultLimit, limits.maxLimit);
  const from = params.get("from");
  const to = params.get("to");
  const q = params.get("q")?.trim();
  const assignedTo = params.get("assignedTo")?.trim();
  const machineId = params.get("machineId")?.trim();
  const pageToken = params.get("pageToken");
  const timeField = params.get("timeField");
  if (timeField) oneOf([timeField], ["lastUpdateTime", "alertCreationTime"], "timeField");
  return {
    ...(tenantIds.length ? { tenantIds } : {}),
    ...(severities.length ? { severities } : {}),
    ...(statuses.length ? { statuses } : {}),
    ...(classifications.length ? { classifications } : {}),
    ...(from ? { from: timeBound(from, "from", false) } : {}),
    ...(to ? { to: timeBound(to, "to", true) } : {}),
    ...(timeField ? { timeField: timeField as "lastUpdateTime" | "alertCreationTime" } : {}),
    ...(q ? { search: q.slice(0, 200) } : {}),
    ...(assignedTo ? { assignedTo } : {}),
    ...(machineId ? { machineId } : {}),
    sort: sort as AlertQuery["sort"] & string,
    order: order as "asc" | "desc",
    limit,
    ...(pageToken ? { pageToken } : {}),
  };
}

/** The JSON shape of an alert in lists. */
export function alertSummary(a: StoredAlert) {
  return {
    tenantId: a.tenantId,
    id: a.id,
    title: a.title,
    severity: a.severity,
    status: a.status,
    classification: a.classification,
    assignedTo: a.assignedTo,
    machineId: a.machineId,
    alertCreationTime: a.alertCreationTime,
    lastUpdateTime: a.lastUpdateTime,
  };
}

export interface AlertUpdateInput {
  status?: string | undefined;
  assignedTo?: string | undefined;
  classification?: string | undefined;
  determination?: string | undefined;
  comment?: string | undefined;
}

/** Validates an update; empty fields mean "leave as is". */
export function checkAlertUpdate(input: AlertUpdateInput): AlertUpdate {
  const text = (v: string | undefined) => (typeof v === "string" && v.trim() !== "" ? v.trim() : undefined);
  const choice = <T extends string>(v: string | undefined, allowed: readonly T[], name: string) => {
    const t = text(v);
    return t === undefined ? undefined : oneOf([t], allowed, name)[0]!;
  };
  const capped = (v: string | undefined, max: number, tooLong: string) => {
    const t = text(v);
    if (t !== undefined && t.length > max) throw new InputError(tooLong);
    return t;
  };
  // Checked in this order, so the first bad field is the one reported.
  const fields = {
    status: choice(input.status, ALERT_STATUSES, "status"),
    assignedTo: capped(input.assignedTo, 200, "assignedTo is too long"),
    classification: choice(input.classification, ALERT_CLASSIFICATIONS, "classification"),
    determination: choice(input.determination, ALERT_DETERMINATIONS, "determination"),
    comment: capped(input.comment, 1000, "comment must be at most 1000 characters"),
  };
  const update = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as AlertUpdate;
  if (Object.keys(update).length === 0)
    throw new InputError("nothing to change: set a status, assignment, classification, determination or comment");
  return update;
}

/**
 * Updates the alert through the engine (read, audited PATCH through the MDE API, the answer stored
 * so the console shows the change without waiting for the next sync), then returns it as stored.
 */
export async function updateAlert(
  options: ResolvedConsoleOptions,
  actor: string,
  tenantId: string,
  alertId: string,
  input: AlertUpdateInput,
): Promise<StoredAlert> {
  const { store, partner } = options;
  const update = checkAlertUpdate(input);
  const stored = await store.getAlert(tenantId, alertId);
  if (!stored) throw new NotFoundError(`alert ${alertId} of tenant ${tenantId} is not in the console`);
  if (!(await store.getTenant(tenantId))) throw new NotFoundError(`tenant ${tenantId} is not in the console`);
  await sync.updateAlert({ store, partner, actor }, { tenantId, alertId, update });
  return (await store.getAlert(tenantId, alertId)) ?? stored;
}
