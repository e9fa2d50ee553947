import type { HuntResult, TenantRecord } from "@mde-partner/sync";
import type { StoredHunt } from "../../services/hunting.js";
import type { Session } from "../../sessions.js";
import { clip } from "../clip.js";
import { html } from "../html.js";
import { csrfField, layout, type PageOptions } from "../layout.js";

/** Rows shown on the page; the CSV has them all. */
const SHOWN_ROWS = 500;
/** Columns shown on the page (a result can name thousands); the CSV has them all. */
const SHOWN_COLUMNS = 50;

/** A cell as bounded text: values come from the tenants' data (a 2 MB title is one cell). */
function cellText(v: unknown): string {
  if (v === null || v === undefined) return "";
  return clip(typeof v === "object" ? JSON.stringify(v) : String(v));
}

function resultBlock(hunt: StoredHunt, names: Map<string, string>) {
  const r: HuntResult = hunt.result;
  const columns = r.schema.slice(0, SHOWN_COLUMNS).map((c) => c.name);
  const errors = r.errors.length
    ? html`<section class="card" id="hunt-errors"><h2>Tenants that failed</h2><ul>${r.errors.map(
        (e) =>
          html`<li data-tenant="${e.tenantId}"><strong>${clip(e.tenantName ?? names.get(e.tenantId) ?? e.tenantId)}</strong>: <code>${clip(e.code, 80)}</code> ${clip(e.message, 2_000)}</li>`,
      )}</ul></section>`
    : "";
  const table = r.rows.length
    ? html`<div class="table-wrap"><table id="hunt-results"><thead><tr>${columns.map((c) => html`<th scope="col">${clip(c, 120)}</th>`)}</tr></thead><tbody>
${r.rows.slice(0, SHOWN_ROWS).map((row) => html`<tr>${columns.map((c) => html`<td>${cellText(row[c])}</td>`)}</tr>`)}</tbody></table></div>`
    : html`<p class="card">No rows.</p>`;
  return html`<h2>Results</h2><p id="hunt-summary">${r.rows.length} row(s) from ${hunt.tenantIds.length - r.errors.length} of ${hunt.tenantIds.length} tenant(s)${r.rows.length > SHOWN_ROWS ? `; the first ${SHOWN_ROWS} are shown` : ""}${r.schema.length > SHOWN_COLUMNS ? `; ${SHOWN_COLUMNS} of ${r.schema.length} columns are shown` : ""}. Long values are cut short here; the CSV has them in full.
<a href="/hunting/${hunt.id}.csv" id="download-csv" download>Download CSV</a></p>${errors}${table}`;
}

export function huntingPage(
  session: Session,
  m: { tenants: readonly TenantRecord[]; query: string; selected: readonly string[]; hunt?: StoredHunt; flash?: PageOptions["flash"] },
): string {
  const names = new Map(m.tenants.map((t) => [t.id, t.name]));
  const chosen = new Set(m.selected);
  const form = html`<form class="card stack" method="post" action="/hunting" id="hunt-form">${csrfField(session)}
<label for="hunt-query">Query (KQL, advanced hunting)<textarea id="hunt-query" name="query" required maxlength="10000" spellcheck="false">${m.query}</textarea></label>
<fieldset><legend>Tenants</legend>${
    m.tenants.length
      ? m.tenants.map(
          (t) =>
            html`<label class="inline"><input type="checkbox" name="tenant" value="${t.id}"${chosen.has(t.id) ? html` checked` : ""}> ${t.name}</label>`,
        )
      : html`<span class="muted">No tenants yet.</span>`
  }</fieldset>
<div><button type="submit" id="run-hunt">Run query</button></div></form>`;
  return layout(
    session,
    { title: "Hunting", section: "hunting", flash: m.flash },
    html`${form}${m.hunt ? resultBlock(m.hunt, names) : ""}`,
  );
}
