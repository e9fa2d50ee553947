import type { CliStream } from "../io.js";
import type { Palette } from "./color.js";
import { terminalText } from "./terminal-text.js";

/** Per-tenant progress of a multi-tenant run. */
export interface Progress {
  /** Sets a tenant's line: items done, total when known, and a short status. */
  update(key: string, label: string, state: { done: number; total?: number | undefined; status?: string | undefined }): void;
  /** Draws the final state and releases the terminal. */
  finish(): void;
}

const BAR = 24;
const noop: Progress = Object.freeze({ update() {}, finish() {} });

/**
 * Progress bars on a terminal only: when the stream is not a TTY (a pipe, a log
 * file, CI) nothing is drawn, so output stays clean. Redraws at most every
 * `intervalMs`, in place, with ANSI cursor movement.
 */
export function createProgress(stream: CliStream, options: { enabled: boolean; palette: Palette; intervalMs?: number }): Progress {
  if (!options.enabled || stream.isTTY !== true) return noop;
  const { palette } = options;
  const interval = options.intervalMs ?? 80;
  const lines = new Map<string, { label: string; done: number; total: number | undefined; status: string | undefined }>();
  let drawn = 0;
  let last = 0;
  let timer: NodeJS.Timeout | undefined;

  const render = () => {
    timer = undefined;
    last = Date.now();
    const width = Math.max(40, (stream.columns ?? 100) - 1);
    let out = drawn > 0 ? `\u001b[${drawn}A` : "";
    for (const { label, done, total, status } of lines.values()) {
      const ratio = total && total > 0 ? Math.min(1, done / total) : status === "done" ? 1 : 0;
      const filled = Math.round(ratio * BAR);
      const bar = palette.green("█".repeat(filled)) + palette.dim("░".repeat(BAR - filled));
      const count = total === undefined ? `${done}` : `${done}/${total}`;
      // A tenant's name can come from the tenant itself (consent): shown like any other tenant text.
      const name = terminalText(label, { max: 24, singleLine: true }).text;
      const text = `${name.padEnd(24).slice(0, 24)} ${bar} ${count.padStart(11)} ${terminalText(status ?? "", { singleLine: true }).text}`;
      out += `\u001b[2K${text.slice(0, width + 40)}\n`;
    }
    drawn = lines.size;
    stream.write(out);
  };

  return {
    update(key, label, state) {
      lines.set(key, { label, done: state.done, total: state.total, status: state.status });
      if (timer) return;
      const wait = Math.max(0, interval - (Date.now() - last));
      timer = setTimeout(render, wait);
      timer.unref?.();
    },
    finish() {
      if (timer) clearTimeout(timer);
      if (lines.size > 0) render();
    },
  };
}
