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

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days from 1970-01-01 to a proleptic Gregorian date (the civil-from-days inverse, H. Hinnant's `days_from_civil`). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}

/** `count` decimal digits of `s` from `at` as a number, or -1 when one is not a digit. */
function digits(s: string, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * The parts of an API time, as `timeKeyParts(toTimeKey(value))` gives them, or null when the text
 * is not a time. The API's own shape (`2021-01-26T20:33:57.7220239Z`) is read digit by digit —
 * a sync reads two per alert, and the regular expression, the key string and `Date.parse` were a
 * tenth of the writer thread's time — and anything else takes the general path.
 */
export function timeParts(value: string): TimeParts | null {
  const n = value.length;
  if (n >= 20 && n <= 28 && n !== 21 && value.charCodeAt(n - 1) === 90 /* Z */ && value[4] === "-" && value[7] === "-" && value[10] === "T" && value[13] === ":" && value[16] === ":" && (n === 20 || value[19] === ".")) {
    const year = digits(value, 0, 4);
    const month = digits(value, 5, 2);
    const day = digits(value, 8, 2);
    const hour = digits(value, 11, 2);
    const minute = digits(value, 14, 2);
    const second = digits(value, 17, 2);
    const fraction = n === 20 ? 0 : digits(value, 20, n - 21);
    const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    if (year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= DAYS_IN_MONTH[month - 1]! + (leap ? 1 : 0) && hour >= 0 && hour < 24 && minute >= 0 && minute < 60 && second >= 0 && second < 60 && fraction >= 0) {
      const ticks = fraction * 10 ** (7 - (n === 20 ? 0 : n - 21)); // 100 ns units, 7 digits
      const seconds = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
      return { us: seconds * 1_000_000 + Math.floor(ticks / 10), sub: ticks % 10 };
    }
  }
  const key = toTimeKey(value);
  return key === null ? null : timeKeyParts(key);
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
