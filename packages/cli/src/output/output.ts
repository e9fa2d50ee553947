import { usageError } from "../errors.js";
import type { CliIo } from "../io.js";
import { colorEnabled, createPalette, type Palette } from "./color.js";
import { type Column, renderTable } from "./table.js";

/** Output flags every data command takes. */
export interface OutputFlags {
  json?: boolean | undefined;
  ndjson?: boolean | undefined;
  quiet?: boolean | undefined;
}

export type OutputMode = "table" | "json" | "ndjson";

/**
 * Where a command's results and messages go. Results go to stdout (a table for
 * people, `--json` one document, `--ndjson` one JSON object per line); notes and
 * progress go to stderr so a pipe only ever carries data.
 */
export interface Output {
  readonly mode: OutputMode;
  readonly quiet: boolean;
  readonly palette: Palette;
  /** Palette for stderr (its own TTY check). */
  readonly errPalette: Palette;
  /** True when stderr is a terminal (progress bars, prompts). */
  readonly interactive: boolean;
  /** A human line on stdout (table mode only, not with --quiet). */
  line(text: string): void;
  /** A status note on stderr (not with --quiet). */
  note(text: string): void;
  /** A warning on stderr (always). */
  warn(text: string): void;
  /** One error line (and a hint) on stderr, for per-tenant failures. */
  error(text: string, hint?: string): void;
  /** One JSON document on stdout. */
  json(value: unknown): void;
  /** One NDJSON line on stdout. */
  record(value: unknown): void;
  /** A table on stdout. */
  table<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): void;
}

/** Builds the output of one command run. `--json` and `--ndjson` exclude each other. */
export function createOutput(io: CliIo, flags: OutputFlags = {}): Output {
  if (flags.json && flags.ndjson) throw usageError("--json and --ndjson cannot be used together");
  const mode: OutputMode = flags.json ? "json" : flags.ndjson ? "ndjson" : "table";
  const quiet = flags.quiet === true;
  const palette = createPalette(colorEnabled(io.stdout, io.env));
  const errPalette = createPalette(colorEnabled(io.stderr, io.env));
  return {
    mode,
    quiet,
    palette,
    errPalette,
    interactive: io.stderr.isTTY === true,
    line(text) {
      if (mode === "table" && !quiet) io.stdout.write(`${text}\n`);
    },
    note(text) {
      if (!quiet) io.stderr.write(`${text}\n`);
    },
    warn(text) {
      io.stderr.write(`${errPalette.yellow("warning:")} ${text}\n`);
    },
    error(text, hint) {
      io.stderr.write(`${errPalette.red("error:")} ${text}\n`);
      if (hint) io.stderr.write(`hint: ${hint}\n`);
    },
    json(value) {
      io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
    record(value) {
      io.stdout.write(`${JSON.stringify(value)}\n`);
    },
    table(columns, rows) {
      if (quiet) return;
      io.stdout.write(renderTable(columns, rows, palette));
    },
  };
}
