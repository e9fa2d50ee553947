import { randomUUID } from "node:crypto";
import { defineDownload, type Download, signedLink } from "../core/signed-links.js";
import type { EmulatorState } from "../core/state.js";
import { findLibraryFile } from "../data/library-store.js";
import {
  fileBytes,
  type LiveResponseCommandEntry,
  type LiveResponseCommandType,
  type LiveResponseParam,
  machineFacts,
  runScript,
} from "../data/live-response-sim.js";
import { advanceMachineActions, insertMachineAction } from "../data/machine-action-store.js";
import { MdeApiError } from "./errors.js";
import { requireMachine } from "./machines.js";
import { contextUrl, entityResponse, jsonResponse, type OperationContext } from "./operation-context.js";
import { checkBody, optionalString, readJsonObject } from "./request-body.js";

/**
 * Live response over the API (run-live-response.md, get-live-response-result.md;
 * mde-api.md §5.3 "Live response details"): a session of PutFile, RunScript and
 * GetFile commands becomes a `LiveResponse` machine action whose commands
 * progress with the emulator clock (data/live-response-sim.ts); each finished
 * RunScript or GetFile has a result behind a 30-minute signed link.
 */

/**
 * Success status of runliveresponse: the page's text says 201 and its example
 * prints `HTTP/1.1 200 Ok` (DOC-CONFLICT, mde-api.md §8.5). 201 like every other action.
 */
export const LIVE_RESPONSE_SUCCESS_STATUS = 201;
/** "Maximum of 25 concurrent sessions" per tenant; more → 429 (run-live-response.md, Limitations). */
export const MAX_CONCURRENT_SESSIONS = 25;
/** "The link is valid for 30 minutes" (get-live-response-result.md). */
export const RESULT_LINK_MS = 30 * 60_000;
/** More commands than this in one request are refused; the real bound is DOC-SILENT. */
const MAX_COMMANDS = 50;
const MAX_PARAM_LENGTH = 4096;

/** Commands must come in this order, repeats allowed (run-live-response.md). */
const ORDER: Readonly<Record<LiveResponseCommandType, number>> = { PutFile: 0, RunScript: 1, GetFile: 2 };
/** Each command's parameters: required first, then optional. */
const PARAMS: Readonly<Record<LiveResponseCommandType, { required: readonly string[]; optional: readonly string[] }>> = {
  PutFile: { required: ["FileName"], optional: [] },
  RunScript: { required: ["ScriptName"], optional: ["Args"] },
  GetFile: { required: ["Path"], optional: [] },
};

const invalid = (message: string) => new MdeApiError(400, "InvalidRequestBody", `Request body is incorrect: ${message}`);

/** Validates `Commands` as documented; returns the entries the action starts with. */
function parseCommands(state: EmulatorState, tenantId: string, raw: unknown): LiveResponseCommandEntry[] {
  if (!Array.isArray(raw) || raw.length === 0) throw invalid("'Commands' must be a non-empty array.");
  if (raw.length > MAX_COMMANDS) throw invalid(`at most ${MAX_COMMANDS} commands per request.`);
  let rank = 0;
  return raw.map((item: unknown, index): LiveResponseCommandEntry => {
    if (typeof item !== "object" || item === null || Array.isArray(item)) throw invalid(`command ${index} must be an object with 'type' and 'params'.`);
    checkBody(item as Record<string, unknown>, ["type", "params"], ["type"]);
    const { type, params } = item as { type: unknown; params: unknown };
    if (typeof type !== "string" || !Object.hasOwn(ORDER, type)) throw invalid(`command ${index} has type '${String(type)}'; expected PutFile, RunScript or GetFile.`);
    const t = type as LiveResponseCommandType;
    if (ORDER[t] < rank) throw invalid(`commands must come in the order PutFile, RunScript, GetFile; command ${index} (${t}) is out of order.`);
    rank = ORDER[t];
    const list = params ?? [];
    if (!Array.isArray(list)) throw invalid(`command ${index}: 'params' must be an array of {key, value}.`);
    const spec = PARAMS[t];
    const parsed: LiveResponseParam[] = list.map((p: unknown) => {
      if (typeof p !== "object" || p === null) throw invalid(`command ${index}: 'params' must be an array of {key, value}.`);
      checkBody(p as Record<string, unknown>, ["key", "value"], ["key"]);
      const { key, value } = p as { key: unknown; value: unknown };
      if (typeof key !== "string" || ![...spec.required, ...spec.optional].includes(key))
        throw invalid(`command ${index} (${t}) does not take parameter '${String(key)}'; it takes ${[...spec.required, ...spec.optional].join(", ")}.`);
      if (typeof value !== "string" || value.length > MAX_PARAM_LENGTH) throw invalid(`command ${index}: parameter ${key} must be a string of at most ${MAX_PARAM_LENGTH} characters.`);
      if (givenTwice(list, key)) throw invalid(`command ${index}: parameter ${key} is given twice.`);
      return { key, value };
    });
    for (const key of spec.required) {
      if (!parsed.some((p) => p.key === key && p.value !== "")) throw new MdeApiError(400, "MissingRequiredParameter", `Parameter ${key} of command ${index} (${t}) is missing.`);
    }
    const libraryName = parsed.find((p) => p.key === "FileName" || p.key === "ScriptName")?.value;
    // The wording for a name the library lacks is DOC-SILENT.
    if (libraryName !== undefined && !findLibraryFile(state, tenantId, libraryName))
      throw new MdeApiError(400, "BadRequest", `File ${libraryName} was not found in the live response library.`);
    return { index, startTime: null, endTime: null, commandStatus: "Created", errors: [], command: { type: t, params: parsed } };
  });
}

