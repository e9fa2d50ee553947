/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * The report's charts as inline SVG, drawn on the server: d3-scale places the bars and ticks and
 * d3-shape stacks the series and draws the score trend's lines, both as plain numbers without a DOM. The SVG is written through Hono
 * JSX, so every label (a category, a device name: tenant data) is escaped like any other page
 * text. No script, no web font, no CDN: the HTML file reads the same offline, in a mail client's
 * viewer and in Chromium's PDF printer.
 *
 * Why d3 modules rather than Vega-Lite: vega-lite 6 needs Node 22 (we run on 20), and the Vega
 * runtime is megabytes for three chart shapes; d3-scale and d3-shape are pure functions from the
 * d3 project, 1.3 MB unpacked with their d3-array/d3-time/d3-format dependencies, and only the
 * functions used reach the CLI bundle.
 */
import { scaleBand, scaleLinear } from "d3-scale";
import { line, stack } from "d3-shape";
import type { Child } from "hono/jsx";
import { clip } from "../views/clip.js";
import { type ScoreSeries, SEVERITIES, type Severity, type TimelineBucket } from "./report-data.js";

const FONT_FAMILY = "system-ui,-apple-system,'Segoe UI',Roboto,sans-serif";

/** The `<svg>` every chart is drawn in: named for tests, labelled for screen readers, its font as an attribute (no style). */
function ChartFrame({ name, label, width, height, children }: { name: string; label: string; width: number; height: number; children?: Child }) {
  return (
    <svg class="chart" data-chart={name} xmlns="http://www.w3.org/2000/svg" viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-label={label} font-family={FONT_FAMILY}>
      {children}
    </svg>
  );
}

/** Colours of the severities (High to UnSpecified), readable in print. */
export const SEVERITY_COLORS: Readonly<Record<Severity, string>> = {
  High: "#c62828",
  Medium: "#ef6c00",
  Low: "#f9a825",
  Informational: "#1565c0",
  UnSpecified: "#78909c",
};

const round = (n: number) => Math.round(n * 10) / 10;

/** The horizontal grid lines of a chart's y axis, each with its value at the left. */
function YGrid({ ticks, y, left, right }: { ticks: readonly number[]; y: (value: number) => number; left: number; right: number }) {
  return (
    <>
      {ticks.map((t) => (
        <g class="tick" font-size="10" fill="#555">
          <line x1={left} x2={right} y1={round(y(t))} y2={round(y(t))} stroke="#e0e0e0" />
          <text x={left - 6} y={round(y(t)) + 3} text-anchor="end">
            {String(t)}
          </text>
        </g>
      ))}
    </>
  );
}

function Legend({ keys, x, y }: { keys: readonly Severity[]; x: number; y: number }) {
  let at = x;
  return (
    <g class="legend" font-size="11">
      {keys.map((key) => {
        const here = at;
        at += 24 + key.length * 6.2;
        return (
          <g>
            <rect x={here} y={y - 9} width="10" height="10" fill={SEVERITY_COLORS[key]} />
            <text x={here + 14} y={y}>
              {key}
            </text>
          </g>
        );
      })}
    </g>
  );
}

/**
 * Alerts per day (or week) stacked by severity. Each bar segment carries `data-severity`,
 * `data-start` and `data-count`, and a `<title>` a reader sees on hover.
 */
