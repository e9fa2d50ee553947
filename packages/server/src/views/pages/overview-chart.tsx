/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * The overview's chart: alerts created per UTC day, stacked by severity, drawn
 * here as SVG (no script, no CDN: the console's CSP allows neither). Each bar
 * is a link to the alert list of that day. Colours are presentation
 * attributes, which the CSP's `style-src 'self'` leaves alone.
 */
import { text } from "../html.js";

/** Severities bottom to top, with their colours (the list's chips read the same order). */
const STACK: ReadonlyArray<readonly [string, string]> = [
  ["High", "#c62828"],
  ["Medium", "#ef6c00"],
  ["Low", "#f9a825"],
  ["Informational", "#1e88e5"],
  ["UnSpecified", "#9e9e9e"],
];
const KNOWN = new Set(STACK.map(([s]) => s));

const WIDTH = 720;
const HEIGHT = 200;
const LEFT = 44;
/** Room for the last day's label. */
const RIGHT = 20;
const BOTTOM = 24;
const TOP = 8;

/** A round upper bound for the axis (1, 2 or 5 times a power of ten). */
function niceMax(n: number): number {
  if (n <= 5) return 5;
  const p = 10 ** Math.floor(Math.log10(n));
  for (const m of [1, 2, 5, 10]) if (m * p >= n) return m * p;
  return 10 * p;
}

/** Counts of one day by stack entry; severities the stack does not know count as UnSpecified. */
function stackOf(day: Readonly<Record<string, number>>): Array<[string, string, number]> {
  const other = Object.entries(day).reduce((n, [s, v]) => (KNOWN.has(s) ? n : n + v), 0);
  return STACK.map(([s, colour]) => [s, colour, (day[s] ?? 0) + (s === "UnSpecified" ? other : 0)]);
}

/**
 * Stacked daily bars.
 *
 * @example
 * <DailyAlertsChart days={overview.days.slice(-7)} counts={overview.totals.daily.slice(-7)} href={(d) => `/alerts?from=${d}&to=${d}`} />
 */
export function DailyAlertsChart(props: {
  id: string;
  /** First instant of each day (ISO), oldest first. */
  days: readonly string[];
  counts: ReadonlyArray<Readonly<Record<string, number>>>;
  /** The list of one day's alerts (`yyyy-mm-dd`). */
  href: (day: string) => string;
}) {
  const { days, counts } = props;
  const totals = counts.map((d) => Object.values(d).reduce((n, v) => n + v, 0));
  const sum = totals.reduce((n, v) => n + v, 0);
  const max = niceMax(Math.max(0, ...totals));
  const plotH = HEIGHT - TOP - BOTTOM;
  const slot = (WIDTH - LEFT - RIGHT) / Math.max(1, days.length);
  const barW = Math.max(2, slot * 0.7);
  const y = (v: number) => TOP + plotH - (v / max) * plotH;
  const label = `Alerts created per day over the last ${days.length} days: ${sum} in all, at most ${Math.max(0, ...totals)} on one day`;
  const every = days.length > 10 ? 5 : 1;
  return (
    <figure class="chart" id={props.id} data-days={String(days.length)} data-total={String(sum)}>
      <svg xmlns="http://www.w3.org/2000/svg" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} width="100%" role="img" aria-label={label}>
        <title>{label}</title>
        {[0, max / 2, max].map((v) => (
          <g>
            <line x1={LEFT} x2={WIDTH - RIGHT} y1={y(v)} y2={y(v)} stroke="#8886" stroke-width="1" />
            <text x={LEFT - 6} y={y(v) + 4} text-anchor="end" font-size="11" fill="currentColor">
              {String(v)}
            </text>
          </g>
        ))}
        {days.map((iso, i) => {
          const day = iso.slice(0, 10);
          const x = LEFT + i * slot + (slot - barW) / 2;
          let base = 0;
          return (
            <a href={props.href(day)} data-day={day} data-count={String(totals[i] ?? 0)}>
              <title>{text(`${day}: ${totals[i] ?? 0} alert(s)${stackOf(counts[i] ?? {}).filter(([, , n]) => n > 0).map(([s, , n]) => `, ${s} ${n}`).join("")}`)}</title>
              {/* A transparent column keeps an empty day clickable. */}
              <rect x={x} y={TOP} width={barW} height={plotH} fill="transparent" />
              {stackOf(counts[i] ?? {}).map(([s, colour, n]) => {
                if (n === 0) return "";
                const top = y(base + n);
                const h = y(base) - top;
                base += n;
                return <rect x={x} y={top} width={barW} height={Math.max(h, 0.5)} fill={colour} data-severity={s} />;
              })}
              {i % every === 0 || i === days.length - 1 ? (
                <text x={x + barW / 2} y={HEIGHT - 8} text-anchor="middle" font-size="10" fill="currentColor">
                  {day.slice(5)}
                </text>
              ) : (
                ""
              )}
            </a>
          );
        })}
      </svg>
      <figcaption class="muted">
        {STACK.map(([s, colour]) => (
          <span class="legend">
            <svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" aria-hidden="true">
              <rect width="10" height="10" fill={colour} />
            </svg>{" "}
            {s}{" "}
          </span>
        ))}
        <span>· days in UTC, by creation time; a bar opens that day's alerts.</span>
      </figcaption>
    </figure>
  );
}
