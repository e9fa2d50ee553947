/**
 * `mde-partner machines live-response`: runs a live response session — library
 * files put (`--put-file`), a library script run (`--script NAME [--args …]`),
 * files fetched (`--get-file PATH`), in the order the API requires
 * (run-live-response.md) — on one or many machines of one or many tenants,
 * waits for each session (`--timeout`), then downloads each command's result
 * through its time-limited link (the client sends no bearer token there).
 * Transcripts are printed made safe for the terminal and bounded, or written to
 * `--out DIR` under names made of validated ids only. Each session goes through
 * the engine's `runResponseAction` (audited `machine.live-response`). The API
 * takes 10 sessions a minute and 25 at once per tenant: the client paces the
 * calls and waits out a 429 as it does for every operation (its retry policy);
 * a session still refused after that is that machine's error.
 */
import { createHash } from "node:crypto";
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { guid, type LiveResponseCommand, machineActionFilter, type MachineAction, type MdeApi, mapWithConcurrency } from "@mde-partner/client";
import { runResponseAction, type TenantRecord, tenantOf } from "@mde-partner/sync";
import { actorName } from "../../cli-audit.js";
import { loadConfig } from "../../config.js";
import type { CommandContext } from "../../context.js";
import { parseDuration } from "../../duration.js";
import { CliError, EXIT, multiTenantExit, parseCount, toCliError, usageError } from "../../errors.js";
import { createOutput, type OutputFlags } from "../../output/output.js";
import { openPartner, withStore } from "../../partner.js";
import { requireTenant } from "../../tenant-selection.js";
import { confirm } from "../confirm.js";
import { checkLibraryFileName } from "../library/run.js";
import { type LiveResponseTarget, liveResponseTargets } from "./live-response-targets.js";
import { type CommandResult, type MachineSession, printSession } from "./live-response-output.js";

export interface LiveResponseOptions extends OutputFlags {
  script?: string;
  args?: string;
  putFile?: string[];
  getFile?: string[];
  target?: string[];
  targetsFile?: string;
  comment?: string;
  timeout?: string;
  out?: string;
  concurrency?: string;
  yes?: boolean;
}

/** A transcript is small JSON; this bounds what is read of one. */
const TRANSCRIPT_MAX_BYTES = 10 * 1024 * 1024;
/** A fetched file is kept up to this size (written to --out). */
const FILE_MAX_BYTES = 200 * 1024 * 1024;

/** The session's commands in the documented order: PutFile…, RunScript, GetFile…. */
export function liveResponseCommands(options: Pick<LiveResponseOptions, "script" | "args" | "putFile" | "getFile">): LiveResponseCommand[] {
  const commands: LiveResponseCommand[] = [];
  for (const name of options.putFile ?? []) commands.push({ type: "PutFile", params: [{ key: "FileName", value: checkLibraryFileName(name, "file name (--put-file)") }] });
  if (options.args !== undefined && options.script === undefined) throw usageError("--args goes with --script");
  if (options.script !== undefined) {
    const params = [{ key: "ScriptName", value: checkLibraryFileName(options.script, "script name (--script)") }];
    if (options.args !== undefined) {
      if (options.args.length > 4000 || /[\u0000-\u001f\u007f]/.test(options.args))
        throw usageError("--args must be one line of at most 4000 characters");
      params.push({ key: "Args", value: options.args });
    }
    commands.push({ type: "RunScript", params });
  }
  for (const path of options.getFile ?? []) {
    if (path.trim() === "" || path.length > 1024 || /[\u0000-\u001f\u007f]/.test(path))
      throw usageError(`--get-file ${JSON.stringify(path.slice(0, 60))} is not a file path`, "e.g. --get-file 'C:\\Windows\\System32\\drivers\\etc\\hosts'");
    commands.push({ type: "GetFile", params: [{ key: "Path", value: path }] });
  }
  if (commands.length === 0) throw usageError("nothing to run", "give --script NAME, --put-file NAME or --get-file PATH");
  return commands;
}

/** `--out DIR`: created when missing; must be a folder. */
function outDir(dir: string): string {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!statSync(dir).isDirectory()) throw new Error("not a folder");
  } catch (error) {
    throw usageError(`--out ${dir}: ${(error as Error).message}`, "give a folder the results can be written to");
  }
  return dir;
}


