/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import type { IncidentQuery, StoredAlert, StoredIncident, TenantRecord } from "@mde-partner/sync";
import { INCIDENT_SEVERITIES, INCIDENT_STATUSES } from "../../services/incidents.js";
import type { Session } from "../../sessions.js";
import { clip, ClipDetail, TextSection } from "../clip.js";
import { CheckboxSet, Chip, Fact, FilterForm, Pager, SeverityChip, Table, TenantSelect, Time } from "../components.js";
import { PortalLink } from "../portal-link.js";
import { text } from "../html.js";
import { layout } from "../layout.js";

/** Graph severities (camelCase) wear the alert severity chips (PascalCase). */
const SEVERITY_CHIP: Readonly<Record<string, string>> = {
  high: "High",
  medium: "Medium",
  low: "Low",
  informational: "Informational",
  unknown: "UnSpecified",
};
const IncidentSeverity = ({ severity }: { severity: string | null }) => (
  <Chip kind={`sev-${SEVERITY_CHIP[severity ?? "unknown"] ?? "UnSpecified"}`}>{clip(severity, 40) ?? "—"}</Chip>
);

export interface IncidentListModel {
  readonly query: IncidentQuery;
  readonly params: URLSearchParams;
  readonly items: readonly StoredIncident[];
  readonly nextPageToken: string | null;
  readonly tenants: readonly TenantRecord[];
}

export function incidentsPage(session: Session, m: IncidentListModel): string {
  const names = new Map(m.tenants.map((t) => [t.id, t.name]));
  const q = m.query;
  const graphTenants = m.tenants.filter((t) => t.alertSource === "graph");
  return layout(
    session,
    { title: "Incidents", section: "incidents" },
    <>
      <FilterForm action="/incidents" label="Filter incidents" applyId="apply-incident-filters">
        <TenantSelect id="i-tenant" tenants={m.tenants} selected={q.tenantIds ?? []} />
        <CheckboxSet legend="Severity" name="severity" values={INCIDENT_SEVERITIES} chosen={q.severities} />
        <CheckboxSet legend="Status" name="status" values={INCIDENT_STATUSES} chosen={q.statuses} />
        <label for="i-q">
          Name contains
          <input id="i-q" name="q" value={text(m.params.get("q") ?? "")} />
        </label>
        <label for="i-assigned">
          Assigned to
          <input id="i-assigned" name="assignedTo" value={text(m.params.get("assignedTo") ?? "")} />
        </label>
      </FilterForm>
      <p class="muted">
        {m.items.length} shown (page of {q.limit ?? 50}) from {graphTenants.length} tenant(s) syncing from Microsoft Graph.
      </p>
      <Table
        id="incidents"
        rows={m.items}
        row={(i) => ({ "data-incident": clip(i.id), "data-tenant": i.tenantId, "data-status": clip(i.status ?? "", 40) })}
        columns={[
          { head: "Severity", cell: (i) => <IncidentSeverity severity={i.severity} /> },
          {
            head: "Incident",
            cell: (i) => (
              <>
                <a href={text(`/incidents/${i.tenantId}/${encodeURIComponent(i.id)}`)}>{text(clip(i.displayName ?? `Incident ${i.id}`))}</a>{" "}
                <small class="muted">#{text(clip(i.id))}</small>
              </>
            ),
          },
          { head: "Tenant", cell: (i) => clip(names.get(i.tenantId) ?? i.tenantId) },
          { head: "Status", cell: (i) => clip(i.status) ?? "—" },
          {
            head: "Classification",
            cell: (i) => `${clip(i.classification) ?? "—"}${i.determination && i.determination !== "unknown" ? ` / ${clip(i.determination)}` : ""}`,
          },
          { head: "Assigned to", cell: (i) => clip(i.assignedTo) ?? "—" },
          { head: "Alerts", num: true, cell: (i) => i.alertIds.length },
          { head: "Created", cell: (i) => <Time iso={i.createdDateTime} /> },
          { head: "Last update", cell: (i) => <Time iso={i.lastUpdateDateTime} /> },
        ]}
        empty={
          <p class="card" id="no-incidents">
            No incidents match.
            {graphTenants.length
              ? ""
              : " Incidents come from Microsoft Graph: an admin switches a tenant's alert source to Microsoft Graph on the Tenants page, then syncs it."}
          </p>
        }
      />
      <Pager path="/incidents" params={m.params} next={m.nextPageToken} nextId="next-incidents" />
    </>,
  );
}

