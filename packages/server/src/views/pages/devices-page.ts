import type { StoredAlert, StoredMachine, StoredMachineAction, TenantRecord } from "@mde-partner/sync";
import { DEVICE_ACTIONS, ISOLATION_TYPES, isFinalStatus, SCAN_TYPES } from "../../services/devices.js";
import type { Session } from "../../sessions.js";
import { roleAtLeast } from "../../users-file.js";
import { options, timeCell } from "../format.js";
import { html } from "../html.js";
import { csrfField, layout, type PageOptions } from "../layout.js";

export function devicesPage(
  session: Session,
  m: { machines: readonly StoredMachine[]; tenants: readonly TenantRecord[]; tenant: string; q: string; health: string },
): string {
  const names = new Map(m.tenants.map((t) => [t.id, t.name]));
  const filters = html`<form class="filters" method="get" action="/devices" role="search" aria-label="Filter devices">
<label for="d-tenant">Tenant<select id="d-tenant" name="tenant"><option value="">All tenants</option>${options(
    m.tenants.map((t) => t.id),
    m.tenant,
    (id) => names.get(id) ?? id,
  )}</select></label>
<label for="d-q">Name contains<input id="d-q" name="q" value="${m.q}"></label>
<label for="d-health">Health<select id="d-health" name="health"><option value="">Any</option>${options(["Active", "Inactive", "ImpairedCommunication", "NoSensorData", "NoSensorDataImpairedCommunication"], m.health)}</select></label>
<button type="submit">Apply</button> <a href="/devices">Reset</a></form>`;
  const table = m.machines.length
    ? html`<div class="table-wrap"><table id="devices"><thead><tr><th scope="col">Device</th><th scope="col">Tenant</th><th scope="col">OS</th><th scope="col">Health</th><th scope="col">Risk</th><th scope="col">Last seen</th></tr></thead><tbody>
${m.machines.map(
  (
    d,
  ) => html`<tr data-device="${d.id}"><td><a href="/devices/${d.tenantId}/${d.id}">${d.computerDnsName ?? d.id}</a></td><td>${names.get(d.tenantId) ?? d.tenantId}</td>
<td>${d.osPlatform ?? "—"}</td><td>${d.healthStatus ?? "—"}</td><td>${d.riskScore ?? "—"}</td><td>${timeCell(d.lastSeen)}</td></tr>`,
)}</tbody></table></div>`
    : html`<p class="card">No devices match.</p>`;
  return layout(
    session,
    { title: "Devices", section: "devices" },
    html`${filters}<p class="muted">${m.machines.length} shown.</p>${table}`,
  );
}

function actionsTable(actions: readonly StoredMachineAction[]) {
  if (!actions.length) return html`<p class="muted">No response actions yet.</p>`;
  return html`<div class="table-wrap"><table id="device-actions"><thead><tr><th>Action</th><th>Status</th><th>Requested by</th><th>Comment</th><th>Created</th></tr></thead><tbody>
${actions.map((a) => html`<tr><td><a href="/actions/${a.tenantId}/${a.id}">${a.type ?? "?"}</a></td><td>${a.status ?? "—"}</td><td>${a.requestor ?? "—"}</td><td>${a.comment ?? ""}</td><td>${timeCell(a.creationTime)}</td></tr>`)}
</tbody></table></div>`;
}

export function deviceDetailPage(
  session: Session,
  m: { machine: StoredMachine; tenant: TenantRecord | null; actions: readonly StoredMachineAction[]; alerts: readonly StoredAlert[] },
): string {
  const d = m.machine;
  const p = d.payload as Record<string, unknown>;
  const text = (k: string) => (typeof p[k] === "string" ? (p[k] as string) : null);
  const tags = Array.isArray(p.machineTags) ? (p.machineTags as string[]) : [];
  const responder = roleAtLeast(session.role, "responder");
  const buttons = responder
    ? html`<h2>Response actions</h2><ul class="row plain-list" id="action-links">${DEVICE_ACTIONS.map(
        (a) =>
          html`<li><a class="button secondary" href="/devices/${d.tenantId}/${d.id}/actions/new?action=${a.kind}" id="action-${a.kind}">${a.label}</a></li>`,
      )}</ul>`
    : "";
  const body = html`<section class="card"><dl class="facts">
<dt>Tenant</dt><dd><a href="/tenants/${d.tenantId}">${m.tenant?.name ?? d.tenantId}</a></dd>
<dt>Device id</dt><dd><code>${d.id}</code></dd>
<dt>OS</dt><dd>${d.osPlatform ?? "—"} ${text("osVersion") ?? ""}</dd>
<dt>Health</dt><dd>${d.healthStatus ?? "—"}</dd>
<dt>Risk / exposure</dt><dd>${d.riskScore ?? "—"} / ${text("exposureLevel") ?? "—"}</dd>
<dt>Isolation</dt><dd id="isolation-state">${text("isolationState") ?? (p.isIsolated === true ? "Isolated" : "—")}</dd>
<dt>IP address</dt><dd>${text("lastIpAddress") ?? "—"}</dd>
<dt>Last seen</dt><dd>${timeCell(d.lastSeen)}</dd>
<dt>Tags</dt><dd>${tags.length ? tags.join(", ") : "—"}</dd>
</dl></section>${buttons}
<h2>Actions on this device</h2>${actionsTable(m.actions)}
<h2>Alerts on this device</h2>${m.alerts.length ? html`<ul>${m.alerts.map((a) => html`<li><a href="/alerts/${a.tenantId}/${encodeURIComponent(a.id)}">${a.title ?? a.id}</a> — ${a.severity ?? ""}, ${a.status ?? ""}</li>`)}</ul>` : html`<p class="muted">None stored.</p>`}`;
  return layout(session, { title: d.computerDnsName ?? d.id, section: "devices" }, body);
}

