/**
 * A tiny HTML template tag: every interpolated value is escaped unless it is
 * already `SafeHtml` (the result of another `html` template or `raw`). Arrays
 * are joined, `null`/`undefined`/`false` render as nothing. Pages are built from
 * these, never by concatenating strings.
 */

/** Markup that is already safe to emit. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** Escapes text for element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

type Value = SafeHtml | string | number | boolean | null | undefined | readonly Value[];

/**
 * The longest text one interpolation emits. Views bound tenant data themselves
 * (clip.ts, far below this); this is the backstop that keeps a value a view
 * forgot from making a page megabytes long.
 */
export const MAX_INTERPOLATED = 20_000;

function render(value: Value): string {
  if (value === null || value === undefined || value === false) return "";
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join("");
  const text = String(value);
  return escapeHtml(text.length > MAX_INTERPOLATED ? `${text.slice(0, MAX_INTERPOLATED)}…` : text);
}

/** The template tag. */
export function html(strings: TemplateStringsArray, ...values: Value[]): SafeHtml {
  let out = strings[0] ?? "";
  for (let i = 0; i < values.length; i++) out += render(values[i] as Value) + (strings[i + 1] ?? "");
  return new SafeHtml(out);
}

/** Trusted markup as is (only for constants of this package). */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}
