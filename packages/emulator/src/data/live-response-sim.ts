import { createHash } from "node:crypto";
import { toMdeTime } from "../core/clock.js";
import type { EmulatorState } from "../core/state.js";
import { ALL_SHORT_MARKERS, HOSTILE_STRINGS, hostileMarker } from "./hostile.js";
import { findLibraryFile } from "./library-store.js";
import { osFamily } from "./machine-factory.js";

/**
 * What a live response session does on a machine (run-live-response.md;
 * mde-api.md §5.3 "Live response details"): its commands run one after the
 * other once the session leaves Pending, each taking `actionInProgressMs` of
 * the emulator clock; the first failing command stops the session, the later
 * ones stay `Created` and the action ends Failed. With the option
 * `liveResponseQueuesOnInactive`, a session on an Inactive device (one that
 * stopped reporting) stays Pending and times out after 3 days. Everything is recomputed
 * from the stored request, the machine, its alerts' evidence and the library,
 * so the same session always ends the same way and its results need no
 * storage.
 *
 * The machine's "file system" is what a user can know about it: a few
 * well-known operating-system files, the files its alerts' evidence names, the
 * library files PutFile dropped and the files the seeded scripts write.
 */

export type LiveResponseCommandType = "PutFile" | "RunScript" | "GetFile";

export interface LiveResponseParam {
  key: string;
  value: string;
}

/** One entry of a live response action's `commands` (run-live-response.response.json). */
export interface LiveResponseCommandEntry {
  index: number;
  startTime: string | null;
  endTime: string | null;
  commandStatus: "Created" | "Completed" | "Failed";
  errors: string[];
  command: { type: LiveResponseCommandType; params: LiveResponseParam[] };
}

/** Where PutFile drops library files on Windows (the live response download folder). */
const WINDOWS_PUT_DIR = "C:\\ProgramData\\Microsoft\\Windows Defender Advanced Threat Protection\\Downloads";
const UNIX_PUT_DIR = "/opt/microsoft/mdatp/liveresponse/downloads";

const OS_FILES: Readonly<Record<"windows" | "linux" | "macos", readonly string[]>> = {
  windows: [
    "C:\\Windows\\System32\\cmd.exe",
    "C:\\Windows\\System32\\notepad.exe",
    "C:\\Windows\\System32\\lsass.exe",
    "C:\\Windows\\System32\\svchost.exe",
    "C:\\Windows\\System32\\drivers\\etc\\hosts",
    "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
    "C:\\Windows\\explorer.exe",
    "C:\\Windows\\Temp\\MpCmdRun.log",
  ],
  linux: ["/etc/hosts", "/etc/passwd", "/var/log/syslog", "/bin/bash", "/usr/bin/python3"],
  macos: ["/etc/hosts", "/var/log/system.log", "/bin/zsh", "/usr/bin/python3"],
};

/** HRESULTs on failed sessions: ERROR_FILE_NOT_FOUND, E_FAIL and ERROR_TIMEOUT. */
const HRESULT_FILE_NOT_FOUND = -2147024894;
const HRESULT_FAIL = -2147467259;
const HRESULT_TIMEOUT = -2147023436;
/** How long a session waits for a device that does not report. */
export const QUEUE_MS = 3 * 24 * 3_600_000;

export interface MachineFacts {
  id: string;
  computerDnsName: string;
  osPlatform: string;
  lastIpAddress: string | null;
  family: "windows" | "linux" | "macos";
  /** `Inactive` when the device has stopped reporting: a session waits for it. */
  healthStatus: string;
}

export function machineFacts(state: EmulatorState, tenantId: string, machineId: string): MachineFacts | undefined {
  const row = state.db.prepare("SELECT json FROM machines WHERE tenant_id = ? AND id = ?").get(tenantId, machineId) as { json: string } | undefined;
  if (!row) return undefined;
  const m = JSON.parse(row.json) as { id: string; computerDnsName: string; osPlatform: string; lastIpAddress?: string | null; healthStatus?: string };
  return {
    id: m.id,
    computerDnsName: m.computerDnsName,
    osPlatform: m.osPlatform,
    lastIpAddress: m.lastIpAddress ?? null,
    family: osFamily(m.osPlatform),
    healthStatus: m.healthStatus ?? "Active",
  };
}

