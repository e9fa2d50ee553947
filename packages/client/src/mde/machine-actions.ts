/**
 * Response actions (mde-api.md §5.3). Bodies are PascalCase (`Comment`, `IsolationType`, `ScanType`,
 * `Sha1`, `Commands`; mde-api.md §3.2). Actions answer 201 (offboard may answer 200) with a
 * MachineAction that moves Pending → InProgress → Succeeded/Failed/TimeOut/Cancelled.
 */
import { type Clock, systemClock, systemSleep } from "../clock.js";
import { MdeInvalidResponseError, MdeTimeoutError } from "../errors.js";
import type { ODataString } from "./models/common.js";
import {
  FINAL_MACHINE_ACTION_STATUSES,
  type IsolationType,
  type LiveResponseCommand,
  type LiveResponseScriptTranscript,
  type MachineAction,
  type ScanType,
} from "./models/machine-action.js";
import type { MachineActionFilterFields } from "../odata/fields.js";
import type { OperationName } from "./operations.js";
import type { PagedResult } from "../odata/paging.js";
import { actionId, fileHash, machineId, path } from "../pipeline/path.js";
import type { MdeTransport } from "../pipeline/transport.js";
import { buildRequest, type ListOptions, MAX_TOP, odataList, type RequestOptions, requireText, sendJson } from "./call.js";
import { downloadThroughTransport } from "./result-download.js";

/** Options of actions that only take a comment. */
export interface CommentOptions extends RequestOptions {
  /** Required by every action (sent as `Comment`). */
  comment: string;
}

/** Options of `waitForCompletion`. */
export interface WaitOptions extends RequestOptions {
  /** Delay between polls (default 5,000 ms). */
  intervalMs?: number;
  /** Give up after this long (default 30 minutes). */
  timeoutMs?: number;
  /** Called with the action after every poll (e.g. to show a live response session's command progress). */
  onPoll?: (action: MachineAction) => void;
}

/** Options of a result download (`downloadLiveResponseResult`, `getLiveResponseScriptTranscript`). */
export interface ResultOptions extends RequestOptions {
  /** Refuse results larger than this (default 100 MB). */
  maxBytes?: number;
  /** Give up on the download after this long (default 5 minutes). */
  timeoutMs?: number;
}

/** @deprecated Use {@link Clock} (with its `sleep`). */
export type PollingClock = Clock;

/** Thrown by `waitForCompletion` when the action is still not final after `timeoutMs` (code `ERR_MDE_TIMEOUT`). */
export class MachineActionWaitTimeoutError extends MdeTimeoutError {
  /** The action as last seen. */
  readonly action: MachineAction;
  constructor(action: MachineAction, timeoutMs: number, tenantId?: string) {
    super(`machine action ${action.id} is still ${action.status} after ${timeoutMs} ms`, { tenantId, operation: "GetMachineAction" });
    this.action = action;
  }
}