function givenTwice(list: readonly unknown[], key: string): boolean {
  return list.filter((p) => (p as { key?: unknown }).key === key).length > 1;
}

/** Open (Pending or InProgress) live response sessions of the tenant, or of one of its machines. */
function openSessions(ctx: OperationContext, machineId?: string): number {
  const open = "tenant_id = ? AND type = 'LiveResponse' AND status IN ('Pending', 'InProgress')";
  const row = (
    machineId === undefined
      ? ctx.state.db.prepare(`SELECT count(*) AS n FROM machine_actions WHERE ${open}`).get(ctx.tenantId)
      : ctx.state.db.prepare(`SELECT count(*) AS n FROM machine_actions WHERE ${open} AND machine_id = ?`).get(ctx.tenantId, machineId)
  ) as { n: number };
  return row.n;
}

/** `POST /api/machines/{id}/runliveresponse`. */
export async function runLiveResponse(ctx: OperationContext): Promise<Response> {
  const body = await readJsonObject(ctx.c);
  checkBody(body, ["Commands", "Comment"], ["Commands", "Comment"]);
  const comment = optionalString(body, "Comment") ?? "";
  const machine = requireMachine(ctx);
  const commands = parseCommands(ctx.state, ctx.tenantId, body.Commands);
  advanceMachineActions(ctx.state, ctx.tenantId);
  // One session per machine; the next is refused, not queued (run-live-response.md).
  if (openSessions(ctx, machine.id) > 0)
    throw new MdeApiError(400, "ActiveRequestAlreadyExists", `A live response session is already running on machine ${machine.id}.`);
  if (openSessions(ctx) >= MAX_CONCURRENT_SESSIONS)
    throw new MdeApiError(429, "TooManyRequests", `Maximum of ${MAX_CONCURRENT_SESSIONS} concurrent live response sessions reached.`);
  const info = JSON.parse(machine.json) as { computerDnsName: string };
  const action = insertMachineAction(ctx.state, {
    tenantId: ctx.tenantId,
    id: randomUUID(),
    type: "LiveResponse",
    scope: null,
    requestor: ctx.token.clientId,
    requestSource: "PublicApi",
    comment,
    machineId: machine.id,
    computerDnsName: info.computerDnsName,
    createdMs: ctx.state.clock.now(),
    commands,
  });
  return entityResponse(ctx, "MachineActions/$entity", JSON.stringify(action), LIVE_RESPONSE_SUCCESS_STATUS);
}

interface StoredSession {
  machineId: string;
  status: string;
  commands: LiveResponseCommandEntry[];
}

function loadSession(state: EmulatorState, tenantId: string, actionId: string): StoredSession | undefined {
  const row = state.db
    .prepare("SELECT machine_id, type, status, json FROM machine_actions WHERE tenant_id = ? AND id = ?")
    .get(tenantId, actionId.toLowerCase()) as { machine_id: string; type: string; status: string; json: string } | undefined;
  if (!row || row.type !== "LiveResponse") return undefined;
  const json = JSON.parse(row.json) as { commands: LiveResponseCommandEntry[] };
  return { machineId: row.machine_id, status: row.status, commands: json.commands };
}

