import type { IncidentQuery, StoredAlert, StoredIncident, TenantRecord } from "@mde-partner/sync";
import { INCIDENT_SEVERITIES, INCIDENT_STATUSES } from "../../services/incidents.js";
import type { Session } from "../../sessions.js";
import { clip, clipDetail } from "../clip.js";
import { options, qs, timeCell } from "../format.js";
import { portalLink } from "../portal-link.js";
import { html, type SafeHtml } from "../html.js";
import { layout } from "../layout.js";

/** Graph severities (camelCase) wear the alert severity chips (PascalCase). */
const SEVERITY_CHIP: Readonly<Record<string, string>> = {
  high: "High",
  medium: "Medium",
  low: "Low",
  informational: "Informational",
  unknown: "UnSpecified",
};
const sev = (s: string | null) => html`<span class="chip sev-${SEVERITY_CHIP[s ?? "unknown"] ?? "UnSpecified"}">${clip(s, 40) ?? "—"}</span>`;

function checkboxes(name: string, values: readonly string[], chosen: readonly string[] | undefined): SafeHtml {
  const set = new Set(chosen ?? []);
  return html`${values.map(
    (v) => html`<label class="inline"><input type="checkbox" name="${name}" value="${v}"${set.has(v) ? html` checked` : ""}> ${v}</label>`,
  )}`;
}

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
  const filters = html`<form class="filters" method="get" action="/incidents" role="search" aria-label="Filter incidents">
<label for="i-tenant">Tenant<select id="i-tenant" name="tenant"><option value="">All tenants</option>${options(
    m.tenants.map((t) => t.id),
    q.tenantIds ?? [],
    (id) => names.get(id) ?? id,
  )}</select></label>
<fieldset><legend>Severity</legend>${checkboxes("severity", INCIDENT_SEVERITIES, q.severities)}</fieldset>
<fieldset><legend>Status</legend>${checkboxes("status", INCIDENT_STATUSES, q.statuses)}</fieldset>
<label for="i-q">Name contains<input id="i-q" name="q" value="${m.params.get("q") ?? ""}"></label>
<label for="i-assigned">Assigned to<input id="i-assigned" name="assignedTo" value="${m.params.get("assignedTo") ?? ""}"></label>
<button type="submit" id="apply-incident-filters">Apply</button> <a href="/incidents">Reset</a></form>`;
  const base: Record<string, string | string[]> = {};
  for (const key of new Set(m.params.keys())) if (key !== "pageToken") base[key] = m.params.getAll(key);
  const pager = html`<nav class="pager" aria-label="Pages">${m.params.get("pageToken") ? html`<a href="/incidents${qs(base)}">First page</a>` : ""}
${m.nextPageToken ? html`<a href="/incidents${qs({ ...base, pageToken: m.nextPageToken })}" id="next-incidents" rel="next">Next page</a>` : ""}</nav>`;
  const table = m.items.length
    ? html`<div class="table-wrap"><table id="incidents"><thead><tr><th scope="col">Severity</th><th scope="col">Incident</th><th scope="col">Tenant</th><th scope="col">Status</th><th scope="col">Classification</th><th scope="col">Assigned to</th><th scope="col" class="num">Alerts</th><th scope="col">Created</th><th scope="col">Last update</th></tr></thead><tbody>
${m.items.map(
  (i) => html`<tr data-incident="${clip(i.id)}" data-tenant="${i.tenantId}" data-status="${clip(i.status ?? "", 40)}"><td>${sev(i.severity)}</td>
<td><a href="/incidents/${i.tenantId}/${encodeURIComponent(i.id)}">${clip(i.displayName ?? `Incident ${i.id}`)}</a> <small class="muted">#${clip(i.id)}</small></td>
<td>${clip(names.get(i.tenantId) ?? i.tenantId)}</td><td>${clip(i.status) ?? "—"}</td><td>${clip(i.classification) ?? "—"}${i.determination && i.determination !== "unknown" ? ` / ${clip(i.determination)}` : ""}</td>
<td>${clip(i.assignedTo) ?? "—"}</td><td class="num">${i.alertIds.length}</td><td>${timeCell(i.createdDateTime)}</td><td>${timeCell(i.lastUpdateDateTime)}</td></tr>`,
)}</tbody></table></div>`
    : html`<p class="card" id="no-incidents">No incidents match.${
        graphTenants.length
          ? ""
          : " Incidents come from Microsoft Graph: an admin switches a tenant's alert source to Microsoft Graph on the Tenants page, then syncs it."
      }</p>`;
  return layout(
    session,
    { title: "Incidents", section: "incidents" },
    html`${filters}<p class="muted">${m.items.length} shown (page of ${q.limit ?? 50}) from ${graphTenants.length} tenant(s) syncing from Microsoft Graph.</p>${table}${pager}`,
  );
}

