import { randomUUID } from "node:crypto";
import { toMdeTime } from "../core/clock.js";
import { defineDownload, signedLink } from "../core/signed-links.js";
import { advanceMachineActions, FINAL_STATUSES, insertMachineAction, type MachineActionType } from "../data/machine-action-store.js";
import { osFamily } from "../data/machine-factory.js";
import { MdeApiError, resourceNotFound } from "./errors.js";
import { liveResponseResultLink, runLiveResponse } from "./live-response.js";
import { requireMachine } from "./machines.js";
import { columnFields, type FieldMap } from "./odata-filter.js";
import { parseListQuery, queryPage } from "./odata-query.js";
import { collectionResponse, contextUrl, entityResponse, jsonResponse, operation, type OperationContext, type OperationSpec } from "./operation-context.js";
import { checkBody, optionalEnum, optionalString, readJsonObject } from "./request-body.js";

const READ = ["Machine.Read.All", "Machine.ReadWrite.All"] as const;

/**
 * Success status of offboard: the page's text says "200 - Created" while every
 * other action answers 201 (DOC-CONFLICT, mde-api.md §8.5). The emulator uses 201.
 */
export const OFFBOARD_SUCCESS_STATUS = 201;

/** Filterable machine-action properties (get-machineactions-collection.md; mde-api.md §5.3). */
export const MACHINE_ACTION_FIELDS: FieldMap = columnFields(`
  id:lower status machine_id:lower type requestor creationdatetimeutc=creation_time:datetime
`);

// Actions that cannot run while the other one is still open on the same machine.
const CONFLICTS: Partial<Record<MachineActionType, MachineActionType[]>> = {
  Isolate: ["Isolate", "Unisolate"],
  Unisolate: ["Isolate", "Unisolate"],
  RestrictCodeExecution: ["RestrictCodeExecution", "UnrestrictCodeExecution"],
  UnrestrictCodeExecution: ["RestrictCodeExecution", "UnrestrictCodeExecution"],
};

interface ActionRule {
  type: MachineActionType;
  /** Body keys allowed and required; both default to `Comment` alone. */
  keys?: readonly string[];
  required?: readonly string[];
  /** The action's `scope` from the body (isolation type, scan type). */
  scope?: (body: Record<string, unknown>) => string | null;
  /** OS families the action supports (mde-api.md §5.3, "OS constraints"). */
  families?: ReadonlyArray<"windows" | "linux" | "macos">;
  status?: number;
}

function createAction(rule: ActionRule) {
  return async (ctx: OperationContext): Promise<Response> => {
    const body = await readJsonObject(ctx.c);
    checkBody(body, rule.keys ?? ["Comment"], rule.required ?? ["Comment"]);
    const comment = optionalString(body, "Comment") ?? "";
    const scope = rule.scope ? rule.scope(body) : null;
    let relatedFileInfo: { fileIdentifier: string; fileIdentifierType: string } | null = null;
    if (rule.type === "StopAndQuarantineFile") {
      const sha1 = optionalString(body, "Sha1") ?? "";
      if (!/^[0-9a-fA-F]{40}$/.test(sha1)) throw new MdeApiError(400, "InvalidHashValue", `Hash ${sha1} is invalid`);
      relatedFileInfo = { fileIdentifier: sha1.toLowerCase(), fileIdentifierType: "Sha1" };
    }
    const machine = requireMachine(ctx);
    const info = JSON.parse(machine.json) as { osPlatform: string; computerDnsName: string };
    const family = osFamily(info.osPlatform);
    const families = rule.type === "Isolate" && scope === "Selective" ? (["windows"] as const) : rule.families;
    if (families && !families.includes(family)) {
      throw new MdeApiError(400, "OsPlatformNotSupported", `OS platform ${info.osPlatform} not supported for this action`);
    }
    advanceMachineActions(ctx.state, ctx.tenantId);
    const conflicting = CONFLICTS[rule.type] ?? [rule.type];
    const open = ctx.state.db
      .prepare(
        `SELECT 1 FROM machine_actions WHERE tenant_id = ? AND machine_id = ? AND status IN ('Pending', 'InProgress')
         AND type IN (${conflicting.map(() => "?").join(", ")}) LIMIT 1`,
      )
      .get(ctx.tenantId, machine.id, ...conflicting);
    // "Action is already in progress" (unisolate/restrict/scan pages); the code is DOC-SILENT: BadRequest.
    if (open) throw new MdeApiError(400, "BadRequest", "Action is already in progress");
    const action = insertMachineAction(ctx.state, {
      tenantId: ctx.tenantId,
      id: randomUUID(),
      type: rule.type,
      scope,
      requestor: ctx.token.clientId,
      requestSource: "PublicApi",
      comment,
      machineId: machine.id,
      computerDnsName: info.computerDnsName,
      createdMs: ctx.state.clock.now(),
      relatedFileInfo,
    });
    return entityResponse(ctx, "MachineActions/$entity", JSON.stringify(action), rule.status ?? 201);
  };
}

