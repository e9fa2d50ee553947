/**
 * The partner's logo on a report, as a data URI inside the HTML (a report is one file, read
 * offline). PNG is taken as it is once its signature checks out. An SVG is a document that can
 * carry script, event handlers, external references and entity tricks: the report shows it
 * through `<img>` (where browsers run no script and load nothing), and before that refuses any
 * SVG holding one of those, rather than trying to clean it.
 */
import { ReportError } from "./report-error.js";

/** Largest logo embedded (bytes): a logo, not a photo. */
export const MAX_LOGO_BYTES = 512 * 1024;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** What an SVG logo may not contain (case-insensitive): active content and anything fetched. */
const SVG_REFUSED: ReadonlyArray<readonly [RegExp, string]> = [
  [/<script/i, "a script"],
  [/\son[a-z]+\s*=/i, "an event handler attribute"],
  [/<foreignObject/i, "a foreignObject"],
  [/<!ENTITY|<!DOCTYPE/i, "a DOCTYPE or entity declaration"],
  [/<\?xml-stylesheet/i, "a stylesheet reference"],
  [/(?:href|src)\s*=\s*["']\s*(?!#)/i, "a link to something outside the file"],
  [/url\(\s*["']?\s*(?!#)/i, "a url() outside the file"],
  [/@import/i, "a CSS import"],
  [/javascript:/i, "a javascript: URL"],
  [/<(?:iframe|embed|object|animate|set)\b/i, "an iframe, embed, object or animation element"],
];

/**
 * The `data:` URI of a PNG or SVG logo's bytes, or throws `ReportError` (`ERR_REPORT_LOGO`)
 * saying why it is refused.
 *
 * @example
 * const logo = logoDataUri(readFileSync("partner.svg"), "partner.svg");
 */
export function logoDataUri(bytes: Uint8Array, name: string): string {
  const buffer = Buffer.from(bytes);
  if (buffer.length === 0) throw new ReportError("ERR_REPORT_LOGO", `the logo ${name} is empty`);
  if (buffer.length > MAX_LOGO_BYTES) throw new ReportError("ERR_REPORT_LOGO", `the logo ${name} is larger than ${MAX_LOGO_BYTES / 1024} KiB`);
  if (buffer.subarray(0, 8).equals(PNG_SIGNATURE)) return `data:image/png;base64,${buffer.toString("base64")}`;
  const text = buffer.toString("utf8");
  if (!/^\s*(?:<\?xml[^>]*>\s*)?(?:<!--[\s\S]*?-->\s*)*<svg[\s>]/i.test(text)) {
    throw new ReportError("ERR_REPORT_LOGO", `the logo ${name} is neither a PNG nor an SVG file`);
  }
  for (const [pattern, what] of SVG_REFUSED) {
    if (pattern.test(text)) throw new ReportError("ERR_REPORT_LOGO", `the SVG logo ${name} holds ${what}: use a plain SVG or a PNG`);
  }
  return `data:image/svg+xml;base64,${buffer.toString("base64")}`;
}
