/**
 * RFC 4180 CSV: fields separated by commas, records by CRLF; a field holding a
 * comma, a double quote, CR or LF is enclosed in double quotes with each inner
 * quote doubled. Empty for null/undefined.
 *
 * A text starting with = + - @ TAB or CR is prefixed with `'`, so a spreadsheet
 * shows it instead of running it as a formula (alert titles, evidence, hunting
 * results come from customers' devices: OWASP "CSV Injection"). Numbers and
 * booleans are written as they are.
 */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text = typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV record, CRLF-terminated. */
export function csvRecord(values: readonly unknown[]): string {
  return `${values.map(csvField).join(",")}\r\n`;
}
