/**
 * Response actions on one machine (mde-api.md §5.3), each audited twice: a
 * `requested` entry before the call and a `completed`/`failed` one after,
 * tied by a correlation id (a crash between the two still leaves a trace).
 * Actions are not idempotent, so nothing here repeats a call whose outcome is
 * unknown (the client's retry policy does not either).
 */
import { randomUUID } from "node:crypto";
import {
  FINAL_MACHINE_ACTION_STATUSES,
  isMdeError,
  type LiveResponseCommand,
  type MachineAction,
  machineActionFilter,
  type MdeApi,
  MdeHttpError,
  MdeRateLimitedError,
} from "@mde-partner/client";
import { tenantOf } from "./tenant-of.js";
import { tenantProblem } from "./tenant-problem.js";
import type { ResponseActionKind, ResponseActionOutcome, ResponseActionRequest } from "./types.js";

/** MachineAction `type` of each kind, and the types that block it while open (the API's pairs). */
const ACTION_TYPES: Readonly<Record<Exclude<ResponseActionKind, "tag-add" | "tag-remove">, readonly string[]>> = {
  isolate: ["Isolate", "Unisolate"],
  unisolate: ["Unisolate", "Isolate"],
  restrict: ["RestrictCodeExecution", "UnrestrictCodeExecution"],
  unrestrict: ["UnrestrictCodeExecution", "RestrictCodeExecution"],
  scan: ["RunAntiVirusScan"],
  collect: ["CollectInvestigationPackage"],
  quarantine: ["StopAndQuarantineFile"],
  offboard: ["Offboard"],
  "live-response": ["LiveResponse"],
};

/** Live response command types in the order the API requires them (mde-api.md §5.3). */
const LIVE_RESPONSE_ORDER = ["PutFile", "RunScript", "GetFile"];

const KINDS = new Set<string>([...Object.keys(ACTION_TYPES), "tag-add", "tag-remove"]);
const FINAL: ReadonlySet<string> = new Set(FINAL_MACHINE_ACTION_STATUSES);

/** Checks a request before anything is sent or audited; throws a `TypeError` naming the mistake. */
export function checkResponseActionRequest(r: Omit<ResponseActionRequest, "store" | "partner">): void {
  if (!r || typeof r !== "object") throw new TypeError("runResponseAction needs a request object");
  if (!KINDS.has(r.action)) throw new TypeError(`unknown response action ${JSON.stringify(r.action)}`);
  if (typeof r.comment !== "string" || r.comment.trim() === "") throw new TypeError("every response action needs a comment");
  if (typeof r.actor !== "string" || r.actor.trim() === "") throw new TypeError("actor is required (who asks, for the audit log)");
  if (typeof r.machineId !== "string" || r.machineId === "") throw new TypeError("machineId is required");
  if (r.action === "scan" && r.scanType !== undefined && r.scanType !== "Quick" && r.scanType !== "Full")
    throw new TypeError("scanType must be Quick or Full");
  if (r.action === "quarantine" && (typeof r.sha1 !== "string" || !/^[0-9a-fA-F]{40}$/.test(r.sha1)))
    throw new TypeError("quarantine needs the file's sha1 (40 hex characters)");
  if ((r.action === "tag-add" || r.action === "tag-remove") && (typeof r.tag !== "string" || r.tag.trim() === ""))
    throw new TypeError(`${r.action} needs a tag`);
  if (r.action === "live-response") checkCommands(r.commands);
}

/** Live response commands: at least one, known types in PutFile → RunScript → GetFile order, string params. */
function checkCommands(commands: ResponseActionRequest["commands"]): void {
  if (!Array.isArray(commands) || commands.length === 0) throw new TypeError("live-response needs at least one command");
  let last = 0;
  for (const c of commands) {
    const rank = LIVE_RESPONSE_ORDER.indexOf(c?.type);
    if (rank < 0) throw new TypeError(`unknown live response command ${JSON.stringify(c?.type)}; use ${LIVE_RESPONSE_ORDER.join(", ")}`);
    if (rank < last) throw new TypeError(`live response commands must come in the order ${LIVE_RESPONSE_ORDER.join(", ")}`);
    last = rank;
    if (!Array.isArray(c.params) || c.params.some((p: { key?: unknown; value?: unknown } | null) => typeof p?.key !== "string" || typeof p?.value !== "string"))
      throw new TypeError(`live response command ${c.type} needs params of {key, value} strings`);
  }
}

