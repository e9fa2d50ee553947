import type { AlertChange, AlertQuery, StoredAlert, StoredMachine, TenantRecord } from "@mde-partner/sync";
import { ALERT_CLASSIFICATIONS, ALERT_DETERMINATIONS, ALERT_SEVERITIES, ALERT_STATUSES } from "../../services/alerts.js";
import type { Session } from "../../sessions.js";
import { missingPermissionText, type WriteCheck } from "../../services/write-permissions.js";
import { roleAtLeast } from "../../users-file.js";
import { clip, clipDetail } from "../clip.js";
import { options, qs, timeCell } from "../format.js";
import { portalLink } from "../portal-link.js";
import { html, type SafeHtml } from "../html.js";
import { csrfField, layout, type PageOptions } from "../layout.js";

const sev = (s: string | null) => html`<span class="chip sev-${clip(s ?? "UnSpecified", 40)}">${clip(s, 40) ?? "—"}</span>`;

function checkboxes(name: string, values: readonly string[], chosen: readonly string[] | undefined): SafeHtml {
  const set = new Set(chosen ?? []);
  return html`${values.map(
    (v) => html`<label class="inline"><input type="checkbox" name="${name}" value="${v}"${set.has(v) ? html` checked` : ""}> ${v}</label>`,
  )}`;
}

export interface AlertListModel {
  readonly query: AlertQuery;
  readonly params: URLSearchParams;
  readonly items: readonly StoredAlert[];
  readonly nextPageToken: string | null;
  readonly tenants: readonly TenantRecord[];
  readonly elapsedMs: number;
}

export function alertsPage(session: Session, m: AlertListModel, flash?: PageOptions["flash"]): string {
  const names = new Map(m.tenants.map((t) => [t.id, t.name]));
  const q = m.query;
  const dateOf = (name: string) => (m.params.get(name) ?? "").slice(0, 10);
  const filters = html`<form class="filters" method="get" action="/alerts" role="search" aria-label="Filter alerts">
<label for="f-tenant">Tenant<select id="f-tenant" name="tenant"><option value="">All tenants</option>${options(
    m.tenants.map((t) => t.id),
    q.tenantIds ?? [],
    (id) => names.get(id) ?? id,
  )}</select></label>
<fieldset><legend>Severity</legend>${checkboxes("severity", ALERT_SEVERITIES, q.severities)}</fieldset>
<fieldset><legend>Status</legend>${checkboxes("status", ALERT_STATUSES, q.statuses)}</fieldset>
<label for="f-from">Updated from<input id="f-from" type="date" name="from" value="${dateOf("from")}"></label>
<label for="f-to">Updated to<input id="f-to" type="date" name="to" value="${dateOf("to")}"></label>
<label for="f-q">Title contains<input id="f-q" name="q" value="${m.params.get("q") ?? ""}"></label>
<label for="f-sort">Sort by<select id="f-sort" name="sort">${options(["lastUpdateTime", "alertCreationTime", "severity"], q.sort ?? "lastUpdateTime", (v) => ({ lastUpdateTime: "Last update", alertCreationTime: "Created", severity: "Severity" })[v] ?? v)}</select></label>
<label for="f-order">Order<select id="f-order" name="order">${options(["desc", "asc"], q.order ?? "desc", (v) => (v === "desc" ? "Newest / highest first" : "Oldest / lowest first"))}</select></label>
<button type="submit" id="apply-filters">Apply</button> <a href="/alerts">Reset</a></form>`;
  const base: Record<string, string | string[]> = {};
  for (const key of new Set(m.params.keys())) if (key !== "pageToken") base[key] = m.params.getAll(key);
  const pager = html`<nav class="pager" aria-label="Pages">${m.params.get("pageToken") ? html`<a href="/alerts${qs(base)}">First page</a>` : ""}
${m.nextPageToken ? html`<a href="/alerts${qs({ ...base, pageToken: m.nextPageToken })}" id="next-page" rel="next">Next page</a>` : ""}</nav>`;
  const table = m.items.length
    ? html`<div class="table-wrap"><table id="alerts"><thead><tr><th scope="col">Severity</th><th scope="col">Title</th><th scope="col">Tenant</th><th scope="col">Status</th><th scope="col">Classification</th><th scope="col">Assigned to</th><th scope="col">Created</th><th scope="col">Last update</th></tr></thead><tbody>
${m.items.map(
  (
    a,
  ) => html`<tr data-alert="${a.id}" data-status="${clip(a.status ?? "", 40)}"><td>${sev(a.severity)}</td><td><a href="/alerts/${a.tenantId}/${encodeURIComponent(a.id)}">${clip(a.title ?? a.id)}</a></td>
<td>${clip(names.get(a.tenantId) ?? a.tenantId)}</td><td>${clip(a.status) ?? "—"}</td><td>${clip(a.classification) ?? "—"}</td><td>${clip(a.assignedTo) ?? "—"}</td><td>${timeCell(a.alertCreationTime)}</td><td>${timeCell(a.lastUpdateTime)}</td></tr>`,
)}</tbody></table></div>`
    : html`<p class="card" id="no-alerts">No alerts match. ${m.tenants.length ? "" : "Add a customer and sync it first."}</p>`;
  return layout(
    session,
    { title: "Alerts", section: "alerts", flash },
    html`${filters}<p class="muted">${m.items.length} shown (page of ${q.limit ?? 50}), ${m.elapsedMs.toFixed(0)} ms.</p>${table}${pager}`,
  );
}