export function AlertsOverTime({ buckets, width = 720, height = 260 }: { buckets: readonly TimelineBucket[]; width?: number; height?: number }) {
  const margin = { top: 24, right: 12, bottom: 42, left: 40 };
  const rows = buckets.map((b) => ({ start: b.start, ...b.counts }));
  const series = stack<(typeof rows)[number], Severity>().keys([...SEVERITIES])(rows);
  const max = Math.max(1, ...buckets.map((b) => SEVERITIES.reduce((sum, s) => sum + b.counts[s], 0)));
  const x = scaleBand<string>()
    .domain(buckets.map((b) => b.start))
    .range([margin.left, width - margin.right])
    .padding(0.15);
  const y = scaleLinear()
    .domain([0, max])
    .nice()
    .range([height - margin.bottom, margin.top]);
  const ticks = y.ticks(Math.min(5, y.domain()[1]!)).filter(Number.isInteger);
  const every = Math.max(1, Math.ceil(buckets.length / 12));
  return (
    <ChartFrame name="alerts-over-time" label="Alerts over time by severity" width={width} height={height}>
      <YGrid ticks={ticks} y={y} left={margin.left} right={width - margin.right} />
      {series.map((s) => (
        <g data-series={s.key} fill={SEVERITY_COLORS[s.key]}>
          {s.map((point) => {
            const count = point[1] - point[0];
            if (count <= 0) return null;
            return (
              <rect
                x={round(x(point.data.start) ?? 0)}
                y={round(y(point[1]))}
                width={round(x.bandwidth())}
                height={round(y(point[0]) - y(point[1]))}
                data-severity={s.key}
                data-start={point.data.start}
                data-count={count}
              >
                <title>{`${point.data.start}: ${count} ${s.key}`}</title>
              </rect>
            );
          })}
        </g>
      ))}
      {buckets.map((b, i) =>
        i % every === 0 ? (
          <text
            x={round((x(b.start) ?? 0) + x.bandwidth() / 2)}
            y={height - margin.bottom + 14}
            font-size="10"
            fill="#555"
            text-anchor="middle"
          >
            {b.start.slice(5)}
          </text>
        ) : null,
      )}
      <line x1={margin.left} x2={width - margin.right} y1={height - margin.bottom} y2={height - margin.bottom} stroke="#999" />
      <Legend keys={SEVERITIES} x={margin.left} y={height - 8} />
    </ChartFrame>
  );
}

/** One bar of a {@link BarChart}. */
export interface Bar {
  readonly label: string;
  readonly value: number;
  readonly color?: string;
  /** Shown after the value (e.g. a tenant name). */
  readonly note?: string;
}

/**
 * Horizontal bars with their labels and values (categories, severities, devices, exposure
 * scores). Labels are tenant data: clipped to 40 characters and escaped.
 */
export function BarChart({ name, label, bars, width = 720, max }: { name: string; label: string; bars: readonly Bar[]; width?: number; max?: number }) {
  const rowHeight = 22;
  const margin = { top: 6, right: 60, bottom: 6, left: 230 };
  const height = margin.top + margin.bottom + Math.max(1, bars.length) * rowHeight;
  const x = scaleLinear()
    .domain([0, max ?? Math.max(1, ...bars.map((b) => b.value))])
    .range([margin.left, width - margin.right]);
  return (
    <ChartFrame name={name} label={label} width={width} height={height}>
      {bars.map((b, i) => {
        const top = margin.top + i * rowHeight;
        const shown = clip(b.label, 40);
        return (
          <g class="bar" data-label={clip(b.label, 200)} data-value={b.value}>
            <text x={margin.left - 8} y={top + 15} font-size="11" text-anchor="end" fill="#222">
              {shown}
            </text>
            <rect x={margin.left} y={top + 3} width={round(Math.max(0, x(b.value) - margin.left))} height={rowHeight - 6} fill={b.color ?? "#37474f"}>
              <title>{`${clip(b.label, 200)}: ${b.value}${b.note ? ` (${clip(b.note, 80)})` : ""}`}</title>
            </rect>
            <text x={round(x(b.value)) + 6} y={top + 15} font-size="11" fill="#222">
              {String(b.value)}
            </text>
          </g>
        );
      })}
    </ChartFrame>
  );
}

/** Colours of a {@link TrendChart}'s lines, one a tenant, repeating past eight. */
export const SERIES_COLORS: readonly string[] = ["#6a1b9a", "#00838f", "#ef6c00", "#2e7d32", "#c62828", "#1565c0", "#6d4c41", "#ad1457"];