export async function runLiveResponseCommand(tenantId: string | undefined, machineIds: string[], options: LiveResponseOptions, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  const comment = options.comment?.trim();
  if (!comment) throw usageError('live-response needs --comment "why"', "every response action carries a comment; it is recorded by MDE and in the audit log");
  if (comment.length > 1000) throw usageError("--comment is longer than 1000 characters");
  const commands = liveResponseCommands(options);
  const targets = liveResponseTargets(tenantId, machineIds, options);
  const timeoutMs = parseDuration("--timeout", options.timeout ?? "15m", { minMs: 10_000 });
  // At most 25 sessions at once per tenant (run-live-response.md); fewer by default.
  const concurrency = parseCount("--concurrency", options.concurrency ?? "5", { min: 1, max: 25 });
  const dir = options.out !== undefined ? outDir(options.out) : undefined;

  return withStore(config.storeUrl, async (store) => {
    const tenants = new Map<string, TenantRecord>();
    for (const t of targets) if (!tenants.has(t.tenantId)) tenants.set(t.tenantId, await requireTenant(store, t.tenantId));
    const partner = openPartner(config, ctx);
    try {
      // Every machine is looked up first: a typo stops the run before any session starts.
      const names = new Map<string, string>();
      for (const t of targets) {
        try {
          const m = await tenantOf(partner, tenants.get(t.tenantId)!).mde.machines.get(t.machineId);
          // A computer name given is replaced by the machine's id (the one the action and file names use).
          if (typeof m.id === "string" && /^[0-9a-f]{40}$/i.test(m.id)) t.machineId = m.id.toLowerCase();
          names.set(`${t.tenantId}:${t.machineId}`, String(m.computerDnsName ?? t.machineId));
        } catch (error) {
          if ((error as { code?: string }).code === "ERR_MDE_NOT_FOUND")
            throw usageError(`machine ${t.machineId} does not exist in tenant ${tenants.get(t.tenantId)!.name} (${t.tenantId})`, `list them: mde-partner machines list --tenant ${t.tenantId}`);
          throw toCliError(error);
        }
      }
      const what = commands.map((c) => `${c.type} ${c.params[0]?.value ?? ""}`).join(", ");
      if (!options.yes && !(await confirm(ctx.io, `Run live response (${what}) on ${targets.length} machine(s) in ${tenants.size} tenant(s)?`))) {
        out.note("nothing done");
        return EXIT.failed;
      }
      const failures: CliError[] = [];
      const sessions = await mapWithConcurrency(targets, concurrency, async (t) => {
        const tenant = tenants.get(t.tenantId)!;
        const session = await runSession(partner, store, ctx, tenant, t, commands, comment, timeoutMs, dir);
        session.computerDnsName = names.get(`${t.tenantId}:${t.machineId}`) ?? t.machineId;
        if (session.error) {
          const e = toCliError(Object.assign(new Error(session.error.message), { code: session.error.code }));
          // A session already running is not bad input (the 400 says so): the run failed for that machine.
          failures.push(session.error.apiCode === "ActiveRequestAlreadyExists" ? new CliError(e.message, EXIT.failed) : e);
          out.error(`machine ${session.computerDnsName} of ${tenant.name}: ${session.error.message}`, session.error.hint ?? e.hint);
        }
        if (out.mode === "ndjson") out.record(session);
        else if (out.mode === "table") printSession(out, session);
        return session;
      });
      if (out.mode === "json") out.json(sessions);
      if (dir && out.mode === "table") out.note(`results written to ${dir}`);
      return failures.length === 0 ? EXIT.ok : multiTenantExit(failures, sessions.length);
    } finally {
      await partner.close();
    }
  });
}

