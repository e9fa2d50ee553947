/**
 * Scalar types and values of the engine. Kusto's types map to JavaScript as:
 * string → string (never null: Kusto has no null string, only ""), long/int/real →
 * number | null, bool → boolean | null, datetime and timespan → bigint .NET ticks
 * (100 ns; datetime counted from the Unix epoch) | null, guid → string,
 * dynamic → a JSON value. Ticks keep the seven fractional digits MDE prints
 * (`2020-02-05T01:10:26.2648757Z`, examples/advanced-hunting.response.json).
 */
export type KqlType = "string" | "long" | "int" | "real" | "bool" | "datetime" | "timespan" | "guid" | "dynamic";

export type Value = string | number | boolean | bigint | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface Column {
  name: string;
  type: KqlType;
}

/** A tabular value: columns plus rows of cells in column order. */
export interface Table {
  columns: Column[];
  rows: Value[][];
}

export const TICKS_PER_MS = 10_000n;
export const TICKS_PER_SECOND = 10_000_000n;
export const TICKS_PER_DAY = 864_000_000_000n;

export const isNumericType = (t: KqlType) => t === "long" || t === "int" || t === "real";

/** The type names the MDE API puts in `Schema[].Type` (.NET names; mde-api.md §5.4, Power BI mapping). */
export function apiTypeName(type: KqlType): string {
  switch (type) {
    case "string":
      return "String";
    case "long":
      return "Int64";
    case "int":
      return "Int32";
    case "real":
      return "Double";
    case "bool":
      return "Boolean";
    case "datetime":
      return "DateTime";
    case "timespan":
      return "TimeSpan";
    case "guid":
      return "Guid";
    case "dynamic":
      // DOC-SILENT: the documented type list has no name for dynamic; .NET surfaces it as Object.
      return "Object";
  }
}

/** The empty value of a type (what a column holds when the row says nothing). */
export const emptyValue = (type: KqlType): Value => (type === "string" || type === "guid" ? "" : null);

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7})\d*)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/** Parses an ISO-8601 date/time into ticks since the epoch; undefined when it is not one. No zone means UTC, as in Kusto. */
export function parseDateTime(text: string): bigint | undefined {
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0));
  if (Number.isNaN(ms)) return undefined;
  let ticks = BigInt(ms) * TICKS_PER_MS + BigInt((frac ?? "").padEnd(7, "0"));
  if (zone && zone.toUpperCase() !== "Z") {
    const sign = zone.startsWith("-") ? -1n : 1n;
    const digits = zone.slice(1).replace(":", "");
    const offsetMin = BigInt(Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
    ticks -= sign * offsetMin * 60n * TICKS_PER_SECOND;
  }
  return ticks;
}

/** Ticks → `2020-02-05T01:10:26.2648757Z` (always seven digits, like the documented response). */
export function formatDateTime(ticks: bigint): string {
  let rest = ticks % TICKS_PER_SECOND;
  if (rest < 0n) rest += TICKS_PER_SECOND;
  const seconds = (ticks - rest) / TICKS_PER_SECOND;
  const date = new Date(Number(seconds) * 1000);
  if (Number.isNaN(date.getTime())) return "";
  return `${date.toISOString().slice(0, 19)}.${rest.toString().padStart(7, "0")}Z`;
}

/** Ticks → the .NET TimeSpan form Kusto prints: `[-][d.]hh:mm:ss[.fffffff]`. */
export function formatTimespan(ticks: bigint): string {
  const negative = ticks < 0n;
  let t = negative ? -ticks : ticks;
  const days = t / TICKS_PER_DAY;
  t %= TICKS_PER_DAY;
  const hours = t / (3600n * TICKS_PER_SECOND);
  t %= 3600n * TICKS_PER_SECOND;
  const minutes = t / (60n * TICKS_PER_SECOND);
  t %= 60n * TICKS_PER_SECOND;
  const seconds = t / TICKS_PER_SECOND;
  const frac = t % TICKS_PER_SECOND;
  const two = (n: bigint) => n.toString().padStart(2, "0");
  return `${negative ? "-" : ""}${days > 0n ? `${days}.` : ""}${two(hours)}:${two(minutes)}:${two(seconds)}${frac > 0n ? `.${frac.toString().padStart(7, "0")}` : ""}`;
}

