/**
 * The MDE API prints times as ISO-8601 UTC with 0–7 fractional digits
 * (mde-api.md §3.7: `2021-01-26T20:33:57.7220239Z`, `2021-01-26T20:33:59.2Z`,
 * `2019-12-13T00:00:00Z`). Such strings do not sort as text (`59.2Z` < `59Z`),
 * so every API time we compare or index is stored twice: as sent, and as a
 * "time key" with exactly 7 fractional digits in UTC, which sorts correctly as
 * text under any binary collation — identical on SQLite and PostgreSQL.
 */

/** The API's usual shape (UTC, `Z`, 0–7 fractional digits): normalised without parsing a Date. */
const API_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,7}))?Z$/;
const ISO = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(:\d{2})?(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Normalises an ISO-8601 time to the sortable 7-digit UTC form, or returns
 * `null` when the text is not a time. A missing zone means UTC (the
 * export-assessment rows print `2021-01-11 09:47:58.854`, mde-api.md §3.7).
 *
 * @example toTimeKey("2021-01-26T20:33:59.2Z") // "2021-01-26T20:33:59.2000000Z"
 */
export function toTimeKey(value: string | Date): string | null {
  if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isNaN(ms)) return null;
    return `${value.toISOString().slice(0, 23)}0000Z`;
  }
  const fast = API_TIME.exec(value);
  if (fast) return `${fast[1]}.${(fast[2] ?? "").padEnd(7, "0")}Z`;
  const m = ISO.exec(value.trim());
  if (!m) return null;
  const [, date, hm = "00:00", sec = ":00", fraction = "", zone = "Z"] = m;
  const zoneText = zone.toUpperCase() === "Z" ? "Z" : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
  const ms = Date.parse(`${date}T${hm}${sec}${zoneText}`);
  if (Number.isNaN(ms)) return null;
  return `${new Date(ms).toISOString().slice(0, 19)}.${fraction.padEnd(7, "0").slice(0, 7)}Z`;
}

/** Like {@link toTimeKey} for optional values: absent or unparsable times become `""`, which sorts first. */
export function timeKeyOrEmpty(value: unknown): string {
  return typeof value === "string" ? (toTimeKey(value) ?? "") : "";
}

/** Our own timestamps (created/updated/at columns): ISO-8601 with milliseconds, UTC. */
export function isoNow(clock: { now(): number }): string {
  return new Date(clock.now()).toISOString();
}

/**
 * A time key split into the integers the alert tables index (schema v6): microseconds since the
 * epoch (exact in a double until the year 2255) and the key's seventh fractional digit, so
 * `(us, sub)` orders exactly as the 7-digit key does. No time (`""`) orders before every time.
 */
export interface TimeParts {
  readonly us: number;
  readonly sub: number;
}

/** `us` of an absent time: before every real one. */
export const NO_TIME_US = Number.MIN_SAFE_INTEGER;

/** The parts of a time key from {@link toTimeKey} (`""` or null: no time). */
export function timeKeyParts(key: string | null): TimeParts {
  if (key === null || key === "") return { us: NO_TIME_US, sub: 0 };
  const ms = Date.parse(`${key.slice(0, 19)}Z`);
  return { us: ms * 1000 + Number(key.slice(20, 26)), sub: key.charCodeAt(26) - 48 };
}

/** The 7-digit time key of stored parts (the inverse of {@link timeKeyParts}). */
export function timeKeyOfParts(us: number, sub: number): string {
  if (us === NO_TIME_US) return "";
  const ms = Math.floor(us / 1000);
  const micros = us - ms * 1000;
  return `${new Date(ms).toISOString().slice(0, 23)}${String(micros).padStart(3, "0")}${sub}Z`;
}

/** Microseconds of one of our own ISO times (ms precision), and back. */
export const isoToUs = (iso: string): number => Date.parse(iso) * 1000;
export const usToIso = (us: number): string => new Date(Math.floor(us / 1000)).toISOString();
