import type { IsolationState, StoredAlert, StoredMachine, StoredMachineAction, TenantRecord } from "@mde-partner/sync";
import { DEVICE_ACTIONS, ISOLATION_TYPES, isFinalStatus, SCAN_TYPES } from "../../services/devices.js";
import type { Session } from "../../sessions.js";
import { checkWrite, missingPermissionText } from "../../services/write-permissions.js";
import { roleAtLeast } from "../../users-file.js";
import { clip } from "../clip.js";
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
  ) => html`<tr data-device="${d.id}"><td><a href="/devices/${d.tenantId}/${d.id}">${clip(d.computerDnsName ?? d.id)}</a></td><td>${clip(names.get(d.tenantId) ?? d.tenantId)}</td>
<td>${clip(d.osPlatform) ?? "—"}</td><td>${clip(d.healthStatus) ?? "—"}</td><td>${clip(d.riskScore) ?? "—"}</td><td>${timeCell(d.lastSeen)}</td></tr>`,
)}</tbody></table></div>`
    : html`<p class="card">No devices match.</p>`;
  return layout(
    session,
    { title: "Devices", section: "devices" },
    html`${filters}<p class="muted">${m.machines.length} shown.</p>${table}`,
  );
}

/** Who asked: the operator the product recorded; MDE's `requestor` (the app id for app-token actions) only when no operator is known. */
export function requestedBy(a: StoredMachineAction): string {
  return clip(a.operator ?? a.requestor ?? "—");
}

/** How the isolation state reads on the device page. */
export function isolationLabel(i: IsolationState): string {
  const base = i.state === "Isolated" ? `Isolated${i.scope ? ` (${i.scope})` : ""}` : i.state === "NotIsolated" ? "Not isolated" : "Unknown (no isolation action recorded)";
  return i.pending === "Isolate" ? `${base}; isolation pending` : i.pending === "Unisolate" ? `${base}; release pending` : base;
}

function actionsTable(actions: readonly StoredMachineAction[]) {
  if (!actions.length) return html`<p class="muted">No response actions yet.</p>`;
  return html`<div class="table-wrap"><table id="device-actions"><thead><tr><th>Action</th><th>Status</th><th>Requested by</th><th>Comment</th><th>Created</th></tr></thead><tbody>
${actions.map((a) => html`<tr><td><a href="/actions/${a.tenantId}/${encodeURIComponent(a.id)}">${clip(a.type ?? "?")}</a></td><td>${clip(a.status) ?? "—"}</td><td data-field="requested-by">${requestedBy(a)}</td><td>${clip(a.comment ?? "")}</td><td>${timeCell(a.creationTime)}</td></tr>`)}
</tbody></table></div>`;
}

export function deviceDetailPage(
  session: Session,
  m: {
    machine: StoredMachine;
    tenant: TenantRecord | null;
    actions: readonly StoredMachineAction[];
    alerts: readonly StoredAlert[];
    isolation: IsolationState;
  },
): string {
  const d = m.machine;
  const p = d.payload as Record<string, unknown>;
  const text = (k: string) => (typeof p[k] === "string" ? (p[k] as string) : null);
  const tags = Array.isArray(p.machineTags) ? (p.machineTags as unknown[]).filter((t): t is string => typeof t === "string") : [];
  const responder = roleAtLeast(session.role, "responder");
  // Only the actions the tenant's recorded roles allow are offered; the others say what is missing.
  const checks = DEVICE_ACTIONS.map((a) => ({ ...a, check: checkWrite(m.tenant, a.operation) }));
  const refused = checks.filter((a) => !a.check.allowed);
  const buttons = responder
    ? html`<h2>Response actions</h2><ul class="row plain-list" id="action-links">${checks
        .filter((a) => a.check.allowed)
        .map(
          (a) =>
            html`<li><a class="button secondary" href="/devices/${d.tenantId}/${d.id}/actions/new?action=${a.kind}" id="action-${a.kind}">${a.label}</a></li>`,
        )}</ul>${
        refused.length
          ? html`<ul class="plain-list" id="actions-unavailable">${refused.map((a) => html`<li class="warn" data-action="${a.kind}">${missingPermissionText(a.check, a.label)}</li>`)}</ul>`
          : ""
      }`
    : "";
  const body = html`<section class="card"><dl class="facts">
