/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * The customer report as one self-contained HTML document: inline CSS, inline SVG charts, the
 * partner's logo as a data URI, no script and a Content-Security-Policy that allows none, so the
 * file opens the same from a mail attachment, a shared folder or Chromium's PDF printer. Every
 * tenant value (names, categories, device names, comments) goes through Hono JSX's escaping and
 * is clipped (views/clip.tsx).
 */
import { clip, LIST_TEXT_MAX } from "../views/clip.js";
import { raw } from "hono/html";
import { AlertsOverTime, BarChart, SEVERITY_COLORS, TrendChart } from "./charts.js";
import type { DurationStats, ReportData, ScoreSeries } from "./report-data.js";

/** Who the report is from. */
export interface ReportBranding {
  /** The partner's name in the header and footer. Default "Managed security report". */
  readonly partnerName?: string;
  /** A `data:` URI from `logoDataUri`. */
  readonly logo?: string;
}

const CSS = `
@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; margin: 0 auto; max-width: 800px; padding: 16px; font-size: 13px; }
header { display: flex; align-items: center; gap: 16px; border-bottom: 3px solid #37474f; padding-bottom: 10px; margin-bottom: 16px; }
header img { max-height: 56px; max-width: 200px; }
header .who { flex: 1; }
h1 { font-size: 22px; margin: 0; }
h2 { font-size: 16px; margin: 22px 0 8px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; break-after: avoid; }
.muted { color: #57606a; }
.figures { display: flex; flex-wrap: wrap; gap: 10px; }
.figure { border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 12px; min-width: 130px; }
.figure b { display: block; font-size: 20px; }
table { border-collapse: collapse; width: 100%; font-size: 12px; }
th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid #eaeef2; vertical-align: top; overflow-wrap: anywhere; }
th { background: #f6f8fa; }
section, svg, tr { break-inside: avoid; }
svg.chart { max-width: 100%; height: auto; }
footer { margin-top: 24px; font-size: 11px; color: #57606a; border-top: 1px solid #d0d7de; padding-top: 6px; }
`;

/** "42 min", "3.5 h", "2.1 days". */
export function duration(minutes: number | null): string {
  if (minutes === null) return "—";
  if (minutes < 90) return `${Math.round(minutes)} min`;
  if (minutes < 48 * 60) return `${(minutes / 60).toFixed(1)} h`;
  return `${(minutes / 1440).toFixed(1)} days`;
}

function Figure({ label, value, name }: { label: string; value: string | number; name: string }) {
  return (
    <div class="figure" data-figure={name}>
      <b>{String(value)}</b>
      <span class="muted">{label}</span>
    </div>
  );
}

function Durations({ what, stats, name }: { what: string; stats: DurationStats; name: string }) {
  return (
    <>
      <Figure name={`${name}-median`} label={`median time to ${what}`} value={duration(stats.medianMinutes)} />
      <Figure name={`${name}-p90`} label={`90% ${what}d within`} value={duration(stats.p90Minutes)} />
      <Figure name={`${name}-measured`} label={`alerts measured`} value={stats.measured} />
    </>
  );
}

/** Lines a trend chart draws at most (its legend stays readable). */
const MAX_TREND_LINES = 12;

/** Days with a recorded score, over all series. */
const recordedDays = (series: readonly ScoreSeries[]) => new Set(series.flatMap((s) => s.points.map((p) => p.day))).size;

/**
 * The exposure score over the period, and the secure score's when there is one. A trend needs
 * scores on two days at least: with fewer, the page says so rather than draw one dot.
 */