/** A command's result, if it has one: RunScript's transcript (also of a script that exited non-zero), GetFile's bytes. */
function commandResult(state: EmulatorState, tenantId: string, session: StoredSession, index: number): { body: Buffer; contentType: string } | undefined {
  const command = session.commands[index];
  const machine = machineFacts(state, tenantId, session.machineId);
  if (!command || !machine || command.endTime === null) return undefined;
  const value = (key: string) => command.command.params.find((p) => p.key === key)?.value ?? "";
  const hostile = state.tenants.get(tenantId)?.hostile ?? false;
  if (command.command.type === "RunScript") {
    const run = runScript(state, tenantId, machine, value("ScriptName"), value("Args"), hostile);
    if (run.exitCode === -1) return undefined;
    // Transcript fields as live-response-runscript-transcript.json prints them.
    const transcript = { script_name: value("ScriptName"), exit_code: run.exitCode, script_output: run.output, script_errors: run.errors };
    return { body: Buffer.from(JSON.stringify(transcript), "utf8"), contentType: "application/json" };
  }
  if (command.command.type === "GetFile" && command.commandStatus === "Completed") {
    return { body: fileBytes(state, tenantId, machine, value("Path"), hostile), contentType: "application/octet-stream" };
  }
  return undefined;
}

/** Served behind the signed link; `ref` is `{actionId}/{index}`. */
defineDownload("live-response", (state: EmulatorState, download: Download) => {
  const [actionId = "", index = ""] = download.ref.split("/");
  const session = loadSession(state, download.tenantId, actionId);
  const result = session ? commandResult(state, download.tenantId, session, Number(index)) : undefined;
  if (!result) {
    return new Response(`\uFEFF<?xml version="1.0" encoding="utf-8"?><Error><Code>BlobNotFound</Code><Message>The specified blob does not exist.</Message></Error>`, {
      status: 404,
      headers: { "content-type": "application/xml" },
    });
  }
  return new Response(new Uint8Array(result.body), { headers: { "content-type": result.contentType, "content-length": String(result.body.length) } });
});

/**
 * `GET /api/machineactions/{id}/GetLiveResponseResultDownloadLink(index=N)`:
 * `{value: "<link>"}`, valid 30 minutes, re-requestable without re-running.
 * Statuses for a bad index and an unfinished command are DOC-SILENT: a malformed
 * index is 400, an index the session does not have is 404 (like any missing
 * resource), a command without a result yet (or ever: PutFile, a failed
 * GetFile) is 400 naming why.
 */
export function liveResponseResultLink(ctx: OperationContext): Response {
  advanceMachineActions(ctx.state, ctx.tenantId);
  const id = ctx.params.id ?? "";
  const match = /^\s*index\s*=\s*(\d{1,4})\s*$/i.exec(ctx.params.index ?? "");
  if (!match?.[1]) throw new MdeApiError(400, "InvalidInput", `Invalid input ${ctx.params.index ?? ""}: expected index=<command index>.`);
  const index = Number(match[1]);
  const session = loadSession(ctx.state, ctx.tenantId, id);
  if (!session) throw new MdeApiError(404, "ResourceNotFound", `Live response machine action ${id} was not found`);
  const command = session.commands[index];
  if (!command) throw new MdeApiError(404, "ResourceNotFound", `Command ${index} of machine action ${id} was not found`);
  if (command.endTime === null) throw new MdeApiError(400, "BadRequest", `Command ${index} of machine action ${id} has not finished yet (${command.commandStatus}).`);
  if (command.command.type === "PutFile") throw new MdeApiError(400, "BadRequest", `Command ${index} is a PutFile command, which has no result.`);
  if (!commandResult(ctx.state, ctx.tenantId, session, index))
    throw new MdeApiError(400, "BadRequest", `Command ${index} of machine action ${id} failed and has no result.`);
  const fileName = command.command.type === "RunScript" ? "transcript.json" : baseName(command.command.params.find((p) => p.key === "Path")?.value ?? "file");
  const value = signedLink(ctx.state, ctx.origin, { kind: "live-response", tenantId: ctx.tenantId, ref: `${id.toLowerCase()}/${index}`, fileName, validMs: RESULT_LINK_MS });
  return jsonResponse(200, { "@odata.context": contextUrl(ctx, "Edm.String"), value });
}

const baseName = (path: string) => path.split(/[\\/]/).filter(Boolean).pop() ?? "file";