async function runSession(
  partner: ReturnType<typeof openPartner>,
  store: Parameters<typeof runResponseAction>[0]["store"],
  ctx: CommandContext,
  tenant: TenantRecord,
  t: LiveResponseTarget,
  commands: LiveResponseCommand[],
  comment: string,
  timeoutMs: number,
  dir: string | undefined,
): Promise<MachineSession> {
  const session: MachineSession = { tenantId: tenant.id, tenantName: tenant.name, machineId: t.machineId, computerDnsName: t.machineId, actionId: null, status: null, commands: [] };
  const api = tenantOf(partner, tenant).mde;
  const outcome = await runResponseAction({
    store,
    partner,
    actor: actorName(ctx.io.env),
    tenantId: tenant.id,
    machineId: t.machineId,
    action: "live-response",
    comment,
    commands,
    wait: true,
    waitTimeoutMs: timeoutMs,
  });
  const action = outcome.machineAction as (MachineAction & Record<string, unknown>) | undefined;
  session.actionId = action?.id ?? null;
  session.status = action ? String(action.status) : null;
  if (outcome.error) {
    session.error = { ...outcome.error };
    if (outcome.error.apiCode === "ActiveRequestAlreadyExists") {
      const open = await openSession(api, t.machineId).catch(() => undefined);
      session.error = {
        ...outcome.error,
        message: "a live response session is already running on this machine (ActiveRequestAlreadyExists)",
        hint: open
          ? `wait for it to end, or cancel it: mde-partner machines cancel ${tenant.id} ${open} --comment "…"`
          : "wait for the running session to end (one session per machine at a time), then run again",
      };
    } else if (outcome.error.code === "ERR_MDE_TIMEOUT") {
      session.error = { ...outcome.error, hint: "the session is still running on the machine; give it longer with --timeout" };
    }
  } else if (session.status !== "Succeeded" && session.status !== null) {
    session.error = { code: "ERR_MDE_HTTP", message: `the session ended ${session.status}` };
  }
  for (const [i, sent] of commands.entries()) {
    const done = action?.commands?.find((c) => c.index === i);
    const result: CommandResult = {
      index: i,
      type: String(sent.type),
      params: sent.params.map((p) => ({ key: p.key, value: p.value })),
      commandStatus: done ? String(done.commandStatus) : null,
      errors: Array.isArray(done?.errors) ? done.errors.map(String) : [],
    };
    session.commands.push(result);
    if (!session.actionId || result.commandStatus !== "Completed" || (sent.type !== "RunScript" && sent.type !== "GetFile")) continue;
    try {
      await fetchResult(api, session, result, dir);
    } catch (error) {
      const e = toCliError(error);
      result.resultError = e.message;
      session.error ??= { code: (error as { code?: string }).code ?? "ERR_MDE_HTTP", message: `the result of command ${i} (${sent.type}) could not be downloaded: ${e.message}` };
    }
  }
  return session;
}

/** The live response session open on the machine, if the list shows one. */
async function openSession(api: MdeApi, machineId: string): Promise<string | undefined> {
  const f = machineActionFilter;
  for await (const a of api.machineActions.list({ filter: f.and(f.eq("machineId", machineId), f.eq("type", "LiveResponse"), f.anyOf("status", ["Pending", "InProgress"])) }))
    return guid(String(a.id), "machine action id");
  return undefined;
}

/** Downloads one command's result through its link (the client sends no bearer token there): a transcript parsed, a file's size and hash; with `dir`, written there. */
async function fetchResult(api: MdeApi, session: MachineSession, result: CommandResult, dir: string | undefined): Promise<void> {
  // Without --out a fetched file is not downloaded: it is not shown on a terminal or in JSON.
  if (result.type === "GetFile" && !dir) return;
  const actionId = guid(String(session.actionId), "machine action id");
  const bytes = await api.machineActions.downloadLiveResponseResult(actionId, result.index, {
    maxBytes: result.type === "RunScript" ? TRANSCRIPT_MAX_BYTES : FILE_MAX_BYTES,
  });
  result.bytes = bytes.byteLength;
  result.sha256 = createHash("sha256").update(bytes).digest("hex");
  if (result.type === "RunScript") {
    const text = new TextDecoder().decode(bytes);
    try {
      const t = JSON.parse(text) as Record<string, unknown>;
      result.transcript = {
        script_name: typeof t.script_name === "string" ? t.script_name : null,
        exit_code: typeof t.exit_code === "number" ? t.exit_code : null,
        script_output: typeof t.script_output === "string" ? t.script_output : "",
        script_errors: typeof t.script_errors === "string" ? t.script_errors : "",
      };
    } catch {
      result.transcript = { script_name: null, exit_code: null, script_output: text, script_errors: "" };
    }
  }
  if (dir) {
    // Names from validated ids and the command's index only: nothing the tenant sent chooses a path.
    const folder = join(dir, session.tenantId);
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    const name = `${session.machineId}_${actionId.slice(0, 8)}_${result.index}-${result.type === "RunScript" ? "transcript.json" : "file.bin"}`;
    const file = join(folder, name);
    writeFileSync(file, bytes, { mode: 0o600 });
    result.savedTo = file;
  }
}
