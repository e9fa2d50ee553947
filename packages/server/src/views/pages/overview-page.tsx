/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * The SOC overview page: totals, the chart of the last 7 or 30 days, and a
 * row per customer. Every figure is a link to the list behind it: the alert
 * list filtered by tenant, severity and status (or creation day), the device
 * list of the tenant, the tenant's page.
 */
import { hasEverywhere } from "../../access.js";
import { OPEN_STATUSES, type Overview, type OverviewRow } from "../../services/overview.js";
import { stateLabel } from "../../services/tenants.js";
import type { Session } from "../../sessions.js";
import { clip } from "../clip.js";
import { Chip, FilterForm, GroupSelect, Table, type Column } from "../components.js";
import { age, qs, when } from "../format.js";
import { text } from "../html.js";
import { layout } from "../layout.js";
import { DailyAlertsChart } from "./overview-chart.js";

const MACHINES_LISTED = 3;

/** The console paths behind one row's figures. */
export function overviewLinks(row: OverviewRow, days: readonly string[], group: string) {
  const t = row.tenant.id;
  const open = (severity: string) => `/alerts${qs({ tenant: t, severity, status: OPEN_STATUSES })}`;
  const since = (n: number) => `/alerts${qs({ tenant: t, timeField: "alertCreationTime", from: (days[days.length - n] ?? days[0] ?? "").slice(0, 10) })}`;
  return {
    tenant: `/tenants/${t}`,
    openHigh: open("High"),
    openMedium: open("Medium"),
    oldestNew: row.oldestNew ? `/alerts/${t}/${encodeURIComponent(row.oldestNew.id)}` : null,
    newAlerts: `/alerts${qs({ tenant: t, status: "New", sort: "alertCreationTime", order: "asc" })}`,
    devices: `/devices${qs({ tenant: t, group: group || undefined })}`,
    alerts7d: since(7),
    alerts30d: since(30),
  };
}

/** A count as a link, or a plain 0 (nothing to open). */
const Count = ({ n, href, id }: { n: number; href: string; id?: string }) =>
  n > 0 ? (
    <a href={text(href)} id={id} data-count={String(n)}>
      {n.toLocaleString("en")}
    </a>
  ) : (
    <span class="muted" data-count="0">0</span>
  );

function SyncCell({ row, now }: { row: OverviewRow; now: number }) {
  const { lastRun, failures, failuresCapped } = row.sync;
  const href = `/tenants/${row.tenant.id}`;
  if (!lastRun) return <a href={text(href)} data-sync="never" class="muted">never synced</a>;
  const state = failures > 0 ? "failing" : lastRun.status === "running" ? "running" : lastRun.status === "partial" ? "partial" : "ok";
  return (
    <a href={text(href)} data-sync={state} title={text(clip(row.tenant.lastError ?? lastRun.error ?? "", 300))}>
      <span class={failures > 0 ? "bad" : state === "ok" ? "ok" : "warn"}>{text(lastRun.status)}</span> {age(lastRun.finishedAt ?? lastRun.startedAt, now)}
      {failures > 0 ? (
        <>
          <br />
          <small class="bad" data-failures={String(failures)}>
            {failures}
            {failuresCapped ? "+" : ""} failed in a row
          </small>
        </>
      ) : (
        ""
      )}
    </a>
  );
}

function IsolatedCell({ row, links }: { row: OverviewRow; links: ReturnType<typeof overviewLinks> }) {
  const ids = row.isolatedMachineIds;
  if (ids.length === 0) return <span class="muted" data-count="0">0</span>;
  return (
    <>
      <a href={text(links.devices)} data-count={String(ids.length)}>{ids.length}</a>
      {ids.length <= MACHINES_LISTED ? (
        <small>
          {" "}
          (
          {ids.map((m, i) => (
            <>
              {i > 0 ? ", " : ""}
              <a href={text(`/devices/${row.tenant.id}/${m}`)} class="machine">
                <code>{text(m.slice(0, 8))}</code>
              </a>
            </>
          ))}
          )
        </small>
      ) : (
        ""
      )}
    </>
  );
}

/** What the page shows besides the overview: the chart's days and the group filter. */
export interface OverviewPageOptions {
  readonly days: 7 | 30;
  readonly groups: readonly string[];
  readonly group: string;
}

