import type { AuditEntry } from "@mde-partner/sync";
import type { Session } from "../../sessions.js";
import { qs, timeCell } from "../format.js";
import { html } from "../html.js";
import { layout } from "../layout.js";

export function auditPage(
  session: Session,
  m: { entries: readonly AuditEntry[]; filters: Record<string, string>; nextBeforeId: number | undefined },
): string {
  const f = m.filters;
  const form = html`<form class="filters" method="get" action="/audit" role="search" aria-label="Filter the audit log">
<label for="a-actor">Actor<input id="a-actor" name="actor" value="${f.actor ?? ""}"></label>
<label for="a-action">Action<input id="a-action" name="action" value="${f.action ?? ""}" placeholder="machine.isolate"></label>
<label for="a-tenant">Tenant id<input id="a-tenant" name="tenant" value="${f.tenant ?? ""}"></label>
<button type="submit">Apply</button> <a href="/audit">Reset</a></form>`;
  const table = m.entries.length
    ? html`<div class="table-wrap"><table id="audit"><thead><tr><th scope="col">When</th><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Phase</th><th scope="col">Tenant</th><th scope="col">Target</th><th scope="col">Comment</th><th scope="col">Result</th></tr></thead><tbody>
${m.entries.map(
  (e) =>
    html`<tr data-action="${e.action}" data-phase="${e.phase}"><td>${timeCell(e.at)}</td><td>${e.actor}</td><td>${e.action}</td><td>${e.phase}</td><td>${e.tenantId ? html`<code>${e.tenantId}</code>` : "—"}</td><td>${e.target ? html`<code>${e.target}</code>` : "—"}</td><td>${e.comment ?? ""}</td><td>${e.result ?? ""}</td></tr>`,
)}</tbody></table></div>`
    : html`<p class="card">No entries.</p>`;
  const pager =
    m.nextBeforeId !== undefined
      ? html`<nav class="pager" aria-label="Pages"><a href="/audit${qs({ ...f, before: String(m.nextBeforeId) })}" rel="next">Older entries</a></nav>`
      : "";
  return layout(session, { title: "Audit log", section: "audit" }, html`${form}${table}${pager}`);
}
