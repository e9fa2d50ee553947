import type { BatchItemRecord, BatchRecord, TenantRecord } from "@mde-partner/sync";
import type { Session } from "../../sessions.js";
import { clip, clipDetail } from "../clip.js";
import { timeCell } from "../format.js";
import { html, type SafeHtml } from "../html.js";
import { layout } from "../layout.js";

function request(b: BatchRecord): string {
  if (b.kind === "hunt") return String(b.request.query ?? "");
  return `${String(b.request.action ?? "")}: ${String(b.request.comment ?? "")}`;
}

const stateChip = (state: string) => html`<span class="chip state-${state}">${state}</span>`;

export function batchesPage(session: Session, m: { batches: readonly BatchRecord[] }): string {
  const table = m.batches.length
    ? html`<div class="table-wrap"><table id="batches"><thead><tr><th scope="col">Created</th><th scope="col">Kind</th><th scope="col">State</th><th scope="col" class="num">Done</th><th scope="col" class="num">Failed</th><th scope="col">Actor</th><th scope="col">Request</th></tr></thead><tbody>
${m.batches.map(
  (b) => html`<tr data-batch="${b.id}" data-state="${b.state}"><td>${timeCell(b.createdAt)}</td><td>${b.kind}</td><td>${stateChip(b.state)}</td>
<td class="num">${b.counts.done}/${b.total}</td><td class="num">${b.counts.failed}</td><td>${clip(b.actor, 120)}</td><td><a href="/batches/${b.id}"><code>${clip(request(b), 120)}</code></a></td></tr>`,
)}</tbody></table></div>`
    : html`<p class="card" id="no-batches">No batches yet. Hunts and response actions run by the distributed workers appear here: <code>mde-partner hunt --workers …</code>, <code>mde-partner machines isolate … --workers</code>.</p>`;
  return layout(session, { title: "Batches", section: "batches" }, html`<p class="muted">Hunts and response actions run as jobs by the workers (<code>mde-partner worker</code>), newest first.</p>${table}`);
}

function itemResult(b: BatchRecord, i: BatchItemRecord): SafeHtml | string {
  if (i.error) return html`<span class="warn">${clip(i.error.code, 80)}: ${clip(i.error.message, 500)}</span>`;
  if (i.result === null) return "—";
  const r = i.result as Record<string, unknown>;
  if (b.kind === "hunt") return `${Array.isArray(r.rows) ? r.rows.length : 0} row(s)`;
  const action = r.machineAction as { id?: string; status?: string } | undefined;
  return `${clip(String(r.result ?? ""))}${r.adopted ? " (adopted from an earlier attempt)" : ""}${action?.id ? `; action ${clip(String(action.id), 80)} ${clip(String(action.status ?? ""), 40)}` : ""}`;
}

export function batchDetailPage(session: Session, m: { batch: BatchRecord; items: readonly BatchItemRecord[]; tenants: readonly TenantRecord[] }): string {
  const b = m.batch;
  const names = new Map(m.tenants.map((t) => [t.id, t.name]));
  const items = html`<div class="table-wrap"><table id="batch-items"><thead><tr><th scope="col">Tenant</th>${
    b.kind === "response-action" ? html`<th scope="col">Machine</th>` : ""
  }<th scope="col">State</th><th scope="col" class="num">Attempts</th><th scope="col">Worker</th><th scope="col">Finished</th><th scope="col">Result</th></tr></thead><tbody>
${m.items.map(
  (i) => html`<tr data-item="${i.key}" data-state="${i.state}"><td><a href="/tenants/${i.tenantId}">${clip(names.get(i.tenantId) ?? i.tenantId)}</a></td>${
    b.kind === "response-action" ? html`<td><a href="/devices/${i.tenantId}/${i.machineId ?? ""}"><code>${clip(i.machineId ?? "", 80)}</code></a></td>` : ""
  }<td>${stateChip(i.state)}</td><td class="num">${i.attempts}</td><td>${clip(i.workerId ?? "—", 120)}</td><td>${timeCell(i.finishedAt)}</td><td>${itemResult(b, i)}</td></tr>`,
)}</tbody></table></div>`;
  const body = html`<section class="card"><dl class="facts" id="batch-facts">
<dt>Kind</dt><dd>${b.kind}</dd>
<dt>State</dt><dd id="batch-state">${stateChip(b.state)} ${b.counts.done} done, ${b.counts.failed} failed, ${b.counts.running} running, ${b.counts.queued} queued of ${b.total}</dd>
<dt>Asked by</dt><dd>${clip(b.actor, 120)}</dd>
<dt>Created</dt><dd>${timeCell(b.createdAt)}</dd>
<dt>Finished</dt><dd>${timeCell(b.finishedAt)}</dd>
<dt>Request</dt><dd><code>${clipDetail(request(b), `/api/v1/batches/${b.id}`)}</code></dd>
<dt>Batch id</dt><dd><code>${b.id}</code></dd>
</dl></section><h2>Items (${b.total})</h2>${items}
<p>Results as JSON: <a href="/api/v1/batches/${b.id}">/api/v1/batches/${b.id}</a> · <a href="/batches">All batches</a></p>`;
  return layout(session, { title: `Batch ${b.id.slice(0, 8)}`, section: "batches" }, body);
}
