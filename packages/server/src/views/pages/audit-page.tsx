/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import type { AuditEntry } from "@mde-partner/sync";
import type { Session } from "../../sessions.js";
import { clip } from "../clip.js";
import { FilterForm, Table, Time } from "../components.js";
import { qs } from "../format.js";
import { text } from "../html.js";
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
    const code = <code>{text(id)}</code>;
    return name ? (
      <>
        <a href={text(`/tenants/${id}`)}>{text(clip(name))}</a> <small class="muted">{code}</small>
      </>
    ) : (
      code
    );
  };
  const targetCell = (tenantId: string | null, target: string | null) => {
    if (!target) return "—";
    const device = tenantId ? m.deviceNames?.get(`${tenantId}/${target}`) : undefined;
    const code = <code>{text(clip(target))}</code>;
    return device ? (
      <>
        <a href={text(`/devices/${tenantId ?? ""}/${target}`)}>{text(clip(device))}</a> <small class="muted">{code}</small>
      </>
    ) : (
      code
    );
  };
  return layout(
    session,
    { title: "Audit log", section: "audit" },
    <>
      <FilterForm action="/audit" label="Filter the audit log">
        <label for="a-actor">
          Actor
          <input id="a-actor" name="actor" value={text(f.actor ?? "")} />
        </label>
        <label for="a-action">
          Action
          <input id="a-action" name="action" value={text(f.action ?? "")} placeholder="machine.isolate" />
        </label>
        <label for="a-tenant">
          Tenant id
          <input id="a-tenant" name="tenant" value={text(f.tenant ?? "")} />
        </label>
      </FilterForm>
      <Table
        id="audit"
        rows={m.entries}
        row={(e) => ({ "data-action": clip(e.action, 80), "data-phase": e.phase })}
        columns={[
          { head: "When", cell: (e) => <Time iso={e.at} /> },
          { head: "Actor", cell: (e) => clip(e.actor) },
          { head: "Action", cell: (e) => clip(e.action, 80) },
          { head: "Phase", cell: (e) => e.phase },
          { head: "Tenant", attrs: () => ({ "data-field": "tenant" }), cell: (e) => tenantCell(e.tenantId) },
          { head: "Target", attrs: () => ({ "data-field": "target" }), cell: (e) => targetCell(e.tenantId, e.target) },
          { head: "Comment", cell: (e) => clip(e.comment ?? "", 500) },
          { head: "Result", cell: (e) => clip(e.result ?? "", 500) },
        ]}
        empty={<p class="card">No entries.</p>}
      />
      {m.nextBeforeId !== undefined && (
        <nav class="pager" aria-label="Pages">
          <a href={text(`/audit${qs({ ...f, before: String(m.nextBeforeId) })}`)} rel="next">Older entries</a>
        </nav>
      )}
    </>,
  );
}
