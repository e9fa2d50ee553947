/**
 * How a live response session prints for a person: one heading per machine,
 * one line per command, and each script's transcript — output and errors as
 * the machine produced them, which is tenant data: every line goes through the
 * output's terminal-safe printer (control characters shown visibly, each line
 * bounded) and a transcript shows at most {@link TRANSCRIPT_LINES} lines
 * (`--out DIR` keeps it whole).
 */
import type { Output } from "../../output/output.js";

/** One command of a session and what it gave. */
export interface CommandResult {
  index: number;
  type: string;
  params: Array<{ key: string; value: string }>;
  /** `Created`, `Completed`, `Failed` (null when the session never reported it). */
  commandStatus: string | null;
  errors: string[];
  /** RunScript: the transcript (run-live-response.md: script_name, exit_code, script_output, script_errors). */
  transcript?: { script_name: string | null; exit_code: number | null; script_output: string; script_errors: string };
  /** Bytes downloaded and their SHA-256. */
  bytes?: number;
  sha256?: string;
  /** With --out: where the result was written. */
  savedTo?: string;
  resultError?: string;
}

/** One machine's session. */
export interface MachineSession {
  tenantId: string;
  tenantName: string;
  machineId: string;
  computerDnsName: string;
  actionId: string | null;
  status: string | null;
  commands: CommandResult[];
  error?: { code: string; message: string; apiCode?: string; hint?: string };
}

/** Lines of a transcript shown on the terminal (the rest is counted). */
export const TRANSCRIPT_LINES = 200;

function block(out: Output, label: string, text: string): void {
  if (text === "") return;
  const lines = text.replace(/\r\n?/g, "\n").replace(/\n$/, "").split("\n");
  out.line(`    ${label}:`);
  for (const line of lines.slice(0, TRANSCRIPT_LINES)) out.line(`      ${line}`);
  if (lines.length > TRANSCRIPT_LINES) out.line(`      … ${lines.length - TRANSCRIPT_LINES} more line(s); --out DIR keeps the whole transcript`);
}

export function printSession(out: Output, s: MachineSession): void {
  const status = s.status ?? "not started";
  out.line(`${s.computerDnsName} (${s.machineId}) of ${s.tenantName}: ${status}${s.actionId ? `, action ${s.actionId}` : ""}`, out.palette.bold);
  for (const c of s.commands) {
    const param = c.params.map((p) => `${p.key}=${p.value}`).join(" ");
    const exit = c.transcript?.exit_code !== undefined && c.transcript?.exit_code !== null ? `, exit code ${c.transcript.exit_code}` : "";
    out.line(`  [${c.index}] ${c.type} ${param}: ${c.commandStatus ?? "not run"}${exit}`);
    for (const e of c.errors) out.line(`    error: ${e}`);
    if (c.transcript) {
      block(out, "output", c.transcript.script_output);
      block(out, "errors", c.transcript.script_errors);
    }
    if (c.type === "GetFile" && c.commandStatus === "Completed")
      out.line(c.savedTo ? `    saved ${c.bytes} bytes to ${c.savedTo}` : "    not downloaded: give --out DIR to save fetched files");
    else if (c.savedTo) out.line(`    transcript saved to ${c.savedTo}`);
    if (c.resultError) out.line(`    result not downloaded: ${c.resultError}`);
  }
}