<dt>Tenant</dt><dd><a href="/tenants/${d.tenantId}">${clip(m.tenant?.name ?? d.tenantId)}</a></dd>
<dt>Device id</dt><dd><code>${d.id}</code></dd>
<dt>OS</dt><dd>${clip(d.osPlatform) ?? "—"} ${clip(text("osVersion")) ?? ""}</dd>
<dt>Health</dt><dd>${clip(d.healthStatus) ?? "—"}</dd>
<dt>Risk / exposure</dt><dd>${clip(d.riskScore) ?? "—"} / ${clip(text("exposureLevel")) ?? "—"}</dd>
<dt>Isolation</dt><dd id="isolation-state" data-state="${m.isolation.state ?? "unknown"}">${isolationLabel(m.isolation)}</dd>
<dt>IP address</dt><dd>${clip(text("lastIpAddress")) ?? "—"}</dd>
<dt>Last seen</dt><dd>${timeCell(d.lastSeen)}</dd>
<dt>Tags</dt><dd>${tags.length ? tags.slice(0, 50).map((t) => clip(t)).join(", ") : "—"}</dd>
</dl></section>${buttons}
<h2>Actions on this device</h2>${actionsTable(m.actions)}
<h2>Alerts on this device</h2>${m.alerts.length ? html`<ul>${m.alerts.map((a) => html`<li><a href="/alerts/${a.tenantId}/${encodeURIComponent(a.id)}">${clip(a.title ?? a.id)}</a> — ${clip(a.severity ?? "")}, ${clip(a.status ?? "")}</li>`)}</ul>` : html`<p class="muted">None stored.</p>`}`;
  return layout(session, { title: clip(d.computerDnsName ?? d.id), section: "devices" }, body);
}

/** The confirmation step: what will happen, a required comment, and a real submit button. */
export function confirmActionPage(
  session: Session,
  m: { machine: StoredMachine; action: string; error?: string | undefined; comment?: string },
): string {
  const spec = DEVICE_ACTIONS.find((a) => a.kind === m.action);
  const d = m.machine;
  const name = clip(d.computerDnsName ?? d.id);
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
    { title: `${clip(a.type ?? "Action", 60)} on ${clip(deviceName ?? a.machineId ?? "?")}`, section: "devices", flash },
    html`<section class="card" id="action-status" aria-live="polite" ${final ? html`data-final="true"` : html`data-poll="/api/v1/actions/${a.tenantId}/${a.id}" data-interval="1000"`} data-status="${a.status ?? ""}">
<dl class="facts"><dt>Status</dt><dd data-field="status" id="action-state">${clip(a.status) ?? "—"}</dd>
<dt>Type</dt><dd data-field="type">${clip(a.type) ?? "—"}</dd>
<dt>Requested by</dt><dd id="requested-by">${requestedBy(a)}</dd>
<dt>Comment</dt><dd data-field="comment">${clip(a.comment, 1_000) ?? "—"}</dd>
<dt>Created</dt><dd data-field="creationTime">${clip(a.creationTime, 40) ?? "—"}</dd>
<dt>Last update</dt><dd data-field="lastUpdateTime">${clip(a.lastUpdateTime, 40) ?? "—"}</dd>
<dt>Action id</dt><dd><code>${clip(a.id)}</code></dd></dl><p class="warn" data-error></p>
</section><p><a href="/actions/${a.tenantId}/${a.id}">Refresh</a> · <a href="/devices/${a.tenantId}/${a.machineId ?? ""}">Back to the device</a></p>`,
  );
}
