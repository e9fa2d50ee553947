import { usageError } from "../errors.js";
import type { CliIo } from "../io.js";
import { colorEnabled, createPalette, type Palette } from "./color.js";
import { jsonText } from "./json-text.js";
import { type Column, renderTable } from "./table.js";
import { FIELD_MAX, terminalText } from "./terminal-text.js";

/** Output flags every data command takes. */
/** `--json`, `--quiet`: the output flags of a command that does not stream. */
export interface OutputOptions {
  json?: boolean | undefined;
  quiet?: boolean | undefined;
}

/** `--json`, `--ndjson`, `--quiet`. */
export interface OutputFlags extends OutputOptions {
  ndjson?: boolean | undefined;
}

export type OutputMode = "table" | "json" | "ndjson";

/**
 * Where a command's results and messages go. Results go to stdout (a table for
 * people, `--json` one document, `--ndjson` one JSON object per line); notes and
 * progress go to stderr so a pipe only ever carries data.
 *
 * Everything printed for a person passes through `terminalText` here: control
 * characters from tenant data are shown visibly (`\x1b`) and long values are
 * shortened with a `…(+N chars)` marker and one note saying `--json` shows them
 * in full. JSON keeps every value whole, with C1 controls escaped. `--quiet`
 * keeps the data (table rows without the header, detail fields, ids) and drops
 * everything else.
 */
export interface Output {
  readonly mode: OutputMode;
  readonly quiet: boolean;
  readonly palette: Palette;
  /** Palette for stderr (its own TTY check). */
  readonly errPalette: Palette;
  /** True when stderr is a terminal (progress bars, prompts). */
  readonly interactive: boolean;
  /**
   * A human line on stdout (table mode only, not with --quiet); `style` colours
   * it after its text was made safe.
   */
  line(text: string, style?: (safe: string) => string): void;
  /** A line of results on stdout in table mode (an id, a token), printed with --quiet too. */
  data(text: string): void;
  /** A detail view in table mode: one `key value` line per present field, values bounded; printed with --quiet too. */
  fields(entries: ReadonlyArray<readonly [string, unknown]>): void;
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
  /** A table on stdout: aligned on a terminal, tab-separated for a pipe; with --quiet only its rows. */
  table<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): void;
}

/**
 * The error line (and hint line) as printed on stderr, each one line with
 * control characters shown visibly: an API error can quote tenant text.
 */
export function errorText(text: string, hint?: string, label = "error:"): string {
  const message = `${label} ${terminalText(text, { singleLine: true }).text}\n`;
  return hint ? `${message}hint: ${terminalText(hint, { singleLine: true }).text}\n` : message;
}

/** Longest `data` line: far above any id or token, still a bound. */
const DATA_MAX = 65_536;

function fieldText(value: unknown): string {
  if (Array.isArray(value)) return value.map(fieldText).join(", ");
  if (value !== null && typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** Builds the output of one command run. `--json` and `--ndjson` exclude each other. */
export function createOutput(io: CliIo, flags: OutputFlags = {}): Output {
  if (flags.json && flags.ndjson) throw usageError("--json and --ndjson cannot be used together");
  const mode: OutputMode = flags.json ? "json" : flags.ndjson ? "ndjson" : "table";
  const quiet = flags.quiet === true;
  const palette = createPalette(colorEnabled(io.stdout, io.env));
  const errPalette = createPalette(colorEnabled(io.stderr, io.env));
  let toldShortened = false;
  const shortened = () => {
    if (toldShortened || quiet) return;
    toldShortened = true;
    io.stderr.write("note: long values are shortened here; --json shows them in full\n");
  };
  const human = (text: string, max?: number) => {
    const safe = terminalText(text, max === undefined ? {} : { max });
    if (safe.omitted > 0) shortened();
    return safe.text;
  };
  return {
    mode,
    quiet,
    palette,
    errPalette,
    interactive: io.stderr.isTTY === true,
    line(text, style) {
      if (mode !== "table" || quiet) return;
      const safe = human(text);
      io.stdout.write(`${style ? style(safe) : safe}\n`);
    },
    data(text) {
      // An id or a bearer token a script reads: never shortened at message length (a token can pass 4,000 characters).
      if (mode === "table") io.stdout.write(`${human(text, DATA_MAX)}\n`);
    },
    fields(entries) {
      if (mode !== "table") return;
      const present = entries.filter(([, value]) => value !== undefined && value !== null);
      const width = Math.max(0, ...present.map(([key]) => key.length)) + 1;
      for (const [key, value] of present) {
        const safe = terminalText(fieldText(value), { max: FIELD_MAX, singleLine: true });
        if (safe.omitted > 0) shortened();
        io.stdout.write(`${key.padEnd(width)} ${safe.text}\n`);
      }
    },
    note(text) {
      if (!quiet) io.stderr.write(`${human(text)}\n`);
    },
    warn(text) {
      io.stderr.write(`${errPalette.yellow("warning:")} ${human(text)}\n`);
    },
    error(text, hint) {
      io.stderr.write(errorText(text, hint, errPalette.red("error:")));
    },
    json(value) {
      io.stdout.write(`${jsonText(value, 2)}\n`);
    },
    record(value) {
      io.stdout.write(`${jsonText(value)}\n`);
    },
    table(columns, rows) {
      const plain = io.stdout.isTTY !== true;
      io.stdout.write(renderTable(columns, rows, palette, { plain, header: !quiet, onShortened: shortened }));
    },
  };
}