interface Evidence {
  entityType?: string;
  fileName?: string | null;
  filePath?: string | null;
  sha1?: string | null;
  sha256?: string | null;
  processCommandLine?: string | null;
  ipAddress?: string | null;
  url?: string | null;
  accountName?: string | null;
  domainName?: string | null;
  registryKey?: string | null;
  detectionStatus?: string | null;
}

/** Rows of evidence, comments and history shown on the page; the JSON API has them all. */
const SHOWN_ENTRIES = 100;
/** Characters of one evidence field or comment on the page. */
const ENTRY_TEXT_MAX = 1_000;

function evidenceRows(list: readonly Evidence[], fullHref: string): SafeHtml {
  if (!list.length) return html`<p class="muted">No evidence recorded.</p>`;
  const more = list.length > SHOWN_ENTRIES ? html`<p class="muted">${SHOWN_ENTRIES} of ${list.length} shown; <a href="${fullHref}">all as JSON</a>.</p>` : "";
  return html`${more}<div class="table-wrap"><table id="evidence"><thead><tr><th>Type</th><th>Entity</th><th>Details</th><th>Detection</th></tr></thead><tbody>
${list.slice(0, SHOWN_ENTRIES).map((e) => {
  const entity =
    e.fileName ??
    e.ipAddress ??
    e.url ??
    (e.accountName ? `${e.domainName ? `${e.domainName}\\` : ""}${e.accountName}` : null) ??
    e.registryKey ??
    "—";
  const details = [e.filePath, e.processCommandLine, e.sha256 ?? e.sha1].filter((x): x is string => !!x);
  const text = (v: unknown) => (typeof v === "string" ? clip(v, ENTRY_TEXT_MAX) : v === null || v === undefined ? "—" : clip(JSON.stringify(v), ENTRY_TEXT_MAX));
  return html`<tr><td>${text(e.entityType)}</td><td>${text(entity)}</td><td>${details.map((d) => html`<code>${text(d)}</code><br>`)}</td><td>${text(e.detectionStatus)}</td></tr>`;
})}</tbody></table></div>`;
}

export interface AlertDetailModel {
  readonly alert: StoredAlert;
  readonly tenant: TenantRecord | null;
  readonly machine: StoredMachine | null;
  readonly history: readonly AlertChange[];
  /** Evidence and comments from the API when the stored copy lacks them. */
  readonly live: Record<string, unknown> | null;
  readonly liveError?: string | undefined;
  /** The cloud's Defender portal hosts: only links there are live (portal-link.ts). */
  readonly portalHosts: readonly string[];
  /** Whether the tenant's recorded roles allow an alert update. */
  readonly update: WriteCheck;
}