/** The machine actions API of one tenant. */
export interface MachineActionsResource {
  /** `GET /api/machineactions`. */
  list(options?: ListOptions<MachineActionFilterFields>): PagedResult<MachineAction>;
  /** `GET /api/machineactions/{id}`. */
  get(id: string, options?: RequestOptions): Promise<MachineAction>;
  /** `POST /api/machines/{id}/isolate` (`Full`, `Selective` or `UnManagedDevice`). */
  isolate(machine: string, options: CommentOptions & { isolationType?: IsolationType }): Promise<MachineAction>;
  /** `POST /api/machines/{id}/unisolate`. */
  unisolate(machine: string, options: CommentOptions): Promise<MachineAction>;
  /** `POST /api/machines/{id}/restrictCodeExecution`. */
  restrictCodeExecution(machine: string, options: CommentOptions): Promise<MachineAction>;
  /** `POST /api/machines/{id}/unrestrictCodeExecution`. */
  unrestrictCodeExecution(machine: string, options: CommentOptions): Promise<MachineAction>;
  /** `POST /api/machines/{id}/runAntiVirusScan` (`Quick` or `Full`). */
  runAntiVirusScan(machine: string, options: CommentOptions & { scanType: ScanType }): Promise<MachineAction>;
  /** `POST /api/machines/{id}/collectInvestigationPackage`. */
  collectInvestigationPackage(machine: string, options: CommentOptions): Promise<MachineAction>;
  /** `POST /api/machines/{id}/StopAndQuarantineFile`. */
  stopAndQuarantineFile(machine: string, options: CommentOptions & { sha1: string }): Promise<MachineAction>;
  /** `POST /api/machines/{id}/offboard`. */
  offboard(machine: string, options: CommentOptions): Promise<MachineAction>;
  /** `POST /api/machines/{id}/runliveresponse` (commands in PutFile → RunScript → GetFile order). */
  runLiveResponse(machine: string, options: CommentOptions & { commands: readonly LiveResponseCommand[] }): Promise<MachineAction>;
  /** `POST /api/machineactions/{id}/cancel` (only before a final status). */
  cancel(id: string, options: CommentOptions): Promise<MachineAction>;
  /** `GET /api/machineactions/{id}/getPackageUri` → `{value: "<short-lived URL>"}` (2 calls/min). */
  getPackageUri(id: string, options?: RequestOptions): Promise<ODataString>;
  /** `GET /api/machineactions/{id}/GetLiveResponseResultDownloadLink(index=n)` → `{value: "<SAS URL, 30 min>"}`. */
  getLiveResponseResultLink(id: string, commandIndex: number, options?: RequestOptions): Promise<ODataString>;
  /**
   * Polls `get(id)` until the status is Succeeded, Failed, TimeOut or Cancelled; resolves with that
   * action (a live response session is final once its commands ran or one failed).
   */
  waitForCompletion(id: string, options?: WaitOptions): Promise<MachineAction>;
  /**
   * The result of live response command `commandIndex` (RunScript's transcript JSON, GetFile's file):
   * asks for its link, then downloads it without the bearer token (https only, at most `maxBytes`).
   *
   * @example
   * const done = await actions.waitForCompletion(action.id);
   * const zip = await actions.downloadLiveResponseResult(done.id, 1, { maxBytes: 200 * 1024 * 1024 });
   */
  downloadLiveResponseResult(id: string, commandIndex: number, options?: ResultOptions): Promise<Uint8Array>;
  /** The transcript of a RunScript command (`{script_name, exit_code, script_output, script_errors}`), downloaded as above. */
  getLiveResponseScriptTranscript(id: string, commandIndex: number, options?: ResultOptions): Promise<LiveResponseScriptTranscript>;
}

/** A RunScript transcript read from downloaded bytes; anything else is an invalid response. */
function parseTranscript(bytes: Uint8Array, details: { tenantId: string; operation: string }): LiveResponseScriptTranscript {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new MdeInvalidResponseError(`${details.operation}: the result is not a script transcript (not JSON)`, details);
  }
  const t = value as Partial<Record<keyof LiveResponseScriptTranscript, unknown>> | null;
  if (
    typeof t !== "object" ||
    t === null ||
    typeof t.script_name !== "string" ||
    typeof t.exit_code !== "number" ||
    typeof t.script_output !== "string" ||
    typeof t.script_errors !== "string"
  )
    throw new MdeInvalidResponseError(`${details.operation}: the result is not a script transcript (script_name, exit_code, script_output, script_errors)`, details);
  return { script_name: t.script_name, exit_code: t.exit_code, script_output: t.script_output, script_errors: t.script_errors };
}

