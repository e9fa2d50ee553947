/**
 * Live response from the device page (mde-api.md §5.3 "Run live response",
 * §5.18 library): a library script with its arguments and/or a file to
 * collect, run through the engine (audited like every response action), and
 * the results read back through the result links.
 *
 * Result links are time-limited signed URLs (SAS; valid 30 minutes) on
 * another host than the API. They are downloaded here, server-side, through
 * the client's credential-less `transport.download` (no `Authorization`
 * header), and never handed to the browser: a SAS URL is itself
 * a credential (anyone holding it reads the customer's file until it expires),
 * and proxying keeps the console's role check and audit record in front of
 * every download. A link must point at the tenant's API origin or at Azure
 * Storage over HTTPS; redirects are not followed (the tenant's API chose the
 * link, so it is not trusted to choose where the server connects).
 */
import type { LibraryFile, LiveResponseCommand, MdeApi } from "@mde-partner/client";
import { isMdeError } from "@mde-partner/client";
import { type ResponseActionOutcome, type StoredMachineAction, tenantOf } from "@mde-partner/sync";
import type { ResolvedConsoleOptions } from "../options.js";
import type { ConsoleEngine } from "./engine.js";
import { InputError, NotFoundError } from "./errors.js";
import type { BriefCache } from "./tenant-reads.js";

/** Bounds of what an operator may send and what the console reads back. */
export const LIVE_RESPONSE_LIMITS = Object.freeze({
  /** Characters of a script's `Args`. */
  args: 1_000,
  /** Characters of a GetFile path. */
  path: 1_024,
  comment: 1_000,
  /** Library files listed on the form. */
  library: 500,
  /** Bytes of a RunScript transcript read from its result link (a hostile device's runs to megabytes). */
  transcriptBytes: 8 * 1024 * 1024,
  /** Characters of each transcript stream kept for the page (the raw transcript is a download). */
  transcriptShown: 100_000,
  /** Bytes of a collected file passed through to the browser. */
  fileBytes: 200 * 1024 * 1024,
});

// Azure Storage hosts of the public, US Government and China clouds (where MDE puts result files).
const STORAGE_HOST = /(^|\.)core\.(windows\.net|usgovcloudapi\.net|chinacloudapi\.cn)$/i;
const CONTROL = /\p{Cc}/u;

export interface LiveResponseInput {
  readonly tenantId: string;
  readonly machineId: string;
  /** A library script's file name; empty for none. */
  readonly script?: string | undefined;
  readonly args?: string | undefined;
  /** A path to collect with GetFile; empty for none. */
  readonly path?: string | undefined;
  readonly comment?: string | undefined;
}

/** The tenant's library (first page, at most {@link LIVE_RESPONSE_LIMITS.library} files). */
export async function listLibrary(api: MdeApi): Promise<LibraryFile[]> {
  const page = await api.library.list();
  return page.value.slice(0, LIVE_RESPONSE_LIMITS.library);
}

/** The commands of a request, checked against the tenant's library; an `InputError` saying what to change. */
export function liveResponseCommands(input: Pick<LiveResponseInput, "script" | "args" | "path">, library: readonly LibraryFile[]): LiveResponseCommand[] {
  const script = input.script?.trim() ?? "";
  const args = input.args?.trim() ?? "";
  const path = input.path?.trim() ?? "";
  if (!script && !path) throw new InputError("choose a script to run or a file to collect");
  const commands: LiveResponseCommand[] = [];
  if (script) {
    // The library's own spelling of the name is sent (names are matched without regard to case, as on Windows).
    const file = library.find((f) => typeof f.fileName === "string" && f.fileName.toLowerCase() === script.toLowerCase());
    if (!file) throw new InputError(`${JSON.stringify(script.slice(0, 100))} is not in this tenant's live response library`);
    if (args.length > LIVE_RESPONSE_LIMITS.args) throw new InputError(`the arguments must be at most ${LIVE_RESPONSE_LIMITS.args} characters`);
    if (CONTROL.test(args)) throw new InputError("the arguments must be one line without control characters");
    commands.push({
      type: "RunScript",
      params: [{ key: "ScriptName", value: file.fileName }, ...(args ? [{ key: "Args" as const, value: args }] : [])],
    });
  } else if (args) {
    throw new InputError("arguments need a script: choose one, or leave the arguments empty");
  }
  if (path) {
    if (path.length > LIVE_RESPONSE_LIMITS.path) throw new InputError(`the path must be at most ${LIVE_RESPONSE_LIMITS.path} characters`);
    if (CONTROL.test(path)) throw new InputError("the path must be one line without control characters");
    if (!/^(?:[A-Za-z]:\\|\\\\|\/)/.test(path)) throw new InputError("give the file's full path, e.g. C:\\Windows\\Temp\\out.zip or /var/log/syslog");
    commands.push({ type: "GetFile", params: [{ key: "Path", value: path }] });
  }
  return commands;
}