/** The confirmation step: what will happen, a required comment, and a real submit button. */
export function confirmActionPage(
  session: Session,
  m: { machine: StoredMachine; action: string; error?: string | undefined; comment?: string },
): string {
  const spec = DEVICE_ACTIONS.find((a) => a.kind === m.action);
  const d = m.machine;
  const name = d.computerDnsName ?? d.id;
  const extra =
    m.action === "isolate"
      ? html`<fieldset><legend>Isolation type</legend>${ISOLATION_TYPES.map((t, i) => html`<label class="inline"><input type="radio" name="isolationType" value="${t}"${i === 0 ? html` checked` : ""}> ${t}</label>`)}</fieldset>`
      : m.action === "scan"
        ? html`<fieldset><legend>Scan type</legend>${SCAN_TYPES.map((t, i) => html`<label class="inline"><input type="radio" name="scanType" value="${t}"${i === 0 ? html` checked` : ""}> ${t}</label>`)}</fieldset>`
        : "";
  return layout(
    session,
    { title: `${spec?.label ?? m.action}: ${name}?`, section: "devices", flash: m.error ? { kind: "error", text: m.error } : undefined },
    html`<form class="card stack" method="post" action="/devices/${d.tenantId}/${d.id}/actions" id="confirm-action">${csrfField(session)}
<input type="hidden" name="action" value="${m.action}">
<p>${spec?.warning ?? ""}</p>
<p>Device <strong>${name}</strong> (<code>${d.id}</code>) of tenant <code>${d.tenantId}</code>.</p>
${extra}
<label for="action-comment">Comment (required: why, ticket number)<textarea id="action-comment" name="comment" required maxlength="1000" rows="3">${m.comment ?? ""}</textarea></label>
<div class="row"><button type="submit" class="danger" id="confirm">Confirm: ${spec?.label ?? m.action}</button><a href="/devices/${d.tenantId}/${d.id}">Cancel</a></div>
</form>`,
  );
}

/** An action's live status: the static script polls the JSON API until it is final. */
export function actionStatusPage(
  session: Session,
  a: StoredMachineAction,
  deviceName: string | null,
  flash?: PageOptions["flash"],
): string {
  const final = isFinalStatus(a.status);
  return layout(
    session,
    { title: `${a.type ?? "Action"} on ${deviceName ?? a.machineId ?? "?"}`, section: "devices", flash },
    html`<section class="card" id="action-status" aria-live="polite" ${final ? html`data-final="true"` : html`data-poll="/api/v1/actions/${a.tenantId}/${a.id}" data-interval="1000"`} data-status="${a.status ?? ""}">
<dl class="facts"><dt>Status</dt><dd data-field="status" id="action-state">${a.status ?? "—"}</dd>
<dt>Type</dt><dd data-field="type">${a.type ?? "—"}</dd>
<dt>Requested by</dt><dd data-field="requestor">${a.requestor ?? "—"}</dd>
<dt>Comment</dt><dd data-field="comment">${a.comment ?? "—"}</dd>
<dt>Created</dt><dd data-field="creationTime">${a.creationTime ?? "—"}</dd>
<dt>Last update</dt><dd data-field="lastUpdateTime">${a.lastUpdateTime ?? "—"}</dd>
<dt>Action id</dt><dd><code>${a.id}</code></dd></dl><p class="warn" data-error></p>
</section><p><a href="/actions/${a.tenantId}/${a.id}">Refresh</a> · <a href="/devices/${a.tenantId}/${a.machineId ?? ""}">Back to the device</a></p>`,
  );
}