export interface IncidentDetailModel {
  readonly incident: StoredIncident;
  readonly alerts: readonly StoredAlert[];
  readonly tenant: TenantRecord | null;
  /** The cloud's Defender portal hosts: only links there are live (portal-link.ts). */
  readonly portalHosts: readonly string[];
}

/** Alerts and tags shown on the page; the JSON API has them all. */
const SHOWN_ENTRIES = 100;

export function incidentDetailPage(session: Session, m: IncidentDetailModel): string {
  const i = m.incident;
  const p = i.payload;
  const text = (k: string) => (typeof p[k] === "string" ? (p[k] as string) : null);
  const tags = Array.isArray(p.customTags) ? (p.customTags as unknown[]).filter((t): t is string => typeof t === "string") : [];
  const missing = i.alertIds.filter((id) => !m.alerts.some((a) => a.id === id));
  const full = `/api/v1/incidents/${i.tenantId}/${encodeURIComponent(i.id)}`;
  const alerts = m.alerts.length
    ? html`<div class="table-wrap"><table id="incident-alerts"><thead><tr><th scope="col">Severity</th><th scope="col">Alert</th><th scope="col">Status</th><th scope="col">Classification</th><th scope="col">Device</th><th scope="col">Last update</th></tr></thead><tbody>
${m.alerts.slice(0, SHOWN_ENTRIES).map(
  (a) => html`<tr data-alert="${clip(a.id)}"><td><span class="chip sev-${clip(a.severity ?? "UnSpecified", 40)}">${clip(a.severity, 40) ?? "—"}</span></td>
<td><a href="/alerts/${a.tenantId}/${encodeURIComponent(a.id)}">${clip(a.title ?? a.id)}</a></td><td>${clip(a.status) ?? "—"}</td><td>${clip(a.classification) ?? "—"}</td>
<td>${a.machineId ? html`<a href="/devices/${a.tenantId}/${encodeURIComponent(a.machineId)}">${clip(typeof a.payload.computerDnsName === "string" ? a.payload.computerDnsName : a.machineId)}</a>` : "—"}</td><td>${timeCell(a.lastUpdateTime)}</td></tr>`,
)}</tbody></table></div>`
    : html`<p class="muted">No alert of this incident is stored yet.</p>`;
  const body = html`<section class="card"><dl class="facts" id="incident-facts">
<dt>Severity</dt><dd>${sev(i.severity)}</dd>
<dt>Status</dt><dd id="incident-status">${clip(i.status) ?? "—"}</dd>
<dt>Classification</dt><dd>${clip(i.classification) ?? "—"}${i.determination ? ` / ${clip(i.determination)}` : ""}</dd>
<dt>Assigned to</dt><dd>${clip(i.assignedTo) ?? "—"}</dd>
<dt>Tenant</dt><dd><a href="/tenants/${i.tenantId}">${clip(m.tenant?.name ?? i.tenantId)}</a></dd>
<dt>Tags</dt><dd>${tags.length ? tags.slice(0, SHOWN_ENTRIES).map((t) => clip(t)).join(", ") : "—"}</dd>
<dt>Created</dt><dd>${timeCell(i.createdDateTime)}</dd>
<dt>Last update</dt><dd>${timeCell(i.lastUpdateDateTime)}</dd>
<dt>Incident id</dt><dd><code>${clip(i.id)}</code></dd>
${text("incidentWebUrl") ? html`<dt>Defender portal</dt><dd id="incident-portal">${portalLink(text("incidentWebUrl"), m.portalHosts, "open the incident")}</dd>` : ""}
${i.displayName && i.displayName.length > 300 ? html`<dt>Name</dt><dd>${clipDetail(i.displayName, full)}</dd>` : ""}
</dl>${text("description") ? html`<h2>Description</h2><p id="incident-description">${clipDetail(text("description") ?? "", full)}</p>` : ""}${text("summary") ? html`<h2>Summary</h2><p>${clipDetail(text("summary") ?? "", full)}</p>` : ""}</section>
<h2>Alerts (${i.alertIds.length})</h2>${alerts}${missing.length ? html`<p class="warn">${missing.length} alert(s) of this incident are not in the store yet: ${missing.slice(0, SHOWN_ENTRIES).map((id) => clip(id)).join(", ")}</p>` : ""}
<p><a href="/incidents?tenant=${i.tenantId}">Incidents of this tenant</a></p>`;
  return layout(session, { title: i.displayName ?? `Incident ${i.id}`, section: "incidents" }, body);
}
