/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * The report's charts as inline SVG, drawn on the server: d3-scale places the bars and ticks and
 * d3-shape stacks the series, both as plain numbers without a DOM. The SVG is written through Hono
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
import { stack } from "d3-shape";
import { clip } from "../views/clip.js";
import { SEVERITIES, type Severity, type TimelineBucket } from "./report-data.js";

/** Colours of the severities (High to UnSpecified), readable in print. */
export const SEVERITY_COLORS: Readonly<Record<Severity, string>> = {
  High: "#c62828",
  Medium: "#ef6c00",
  Low: "#f9a825",
  Informational: "#1565c0",
  UnSpecified: "#78909c",
};

const FONT = "font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif";
const round = (n: number) => Math.round(n * 10) / 10;

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
    <svg
      class="chart"
      data-chart="alerts-over-time"
      xmlns="http://www.w3.org/2000/svg"
      viewBox={`0 0 ${width} ${height}`}
      width={width}
      height={height}
      role="img"
      aria-label="Alerts over time by severity"
      style={FONT}
    >
      {ticks.map((t) => (
        <g class="tick" font-size="10" fill="#555">
          <line x1={margin.left} x2={width - margin.right} y1={round(y(t))} y2={round(y(t))} stroke="#e0e0e0" />
          <text x={margin.left - 6} y={round(y(t)) + 3} text-anchor="end">
            {String(t)}
          </text>
        </g>
      ))}
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
    </svg>
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
    <svg
      class="chart"
      data-chart={name}
      xmlns="http://www.w3.org/2000/svg"
      viewBox={`0 0 ${width} ${height}`}
      width={width}
      height={height}
      role="img"
      aria-label={label}
      style={FONT}
    >
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
    </svg>
  );
}
