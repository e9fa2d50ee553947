/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * Fleet baselines: each baseline applied so far with its tenants' drift states (in sync, drifted,
 * failed), one baseline's tenants with what differs, and one tenant's differences in full.
 * Everything shown is narrowed to the operator's tenants by the routes.
 */
import type { BaselineDocumentRecord, BaselineTenantRecord, TenantRecord } from "@mde-partner/sync";
import type { Session } from "../../sessions.js";
import { clip } from "../clip.js";
import { Chip, Fact, Table, Time } from "../components.js";
import { text } from "../html.js";
import { layout } from "../layout.js";

/** A baseline with its tenants' states counted (over the operator's tenants only). */
export interface BaselineSummary {
  readonly document: Pick<BaselineDocumentRecord, "name" | "revision" | "updatedAt" | "updatedBy">;
  readonly counts: { in_sync: number; drifted: number; failed: number };
}

type Change = { object?: string; action?: string; key?: string; fields?: string[] };
type Difference = { create?: number; update?: number; delete?: number; changes?: Change[]; changesOmitted?: number; failures?: Array<{ key: string; reason: string }> };

const StateChip = ({ state }: { state: string }) => <Chip kind={`state-${state}`}>{state.replace("_", " ")}</Chip>;

function summary(d: Difference | null): string {
  if (!d) return "—";
  if (d.failures) return `${d.failures.length} object(s) refused`;
  const parts = [d.create ? `${d.create} to create` : "", d.update ? `${d.update} to update` : "", d.delete ? `${d.delete} to delete` : ""].filter(Boolean);
  return parts.length ? parts.join(", ") : "—";
}

export function baselinesPage(session: Session, m: { baselines: readonly BaselineSummary[] }): string {
  return layout(
    session,
    { title: "Baselines", section: "baselines" },
    <>
      <p class="muted">
        Indicators, detection rules and device tags applied to every customer with <code>mde-partner baseline apply FILE</code>; checked for drift by{" "}
        <code>sync --watch</code>, <code>worker</code> and <code>baseline drift FILE</code>.
      </p>
      <Table
        id="baselines"
        rows={m.baselines}
        row={(b) => ({ "data-baseline": b.document.name })}
        columns={[
          { head: "Baseline", cell: (b) => <a href={text(`/baselines/${encodeURIComponent(b.document.name)}`)}>{text(b.document.name)}</a> },
          { head: "Revision", cell: (b) => <code>{text(clip(b.document.revision, 64))}</code> },
          { head: "Applied", cell: (b) => <Time iso={b.document.updatedAt} /> },
          { head: "In sync", num: true, cell: (b) => b.counts.in_sync },
          { head: "Drifted", num: true, cell: (b) => b.counts.drifted },
          { head: "Failed", num: true, cell: (b) => b.counts.failed },
        ]}
        empty={
          <p class="card" id="no-baselines">
            No baseline has been applied to your tenants yet: <code>mde-partner baseline plan FILE</code>, then <code>mde-partner baseline apply FILE</code>.
          </p>
        }
      />
    </>,
  );
}

export function baselinePage(
  session: Session,
  m: { document: BaselineSummary["document"]; states: readonly BaselineTenantRecord[]; tenants: readonly TenantRecord[] },
): string {
  const names = new Map(m.tenants.map((t) => [t.id, t.name]));
  const name = m.document.name;
  return layout(
    session,
    { title: `Baseline ${name}`, section: "baselines" },
    <>
      <dl class="facts">
        <Fact label="Revision">
          <code>{text(clip(m.document.revision, 64))}</code>
        </Fact>
        <Fact label="Applied">
          <Time iso={m.document.updatedAt} />
        </Fact>
        <Fact label="By">{text(clip(m.document.updatedBy ?? "—", 120))}</Fact>
      </dl>
      <Table
        id="baseline-tenants"
        rows={m.states}
        row={(s) => ({ "data-tenant": s.tenantId, "data-state": s.state })}
        columns={[
          {
            head: "Tenant",
            cell: (s) => <a href={text(`/baselines/${encodeURIComponent(name)}/tenants/${s.tenantId}`)}>{text(clip(names.get(s.tenantId) ?? s.tenantId))}</a>,
          },
          { head: "State", cell: (s) => <StateChip state={s.state} /> },
          { head: "Checked", cell: (s) => <Time iso={s.checkedAt} /> },
          { head: "Difference", cell: (s) => text(summary(s.difference as Difference | null)) },
          { head: "Error", cell: (s) => (s.error ? <span class="warn">{text(clip(s.error, 300))}</span> : "—") },
        ]}
        empty={<p class="card">No tenant of yours has been checked against this baseline yet.</p>}
      />
    </>,
  );
}

export function baselineTenantPage(session: Session, m: { name: string; state: BaselineTenantRecord; tenant: TenantRecord | undefined }): string {
  const d = m.state.difference as Difference | null;
  const changes = d?.changes ?? [];
  return layout(
    session,
    { title: `Baseline ${m.name} at ${m.tenant?.name ?? m.state.tenantId}`, section: "baselines" },
    <>
      <dl class="facts">
        <Fact label="State">
          <StateChip state={m.state.state} />
        </Fact>
        <Fact label="Revision">
          <code>{text(clip(m.state.revision, 64))}</code>
        </Fact>
        <Fact label="Checked">
          <Time iso={m.state.checkedAt} />
        </Fact>
        <Fact label="Difference">{text(summary(d))}</Fact>
        {m.state.error ? <Fact label="Error">{text(clip(m.state.error, 500))}</Fact> : ""}
      </dl>
      <Table
        id="baseline-changes"
        rows={changes}
        columns={[
          { head: "Object", cell: (c) => text(clip(c.object ?? "", 40)) },
          { head: "Change", cell: (c) => text(clip(c.action ?? "", 20)) },
          { head: "Identity", cell: (c) => <code>{text(clip(c.key ?? "", 200))}</code> },
          { head: "Fields", cell: (c) => text(clip((c.fields ?? []).join(", "), 200)) },
        ]}
        empty={<p class="card">{m.state.state === "in_sync" ? "In sync: nothing differs." : "No object-level difference was recorded."}</p>}
      />
      {d?.changesOmitted ? <p class="muted">{`… and ${d.changesOmitted} more.`}</p> : ""}
    </>,
  );
}