const UNIT_TICKS: Record<string, number> = {
  d: 864_000_000_000,
  day: 864_000_000_000,
  days: 864_000_000_000,
  h: 36_000_000_000,
  hr: 36_000_000_000,
  hrs: 36_000_000_000,
  hour: 36_000_000_000,
  hours: 36_000_000_000,
  m: 600_000_000,
  min: 600_000_000,
  minute: 600_000_000,
  minutes: 600_000_000,
  s: 10_000_000,
  sec: 10_000_000,
  second: 10_000_000,
  seconds: 10_000_000,
  ms: 10_000,
  milli: 10_000,
  millis: 10_000,
  millisecond: 10_000,
  milliseconds: 10_000,
  microsecond: 10,
  microseconds: 10,
  tick: 1,
  ticks: 1,
};

/** Timespan units of KQL literals (`7d`, `1.5h`, `30m`, `10s`, `100ms`). */
export const timespanUnits = Object.freeze(Object.keys(UNIT_TICKS));

/** `7d` → ticks; undefined when the text is not a timespan literal. */
export function parseTimespan(text: string): bigint | undefined {
  const m = /^\s*(-?)(\d+(?:\.\d+)?)\s*([a-z]+)\s*$/i.exec(text);
  if (m) {
    const per = UNIT_TICKS[(m[3] ?? "").toLowerCase()];
    if (per === undefined) return undefined;
    const ticks = BigInt(Math.round(Number(m[2]) * per));
    return m[1] === "-" ? -ticks : ticks;
  }
  const c = /^\s*(-?)(?:(\d+)\.)?(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?\s*$/.exec(text);
  if (!c) return undefined;
  const ticks =
    BigInt(c[2] ?? 0) * TICKS_PER_DAY +
    BigInt(c[3] ?? 0) * 3600n * TICKS_PER_SECOND +
    BigInt(c[4] ?? 0) * 60n * TICKS_PER_SECOND +
    BigInt(c[5] ?? 0) * TICKS_PER_SECOND +
    BigInt((c[6] ?? "").padEnd(7, "0") || "0");
  return c[1] === "-" ? -ticks : ticks;
}

/** A value as a string, the way `tostring()` and `strcat()` render it. */
export function valueToString(value: Value, type: KqlType): string {
  if (value === null) return "";
  if (typeof value === "bigint") return type === "timespan" ? formatTimespan(value) : formatDateTime(value);
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** A value as JSON: what the API puts in `Results` and what `make_set` stores. */
export function toJson(value: Value, type: KqlType): JsonValue {
  if (value === null) return null;
  if (typeof value === "bigint") return type === "timespan" ? formatTimespan(value) : formatDateTime(value);
  if (typeof value === "number" && !Number.isFinite(value)) return Number.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
  return value;
}

/** A stable text key for grouping and distinct. */
export function keyOf(values: readonly Value[]): string {
  let key = "";
  for (const v of values) {
    if (v === null) key += "\u0001N";
    else if (typeof v === "string") key += `\u0001s${v}`;
    else if (typeof v === "number") key += `\u0001n${v}`;
    else if (typeof v === "bigint") key += `\u0001b${v}`;
    else if (typeof v === "boolean") key += v ? "\u0001T" : "\u0001F";
    else key += `\u0001j${JSON.stringify(v)}`;
  }
  return key;
}

/**
 * Orders two values of one column. Nulls sort as the smallest value, so
 * ascending puts them first and descending last — Kusto's defaults.
 */
export function compareValues(a: Value, b: Value): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === "object" || typeof b === "object") return JSON.stringify(a) < JSON.stringify(b) ? -1 : 1;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "boolean" || typeof b === "boolean") return Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
}