/** The request as recorded in the audit log (no secrets in it). */
function auditedRequest(r: ResponseActionRequest): Record<string, unknown> {
  const out: Record<string, unknown> = { action: r.action, machineId: r.machineId, wait: r.wait === true };
  for (const k of ["isolationType", "scanType", "sha1", "tag"] as const) if (r[k] !== undefined) out[k] = r[k];
  if (r.commands !== undefined) out.commands = r.commands.map((c) => ({ type: c.type, params: c.params.map((p) => ({ key: p.key, value: p.value })) }));
  return out;
}

function create(api: MdeApi, r: ResponseActionRequest): Promise<MachineAction> {
  const base = { comment: r.comment, ...(r.signal ? { signal: r.signal } : {}) };
  const m = api.machineActions;
  switch (r.action) {
    case "isolate":
      return m.isolate(r.machineId, { ...base, isolationType: r.isolationType ?? "Full" });
    case "unisolate":
      return m.unisolate(r.machineId, base);
    case "restrict":
      return m.restrictCodeExecution(r.machineId, base);
    case "unrestrict":
      return m.unrestrictCodeExecution(r.machineId, base);
    case "scan":
      return m.runAntiVirusScan(r.machineId, { ...base, scanType: r.scanType ?? "Quick" });
    case "collect":
      return m.collectInvestigationPackage(r.machineId, base);
    case "quarantine":
      return m.stopAndQuarantineFile(r.machineId, { ...base, sha1: r.sha1 as string });
    case "offboard":
      return m.offboard(r.machineId, base);
    case "live-response":
      return m.runLiveResponse(r.machineId, { ...base, commands: (r.commands ?? []) as readonly LiveResponseCommand[] });
    default:
      throw new TypeError(`not a machine action: ${r.action}`);
  }
}

/**
 * mde-api.md §3.3: a repeated action while one is open answers HTTP 400 with
 * the message "Action is already in progress"; its `code` is DOC-SILENT, so
 * this is the one place that must read the message text.
 */
function isAlreadyInProgress(error: unknown): boolean {
  return isMdeError(error, "ERR_MDE_BAD_REQUEST") && /already in progress|pending machine action/i.test(error.message);
}

/** The open action that blocks `r` on its machine, if the list shows one. */
async function findOpenAction(api: MdeApi, r: ResponseActionRequest): Promise<MachineAction | undefined> {
  const types = ACTION_TYPES[r.action as keyof typeof ACTION_TYPES] ?? [];
  const f = machineActionFilter;
  const list = api.machineActions.list({
    filter: f.and(f.eq("machineId", r.machineId), f.anyOf("status", ["Pending", "InProgress"])),
    ...(r.signal ? { signal: r.signal } : {}),
  });
  let found: MachineAction | undefined;
  for await (const a of list) {
    if (!types.includes(String(a.type))) continue;
    if (!found || String(a.creationDateTimeUtc ?? "") > String(found.creationDateTimeUtc ?? "")) found = a;
  }
  return found;
}

/** Skew allowed between our clock and the service's `creationDateTimeUtc` when adopting an earlier attempt's action. */
const ADOPT_SKEW_MS = 2 * 60_000;

/** The action an earlier attempt of `r` created (same machine, type and comment, since `since`), if any. */
async function findEarlierAttempt(api: MdeApi, r: ResponseActionRequest, since: string): Promise<MachineAction | undefined> {
  const type = ACTION_TYPES[r.action as keyof typeof ACTION_TYPES]?.[0];
  if (!type) return undefined;
  const f = machineActionFilter;
  const list = api.machineActions.list({
    filter: f.and(f.eq("machineId", r.machineId), f.ge("creationDateTimeUtc", new Date(Date.parse(since) - ADOPT_SKEW_MS))),
    ...(r.signal ? { signal: r.signal } : {}),
  });
  let found: MachineAction | undefined;
  for await (const a of list) {
    if (String(a.type) !== type || (a.requestorComment ?? "") !== r.comment) continue;
    if (!found || String(a.creationDateTimeUtc ?? "") > String(found.creationDateTimeUtc ?? "")) found = a;
  }
  return found;
}

function summary(a: MachineAction): NonNullable<ResponseActionOutcome["machineAction"]> {
  return { ...(a as unknown as Record<string, unknown>), id: a.id, status: String(a.status), type: String(a.type) };
}

/**
 * Runs one response action on one machine and returns what happened; errors
 * of the service are outcomes (`result: "failed"`, `error`), caller mistakes
 * are `TypeError`s before anything is sent or audited.
 *
 * @example
 * const out = await runResponseAction({ store, partner, actor: "cli:alice", tenantId, machineId, action: "isolate", comment: "INC-42", wait: true });
 */