/** Checks the request against the device and the tenant's library, then runs it through the engine (which audits it). */
export async function requestLiveResponse(
  options: ResolvedConsoleOptions,
  engine: ConsoleEngine,
  actor: string,
  input: LiveResponseInput,
): Promise<ResponseActionOutcome> {
  const comment = input.comment?.trim() ?? "";
  if (comment === "") throw new InputError("a comment is required: say why (it is recorded with the action and in the audit log)");
  if (comment.length > LIVE_RESPONSE_LIMITS.comment) throw new InputError(`the comment must be at most ${LIVE_RESPONSE_LIMITS.comment} characters`);
  const { store, partner } = options;
  const [tenant, machine] = await Promise.all([store.getTenant(input.tenantId), store.getMachine(input.tenantId, input.machineId)]);
  if (!tenant || !machine) throw new NotFoundError(`device ${input.machineId} of tenant ${input.tenantId} is not in the console`);
  // A script the library no longer has is refused here, not after a session was queued on the device.
  const library = input.script?.trim() ? await listLibrary(tenantOf(partner, tenant).mde) : [];
  const commands = liveResponseCommands(input, library);
  return engine.runAction({ actor, tenantId: machine.tenantId, machineId: machine.id, action: "live-response", comment, commands });
}

/**
 * What the page says when the service refused the run: the two refusals an
 * operator can act on get their own sentence (mde-api.md §5.3: 400
 * `ActiveRequestAlreadyExists`, 429 past 10 runs a minute or 25 sessions).
 */
export function liveResponseRefusal(error: NonNullable<ResponseActionOutcome["error"]>): string {
  if (error.apiCode === "ActiveRequestAlreadyExists")
    return "A live response session is already running on this device. Wait for it to finish (its action is in the device's list) and run again.";
  if (error.code === "ERR_MDE_RATE_LIMITED") {
    const wait = error.retryAfterMs !== undefined ? `${Math.max(1, Math.ceil(error.retryAfterMs / 1000))} s` : "a minute";
    return `The customer's API is throttling live response (10 runs a minute, 25 sessions at once per tenant). Try again in ${wait}.`;
  }
  if (error.code === "ERR_MDE_FORBIDDEN") return `Live response needs Machine.LiveResponse, which this tenant has not granted: ${error.message}`;
  return `${error.code}: ${error.message}`;
}

/** A live response command as the action reports it (mde-api.md §5.3). */
export interface CommandProgress {
  readonly index: number;
  readonly type: string;
  readonly params: ReadonlyArray<{ key: string; value: string }>;
  readonly status: string;
  readonly errors: readonly string[];
  readonly startTime: string | null;
  readonly endTime: string | null;
}

const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