export function alertDetailPage(session: Session, m: AlertDetailModel, flash?: PageOptions["flash"]): string {
  const a = m.alert;
  const p = { ...a.payload, ...(m.live ?? {}) } as Record<string, unknown>;
  const evidence = (Array.isArray(p.evidence) ? p.evidence : []) as Evidence[];
  const comments = (Array.isArray(p.comments) ? p.comments : []) as Array<{ comment?: string; createdBy?: string; createdTime?: string }>;
  const text = (k: string) => (typeof p[k] === "string" ? (p[k] as string) : null);
  const responder = roleAtLeast(session.role, "responder");
  const full = `/api/v1/alerts/${a.tenantId}/${encodeURIComponent(a.id)}`;
  const form = !responder
    ? ""
    : !m.update.allowed
      ? html`<section class="card" id="alert-update-unavailable"><h2>Update</h2><p class="warn">${missingPermissionText(m.update, "Updating an alert")}</p></section>`
      : html`<form class="card stack" method="post" action="/alerts/${a.tenantId}/${encodeURIComponent(a.id)}" id="alert-update">${csrfField(session)}
<h2>Update</h2>
<label for="u-status">Status<select id="u-status" name="status"><option value="">(unchanged)</option>${options(ALERT_STATUSES, [])}</select></label>
<label for="u-assigned">Assigned to<input id="u-assigned" name="assignedTo" placeholder="analyst@contoso.com" value=""></label>
<label for="u-class">Classification<select id="u-class" name="classification"><option value="">(unchanged)</option>${options(ALERT_CLASSIFICATIONS, [])}</select></label>
<label for="u-det">Determination<select id="u-det" name="determination"><option value="">(unchanged)</option>${options(ALERT_DETERMINATIONS, [])}</select></label>
<label for="u-comment">Comment<textarea id="u-comment" name="comment" maxlength="1000" rows="3"></textarea></label>
<div><button type="submit" id="save-alert">Save</button></div></form>`;
  const device = m.machine
    ? html`<dl class="facts"><dt>Name</dt><dd><a href="/devices/${m.machine.tenantId}/${m.machine.id}" id="device-link">${clip(m.machine.computerDnsName ?? m.machine.id)}</a></dd>
<dt>OS</dt><dd>${clip(m.machine.osPlatform) ?? "—"}</dd><dt>Health</dt><dd>${clip(m.machine.healthStatus) ?? "—"}</dd><dt>Risk</dt><dd>${clip(m.machine.riskScore) ?? "—"}</dd><dt>Last seen</dt><dd>${timeCell(m.machine.lastSeen)}</dd></dl>`
    : html`<p class="muted">${a.machineId ? html`Device <code>${a.machineId}</code> is not synced yet.` : "No device."}</p>`;
  const body = html`<section class="card"><dl class="facts" id="alert-facts">
<dt>Severity</dt><dd>${sev(a.severity)}</dd>
<dt>Status</dt><dd id="alert-status">${clip(a.status) ?? "—"}</dd>
<dt>Classification</dt><dd>${clip(a.classification) ?? "—"}${text("determination") ? ` / ${clip(text("determination"))}` : ""}</dd>
<dt>Assigned to</dt><dd>${clip(a.assignedTo) ?? "—"}</dd>
<dt>Tenant</dt><dd><a href="/tenants/${a.tenantId}">${clip(m.tenant?.name ?? a.tenantId)}</a></dd>
<dt>Category</dt><dd>${clip(text("category")) ?? "—"}</dd>
<dt>Detection source</dt><dd>${clip(text("detectionSource")) ?? "—"}</dd>
<dt>Created</dt><dd>${timeCell(a.alertCreationTime)}</dd>
<dt>Last update</dt><dd>${timeCell(a.lastUpdateTime)}</dd>
<dt>Alert id</dt><dd><code>${clip(a.id)}</code></dd>
${p.alertWebUrl ? html`<dt>Defender portal</dt><dd id="alert-portal">${portalLink(p.alertWebUrl, m.portalHosts, "open the alert")}</dd>` : ""}
<dt>Synced from</dt><dd id="alert-source" data-source="${a.source}">${a.source === "graph" ? "Microsoft Graph (alerts_v2)" : "MDE API"}${a.graphId && a.graphId !== a.id ? html` — Graph id <code>${clip(a.graphId)}</code>` : ""}</dd>
${a.incidentId ? html`<dt>Incident</dt><dd>${m.tenant?.alertSource === "graph" ? html`<a href="/incidents/${a.tenantId}/${encodeURIComponent(a.incidentId)}">${clip(a.incidentId)}</a>` : clip(a.incidentId)}</dd>` : ""}
${a.title && a.title.length > 300 ? html`<dt>Title</dt><dd id="alert-title">${clipDetail(a.title, full)}</dd>` : ""}
</dl>${text("description") ? html`<h2>Description</h2><p id="alert-description">${clipDetail(text("description") ?? "", full)}</p>` : ""}
${text("recommendedAction") ? html`<h2>Recommended action</h2><p>${clipDetail(text("recommendedAction") ?? "", full)}</p>` : ""}</section>
<h2>Device</h2><section class="card">${device}</section>
<h2>Evidence</h2>${m.liveError ? html`<p class="warn">Could not read the evidence from the API: ${clip(m.liveError, ENTRY_TEXT_MAX)}</p>` : ""}${evidenceRows(evidence, full)}
<h2>Comments</h2>${comments.length ? html`<ul>${comments.slice(0, SHOWN_ENTRIES).map((c) => html`<li>${clip(typeof c.comment === "string" ? c.comment : "", ENTRY_TEXT_MAX)} <small class="muted">— ${clip(typeof c.createdBy === "string" ? c.createdBy : "?")}, ${timeCell(typeof c.createdTime === "string" ? c.createdTime : null)}</small></li>`)}</ul>` : html`<p class="muted">No comments.</p>`}
<h2>History</h2>${m.history.length ? html`<ul>${m.history.slice(0, SHOWN_ENTRIES).map((h) => html`<li>${h.field}: ${clip(h.oldValue) ?? "—"} → ${clip(h.newValue) ?? "—"} <small class="muted">${timeCell(h.changedAt ?? h.recordedAt)}</small></li>`)}</ul>` : html`<p class="muted">No recorded changes.</p>`}
${form}`;
  return layout(session, { title: a.title ?? a.id, section: "alerts", flash }, body);
}