export function overviewPage(session: Session, overview: Overview, options: OverviewPageOptions): string {
  const now = Date.parse(overview.at);
  const { days, group } = options;
  const g = group || undefined;
  const linksOf = new Map(overview.rows.map((r) => [r.tenant.id, overviewLinks(r, overview.days, group)]));
  const links = (r: OverviewRow) => linksOf.get(r.tenant.id)!;
  const columns: Column<OverviewRow>[] = [
    {
      head: "Customer",
      attrs: () => ({ "data-field": "customer" }),
      cell: (r) => <a href={text(links(r).tenant)}>{text(clip(r.tenant.name, 120))}</a>,
    },
    {
      head: "Consent",
      attrs: (r) => ({ "data-field": "consent", "data-state": r.tenant.state }),
      cell: (r) => (
        <a href={text(links(r).tenant)}>
          <Chip kind={`state-${r.tenant.state}`}>{stateLabel(r.tenant.state)}</Chip>
        </a>
      ),
    },
    { head: "Open High", num: true, attrs: () => ({ "data-field": "open-high" }), cell: (r) => <Count n={r.open.High} href={links(r).openHigh} /> },
    { head: "Open Medium", num: true, attrs: () => ({ "data-field": "open-medium" }), cell: (r) => <Count n={r.open.Medium} href={links(r).openMedium} /> },
    {
      head: "Oldest unacknowledged",
      attrs: (r) => ({ "data-field": "oldest-new", title: r.oldestNew ? when(r.oldestNew.createdAt) : "" }),
      cell: (r) =>
        r.oldestNew ? (
          <>
            <a href={text(links(r).oldestNew ?? "")} data-alert={text(clip(r.oldestNew.id, 120))}>{age(r.oldestNew.createdAt, now).replace(/ ago$/, "")}</a>{" "}
            <small>
              <a href={text(links(r).newAlerts)}>all New</a>
            </small>
          </>
        ) : (
          <span class="muted">none</span>
        ),
    },
    { head: "Alert sync", attrs: () => ({ "data-field": "sync" }), cell: (r) => <SyncCell row={r} now={now} /> },
    { head: "Isolated devices", num: true, attrs: () => ({ "data-field": "isolated" }), cell: (r) => <IsolatedCell row={r} links={links(r)} /> },
    { head: "Alerts 7 d", num: true, attrs: () => ({ "data-field": "alerts-7d" }), cell: (r) => <Count n={r.last7} href={links(r).alerts7d} /> },
    { head: "Alerts 30 d", num: true, attrs: () => ({ "data-field": "alerts-30d" }), cell: (r) => <Count n={r.last30} href={links(r).alerts30d} /> },
  ];
  const shownDays = overview.days.slice(-days);
  const shownCounts = overview.totals.daily.slice(-days);
  const failing = overview.rows.filter((r) => r.sync.failures > 0).length;
  const pending = overview.rows.filter((r) => r.tenant.state !== "verified").length;
  return layout(
    session,
    { title: "SOC overview", section: "overview" },
    <>
      {options.groups.length ? (
        <FilterForm action="/overview" label="Filter the overview">
          <GroupSelect id="o-group" groups={options.groups} selected={group} />
          <input type="hidden" name="days" value={String(days)} />
        </FilterForm>
      ) : (
        ""
      )}
      <dl class="facts" id="overview-totals">
        <dt>Open High alerts</dt>
        <dd id="total-high">
          <Count n={overview.totals.open.High} href={`/alerts${qs({ severity: "High", status: OPEN_STATUSES, group: g })}`} />
        </dd>
        <dt>Open Medium alerts</dt>
        <dd id="total-medium">
          <Count n={overview.totals.open.Medium} href={`/alerts${qs({ severity: "Medium", status: OPEN_STATUSES, group: g })}`} />
        </dd>
        <dt>Isolated devices</dt>
        <dd id="total-isolated">
          <Count n={overview.totals.isolated} href={`/devices${qs({ group: g })}`} />
        </dd>
        <dt>Customers with failing sync</dt>
        <dd id="total-failing">{failing}</dd>
        <dt>Customers not verified</dt>
        <dd id="total-unverified">{pending}</dd>
      </dl>
      <section class="card">
        <h2>
          Alerts over the last {days} days{" "}
          <small>
            {days === 30 ? <a href={`/overview${qs({ days: "7", group: g })}`} id="days-7">last 7 days</a> : <a href={`/overview${qs({ days: "30", group: g })}`} id="days-30">last 30 days</a>}
          </small>
        </h2>
        <DailyAlertsChart
          id="alerts-chart"
          days={shownDays}
          counts={shownCounts}
          href={(day) => `/alerts${qs({ from: day, to: day, timeField: "alertCreationTime", group: g })}`}
        />
      </section>
      <Table
        id="overview"
        caption={`${overview.rows.length} customer tenant${overview.rows.length === 1 ? "" : "s"} · open = ${OPEN_STATUSES.join(" or ")} · as of ${when(overview.at)}`}
        rows={overview.rows}
        row={(r) => ({ "data-tenant": r.tenant.id })}
        columns={columns}
        empty={
          <p class="card" id="no-tenants">
            {hasEverywhere(session.grants, "viewer") ? "No customers yet." : "No customer tenant in your customer groups yet."}{" "}
            <a href="/tenants">Tenants</a>
          </p>
        }
      />
    </>,
  );
}