const dayMs = (day: string) => Date.parse(`${day}T00:00:00Z`);

/**
 * Scores over the days of a period as lines, one a tenant (d3-shape's `line` over d3-scale's
 * linear scales, days on x). Each day a score was recorded is a point carrying `data-day` and
 * `data-score`, with a `<title>`; a tenant with one point shows just the point. Only
 * presentation attributes, no `style`: the console's CSP (`style-src 'self'`) would drop inline
 * styles. Tenant names (the legend) are clipped and escaped.
 */
export function TrendChart({
  name,
  label,
  series,
  from,
  to,
  max,
  width = 720,
  height = 240,
}: {
  name: string;
  label: string;
  series: readonly ScoreSeries[];
  from: string;
  to: string;
  /** Top of the y axis (100 for the exposure score); default the highest score, rounded up. */
  max?: number;
  width?: number;
  height?: number;
}) {
  const legendRows = series.length > 1 ? Math.ceil(series.length / 3) : 0;
  const margin = { top: 12, right: 20, bottom: 28 + legendRows * 16, left: 40 };
  const all = series.flatMap((s) => s.points.map((p) => p.score));
  const x = scaleLinear()
    .domain([dayMs(from), Math.max(dayMs(to), dayMs(from) + 86_400_000)])
    .range([margin.left, width - margin.right]);
  const y = scaleLinear()
    .domain([0, max ?? Math.max(1, ...all)])
    .nice()
    .range([height - margin.bottom, margin.top]);
  const path = line<{ day: string; score: number }>()
    .x((p) => round(x(dayMs(p.day))))
    .y((p) => round(y(p.score)));
  const days = Math.round((x.domain()[1]! - x.domain()[0]!) / 86_400_000);
  const step = Math.max(1, Math.ceil(days / 8));
  const xTicks: number[] = [];
  for (let d = 0; d <= days; d += step) xTicks.push(x.domain()[0]! + d * 86_400_000);
  return (
    <ChartFrame name={name} label={label} width={width} height={height}>
      <YGrid ticks={y.ticks(5)} y={y} left={margin.left} right={width - margin.right} />
      {xTicks.map((ms) => (
        <text x={round(x(ms))} y={height - margin.bottom + 14} font-size="10" fill="#555" text-anchor="middle">
          {new Date(ms).toISOString().slice(5, 10)}
        </text>
      ))}
      <line x1={margin.left} x2={width - margin.right} y1={height - margin.bottom} y2={height - margin.bottom} stroke="#999" />
      {series.map((s, i) => {
        const color = SERIES_COLORS[i % SERIES_COLORS.length]!;
        const tenant = clip(s.tenantName, 200);
        return (
          <g class="series" data-tenant={tenant} data-points={s.points.length}>
            {s.points.length > 1 ? <path d={path(s.points as { day: string; score: number }[]) ?? ""} fill="none" stroke={color} stroke-width="2" /> : null}
            {s.points.map((p) => (
              <circle cx={round(x(dayMs(p.day)))} cy={round(y(p.score))} r="3" fill={color} data-day={p.day} data-score={p.score}>
                <title>{`${clip(s.tenantName, 80)} ${p.day}: ${Math.round(p.score * 10) / 10}`}</title>
              </circle>
            ))}
          </g>
        );
      })}
      {series.length > 1
        ? series.map((s, i) => (
            <g class="legend" font-size="11">
              <rect x={margin.left + (i % 3) * 220} y={height - legendRows * 16 + Math.floor(i / 3) * 16 - 9} width="10" height="10" fill={SERIES_COLORS[i % SERIES_COLORS.length]} />
              <text x={margin.left + (i % 3) * 220 + 14} y={height - legendRows * 16 + Math.floor(i / 3) * 16}>
                {clip(s.tenantName, 30)}
              </text>
            </g>
          ))
        : null}
    </ChartFrame>
  );
}