/** The commands of a stored LiveResponse action, whatever shape the tenant sent (at most 20). */
export function commandsOf(action: StoredMachineAction): CommandProgress[] {
  const raw = (action.payload as { commands?: unknown }).commands;
  if (!Array.isArray(raw)) return [];
  return raw.slice(0, 20).map((c: unknown, i): CommandProgress => {
    const entry = (c && typeof c === "object" ? c : {}) as Record<string, unknown>;
    const command = (entry.command && typeof entry.command === "object" ? entry.command : {}) as Record<string, unknown>;
    const params = Array.isArray(command.params) ? command.params : [];
    return {
      index: Number.isSafeInteger(entry.index) ? (entry.index as number) : i,
      type: str(command.type) ?? "?",
      params: params.slice(0, 10).map((p: unknown) => {
        const o = (p && typeof p === "object" ? p : {}) as Record<string, unknown>;
        return { key: str(o.key) ?? "?", value: str(o.value) ?? "" };
      }),
      status: str(entry.commandStatus) ?? "?",
      errors: Array.isArray(entry.errors) ? entry.errors.slice(0, 10).map((e) => (typeof e === "string" ? e : JSON.stringify(e))) : [],
      startTime: str(entry.startTime),
      endTime: str(entry.endTime),
    };
  });
}

/**
 * A RunScript transcript (mde-api.md §5.3: `script_name`, `exit_code`, `script_output`,
 * `script_errors`), each stream cut to {@link LIVE_RESPONSE_LIMITS.transcriptShown} characters.
 */
export interface Transcript {
  readonly scriptName: string | null;
  readonly exitCode: number | null;
  readonly output: string;
  readonly errors: string;
  /** Characters of each stream in the file. */
  readonly outputLength: number;
  readonly errorsLength: number;
}

export type TranscriptResult = { readonly ok: true; readonly transcript: Transcript } | { readonly ok: false; readonly message: string };

/** A download refused or failed (the page shows the message; the link itself never appears in it). */
export class ResultDownloadError extends Error {
  override name = "ResultDownloadError";
  readonly code = "result_download";
}

/** A result file being passed through: its bytes (cut off past the limit) and what its server said about it. */
export interface ResultStream {
  readonly body: ReadableStream<Uint8Array>;
  readonly length: number | undefined;
}

/** Whether `link` may be fetched for a tenant whose API is at `apiOrigin`. */
export function allowedResultLink(link: string, apiOrigin: string): URL {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    throw new ResultDownloadError("the service's result link is not a URL");
  }
  if (url.origin === new URL(apiOrigin).origin) return url;
  if (url.protocol === "https:" && STORAGE_HOST.test(url.hostname)) return url;
  throw new ResultDownloadError(`the service's result link points at ${url.protocol}//${url.hostname.slice(0, 100)}, which is neither the tenant's API nor Azure Storage: not followed`);
}

/**
 * Downloads a result link through the tenant's transport (`transport.download`: the partner
 * client's own fetch, no credentials, no redirects); the body stops with an error past `maxBytes`.
 */
export async function fetchResult(api: MdeApi, url: URL, maxBytes: number, signal?: AbortSignal): Promise<ResultStream> {
  if (!api.transport.download) throw new ResultDownloadError("this client cannot download result links (its transport has no fetch)");
  let res: Response;
  try {
    res = await api.transport.download(url.href, { operation: "DownloadLiveResponseResult", ...(signal ? { signal } : {}) });
  } catch (error) {
    if (isMdeError(error, "ERR_MDE_FORBIDDEN"))
      throw new ResultDownloadError("the result link was refused (links expire after 30 minutes): open the action again for a fresh one");
    if (isMdeError(error, "ERR_MDE_NOT_FOUND")) throw new ResultDownloadError("the result no longer exists on the service");
    // The client's messages name the link's host and path, never its signature.
    if (isMdeError(error)) throw new ResultDownloadError(`the result could not be downloaded: ${error.message.split("\n")[0]}`);
    throw error;
  }
  if (!res.body) throw new ResultDownloadError("the result's storage sent no body");
  const declared = Number(res.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body.cancel().catch(() => undefined);
    throw new ResultDownloadError(`the result is ${declared} bytes; the console passes at most ${maxBytes}`);
  }
  let seen = 0;
  const limit = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > maxBytes) controller.error(new ResultDownloadError(`the result is larger than ${maxBytes} bytes`));
      else controller.enqueue(chunk);
    },
  });
  return { body: res.body.pipeThrough(limit), length: Number.isFinite(declared) ? declared : undefined };
}