export interface IncidentDetailModel {
  readonly incident: StoredIncident;
  readonly alerts: readonly StoredAlert[];
  readonly tenant: TenantRecord | null;
  /** The cloud's Defender portal hosts: only links there are live (portal-link.tsx). */
  readonly portalHosts: readonly string[];
}

/** Alerts and tags shown on the page; the JSON API has them all. */
const SHOWN_ENTRIES = 100;

export function incidentDetailPage(session: Session, m: IncidentDetailModel): string {
  const i = m.incident;
  const p = i.payload;
  const payloadText = (k: string) => (typeof p[k] === "string" ? (p[k] as string) : null);
  const tags = Array.isArray(p.customTags) ? (p.customTags as unknown[]).filter((t): t is string => typeof t === "string") : [];
  const missing = i.alertIds.filter((id) => !m.alerts.some((a) => a.id === id));
  const full = `/api/v1/incidents/${i.tenantId}/${encodeURIComponent(i.id)}`;
  const portal = payloadText("incidentWebUrl");
  return layout(
    session,
    { title: i.displayName ?? `Incident ${i.id}`, section: "incidents" },
    <>
      <section class="card">
        <dl class="facts" id="incident-facts">
          <Fact label="Severity">
            <IncidentSeverity severity={i.severity} />
          </Fact>
          <Fact label="Status" id="incident-status">{clip(i.status) ?? "—"}</Fact>
          <Fact label="Classification">{`${clip(i.classification) ?? "—"}${i.determination ? ` / ${clip(i.determination)}` : ""}`}</Fact>
          <Fact label="Assigned to">{clip(i.assignedTo) ?? "—"}</Fact>
          <Fact label="Tenant">
            <a href={text(`/tenants/${i.tenantId}`)}>{text(clip(m.tenant?.name ?? i.tenantId))}</a>
          </Fact>
          <Fact label="Tags">{tags.length ? tags.slice(0, SHOWN_ENTRIES).map((t) => clip(t)).join(", ") : "—"}</Fact>
          <Fact label="Created">
            <Time iso={i.createdDateTime} />
          </Fact>
          <Fact label="Last update">
            <Time iso={i.lastUpdateDateTime} />
          </Fact>
          <Fact label="Incident id">
            <code>{text(clip(i.id))}</code>
          </Fact>
          {portal && (
            <Fact label="Defender portal" id="incident-portal">
              <PortalLink value={portal} hosts={m.portalHosts} label="open the incident" />
            </Fact>
          )}
          {i.displayName && i.displayName.length > 300 && (
            <Fact label="Name">
              <ClipDetail value={i.displayName} full={full} />
            </Fact>
          )}
        </dl>
        <TextSection title="Description" id="incident-description" value={payloadText("description")} full={full} />
        <TextSection title="Summary" value={payloadText("summary")} full={full} />
      </section>
      <h2>Alerts ({i.alertIds.length})</h2>
      <Table
        id="incident-alerts"
        rows={m.alerts.slice(0, SHOWN_ENTRIES)}
        row={(a) => ({ "data-alert": clip(a.id) })}
        columns={[
          { head: "Severity", cell: (a) => <SeverityChip severity={a.severity} /> },
          { head: "Alert", cell: (a) => <a href={text(`/alerts/${a.tenantId}/${encodeURIComponent(a.id)}`)}>{text(clip(a.title ?? a.id))}</a> },
          { head: "Status", cell: (a) => clip(a.status) ?? "—" },
          { head: "Classification", cell: (a) => clip(a.classification) ?? "—" },
          {
            head: "Device",
            cell: (a) =>
              a.machineId ? (
                <a href={text(`/devices/${a.tenantId}/${encodeURIComponent(a.machineId)}`)}>
                  {text(clip(typeof a.payload.computerDnsName === "string" ? a.payload.computerDnsName : a.machineId))}
                </a>
              ) : (
                "—"
              ),
          },
          { head: "Last update", cell: (a) => <Time iso={a.lastUpdateTime} /> },
        ]}
        empty={<p class="muted">No alert of this incident is stored yet.</p>}
      />
      {missing.length > 0 && (
        <p class="warn">
          {missing.length} alert(s) of this incident are not in the store yet: {text(missing.slice(0, SHOWN_ENTRIES).map((id) => clip(id)).join(", "))}
        </p>
      )}
      <p>
        <a href={text(`/incidents?tenant=${i.tenantId}`)}>Incidents of this tenant</a>
      </p>
    </>,
  );
}