function loadAction(ctx: OperationContext): { seq: number; json: string; status: string; type: string } {
  advanceMachineActions(ctx.state, ctx.tenantId);
  const id = ctx.params.id ?? "";
  const row = ctx.state.db
    .prepare("SELECT seq, json, status, type FROM machine_actions WHERE tenant_id = ? AND id = ?")
    .get(ctx.tenantId, id.toLowerCase()) as { seq: number; json: string; status: string; type: string } | undefined;
  if (!row) throw resourceNotFound("Machine action", id);
  return row;
}

function listActions(ctx: OperationContext): Response {
  advanceMachineActions(ctx.state, ctx.tenantId);
  const query = parseListQuery(ctx.url, { entity: "MachineActions", fields: MACHINE_ACTION_FIELDS });
  const page = queryPage<{ json: string }>(ctx.state.db, { table: "machine_actions", select: "json", tenantId: ctx.tenantId, query });
  return collectionResponse(
    ctx,
    "MachineActions",
    page.rows.map((r) => r.json),
  );
}

function getAction(ctx: OperationContext): Response {
  return entityResponse(ctx, "MachineActions/$entity", loadAction(ctx).json);
}

/** Cancel: only actions not yet final (cancel-machine-action.md) → 200 MachineAction. */
async function cancelAction(ctx: OperationContext): Promise<Response> {
  const body = await readJsonObject(ctx.c);
  checkBody(body, ["Comment"], ["Comment"]);
  const row = loadAction(ctx);
  if (FINAL_STATUSES.has(row.status)) {
    throw new MdeApiError(400, "BadRequest", `Machine action ${ctx.params.id} is already ${row.status} and cannot be canceled.`);
  }
  const now = toMdeTime(ctx.state.clock.now());
  const action = JSON.parse(row.json) as Record<string, unknown>;
  Object.assign(action, {
    status: "Cancelled",
    cancellationRequestor: ctx.token.clientId,
    cancellationComment: optionalString(body, "Comment") ?? "",
    cancellationDateTimeUtc: now,
    lastUpdateDateTimeUtc: now,
  });
  const json = JSON.stringify(action);
  ctx.state.db.prepare("UPDATE machine_actions SET status = 'Cancelled', json = ? WHERE seq = ?").run(json, row.seq);
  return entityResponse(ctx, "MachineActions/$entity", json);
}

/**
 * Package URI of a finished collection (get-package-sas-uri.md): 404 until the
 * action succeeded. The link points at a download path of this emulator that
 * serves nothing; clients only need a short-lived URL.
 */
/** The package link is short-lived ("use it immediately", get-package-sas-uri.md); an hour is DOC-SILENT but SAS-typical. */
const PACKAGE_LINK_MS = 60 * 60_000;

/**
 * An investigation package: an empty zip archive (its end-of-central-directory
 * record alone), named as the portal names it. The content is not the point;
 * the link's expiry and signature are.
 */
defineDownload("investigation-package", () =>
  new Response(new Uint8Array([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]), {
    headers: { "content-type": "application/zip", "content-disposition": 'attachment; filename="WDATP_Investigation_Package.zip"' },
  }),
);

