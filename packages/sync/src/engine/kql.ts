/**
 * KQL values only through quoting (STYLE.md habit 6): a value placed into a
 * hunting query becomes a string literal, never query text.
 *
 * KQL string literals (Kusto docs, "The string data type"): in a double-quoted
 * literal `\` escapes `\`, `"`, and the control characters `\n`, `\r`, `\t`.
 * Every other character is taken literally. We always emit double quotes and
 * escape those, so `' " | ; //` and newlines in a value stay inside it.
 */

const ESCAPES: Readonly<Record<string, string>> = { "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * A KQL string literal holding `value` exactly.
 *
 * @example quoteKqlString(`evil" | take 1 //`) // "\"evil\\\" | take 1 //\""
 */
export function quoteKqlString(value: string): string {
  if (typeof value !== "string") throw new TypeError(`a KQL string value must be a string, got ${typeof value}`);
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(value)) throw new TypeError("a KQL string value must not contain control characters");
  return `"${value.replace(/[\\"\n\r\t]/g, (c) => ESCAPES[c] ?? c)}"`;
}

/** A value rendered as a KQL literal: strings quoted, safe integers and booleans bare, other numbers as `real(…)`, dates as `datetime(…)`, arrays as `(a, b)` for `in`. */
export function kqlLiteral(value: unknown): string {
  if (typeof value === "string") return quoteKqlString(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`a KQL number must be finite, got ${value}`);
    return Number.isSafeInteger(value) ? String(value) : `real(${value})`;
  }
  if (typeof value === "bigint") return `long(${value})`;
  if (typeof value === "boolean") return value ? "true" : "false";
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new TypeError("a KQL datetime must be a valid Date");
    return `datetime(${value.toISOString()})`;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) throw new TypeError("a KQL list must not be empty");
    return `(${value.map(kqlLiteral).join(", ")})`;
  }
  throw new TypeError(`cannot put a ${value === null ? "null" : typeof value} into a KQL query`);
}

/**
 * Tagged template: the literal parts are the query, every `${value}` becomes a KQL literal.
 *
 * @example
 * kql`DeviceInfo | where DeviceName == ${name} | where Timestamp > ${since} | take ${10}`
 */
export function kql(strings: TemplateStringsArray, ...values: unknown[]): string {
  let out = strings[0] ?? "";
  for (let i = 0; i < values.length; i++) out += kqlLiteral(values[i]) + (strings[i + 1] ?? "");
  return out;
}
