/**
 * runHuntingQuery's `Timespan` (graph-security.md §3.1): an ISO 8601 interval or
 * duration. The five documented forms:
 * `start/end`, `P30D/end` (duration before end), `start/P30D` (start plus
 * duration), `P30D` (back from now), `start` (until now).
 */
export interface TimeWindow {
  from: number;
  to: number;
}

const DURATION = /^P(?!$)(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?!$)(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;
const DAY = 86_400_000;

/** ISO 8601 duration in ms (years and months as 365 and 30 days), or undefined. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (!m) return undefined;
  const n = (i: number) => Number(m[i] ?? 0);
  return n(1) * 365 * DAY + n(2) * 30 * DAY + n(3) * 7 * DAY + n(4) * DAY + n(5) * 3_600_000 + n(6) * 60_000 + n(7) * 1000;
}

/** An ISO 8601 date-time with a zone (or a bare date, midnight UTC), or undefined. */
function parseInstant(text: string): number | undefined {
  const t = text.trim();
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/i.test(t)) return undefined;
  const ms = Date.parse(t.length === 10 ? `${t}T00:00:00Z` : t);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The window a `Timespan` names, relative to `now`; undefined when the text is none of the forms. */
export function parseTimespan(text: string, now: number): TimeWindow | undefined {
  const parts = text.split("/");
  if (parts.length === 1) {
    const duration = parseDuration(parts[0] ?? "");
    if (duration !== undefined) return { from: now - duration, to: now };
    const start = parseInstant(parts[0] ?? "");
    return start === undefined ? undefined : { from: start, to: now };
  }
  if (parts.length !== 2) return undefined;
  const [a = "", b = ""] = parts;
  const startA = parseInstant(a);
  const endB = parseInstant(b);
  if (startA !== undefined && endB !== undefined) return startA <= endB ? { from: startA, to: endB } : undefined;
  const durationA = parseDuration(a);
  if (durationA !== undefined && endB !== undefined) return { from: endB - durationA, to: endB };
  const durationB = parseDuration(b);
  if (startA !== undefined && durationB !== undefined) return { from: startA, to: startA + durationB };
  return undefined;
}