function packageUri(ctx: OperationContext): Response {
  const row = loadAction(ctx);
  if (row.type !== "CollectInvestigationPackage" || row.status !== "Succeeded") {
    throw new MdeApiError(404, "ResourceNotFound", `Investigation package for machine action ${ctx.params.id} was not found`);
  }
  const value = signedLink(ctx.state, ctx.origin, {
    kind: "investigation-package",
    tenantId: ctx.tenantId,
    ref: ctx.params.id ?? "",
    fileName: "WDATP_Investigation_Package.zip",
    validMs: PACKAGE_LINK_MS,
  });
  return jsonResponse(200, { "@odata.context": contextUrl(ctx, "Edm.String"), value });
}

const WINDOWS = ["windows"] as const;
const isolationType = (body: Record<string, unknown>) => optionalEnum(body, "IsolationType", ["Full", "Selective", "UnManagedDevice"] as const) ?? "Full";
const scanType = (body: Record<string, unknown>) => optionalEnum(body, "ScanType", ["Quick", "Full"] as const) ?? null;
/** Any response-action role may cancel an action (cancel-machine-action.md), listed in the page's order. */
const ACTION_ROLES = ["CollectForensics", "Isolate", "RestrictExecution", "Scan", "Offboard", "StopAndQuarantine", "LiveResponse"].map((role) => `Machine.${role}`);

/** Machine action operations of mde-api.md §5.3. */
export const machineActionOperations: OperationSpec[] = [
  operation("GET", "machineactions", "ListMachineActions", READ, listActions),
  operation("GET", "machineactions/{id}", "GetMachineAction", READ, getAction),
  operation("POST", "machineactions/{id}/cancel", "CancelMachineAction", ACTION_ROLES, cancelAction),
  operation("GET", "machineactions/{id}/getPackageUri", "GetPackageUri", READ, packageUri, { perMinute: 2, perHour: 120 }),
  // get-live-response-result.md's table names Machine.LiveResponse; mde-api.md §5.3 lists the read roles: either works.
  operation("GET", "machineactions/{id}/GetLiveResponseResultDownloadLink({index})", "GetLiveResponseResultDownloadLink", [...READ, "Machine.LiveResponse"], liveResponseResultLink),
  operation("POST", "machines/{id}/isolate", "IsolateMachine", ["Machine.Isolate"], createAction({ type: "Isolate", keys: ["Comment", "IsolationType"], required: ["Comment"], scope: isolationType })),
  operation("POST", "machines/{id}/unisolate", "UnisolateMachine", ["Machine.Isolate"], createAction({ type: "Unisolate" })),
  operation("POST", "machines/{id}/restrictCodeExecution", "RestrictCodeExecution", ["Machine.RestrictExecution"], createAction({ type: "RestrictCodeExecution", families: WINDOWS })),
  operation("POST", "machines/{id}/unrestrictCodeExecution", "UnrestrictCodeExecution", ["Machine.RestrictExecution"], createAction({ type: "UnrestrictCodeExecution", families: WINDOWS })),
  operation("POST", "machines/{id}/runAntiVirusScan", "RunAntiVirusScan", ["Machine.Scan"], createAction({ type: "RunAntiVirusScan", keys: ["Comment", "ScanType"], required: ["Comment", "ScanType"], scope: scanType, families: WINDOWS })),
  operation("POST", "machines/{id}/collectInvestigationPackage", "CollectInvestigationPackage", ["Machine.CollectForensics"], createAction({ type: "CollectInvestigationPackage", families: WINDOWS })),
  operation("POST", "machines/{id}/StopAndQuarantineFile", "StopAndQuarantineFile", ["Machine.StopAndQuarantine"], createAction({ type: "StopAndQuarantineFile", keys: ["Comment", "Sha1"], required: ["Comment", "Sha1"], families: WINDOWS })),
  operation("POST", "machines/{id}/offboard", "OffboardMachine", ["Machine.Offboard"], createAction({ type: "Offboard", families: WINDOWS, status: OFFBOARD_SUCCESS_STATUS })),
  operation("POST", "machines/{id}/runliveresponse", "RunLiveResponse", ["Machine.LiveResponse"], runLiveResponse, { perMinute: 10 }),
];
