import type { AuditEntry } from "@mde-partner/sync";
import type { Session } from "../../sessions.js";
import { clip } from "../clip.js";
import { qs, timeCell } from "../format.js";
import { html } from "../html.js";
import { layout } from "../layout.js";

export function auditPage(
  session: Session,
  m: {
    entries: readonly AuditEntry[];
    filters: Record<string, string>;
    nextBeforeId: number | undefined;
    /** Tenant id → name. */
    tenantNames?: ReadonlyMap<string, string>;
    /** `tenantId/machineId` → device name, for machine.* entries. */
    deviceNames?: ReadonlyMap<string, string>;
  },
): string {
  const f = m.filters;
  // A name where the console knows one, the id beside it (small) so it can still be searched for.
  const tenantCell = (id: string | null) => {
    if (!id) return "—";
    const name = m.tenantNames?.get(id);
    return name ? html`<a href="/tenants/${id}">${clip(name)}</a> <small class="muted"><code>${id}</code></small>` : html`<code>${id}</code>`;
  };
  const targetCell = (tenantId: string | null, target: string | null) => {
    if (!target) return "—";
    const device = tenantId ? m.deviceNames?.get(`${tenantId}/${target}`) : undefined;
    return device
      ? html`<a href="/devices/${tenantId ?? ""}/${target}">${clip(device)}</a> <small class="muted"><code>${clip(target)}</code></small>`
      : html`<code>${clip(target)}</code>`;
  };
  const form = html`<form class="filters" method="get" action="/audit" role="search" aria-label="Filter the audit log">
<label for="a-actor">Actor<input id="a-actor" name="actor" value="${f.actor ?? ""}"></label>
<label for="a-action">Action<input id="a-action" name="action" value="${f.action ?? ""}" placeholder="machine.isolate"></label>
<label for="a-tenant">Tenant id<input id="a-tenant" name="tenant" value="${f.tenant ?? ""}"></label>
<button type="submit">Apply</button> <a href="/audit">Reset</a></form>`;
  const table = m.entries.length
    ? html`<div class="table-wrap"><table id="audit"><thead><tr><th scope="col">When</th><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Phase</th><th scope="col">Tenant</th><th scope="col">Target</th><th scope="col">Comment</th><th scope="col">Result</th></tr></thead><tbody>
${m.entries.map(
  (e) =>
    html`<tr data-action="${clip(e.action, 80)}" data-phase="${e.phase}"><td>${timeCell(e.at)}</td><td>${clip(e.actor)}</td><td>${clip(e.action, 80)}</td><td>${e.phase}</td><td data-field="tenant">${tenantCell(e.tenantId)}</td><td data-field="target">${targetCell(e.tenantId, e.target)}</td><td>${clip(e.comment ?? "", 500)}</td><td>${clip(e.result ?? "", 500)}</td></tr>`,
)}</tbody></table></div>`
    : html`<p class="card">No entries.</p>`;
  const pager =
    m.nextBeforeId !== undefined
      ? html`<nav class="pager" aria-label="Pages"><a href="/audit${qs({ ...f, before: String(m.nextBeforeId) })}" rel="next">Older entries</a></nav>`
      : "";
  return layout(session, { title: "Audit log", section: "audit" }, html`${form}${table}${pager}`);
}