/** The result link of one command of an action, as a checked URL. */
async function resultLink(api: MdeApi, actionId: string, index: number): Promise<URL> {
  const link = await api.machineActions.getLiveResponseResultLink(actionId, index);
  if (typeof link?.value !== "string") throw new ResultDownloadError("the service returned no result link");
  return allowedResultLink(link.value, api.transport.baseUrl);
}

/** Opens the result file of command `index` for passing through (GetFile's file, or a transcript as JSON). */
export async function openResult(options: ResolvedConsoleOptions, tenantId: string, actionId: string, index: number): Promise<ResultStream> {
  const tenant = await options.store.getTenant(tenantId);
  if (!tenant) throw new NotFoundError(`tenant ${tenantId} is not in the console`);
  const api = tenantOf(options.partner, tenant).mde;
  return fetchResult(api, await resultLink(api, actionId, index), LIVE_RESPONSE_LIMITS.fileBytes);
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Parses a transcript file; anything else is a message, not an exception. */
export function parseTranscript(bytes: Buffer): TranscriptResult {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString("utf8").replace(/^\uFEFF/, ""));
  } catch {
    return { ok: false, message: "the result is not a script transcript (not JSON)" };
  }
  if (!json || typeof json !== "object" || Array.isArray(json)) return { ok: false, message: "the result is not a script transcript" };
  const t = json as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === "string" ? v : v === null || v === undefined ? "" : JSON.stringify(v));
  const output = text(t.script_output);
  const errors = text(t.script_errors);
  const max = LIVE_RESPONSE_LIMITS.transcriptShown;
  return {
    ok: true,
    transcript: {
      scriptName: typeof t.script_name === "string" ? t.script_name.slice(0, 1_000) : null,
      exitCode: typeof t.exit_code === "number" ? t.exit_code : null,
      output: output.slice(0, max),
      errors: errors.slice(0, max),
      outputLength: output.length,
      errorsLength: errors.length,
    },
  };
}

/**
 * The transcripts of the completed RunScript commands of a final action, by
 * command index; each read once and kept in `cache` (a final action's results
 * do not change), failures kept as messages.
 */
export async function readTranscripts(
  options: ResolvedConsoleOptions,
  cache: BriefCache,
  action: StoredMachineAction,
  commands: readonly CommandProgress[],
): Promise<Map<number, TranscriptResult>> {
  const out = new Map<number, TranscriptResult>();
  // A script that exited non-zero fails its command but may have left a transcript (DOC-SILENT): it is asked for, and a refusal shown.
  const scripts = commands.filter((c) => c.type === "RunScript" && (c.status === "Completed" || c.status === "Failed"));
  if (!scripts.length) return out;
  const tenant = await options.store.getTenant(action.tenantId);
  if (!tenant) return out;
  const api = tenantOf(options.partner, tenant).mde;
  for (const c of scripts) {
    const key = `transcript\n${action.tenantId}\n${action.id}\n${c.index}`;
    const hit = cache.get<TranscriptResult>(key);
    if (hit) {
      out.set(c.index, hit);
      continue;
    }
    let result: TranscriptResult;
    try {
      const stream = await fetchResult(api, await resultLink(api, action.id, c.index), LIVE_RESPONSE_LIMITS.transcriptBytes);
      result = parseTranscript(await readAll(stream.body));
      cache.set(key, result);
    } catch (error) {
      const message =
        error instanceof ResultDownloadError || isMdeError(error) ? (error as Error).message.split("\n")[0]! : "the transcript could not be read";
      result = { ok: false, message };
    }
    out.set(c.index, result);
  }
  return out;
}