export async function runResponseAction(request: ResponseActionRequest): Promise<ResponseActionOutcome> {
  checkResponseActionRequest(request);
  if (request.adoptSince !== undefined && Number.isNaN(Date.parse(request.adoptSince))) throw new TypeError("adoptSince must be an ISO time");
  const { store, tenantId, machineId, action } = request;
  const correlationId = randomUUID();
  const auditAction = `machine.${action}`;
  const requested = await store.appendAudit({
    actor: request.actor,
    action: auditAction,
    phase: "requested",
    tenantId,
    target: machineId,
    comment: request.comment,
    request: auditedRequest(request),
    correlationId,
  });
  const auditIds = [String(requested.id)];
  const outcome: ResponseActionOutcome = { tenantId: requested.tenantId ?? tenantId, machineId, action, result: "failed", auditIds };
  const finish = async (phase: "completed" | "failed", result: string) => {
    const entry = await store.appendAudit({
      actor: request.actor,
      action: auditAction,
      phase,
      tenantId,
      target: machineId,
      comment: request.comment,
      result,
      correlationId,
    });
    auditIds.push(String(entry.id));
  };
  // The operator is kept with the action: MDE records only the app as its requestor.
  const record = (a: MachineAction) => store.upsertMachineActions(tenantId, [a], { operator: request.actor }).catch(() => 0);

  try {
    const tenant = await store.getTenant(tenantId).catch(() => null);
    const api = tenantOf(request.partner, tenant ?? { id: tenantId }).mde;
    if (action === "tag-add" || action === "tag-remove") {
      const opts = request.signal ? { signal: request.signal } : {};
      if (action === "tag-add") await api.machines.addTag(machineId, request.tag as string, opts);
      else await api.machines.removeTag(machineId, request.tag as string, opts);
      outcome.result = "tagged";
      await finish("completed", `${action === "tag-add" ? "added" : "removed"} tag ${request.tag}`);
      return outcome;
    }
    let machineAction: MachineAction;
    const earlier = request.adoptSince !== undefined ? await findEarlierAttempt(api, request, request.adoptSince) : undefined;
    if (earlier) {
      machineAction = earlier;
      outcome.result = "created";
      outcome.adopted = true;
    } else {
      try {
        machineAction = await create(api, request);
        outcome.result = "created";
      } catch (error) {
        // A live response session already running (400 ActiveRequestAlreadyExists) runs other
        // commands: it is a refusal to report, never an action to adopt as this one.
        if (action === "live-response" || !isAlreadyInProgress(error)) throw error;
        outcome.result = "already-in-progress";
        const open = await findOpenAction(api, request).catch(() => undefined);
        if (!open) {
          await finish("completed", "already in progress");
          return outcome;
        }
        machineAction = open;
      }
    }
    await record(machineAction);
    outcome.machineAction = summary(machineAction);
    try {
      request.onAction?.(outcome.machineAction);
    } catch {
      // A listener's bug must not lose the outcome.
    }
    if (request.wait && !FINAL.has(String(machineAction.status))) {
      try {
        machineAction = await api.machineActions.waitForCompletion(machineAction.id, {
          ...(request.waitTimeoutMs !== undefined ? { timeoutMs: request.waitTimeoutMs } : {}),
          ...(request.pollIntervalMs !== undefined ? { intervalMs: request.pollIntervalMs } : {}),
          ...(request.signal ? { signal: request.signal } : {}),
        });
      } catch (error) {
        const last = (error as { action?: MachineAction }).action;
        if (last) {
          await record(last);
          outcome.machineAction = summary(last);
        }
        const p = tenantProblem(error);
        outcome.error = { code: p.code, message: p.message };
        await finish("completed", `${outcome.result}; ${last?.status ?? machineAction.status} (not final: ${p.code})`);
        return outcome;
      }
      await record(machineAction);
      outcome.machineAction = summary(machineAction);
    }
    // Waited for (or adopted already final): a created action ends as what it became.
    if (request.wait && outcome.result === "created" && FINAL.has(String(machineAction.status)))
      outcome.result = machineAction.status === "Succeeded" ? "succeeded" : "failed";
    const status = String(machineAction.status);
    const failed = request.wait && FINAL.has(status) && status !== "Succeeded";
    await finish(failed ? "failed" : "completed", `${outcome.result}; action ${machineAction.id} ${status}`);
    return outcome;
  } catch (error) {
    const p = tenantProblem(error);
    outcome.result = "failed";
    outcome.error = {
      code: p.code,
      message: p.message,
      ...(error instanceof MdeHttpError && error.apiCode !== undefined ? { apiCode: error.apiCode } : {}),
      ...(error instanceof MdeRateLimitedError && error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
    };
    await finish("failed", `${p.code}: ${p.message}`);
    return outcome;
  }
}
