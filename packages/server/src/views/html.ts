/**
 * How the console's pages turn into HTML. Pages are Hono JSX components
 * (`hono/jsx`), which escape every text and attribute value by default; tenant
 * text goes through {@link text}, which bounds it and escapes it as numeric
 * character references, and the document is written in HTML5 syntax.
 *
 * Every .tsx file of the package opens with the pragma
 * `@jsxRuntime automatic @jsxImportSource hono/jsx`: tsconfig.json here says
 * the same for `tsc`, but tsx (tests, running from source) reads the root
 * tsconfig.json, a solution file without compiler options.
 */
import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import type { HtmlEscapedString } from "hono/utils/html";

/** Escapes text for element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/**
 * The longest text one value emits. Views bound tenant data themselves
 * (clip.tsx, far below this); this is the backstop that keeps a value a view
 * forgot from making a page megabytes long.
 */
export const MAX_INTERPOLATED = 20_000;

/**
 * A value as page text: escaped, and cut at {@link MAX_INTERPOLATED}
 * characters. Usable as a child and as an attribute value.
 *
 * @example
 * <td>{text(alert.title)}</td>
 */
export function text(value: string | number | null | undefined): HtmlEscapedString {
  const s = value === null || value === undefined ? "" : String(value);
  return raw(escapeHtml(s.length > MAX_INTERPOLATED ? `${s.slice(0, MAX_INTERPOLATED)}…` : s));
}

/**
 * Tenant text as a page shows it (script output, names, versions): line breaks and tabs kept, every other
 * control character as its visible symbol (U+2400 block; ESC → ␛), C1 controls
 * and bidirectional overrides as `<U+XXXX>`, so nothing reorders or styles
 * what follows it.
 */
export function visibleControls(s: string): string {
  return s
    .replace(/\r\n/g, "\n")
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, (ch) => (ch === "\u007f" ? "\u2421" : String.fromCharCode(0x2400 + ch.charCodeAt(0))))
    .replace(/[\u0080-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (ch) => `<U+${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}>`);
}

/** `child` with every string in it as {@link text} (what the shared components do with the values they are given). */
export function show(child: Child): Child {
  if (typeof child === "string") return text(child);
  if (Array.isArray(child)) return child.map(show);
  return child;
}

// Hono writes XHTML-style void elements (`<input/>`) and boolean attributes as `checked=""`.
// Text and attribute values are escaped (`>` and `"` included), so both patterns occur only as markup.
const XHTML = /\/>| (checked|selected|readonly|required|autofocus|defer|download|data-error)=""/g;

/** The whole document for a page's root element. */
export function renderDocument(root: Child): string {
  return `<!DOCTYPE html>\n${String(root).replace(XHTML, (_, attribute?: string) => (attribute ? ` ${attribute}` : ">"))}`;
}