/** Creates the machine actions resource over a transport. */
export function createMachineActionsResource(
  transport: MdeTransport,
  clock: Clock = systemClock,
): MachineActionsResource {
  const act = (name: OperationName, machine: string, verb: string, options: CommentOptions, extra: Record<string, unknown> = {}) => {
    requireText(options?.comment, "comment");
    const body = { Comment: options.comment, ...extra };
    return sendJson<MachineAction>(
      transport,
      buildRequest(name, `${path`/api/machines/${machineId(machine)}`}/${verb}`, { body, signal: options.signal }),
    );
  };
  const get = (id: string, options: RequestOptions = {}) =>
    sendJson<MachineAction>(transport, buildRequest("GetMachineAction", path`/api/machineactions/${actionId(id)}`, options));
  const resultLink = (id: string, commandIndex: number, options: RequestOptions = {}) => {
    if (!Number.isSafeInteger(commandIndex) || commandIndex < 0)
      throw new TypeError(`commandIndex must be a non-negative integer, got ${commandIndex}`);
    // The index is a validated integer, so it cannot break out of the OData call syntax.
    const url = `${path`/api/machineactions/${actionId(id)}`}/GetLiveResponseResultDownloadLink(index=${commandIndex})`;
    return sendJson<ODataString>(transport, buildRequest("GetLiveResponseResultLink", url, options));
  };
  const download = async (id: string, commandIndex: number, options: ResultOptions = {}) => {
    const link = await resultLink(id, commandIndex, options.signal ? { signal: options.signal } : {});
    return downloadThroughTransport(transport, link?.value, {
      ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      operation: "DownloadLiveResponseResult",
    });
  };

  return {
    list: (options = {}) =>
      odataList<MachineAction, MachineActionFilterFields>(transport, "ListMachineActions", "/api/machineactions", options, {
        maxTop: MAX_TOP,
      }),
    get,
    isolate: (machine, options) =>
      act(
        "IsolateMachine",
        machine,
        "isolate",
        options,
        options.isolationType !== undefined ? { IsolationType: options.isolationType } : {},
      ),
    unisolate: (machine, options) => act("UnisolateMachine", machine, "unisolate", options),
    restrictCodeExecution: (machine, options) => act("RestrictCodeExecution", machine, "restrictCodeExecution", options),
    unrestrictCodeExecution: (machine, options) => act("UnrestrictCodeExecution", machine, "unrestrictCodeExecution", options),
    runAntiVirusScan: (machine, options) => {
      requireText(options?.scanType, "scanType");
      return act("RunAntiVirusScan", machine, "runAntiVirusScan", options, { ScanType: options.scanType });
    },
    collectInvestigationPackage: (machine, options) => act("CollectInvestigationPackage", machine, "collectInvestigationPackage", options),
    stopAndQuarantineFile: (machine, options) =>
      act("StopAndQuarantineFile", machine, "StopAndQuarantineFile", options, { Sha1: fileHash(options?.sha1, ["sha1"]) }),
    offboard: (machine, options) => act("OffboardMachine", machine, "offboard", options),
    runLiveResponse: (machine, options) => {
      if (!Array.isArray(options?.commands) || options.commands.length === 0)
        throw new TypeError("runLiveResponse needs at least one command");
      // Key order as documented: Commands, then Comment.
      requireText(options.comment, "comment");
      const commands: readonly LiveResponseCommand[] = options.commands;
      const body = {
        Commands: commands.map((c) => ({ type: c.type, params: c.params.map((p) => ({ key: p.key, value: p.value })) })),
        Comment: options.comment,
      };
      return sendJson<MachineAction>(
        transport,
        buildRequest("RunLiveResponse", path`/api/machines/${machineId(machine)}/runliveresponse`, { body, signal: options.signal }),
      );
    },
    cancel: (id, options) => {
      requireText(options?.comment, "comment");
      return sendJson<MachineAction>(
        transport,
        buildRequest("CancelMachineAction", path`/api/machineactions/${actionId(id)}/cancel`, {
          body: { Comment: options.comment },
          signal: options.signal,
        }),
      );
    },
    getPackageUri: (id, options = {}) =>
      sendJson<ODataString>(transport, buildRequest("GetPackageUri", path`/api/machineactions/${actionId(id)}/getPackageUri`, options)),
    getLiveResponseResultLink: resultLink,
    downloadLiveResponseResult: download,
    getLiveResponseScriptTranscript: async (id, commandIndex, options = {}) =>
      parseTranscript(await download(id, commandIndex, options), { tenantId: transport.tenantId, operation: "GetLiveResponseScriptTranscript" }),
    waitForCompletion: async (id, options = {}) => {
      const intervalMs = options.intervalMs ?? 5_000;
      const timeoutMs = options.timeoutMs ?? 30 * 60_000;
      if (!(intervalMs >= 0) || !(timeoutMs >= 0)) throw new TypeError("intervalMs and timeoutMs must be non-negative numbers");
      actionId(id);
      const deadline = clock.now() + timeoutMs;
      for (;;) {
        options.signal?.throwIfAborted();
        const action = await get(id, options.signal ? { signal: options.signal } : {});
        options.onPoll?.(action);
        if (FINAL_MACHINE_ACTION_STATUSES.includes(action.status)) return action;
        const left = deadline - clock.now();
        if (left <= 0) throw new MachineActionWaitTimeoutError(action, timeoutMs, transport.tenantId);
        const wait = Math.min(intervalMs, left);
        await (clock.sleep ? clock.sleep(wait, options.signal) : systemSleep(wait, options.signal));
      }
    },
  };
}
