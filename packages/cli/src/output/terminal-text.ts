/**
 * Text from a customer tenant made safe to show on a terminal. Everything a
 * tenant's API returns is attacker-controlled: an alert title can carry OSC 52
 * (writes the operator's clipboard), OSC 8 (a disguised link), OSC 0 (the
 * window title), CSI `2J` (clears the screen) or a C1 control such as U+009B,
 * which many terminals read as CSI. Every human printer of the CLI goes through
 * {@link terminalText}, which shows each such character visibly instead of
 * letting the terminal act on it, and bounds the length so a 2 MB title cannot
 * flood the screen or the process's memory.
 */

/**
 * C0 controls except tab (U+0009) and newline (U+000A), DEL, C1 controls, the
 * bidi marks, embeddings, overrides and isolates (which reorder what follows
 * them, e.g. to disguise a file name), and the Unicode line/paragraph separators.
 */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_OR_SPACING = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** How one unsafe character is shown: `\x1b`, `\x9b`, `\x7f`, `\u202e`. */
function visible(ch: string): string {
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * Shows every control character visibly (`\x1b`), keeping newline and tab, or
 * with `singleLine` turning runs of newlines, carriage returns and tabs into one
 * space (table cells, error lines) and showing the rest visibly.
 *
 * @example neutralizeControls("\u001b]52;c;aGk=\u0007") // "\\x1b]52;c;aGk=\\x07"
 */
export function neutralizeControls(text: string, options: { singleLine?: boolean } = {}): string {
  if (options.singleLine) return text.replace(/[\r\n\t]+/g, " ").replace(UNSAFE_OR_SPACING, visible);
  return text.replace(UNSAFE, visible);
}

/** Result of {@link shorten}: the text to show and how many characters were left out. */
export interface Shortened {
  text: string;
  /** Characters left out (0 when the text was short enough). */
  omitted: number;
}

/**
 * Keeps the first `max` characters and says how many were left out:
 * `…(+1999950 chars)`. Never splits a surrogate pair.
 *
 * @example shorten("abcdef", 2).text // "ab…(+4 chars)"
 */
export function shorten(text: string, max: number): Shortened {
  if (text.length <= max) return { text, omitted: 0 };
  let keep = Math.max(0, max);
  const last = text.charCodeAt(keep - 1);
  if (keep > 0 && last >= 0xd800 && last <= 0xdbff) keep--;
  const omitted = text.length - keep;
  return { text: `${text.slice(0, keep)}…(+${omitted} chars)`, omitted };
}

/** Longest table cell (in characters of the original value). */
export const CELL_MAX = 200;
/** Longest value in a detail view (`alerts get`, `machines get`, `token inspect`). */
export const FIELD_MAX = 2000;
/** Longest message line (notes, warnings, errors, hints). */
export const LINE_MAX = 4000;

/**
 * Untrusted text as it may be printed for a person: bounded to `max`
 * characters (with the `…(+N chars)` marker), then with every control
 * character shown visibly. The one function every human printer uses.
 *
 * @example terminalText("\u001b[2JTitle", { max: 200, singleLine: true }).text // "\\x1b[2JTitle"
 */
export function terminalText(text: string, options: { max?: number; singleLine?: boolean } = {}): Shortened {
  const bounded = shorten(text, options.max ?? LINE_MAX);
  return { text: neutralizeControls(bounded.text, options.singleLine ? { singleLine: true } : {}), omitted: bounded.omitted };
}
