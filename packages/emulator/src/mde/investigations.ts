import { findInvestigation, refreshInvestigations, startInvestigation } from "../data/investigation-store.js";
import { MdeApiError, resourceNotFound } from "./errors.js";
import { requireMachine } from "./machines.js";
import { columnFields, type FieldMap } from "./odata-filter.js";
import { MAX_PAGE, nextLinkFor, parseListQuery, queryPage } from "./odata-query.js";
import { collectionResponse, entityResponse, type OperationContext } from "./operation-context.js";
import { checkBody, optionalString, readJsonObject } from "./request-body.js";

/** Filterable investigation properties (get-investigation-collection.md; mde-api.md §5.6). */
export const INVESTIGATION_FIELDS: FieldMap = columnFields("start_time:datetime id state machine_id:lower triggering_alert_id");

/**
 * Platforms automated investigation supports (initiate-autoir-investigation.md:
 * Windows 10 and 11, Windows Server 2019 and later); others are 400
 * OsPlatformNotSupported.
 */
const AIR_PLATFORMS: ReadonlySet<string> = new Set(["windows10", "windows11", "windowsserver2019", "windowsserver2022", "windowsserver2025"]);

/** GET /api/investigations: `$filter` on startTime, id, state, machineId, triggeringAlertId; `$top` ≤ 10,000; `$skip` (get-investigation-collection.md). */
export function listInvestigations(ctx: OperationContext): Response {
  refreshInvestigations(ctx.state, ctx.tenantId);
  const query = parseListQuery(ctx.url, { entity: "Investigations", fields: INVESTIGATION_FIELDS });
  const page = queryPage<{ json: string }>(ctx.state.db, { table: "investigations", select: "json", tenantId: ctx.tenantId, query });
  // Past a full page, a next link (with `$skip`) when the client sent no `$top`, as on alerts (mde-api.md §3.6).
  const next =
    page.hasMore && query.top === undefined && ctx.state.options.nextLinkWithoutTop ? nextLinkFor(ctx.url, query.skip + MAX_PAGE) : undefined;
  return collectionResponse(
    ctx,
    "Investigations",
    page.rows.map((r) => r.json),
    next,
  );
}

/** GET /api/investigations/{id}: by investigation id or triggering alert id; 404 otherwise. */
export function getInvestigation(ctx: OperationContext): Response {
  const id = ctx.params.id ?? "";
  const json = findInvestigation(ctx.state, ctx.tenantId, id);
  if (!json) throw resourceNotFound("Investigation", id);
  return entityResponse(ctx, "Investigations/$entity", json);
}

/** POST /api/machines/{id}/startInvestigation: body `{"Comment"}` (required) → 201 Investigation (initiate-autoir-investigation.md). */
export async function startMachineInvestigation(ctx: OperationContext): Promise<Response> {
  const body = await readJsonObject(ctx.c);
  checkBody(body, ["Comment"], ["Comment"]);
  optionalString(body, "Comment");
  const row = requireMachine(ctx);
  const machine = JSON.parse(row.json) as { id: string; computerDnsName: string; osPlatform?: string };
  const platform = machine.osPlatform ?? "";
  if (!AIR_PLATFORMS.has(platform.toLowerCase()))
    throw new MdeApiError(400, "OsPlatformNotSupported", `OS platform ${platform} not supported for this action`);
  const inv = startInvestigation(ctx.state, ctx.tenantId, machine, null);
  return entityResponse(ctx, "Investigations/$entity", JSON.stringify(inv), 201);
}