function ScoreTrend({ data }: { data: ReportData }) {
  const trend = data.exposure?.trend;
  if (!trend) return null;
  const days = recordedDays(trend.exposure);
  // A group of many tenants: the lines of those with the highest last exposure score (the ones to
  // talk about), the rest named as a count. Secure scores follow the same tenants.
  const lastScore = (s: ScoreSeries) => s.points[s.points.length - 1]?.score ?? 0;
  const exposure = [...trend.exposure].sort((a, b) => lastScore(b) - lastScore(a)).slice(0, MAX_TREND_LINES);
  const drawn = new Set(exposure.map((s) => s.tenantId));
  const secure = trend.secure.filter((s) => drawn.has(s.tenantId) || trend.exposure.length === 0).slice(0, MAX_TREND_LINES);
  const left = trend.exposure.length - exposure.length;
  return (
    <div data-section="exposure-trend">
      <h3>Exposure score trend</h3>
      {days >= 2 ? (
        <>
          <p class="muted">{`Exposure score on each day a vulnerability sync recorded it (${days} days of this period); lower is better.`}</p>
          <TrendChart name="exposure-trend" label="Exposure score over the period" series={exposure} from={data.period.from} to={data.period.to} max={100} />
          {left > 0 ? <p class="muted">{`The ${exposure.length} tenants with the highest exposure score are drawn; ${left} more are not.`}</p> : null}
        </>
      ) : (
        <p class="muted" data-note="too-little-history">
          {days === 1
            ? "Too little history for a trend: the exposure score was recorded on one day of this period only. The trend appears once vulnerability syncs have recorded it on two days or more."
            : "Too little history for a trend: no exposure score was recorded during this period. The trend appears once vulnerability syncs have recorded it on two days or more."}
        </p>
      )}
      {recordedDays(secure) >= 2 ? (
        <>
          <h3>Secure score trend</h3>
          <p class="muted">Microsoft Secure Score for Devices on each day a vulnerability sync recorded it; higher is better.</p>
          <TrendChart name="secure-score-trend" label="Secure score over the period" series={secure} from={data.period.from} to={data.period.to} />
        </>
      ) : null}
    </div>
  );
}

function subjectLine(data: ReportData): string {
  if (data.subject.kind === "tenant") return data.subject.name;
  return `${data.subject.name} (${data.tenants.length} tenant${data.tenants.length === 1 ? "" : "s"})`;
}

