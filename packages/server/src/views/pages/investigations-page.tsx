/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/** Automated investigations across the customers (live), and one investigation. */
import type { TenantRecord } from "@mde-partner/sync";
import { INVESTIGATION_STATES, INVESTIGATIONS_PER_TENANT, type InvestigationList, type InvestigationRow } from "../../services/investigations.js";
import type { Session } from "../../sessions.js";
import { clip } from "../clip.js";
import { Chip, Fact, FilterForm, Options, Table, TenantSelect } from "../components.js";
import { text } from "../html.js";
import { layout, type PageOptions } from "../layout.js";
import { Failure, tenantName, value, When } from "./entity-parts.js";

const MACHINE_ID = /^[0-9a-f]{40}$/i;

/** The investigation's page in the console. */
export const investigationPath = (tenantId: string, id: string) => `/investigations/${tenantId}/${encodeURIComponent(id)}`;

function Device({ tenantId, machineId, name }: { tenantId: string; machineId: unknown; name: unknown }) {
  if (typeof machineId === "string" && MACHINE_ID.test(machineId))
    return <a href={text(`/devices/${tenantId}/${machineId.toLowerCase()}`)}>{text(value(name ?? machineId, 200))}</a>;
  return <>{text(value(name ?? machineId, 200))}</>;
}

function TriggeringAlert({ tenantId, alertId }: { tenantId: string; alertId: unknown }) {
  if (typeof alertId !== "string" || alertId === "") return <>—</>;
  return <a href={text(`/alerts/${tenantId}/${encodeURIComponent(alertId)}`)}>{text(clip(alertId, 120))}</a>;
}

const StateChip = ({ state }: { state: unknown }) => (
  <Chip kind={`state-${/^[A-Za-z]{1,40}$/.test(String(state)) ? String(state).toLowerCase() : "unknown"}`}>{value(state, 60)}</Chip>
);

export function investigationsPage(
  session: Session,
  m: { list: InvestigationList; tenants: readonly TenantRecord[]; tenant: string; state: string; machine?: string | undefined },
  flash?: PageOptions["flash"],
): string {
  const { list } = m;
  return layout(
    session,
    { title: "Investigations", section: "investigations", flash },
    <>
      <FilterForm action="/investigations" label="Filter investigations" applyId="apply-filters">
        <TenantSelect id="i-tenant" tenants={m.tenants} selected={m.tenant} />
        <label for="i-state">
          State
          <select id="i-state" name="state">
            <option value="">Any</option>
            <Options values={INVESTIGATION_STATES} selected={m.state} />
          </select>
        </label>
        {m.machine ? <input type="hidden" name="machine" value={text(m.machine)} /> : ""}
      </FilterForm>
      <p class="muted" id="investigations-summary">
        {list.rows.length} investigation(s){m.machine ? " of one device" : ""} from {list.tenantsRead - list.failures.length} of {list.tenantsRead} tenant(s), newest first; read
        live from each customer's API (the newest {INVESTIGATIONS_PER_TENANT} per tenant).
      </p>
      {list.capped.length > 0 && (
        <p class="muted">
          More than {INVESTIGATIONS_PER_TENANT} in: {text(list.capped.map(tenantName).join(", "))} — pick the tenant or a state to narrow.
        </p>
      )}
      {list.failures.map((f) => (
        <section class="card tenant-part" data-tenant={f.tenant.id} data-outcome="failed">
          <h2>{text(tenantName(f.tenant))}</h2>
          <Failure error={f.error} />
        </section>
      ))}
      <Table
        id="investigations"
        rows={list.rows}
        row={(r) => ({ "data-investigation": clip(String(r.investigation.id), 60), "data-tenant": r.tenant.id })}
        columns={[
          { head: "Id", cell: (r) => <a href={text(investigationPath(r.tenant.id, String(r.investigation.id)))}>{text(value(r.investigation.id, 40))}</a> },
          { head: "Tenant", cell: (r) => tenantName(r.tenant) },
          { head: "State", cell: (r) => <StateChip state={r.investigation.state} /> },
          { head: "Device", cell: (r) => <Device tenantId={r.tenant.id} machineId={r.investigation.machineId} name={r.investigation.computerDnsName} /> },
          { head: "Triggering alert", cell: (r) => <TriggeringAlert tenantId={r.tenant.id} alertId={r.investigation.triggeringAlertId} /> },
          { head: "Started", cell: (r) => <When v={r.investigation.startTime} /> },
          { head: "Ended", cell: (r) => <When v={r.investigation.endTime} /> },
        ]}
        empty={<p class="card" id="no-investigations">No investigations match.</p>}
      />
    </>,
  );
}

export function investigationPage(session: Session, r: InvestigationRow): string {
  const i = r.investigation;
  const t = r.tenant;
  return layout(
    session,
    { title: `Investigation ${clip(String(i.id), 60)}`, section: "investigations" },
    <section class="card">
      <dl class="facts" id="investigation-facts">
        <Fact label="Tenant">
          <a href={text(`/tenants/${t.id}`)}>{text(tenantName(t))}</a>
        </Fact>
        <Fact label="State" id="investigation-state">
          <StateChip state={i.state} />
        </Fact>
        <Fact label="Status details">{value(i.statusDetails, 2_000)}</Fact>
        <Fact label="Device">
          <Device tenantId={t.id} machineId={i.machineId} name={i.computerDnsName} />
        </Fact>
        <Fact label="Triggering alert">
          <TriggeringAlert tenantId={t.id} alertId={i.triggeringAlertId} />
        </Fact>
        <Fact label="Started">
          <When v={i.startTime} />
        </Fact>
        <Fact label="Ended">
          <When v={i.endTime} />
        </Fact>
        <Fact label="Cancelled by">{value(i.cancelledBy, 200)}</Fact>
      </dl>
      <p>
        <a href={text(`/investigations?tenant=${t.id}`)}>All investigations of this tenant</a>
      </p>
    </section>,
  );
}
