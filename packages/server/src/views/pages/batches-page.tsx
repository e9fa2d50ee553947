/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import type { BatchItemRecord, BatchRecord, TenantRecord } from "@mde-partner/sync";
import type { Child } from "hono/jsx";
import type { Session } from "../../sessions.js";
import { clip, ClipDetail } from "../clip.js";
import { Chip, Fact, Table, Time, type Column } from "../components.js";
import { text } from "../html.js";
import { layout } from "../layout.js";

function request(b: BatchRecord): string {
  if (b.kind === "hunt") return String(b.request.query ?? "");
  if (b.kind === "baseline") return `baseline ${String((b.request.document as { name?: unknown } | null)?.name ?? "")}`;
  return `${String(b.request.action ?? "")}: ${String(b.request.comment ?? "")}`;
}

const StateChip = ({ state }: { state: string }) => <Chip kind={`state-${state}`}>{state}</Chip>;

export function batchesPage(session: Session, m: { batches: readonly BatchRecord[] }): string {
  return layout(
    session,
    { title: "Batches", section: "batches" },
    <>
      <p class="muted">
        Hunts and response actions run as jobs by the workers (<code>mde-partner worker</code>), newest first.
      </p>
      <Table
        id="batches"
        rows={m.batches}
        row={(b) => ({ "data-batch": b.id, "data-state": b.state })}
        columns={[
          { head: "Created", cell: (b) => <Time iso={b.createdAt} /> },
          { head: "Kind", cell: (b) => b.kind },
          { head: "State", cell: (b) => <StateChip state={b.state} /> },
          { head: "Done", num: true, cell: (b) => `${b.counts.done}/${b.total}` },
          { head: "Failed", num: true, cell: (b) => b.counts.failed },
          { head: "Actor", cell: (b) => clip(b.actor, 120) },
          {
            head: "Request",
            cell: (b) => (
              <a href={text(`/batches/${b.id}`)}>
                <code>{text(clip(request(b), 120))}</code>
              </a>
            ),
          },
        ]}
        empty={
          <p class="card" id="no-batches">
            No batches yet. Hunts and response actions run by the distributed workers appear here: <code>mde-partner hunt --workers …</code>,{" "}
            <code>mde-partner machines isolate … --workers</code>.
          </p>
        }
      />
    </>,
  );
}

function itemResult(b: BatchRecord, i: BatchItemRecord): Child {
  if (i.error) return <span class="warn">{text(`${clip(i.error.code, 80)}: ${clip(i.error.message, 500)}`)}</span>;
  if (i.result === null) return "—";
  const r = i.result as Record<string, unknown>;
  if (b.kind === "hunt") return `${Array.isArray(r.rows) ? r.rows.length : 0} row(s)`;
  const action = r.machineAction as { id?: string; status?: string } | undefined;
  const adopted = r.adopted ? " (adopted from an earlier attempt)" : "";
  const machineAction = action?.id ? `; action ${clip(String(action.id), 80)} ${clip(String(action.status ?? ""), 40)}` : "";
  return `${clip(String(r.result ?? ""))}${adopted}${machineAction}`;
}

export function batchDetailPage(session: Session, m: { batch: BatchRecord; items: readonly BatchItemRecord[]; tenants: readonly TenantRecord[] }): string {
  const b = m.batch;
  const names = new Map(m.tenants.map((t) => [t.id, t.name]));
  const columns: Column<BatchItemRecord>[] = [
    { head: "Tenant", cell: (i) => <a href={text(`/tenants/${i.tenantId}`)}>{text(clip(names.get(i.tenantId) ?? i.tenantId))}</a> },
    ...(b.kind === "response-action"
      ? [
        {
          head: "Machine",
          cell: (i: BatchItemRecord) => (
            <a href={text(`/devices/${i.tenantId}/${i.machineId ?? ""}`)}>
              <code>{text(clip(i.machineId ?? "", 80))}</code>
            </a>
          ),
        },
      ]
      : []),
    { head: "State", cell: (i) => <StateChip state={i.state} /> },
    { head: "Attempts", num: true, cell: (i) => i.attempts },
    { head: "Worker", cell: (i) => clip(i.workerId ?? "—", 120) },
    { head: "Finished", cell: (i) => <Time iso={i.finishedAt} /> },
    { head: "Result", cell: (i) => itemResult(b, i) },
  ];
  const json = `/api/v1/batches/${b.id}`;
  return layout(
    session,
    { title: `Batch ${b.id.slice(0, 8)}`, section: "batches" },
    <>
      <section class="card">
        <dl class="facts" id="batch-facts">
          <Fact label="Kind">{b.kind}</Fact>
          <Fact label="State" id="batch-state">
            <StateChip state={b.state} />{" "}
            {`${b.counts.done} done, ${b.counts.failed} failed, ${b.counts.running} running, ${b.counts.queued} queued of ${b.total}`}
          </Fact>
          <Fact label="Asked by">{clip(b.actor, 120)}</Fact>
          <Fact label="Created">
            <Time iso={b.createdAt} />
          </Fact>
          <Fact label="Finished">
            <Time iso={b.finishedAt} />
          </Fact>
          <Fact label="Request">
            <code>
              <ClipDetail value={request(b)} full={json} />
            </code>
          </Fact>
          <Fact label="Batch id">
            <code>{text(b.id)}</code>
          </Fact>
        </dl>
      </section>
      <h2>Items ({b.total})</h2>
      <Table id="batch-items" rows={m.items} row={(i) => ({ "data-item": i.key, "data-state": i.state })} columns={columns} />
      <p>
        Results as JSON: <a href={text(json)}>{text(json)}</a> · <a href="/batches">All batches</a>
      </p>
    </>,
  );
}
