/**
 * JSON as the CLI prints it (`--json`, `--ndjson`). `JSON.stringify` escapes the
 * C0 controls but leaves DEL and the C1 controls (U+0080–U+009F, e.g. U+009B,
 * which terminals read as CSI) raw, so `… --json | cat` would still hand a
 * tenant's escape sequence to the terminal. These, the Unicode line separators
 * (which break JavaScript consumers that embed the line) and the bidi controls
 * are written as `\uXXXX` escapes: the same JSON value, only safe bytes.
 */

const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const escape = (ch: string) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;

/**
 * `JSON.stringify` with DEL, C1 controls, U+2028/U+2029 and bidi controls escaped.
 * Such characters only ever occur inside JSON strings, so escaping them keeps the value.
 *
 * @example jsonText({ title: "a\u009bb" }) // '{"title":"a\\u009bb"}'
 */
export function jsonText(value: unknown, space?: number): string {
  const text = JSON.stringify(value, null, space);
  // JSON.stringify(undefined) is undefined: print what JSON.parse reads back as nothing at all.
  return text === undefined ? "null" : text.replace(JSON_UNSAFE, escape);
}
