/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import type { HuntResult, TenantRecord } from "@mde-partner/sync";
import type { StoredHunt } from "../../services/hunting.js";
import type { Session } from "../../sessions.js";
import { clip } from "../clip.js";
import { Choices, PostForm, Table } from "../components.js";
import { text } from "../html.js";
import { layout, type PageOptions } from "../layout.js";

/** Rows shown on the page; the CSV has them all. */
const SHOWN_ROWS = 500;
/** Columns shown on the page (a result can name thousands); the CSV has them all. */
const SHOWN_COLUMNS = 50;

/** A cell as bounded text: values come from the tenants' data (a 2 MB title is one cell). */
function cellText(v: unknown): string {
  if (v === null || v === undefined) return "";
  return clip(typeof v === "object" ? JSON.stringify(v) : String(v));
}

function ResultBlock({ hunt, names }: { hunt: StoredHunt; names: Map<string, string> }) {
  const r: HuntResult = hunt.result;
  const columns = r.schema.slice(0, SHOWN_COLUMNS).map((c) => c.name);
  return (
    <>
      <h2>Results</h2>
      <p id="hunt-summary">
        {r.rows.length} row(s) from {hunt.tenantIds.length - r.errors.length} of {hunt.tenantIds.length} tenant(s)
        {r.rows.length > SHOWN_ROWS ? `; the first ${SHOWN_ROWS} are shown` : ""}
        {r.schema.length > SHOWN_COLUMNS ? `; ${SHOWN_COLUMNS} of ${r.schema.length} columns are shown` : ""}. Long values are cut short here; the CSV has them
        in full. <a href={text(`/hunting/${hunt.id}.csv`)} id="download-csv" download="">Download CSV</a>
      </p>
      {r.errors.length > 0 && (
        <section class="card" id="hunt-errors">
          <h2>Tenants that failed</h2>
          <ul>
            {r.errors.map((e) => (
              <li data-tenant={text(e.tenantId)}>
                <strong>{text(clip(e.tenantName ?? names.get(e.tenantId) ?? e.tenantId))}</strong>: <code>{text(clip(e.code, 80))}</code>{" "}
                {text(clip(e.message, 2_000))}
              </li>
            ))}
          </ul>
        </section>
      )}
      <Table
        id="hunt-results"
        rows={r.rows.slice(0, SHOWN_ROWS)}
        columns={columns.map((c) => ({ head: clip(c, 120), cell: (row: Record<string, unknown>) => cellText(row[c]) }))}
        empty={<p class="card">No rows.</p>}
      />
    </>
  );
}

export function huntingPage(
  session: Session,
  m: { tenants: readonly TenantRecord[]; query: string; selected: readonly string[]; hunt?: StoredHunt; flash?: PageOptions["flash"] },
): string {
  const names = new Map(m.tenants.map((t) => [t.id, t.name]));
  const chosen = new Set(m.selected);
  return layout(
    session,
    { title: "Hunting", section: "hunting", flash: m.flash },
    <>
      <PostForm action="/hunting" session={session} class="card stack" id="hunt-form">
        <label for="hunt-query">
          Query (KQL, advanced hunting)
          <textarea id="hunt-query" name="query" required maxlength={10000} spellcheck={false}>
            {text(m.query)}
          </textarea>
        </label>
        <fieldset>
          <legend>Tenants</legend>
          {m.tenants.length ? (
            <Choices name="tenant" values={m.tenants.map((t) => t.id)} checked={(id) => chosen.has(id)} labels={(id) => names.get(id) ?? id} />
          ) : (
            <span class="muted">No tenants yet.</span>
          )}
        </fieldset>
        <div>
          <button type="submit" id="run-hunt">Run query</button>
        </div>
      </PostForm>
      {m.hunt ? <ResultBlock hunt={m.hunt} names={names} /> : ""}
    </>,
  );
}