function Report({ data, branding }: { data: ReportData; branding: ReportBranding }) {
  const partner = clip(branding.partnerName ?? "Managed security report", LIST_TEXT_MAX);
  const title = `Security report — ${clip(subjectLine(data), LIST_TEXT_MAX)} — ${data.period.from} to ${data.period.to}`;
  const { alerts, response, actions, devices, exposure } = data;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
        <style>{raw(CSS)}</style>
      </head>
      <body>
        <header>
          {branding.logo ? <img src={branding.logo} alt="" /> : null}
          <div class="who">
            <div class="muted" data-role="partner-name">
              {partner}
            </div>
            <h1>{`Security report: ${clip(subjectLine(data), LIST_TEXT_MAX)}`}</h1>
            <div class="muted">{`${data.period.from} to ${data.period.to} (UTC)`}</div>
          </div>
        </header>

        <section>
          <h2>Summary</h2>
          <div class="figures">
            <Figure name="alerts" label="alerts raised" value={alerts.total} />
            {alerts.bySeverity
              .filter((s) => s.key === "High" || s.key === "Medium")
              .map((s) => (
                <Figure name={`alerts-${s.key.toLowerCase()}`} label={`${s.key} severity`} value={s.count} />
              ))}
            <Figure name="open" label="still open" value={alerts.open} />
            <Figure name="actions" label="response actions" value={actions.total} />
          </div>
        </section>

        <section>
          <h2>Alerts over time</h2>
          <p class="muted">{`Alerts by creation ${data.period.bucket === "week" ? "week" : "day"}, stacked by severity.`}</p>
          <AlertsOverTime buckets={alerts.timeline} />
        </section>

        <section>
          <h2>Alerts by severity</h2>
          <BarChart
            name="alerts-by-severity"
            label="Alerts by severity"
            bars={alerts.bySeverity.map((s) => ({ label: s.key, value: s.count, color: SEVERITY_COLORS[s.key] }))}
          />
        </section>

        <section>
          <h2>Alerts by category</h2>
          {alerts.byCategory.length ? (
            <BarChart name="alerts-by-category" label="Alerts by category" bars={alerts.byCategory.slice(0, 12).map((c) => ({ label: c.key, value: c.count }))} />
          ) : (
            <p class="muted">No alerts in this period.</p>
          )}
        </section>

        <section>
          <h2>Response times</h2>
          <p class="muted">
            From an alert's creation to its first status change away from New (acknowledged) and to Resolved, as the alert history recorded them.
          </p>
          <div class="figures">
            <Durations what="acknowledge" stats={response.acknowledge} name="acknowledge" />
          </div>
          <div class="figures" style="margin-top:8px">
            <Durations what="resolve" stats={response.resolve} name="resolve" />
          </div>
        </section>

        <section>
          <h2>Top affected devices</h2>
          {devices.length ? (
            <BarChart
              name="top-devices"
              label="Devices with the most alerts"
              bars={devices.map((d) => ({ label: d.name, value: d.alerts, color: SEVERITY_COLORS[d.worstSeverity], note: d.tenantName }))}
            />
          ) : (
            <p class="muted">No alert named a device.</p>
          )}
        </section>

        <section>
          <h2>Response actions</h2>
          {actions.shown.length ? (
            <table data-table="actions">
              <thead>
                <tr>
                  <th>When (UTC)</th>
                  {data.tenants.length > 1 ? <th>Tenant</th> : null}
                  <th>Device</th>
                  <th>Action</th>
                  <th>Status</th>
                  <th>Who</th>
                  <th>Why</th>
                </tr>
              </thead>
              <tbody>
                {actions.shown.map((a) => (
                  <tr>
                    <td>{a.at ? a.at.slice(0, 16).replace("T", " ") : "—"}</td>
                    {data.tenants.length > 1 ? <td>{clip(a.tenantName)}</td> : null}
                    <td>{clip(a.device)}</td>
                    <td>{clip(a.type)}</td>
                    <td>{clip(a.status)}</td>
                    <td>{clip(a.who)}</td>
                    <td>{clip(a.why, 400)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p class="muted">No response actions in this period.</p>
          )}
          {actions.total > actions.shown.length ? <p class="muted">{`The last ${actions.shown.length} of ${actions.total} actions shown.`}</p> : null}
        </section>

        <section>
          <h2>Exposure</h2>
          {exposure ? (
            <>
              {exposure.scores.length ? (
                <>
                  <p class="muted">Exposure score (0–100, lower is better) at the last vulnerability sync.</p>
                  <BarChart
                    name="exposure-score"
                    label="Exposure score"
                    max={100}
                    bars={exposure.scores.map((s) => ({ label: s.tenantName, value: Math.round(s.score * 10) / 10, color: "#6a1b9a", note: s.time ?? "" }))}
                  />
                </>
              ) : null}
              <ScoreTrend data={data} />
              {exposure.topCves.length ? (
                <>
                  <h3>Top CVEs</h3>
                  <BarChart
                    name="top-cves"
                    label="CVEs on the most devices"
                    bars={exposure.topCves.map((c) => ({ label: c.cveId, value: c.machines, color: SEVERITY_COLORS[(c.severity as keyof typeof SEVERITY_COLORS) ?? "UnSpecified"] ?? "#78909c" }))}
                  />
                  <table data-table="cves">
                    <thead>
                      <tr>
                        <th>CVE</th>
                        <th>Severity</th>
                        <th>CVSS v3</th>
                        <th>Devices</th>
                        <th>Public exploit</th>
                      </tr>
                    </thead>
                    <tbody>
                      {exposure.topCves.map((c) => (
                        <tr>
                          <td>{clip(c.cveId)}</td>
                          <td>{clip(c.severity ?? "—")}</td>
                          <td>{c.cvssV3 === null ? "—" : String(c.cvssV3)}</td>
                          <td>{String(c.machines)}</td>
                          <td>{c.publicExploit ? "yes" : "no"}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </>
              ) : null}
            </>
          ) : (
            <p class="muted">No vulnerability data has been synced for this customer yet.</p>
          )}
        </section>

        <footer>{`${partner} · generated ${data.generatedAt.slice(0, 16).replace("T", " ")} UTC · tenants: ${data.tenants.map((t) => clip(t.name, 80)).join(", ")}`}</footer>
      </body>
    </html>
  );
}

/**
 * The report as a complete HTML document.
 *
 * @example
 * writeFileSync("contoso.html", renderReportHtml(await collectReport(store, request), { partnerName: "Northwind SOC" }));
 */
export function renderReportHtml(data: ReportData, branding: ReportBranding = {}): string {
  if (branding.logo !== undefined && !/^data:image\/(?:png|svg\+xml);base64,[A-Za-z0-9+/=]+$/.test(branding.logo)) {
    throw new TypeError("branding.logo must be a data URI from logoDataUri");
  }
  return `<!doctype html>${(<Report data={data} branding={branding} />).toString()}`;
}
