/**
 * The `Timespan` of `runHuntingQuery` (graph-security.md §3.1): an ISO-8601 interval or duration —
 * `start/end`, `duration/end`, `start/duration`, `duration` (back from now) or `start` (until now).
 * Without it the service looks 30 days back; when both the query and `Timespan` restrict time the
 * shorter window applies.
 */

const DURATION = /^P(?!$)(?:\d+(?:\.\d+)?Y)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?W)?(?:\d+(?:\.\d+)?D)?(?:T(?=\d)(?:\d+(?:\.\d+)?H)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?S)?)?$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** A time window: start and/or end (`Date` or ISO text) and/or an ISO-8601 duration such as `P7D`. */
export interface HuntingTimespanParts {
  start?: Date | string;
  end?: Date | string;
  duration?: string;
}

function point(value: Date | string, what: string): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new TypeError(`timespan ${what} is an invalid Date`);
    return value.toISOString();
  }
  if (typeof value !== "string" || !DATETIME.test(value)) throw new TypeError(`timespan ${what} must be an ISO-8601 datetime, got ${JSON.stringify(value)}`);
  return value;
}

function isPart(text: string): boolean {
  return DURATION.test(text) || DATETIME.test(text);
}

/**
 * Renders and checks a `Timespan`; throws `TypeError` for anything that is not one of the documented forms.
 *
 * @example
 * huntingTimespan("P7D")                                              // "P7D"
 * huntingTimespan({ start: new Date("2024-02-01T08:00:00Z"), duration: "P14D" }) // "2024-02-01T08:00:00.000Z/P14D"
 */
export function huntingTimespan(input: string | HuntingTimespanParts): string {
  if (typeof input === "string") {
    const parts = input.split("/");
    const [a, b] = parts;
    const ok =
      (parts.length === 1 && a !== undefined && isPart(a)) ||
      (parts.length === 2 && a !== undefined && b !== undefined && isPart(a) && isPart(b) && !(DURATION.test(a) && DURATION.test(b)));
    if (!ok) throw new TypeError(`timespan must be an ISO-8601 duration or interval (P30D, start/end, P30D/end, start/P30D), got ${JSON.stringify(input)}`);
    return input;
  }
  if (!input || typeof input !== "object") throw new TypeError("timespan must be a string or { start?, end?, duration? }");
  const { start, end, duration } = input;
  if (duration !== undefined && (typeof duration !== "string" || !DURATION.test(duration)))
    throw new TypeError(`timespan duration must be an ISO-8601 duration such as P7D, got ${JSON.stringify(duration)}`);
  if (start !== undefined && end !== undefined) {
    if (duration !== undefined) throw new TypeError("timespan takes at most two of start, end and duration");
    return `${point(start, "start")}/${point(end, "end")}`;
  }
  if (start !== undefined) return duration === undefined ? point(start, "start") : `${point(start, "start")}/${duration}`;
  if (end !== undefined) {
    if (duration === undefined) throw new TypeError("timespan with an end needs a start or a duration");
    return `${duration}/${point(end, "end")}`;
  }
  if (duration !== undefined) return duration;
  throw new TypeError("timespan needs a start, an end or a duration");
}