const pathKey = (p: string) => p.replace(/\//g, "\\").toLowerCase();
const param = (c: LiveResponseCommandEntry, key: string) => c.command.params.find((p) => p.key === key)?.value ?? "";

/** Files the machine's alerts' evidence names (bounded: the latest 500 alerts). */
function evidenceFiles(state: EmulatorState, tenantId: string, machineId: string): string[] {
  const rows = state.db
    .prepare("SELECT evidence FROM alerts WHERE tenant_id = ? AND machine_id = ? ORDER BY seq DESC LIMIT 500")
    .all(tenantId, machineId) as Array<{ evidence: string }>;
  const files: string[] = [];
  for (const row of rows) {
    for (const e of JSON.parse(row.evidence) as Array<{ filePath?: string | null; fileName?: string | null }>) {
      if (!e.filePath || !e.fileName) continue;
      const sep = e.filePath.includes("/") ? "/" : "\\";
      files.push(`${e.filePath.replace(/[\\/]$/, "")}${sep}${e.fileName}`);
    }
  }
  return files;
}

/** Whether the path names a file on the machine before the session started. */
export function machineHasFile(state: EmulatorState, tenantId: string, machine: MachineFacts, path: string): boolean {
  const key = pathKey(path);
  return [...OS_FILES[machine.family], ...evidenceFiles(state, tenantId, machine.id)].some((f) => pathKey(f) === key);
}

/** Where PutFile drops a library file on this machine. */
export const putFilePath = (machine: MachineFacts, fileName: string) =>
  machine.family === "windows" ? `${WINDOWS_PUT_DIR}\\${fileName}` : `${UNIX_PUT_DIR}/${fileName}`;

/** A script run's result: the transcript the result link serves, and the files it wrote. */
export interface ScriptRun {
  exitCode: number;
  output: string;
  errors: string;
  writes: string[];
  /** Why the command failed (the command's `errors`), when it did. */
  failure?: string;
}

const digest = (...parts: string[]) => createHash("sha256").update(parts.join("\n")).digest();

/**
 * Runs a library script "on" the machine. PowerShell scripts run on Windows,
 * shell scripts on Linux and macOS; anything else fails with an unsupported
 * script type. A script's exit code is the first top-level `exit N` in its
 * text (0 without one), so an uploaded script fails deterministically when it
 * says so. The seeded scripts produce their own output.
 */
export function runScript(state: EmulatorState, tenantId: string, machine: MachineFacts, scriptName: string, args: string, hostile: boolean): ScriptRun {
  const script = findLibraryFile(state, tenantId, scriptName);
  if (!script) return { exitCode: -1, output: "", errors: "", writes: [], failure: `Script ${scriptName} was not found in the live response library.` };
  const lower = scriptName.toLowerCase();
  const powershell = lower.endsWith(".ps1");
  const shell = lower.endsWith(".sh");
  if ((machine.family === "windows" && !powershell) || (machine.family !== "windows" && !shell)) {
    return { exitCode: -1, output: "", errors: "", writes: [], failure: `Script ${scriptName} cannot run on ${machine.osPlatform}: unsupported script type.` };
  }
  const h = digest(state.options.seed, tenantId, machine.id, script.entity.sha256, args);
  const lines: string[] = [];
  if (powershell) {
    const transcriptId = h.subarray(0, 8).toString("hex");
    lines.push(
      `Transcript started, output file is C:\\ProgramData\\Microsoft\\Windows Defender Advanced Threat Protection\\Temp\\PSScriptOutputs\\PSScript_Transcript_${transcriptId}.txt`,
    );
  }
  let errors = "";
  const writes: string[] = [];
  let exitCode = Number(/^\s*exit\s+(-?\d+)\s*$/m.exec(script.content.toString("utf8"))?.[1] ?? 0);
  if (lower === "collect-triage.ps1") {
    const out = "C:\\Windows\\Temp\\triage.zip";
    lines.push(`Processes: ${60 + (h[8] ?? 0) % 140}`, `Services: ${180 + (h[9] ?? 0) % 90}`, `Scheduled tasks: ${40 + (h[10] ?? 0) % 60}`, out);
    writes.push(out);
  } else if (lower === "process-dump.ps1") {
    const name = args.trim().split(/\s+/)[0] ?? "";
    if (name === "") {
      exitCode = 1;
      errors = "Cannot process command because of one or more missing mandatory parameters: ProcessName.";
    } else {
      const out = `C:\\Windows\\Temp\\${name}.dmp.zip`;
      lines.push(out, `${1 + (h[8] ?? 0) % 120} MB`);
      writes.push(out);
    }
  } else if (lower === "network-connections.sh") {
    const ip = machine.lastIpAddress ?? "10.0.0.5";
    lines.push("Netid State  Local Address:Port  Peer Address:Port", `tcp   LISTEN 0.0.0.0:22           0.0.0.0:*`, `tcp   ESTAB  ${ip}:22           10.${h[8] ?? 1}.${h[9] ?? 2}.${h[10] ?? 3}:${49152 + ((h[11] ?? 0) << 4)}`);
  } else {
    lines.push(`Running ${scriptName}${args ? ` ${args}` : ""} on ${machine.computerDnsName}`, `Finished in ${100 + (h[8] ?? 0) * 7} ms`);
  }
  if (hostile) {
    // Output is attacker-influenced on a compromised machine: markers, markup and one huge line.
    lines.push(ALL_SHORT_MARKERS, HOSTILE_STRINGS.long);
    errors = `${errors}${hostileMarker(h[12] ?? 0)}`;
  }
  const run: ScriptRun = { exitCode, output: `${lines.join("\n")}\n`, errors, writes };
  if (exitCode !== 0) run.failure = `Script ${scriptName} exited with code ${exitCode}.`;
  return run;
}

/** The state of one session at a point in time. */
export interface SessionState {
  status: "Pending" | "InProgress" | "Succeeded" | "Failed" | "TimeOut";
  changedAt: number;
  commands: LiveResponseCommandEntry[];
  errorHResult: number;
}

/**
 * Replays a session up to `now`: the action's status, when it last changed,
 * its commands' statuses and times, and the error HRESULT of a failure.
 */
export function replaySession(
  state: EmulatorState,
  tenantId: string,
  session: { machineId: string; createdMs: number; commands: readonly LiveResponseCommandEntry[] },
  now: number,
): SessionState {
  const { actionPendingMs: pending, actionInProgressMs: step } = state.options;
  const machine = machineFacts(state, tenantId, session.machineId);
  const startedAt = session.createdMs + pending;
  const commands = session.commands.map((c): LiveResponseCommandEntry => ({ ...c, startTime: null, endTime: null, commandStatus: "Created", errors: [] }));
  if (now < startedAt) return { status: "Pending", changedAt: session.createdMs, commands, errorHResult: 0 };
  // A device that does not report keeps the session queued, for up to 3 days (run-live-response.md; mde-api.md §5.3).
  if (state.options.liveResponseQueuesOnInactive && machine?.healthStatus === "Inactive") {
    const expires = session.createdMs + QUEUE_MS;
    return now < expires
      ? { status: "Pending", changedAt: session.createdMs, commands, errorHResult: 0 }
      : { status: "TimeOut", changedAt: expires, commands, errorHResult: HRESULT_TIMEOUT };
  }
  const written: string[] = [];
  for (const [i, c] of commands.entries()) {
    const start = startedAt + i * step;
    const end = start + step;
    if (now < start) break;
    c.startTime = toMdeTime(start);
    if (now < end) return { status: "InProgress", changedAt: start, commands, errorHResult: 0 };
    c.endTime = toMdeTime(end);
    const failure = machine ? outcome(state, tenantId, machine, c, written) : { message: "The device is no longer available.", hresult: HRESULT_FAIL };
    if (failure) {
      c.commandStatus = "Failed";
      c.errors = [failure.message];
      return { status: "Failed", changedAt: end, commands, errorHResult: failure.hresult };
    }
    c.commandStatus = "Completed";
  }
  return { status: "Succeeded", changedAt: startedAt + commands.length * step, commands, errorHResult: 0 };
}

/** Runs one command; returns its failure, or undefined when it completed (recording files it wrote). */
function outcome(
  state: EmulatorState,
  tenantId: string,
  machine: MachineFacts,
  c: LiveResponseCommandEntry,
  written: string[],
): { message: string; hresult: number } | undefined {
  if (c.command.type === "PutFile") {
    const name = param(c, "FileName");
    if (!findLibraryFile(state, tenantId, name)) return { message: `File ${name} was not found in the live response library.`, hresult: HRESULT_FILE_NOT_FOUND };
    written.push(putFilePath(machine, name));
    return undefined;
  }
  if (c.command.type === "RunScript") {
    // Only the outcome and the files written matter here, not the (possibly huge, hostile) output.
    const run = runScript(state, tenantId, machine, param(c, "ScriptName"), param(c, "Args"), false);
    if (run.failure) return { message: run.failure, hresult: HRESULT_FAIL };
    written.push(...run.writes);
    return undefined;
  }
  const path = param(c, "Path");
  if (written.some((w) => pathKey(w) === pathKey(path)) || machineHasFile(state, tenantId, machine, path)) return undefined;
  return { message: `File ${path} was not found on the device.`, hresult: HRESULT_FILE_NOT_FOUND };
}

/**
 * The bytes GetFile collects: a library file PutFile dropped is itself; a zip
 * a script wrote is an (empty) zip archive; text files are plausible text;
 * binaries start with their format's magic followed by deterministic bytes.
 * At most 64 KB. A hostile tenant's text files carry the markers.
 */
export function fileBytes(state: EmulatorState, tenantId: string, machine: MachineFacts, path: string, hostile: boolean): Buffer {
  const key = pathKey(path);
  const putDir = pathKey(putFilePath(machine, ""));
  if (key.startsWith(putDir)) {
    const lib = findLibraryFile(state, tenantId, path.slice(putDir.length));
    if (lib) return lib.content;
  }
  const h = digest(state.options.seed, tenantId, machine.id, key);
  if (key.endsWith(".zip")) return Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]);
  const text = /\.(txt|log|csv|ps1|sh|json|xml|ini|conf)$|[\\/](hosts|passwd|syslog)$/.test(key);
  if (text) {
    const lines = [`# ${path} on ${machine.computerDnsName}`];
    if (key.endsWith("hosts")) lines.push("127.0.0.1 localhost", `${machine.lastIpAddress ?? "10.0.0.5"} ${machine.computerDnsName}`);
    else if (key.endsWith("passwd")) lines.push("root:x:0:0:root:/root:/bin/bash", "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin");
    else for (let i = 0; i < 5 + ((h[0] ?? 0) % 20); i++) lines.push(`${toMdeTime(Date.UTC(2026, 0, 1) + i * 61_000)} entry ${h.subarray(i % 28, (i % 28) + 4).toString("hex")}`);
    if (hostile) lines.push(ALL_SHORT_MARKERS);
    return Buffer.from(`${lines.join("\n")}\n`, "utf8");
  }
  const magic = machine.family === "windows" ? [0x4d, 0x5a, 0x90, 0x00] : machine.family === "linux" ? [0x7f, 0x45, 0x4c, 0x46] : [0xcf, 0xfa, 0xed, 0xfe];
  const size = 1024 + ((h.readUInt16BE(0) * 4) % (63 * 1024));
  const body = Buffer.alloc(size);
  for (let off = 0; off < size; off += 32) digest(h.toString("hex"), String(off)).copy(body, off);
  Buffer.from(magic).copy(body, 0);
  return body;
}
