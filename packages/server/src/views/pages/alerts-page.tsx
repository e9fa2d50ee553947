/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import type { AlertChange, AlertQuery, StoredAlert, StoredMachine, TenantRecord } from "@mde-partner/sync";
import { ALERT_CLASSIFICATIONS, ALERT_DETERMINATIONS, ALERT_SEVERITIES, ALERT_STATUSES } from "../../services/alerts.js";
import type { Session } from "../../sessions.js";
import { missingPermissionText, type WriteCheck } from "../../services/write-permissions.js";
import { roleAtLeast } from "../../users-file.js";
import { clip, ClipDetail, TextSection } from "../clip.js";
import { CheckboxSet, Fact, FilterForm, GroupSelect, Options, Pager, PostForm, SeverityChip, Table, TenantSelect, Time } from "../components.js";
import { PortalLink } from "../portal-link.js";
import { EvidenceLinks, InvestigationLink } from "./entity-links.js";
import { text } from "../html.js";
import { layout, type PageOptions } from "../layout.js";

export interface AlertListModel {
  readonly query: AlertQuery;
  readonly params: URLSearchParams;
  readonly items: readonly StoredAlert[];
  readonly nextPageToken: string | null;
  readonly tenants: readonly TenantRecord[];
  readonly elapsedMs: number;
  /** The customer groups the operator may filter by, and the chosen one ("" = none). */
  readonly groups?: readonly string[];
  readonly group?: string;
}

const SORT_LABELS: Readonly<Record<string, string>> = { lastUpdateTime: "Last update", alertCreationTime: "Created", severity: "Severity" };
const ORDER_LABELS: Readonly<Record<string, string>> = { desc: "Newest / highest first", asc: "Oldest / lowest first" };

export function alertsPage(session: Session, m: AlertListModel, flash?: PageOptions["flash"]): string {
  const names = new Map(m.tenants.map((t) => [t.id, t.name]));
  const q = m.query;
  const dateOf = (name: string) => (m.params.get(name) ?? "").slice(0, 10);
  return layout(
    session,
    { title: "Alerts", section: "alerts", flash },
    <>
      <FilterForm action="/alerts" label="Filter alerts" applyId="apply-filters">
        <GroupSelect id="f-group" groups={m.groups ?? []} selected={m.group ?? ""} />
        <TenantSelect id="f-tenant" tenants={m.tenants} selected={q.tenantIds ?? []} />
        <CheckboxSet legend="Severity" name="severity" values={ALERT_SEVERITIES} chosen={q.severities} />
        <CheckboxSet legend="Status" name="status" values={ALERT_STATUSES} chosen={q.statuses} />
        <label for="f-from">
          Updated from
          <input id="f-from" type="date" name="from" value={text(dateOf("from"))} />
        </label>
        <label for="f-to">
          Updated to
          <input id="f-to" type="date" name="to" value={text(dateOf("to"))} />
        </label>
        <label for="f-q">
          Title contains
          <input id="f-q" name="q" value={text(m.params.get("q") ?? "")} />
        </label>
        <label for="f-sort">
          Sort by
          <select id="f-sort" name="sort">
            <Options values={Object.keys(SORT_LABELS)} selected={q.sort ?? "lastUpdateTime"} labels={(v) => SORT_LABELS[v] ?? v} />
          </select>
        </label>
        <label for="f-order">
          Order
          <select id="f-order" name="order">
            <Options values={Object.keys(ORDER_LABELS)} selected={q.order ?? "desc"} labels={(v) => ORDER_LABELS[v] ?? v} />
          </select>
        </label>
      </FilterForm>
      <p class="muted">
        {m.items.length} shown (page of {q.limit ?? 50}), {m.elapsedMs.toFixed(0)} ms.
      </p>
      <Table
        id="alerts"
        rows={m.items}
        row={(a) => ({ "data-alert": a.id, "data-status": clip(a.status ?? "", 40) })}
        columns={[
          { head: "Severity", cell: (a) => <SeverityChip severity={a.severity} /> },
          { head: "Title", cell: (a) => <a href={text(`/alerts/${a.tenantId}/${encodeURIComponent(a.id)}`)}>{text(clip(a.title ?? a.id))}</a> },
          { head: "Tenant", cell: (a) => clip(names.get(a.tenantId) ?? a.tenantId) },
          { head: "Status", cell: (a) => clip(a.status) ?? "—" },
          { head: "Classification", cell: (a) => clip(a.classification) ?? "—" },
          { head: "Assigned to", cell: (a) => clip(a.assignedTo) ?? "—" },
          { head: "Created", cell: (a) => <Time iso={a.alertCreationTime} /> },
          { head: "Last update", cell: (a) => <Time iso={a.lastUpdateTime} /> },
        ]}
        empty={
          <p class="card" id="no-alerts">
            No alerts match. {m.tenants.length ? "" : "Add a customer and sync it first."}
          </p>
        }
      />
      <Pager path="/alerts" params={m.params} next={m.nextPageToken} nextId="next-page" />
    </>,
  );
}

interface Evidence {
  entityType?: string;
  fileName?: string | null;
  filePath?: string | null;
  sha1?: string | null;
  sha256?: string | null;
  processCommandLine?: string | null;
  ipAddress?: string | null;
  url?: string | null;
  accountName?: string | null;
  domainName?: string | null;
  registryKey?: string | null;
  detectionStatus?: string | null;
}

/** Rows of evidence, comments and history shown on the page; the JSON API has them all. */
const SHOWN_ENTRIES = 100;
/** Characters of one evidence field or comment on the page. */
const ENTRY_TEXT_MAX = 1_000;

/** An evidence field as bounded text (the payload is the tenant's: any type). */
function entryText(v: unknown): string {
  if (v === null || v === undefined) return "—";
  return clip(typeof v === "string" ? v : JSON.stringify(v), ENTRY_TEXT_MAX);
}

function EvidenceTable({ list, full }: { list: readonly Evidence[]; full: string }) {
  if (!list.length) return <p class="muted">No evidence recorded.</p>;
  const entity = (e: Evidence) =>
    e.fileName ?? e.ipAddress ?? e.url ?? (e.accountName ? `${e.domainName ? `${e.domainName}\\` : ""}${e.accountName}` : null) ?? e.registryKey ?? "—";
  const details = (e: Evidence) => [e.filePath, e.processCommandLine, e.sha256 ?? e.sha1].filter((x): x is string => !!x);
  return (
    <>
      {list.length > SHOWN_ENTRIES && (
        <p class="muted">
          {SHOWN_ENTRIES} of {list.length} shown; <a href={text(full)}>all as JSON</a>.
        </p>
      )}
      <Table
        id="evidence"
        rows={list.slice(0, SHOWN_ENTRIES)}
        columns={[
          { head: "Type", cell: (e) => entryText(e.entityType) },
          { head: "Entity", cell: (e) => entryText(entity(e)) },
          {
            head: "Details",
            cell: (e) =>
              details(e).map((d) => (
                <>
                  <code>{text(entryText(d))}</code>
                  <br />
                </>
              )),
          },
          { head: "Detection", cell: (e) => entryText(e.detectionStatus) },
          { head: "Look up", cell: (e) => <EvidenceLinks e={e} /> },
        ]}
      />
    </>
  );
}

export interface AlertDetailModel {
  readonly alert: StoredAlert;
  readonly tenant: TenantRecord | null;
  readonly machine: StoredMachine | null;
  readonly history: readonly AlertChange[];
  /** Evidence and comments from the API when the stored copy lacks them. */
  readonly live: Record<string, unknown> | null;
  readonly liveError?: string | undefined;
  /** The cloud's Defender portal hosts: only links there are live (portal-link.tsx). */
  readonly portalHosts: readonly string[];
  /** Whether the tenant's recorded roles allow an alert update. */
  readonly update: WriteCheck;
}

/** A field of the update form that leaves the value as it is unless a value is picked. */
const Unchanged = ({ id, label, name, values }: { id: string; label: string; name: string; values: readonly string[] }) => (
  <label for={id}>
    {label}
    <select id={id} name={name}>
      <option value="">(unchanged)</option>
      <Options values={values} selected={[]} />
    </select>
  </label>
);

function UpdateForm({ session, alert, update }: { session: Session; alert: StoredAlert; update: WriteCheck }) {
  if (!update.allowed) {
    return (
      <section class="card" id="alert-update-unavailable">
        <h2>Update</h2>
        <p class="warn">{text(missingPermissionText(update, "Updating an alert"))}</p>
      </section>
    );
  }
  return (
    <PostForm action={`/alerts/${alert.tenantId}/${encodeURIComponent(alert.id)}`} session={session} class="card stack" id="alert-update">
      <h2>Update</h2>
      <Unchanged id="u-status" label="Status" name="status" values={ALERT_STATUSES} />
      <label for="u-assigned">
        Assigned to
        <input id="u-assigned" name="assignedTo" placeholder="analyst@contoso.com" value="" />
      </label>
      <Unchanged id="u-class" label="Classification" name="classification" values={ALERT_CLASSIFICATIONS} />
      <Unchanged id="u-det" label="Determination" name="determination" values={ALERT_DETERMINATIONS} />
      <label for="u-comment">
        Comment
        <textarea id="u-comment" name="comment" maxlength={1000} rows={3}></textarea>
      </label>
      <div>
        <button type="submit" id="save-alert">Save</button>
      </div>
    </PostForm>
  );
}

function DeviceFacts({ alert, machine }: { alert: StoredAlert; machine: StoredMachine | null }) {
  if (!machine) {
    return (
      <p class="muted">
        {alert.machineId ? (
          <>
            Device <code>{text(alert.machineId)}</code> is not synced yet.
          </>
        ) : (
          "No device."
        )}
      </p>
    );
  }
  return (
    <dl class="facts">
      <Fact label="Name">
        <a href={text(`/devices/${machine.tenantId}/${machine.id}`)} id="device-link">{text(clip(machine.computerDnsName ?? machine.id))}</a>
      </Fact>
      <Fact label="OS">{clip(machine.osPlatform) ?? "—"}</Fact>
      <Fact label="Health">{clip(machine.healthStatus) ?? "—"}</Fact>
      <Fact label="Risk">{clip(machine.riskScore) ?? "—"}</Fact>
      <Fact label="Last seen">
        <Time iso={machine.lastSeen} />
      </Fact>
    </dl>
  );
}

export function alertDetailPage(session: Session, m: AlertDetailModel, flash?: PageOptions["flash"]): string {
  const a = m.alert;
  const p = { ...a.payload, ...(m.live ?? {}) } as Record<string, unknown>;
  const evidence = (Array.isArray(p.evidence) ? p.evidence : []) as Evidence[];
  const comments = (Array.isArray(p.comments) ? p.comments : []) as Array<{ comment?: string; createdBy?: string; createdTime?: string }>;
  const payloadText = (k: string) => (typeof p[k] === "string" ? (p[k] as string) : null);
  const full = `/api/v1/alerts/${a.tenantId}/${encodeURIComponent(a.id)}`;
  const determination = payloadText("determination");
  return layout(
    session,
    { title: a.title ?? a.id, section: "alerts", flash },
    <>
      <section class="card">
        <dl class="facts" id="alert-facts">
          <Fact label="Severity">
            <SeverityChip severity={a.severity} />
          </Fact>
          <Fact label="Status" id="alert-status">{clip(a.status) ?? "—"}</Fact>
          <Fact label="Classification">{`${clip(a.classification) ?? "—"}${determination ? ` / ${clip(determination)}` : ""}`}</Fact>
          <Fact label="Assigned to">{clip(a.assignedTo) ?? "—"}</Fact>
          <Fact label="Tenant">
            <a href={text(`/tenants/${a.tenantId}`)}>{text(clip(m.tenant?.name ?? a.tenantId))}</a>
          </Fact>
          <Fact label="Category">{clip(payloadText("category")) ?? "—"}</Fact>
          <Fact label="Detection source">{clip(payloadText("detectionSource")) ?? "—"}</Fact>
          <Fact label="Created">
            <Time iso={a.alertCreationTime} />
          </Fact>
          <Fact label="Last update">
            <Time iso={a.lastUpdateTime} />
          </Fact>
          <Fact label="Alert id">
            <code>{text(clip(a.id))}</code>
          </Fact>
          <InvestigationLink tenantId={a.tenantId} id={p.investigationId} />
          {!!p.alertWebUrl && (
            <Fact label="Defender portal" id="alert-portal">
              <PortalLink value={p.alertWebUrl} hosts={m.portalHosts} label="open the alert" />
            </Fact>
          )}
          <Fact label="Synced from" id="alert-source" data-source={a.source}>
            {a.source === "graph" ? "Microsoft Graph (alerts_v2)" : "MDE API"}
            {a.graphId && a.graphId !== a.id && (
              <>
                {" "}
                — Graph id <code>{text(clip(a.graphId))}</code>
              </>
            )}
          </Fact>
          {a.incidentId && (
            <Fact label="Incident">
              {m.tenant?.alertSource === "graph" ? (
                <a href={text(`/incidents/${a.tenantId}/${encodeURIComponent(a.incidentId)}`)}>{text(clip(a.incidentId))}</a>
              ) : (
                clip(a.incidentId)
              )}
            </Fact>
          )}
          {a.title && a.title.length > 300 && (
            <Fact label="Title" id="alert-title">
              <ClipDetail value={a.title} full={full} />
            </Fact>
          )}
        </dl>
        <TextSection title="Description" id="alert-description" value={payloadText("description")} full={full} />
        <TextSection title="Recommended action" value={payloadText("recommendedAction")} full={full} />
      </section>
      <h2>Device</h2>
      <section class="card">
        <DeviceFacts alert={a} machine={m.machine} />
      </section>
      <h2>Evidence</h2>
      {m.liveError ? <p class="warn">Could not read the evidence from the API: {text(clip(m.liveError, ENTRY_TEXT_MAX))}</p> : ""}
      <EvidenceTable list={evidence} full={full} />
      <h2>Comments</h2>
      {comments.length ? (
        <ul>
          {comments.slice(0, SHOWN_ENTRIES).map((c) => (
            <li>
              {text(clip(typeof c.comment === "string" ? c.comment : "", ENTRY_TEXT_MAX))}{" "}
              <small class="muted">
                — {text(clip(typeof c.createdBy === "string" ? c.createdBy : "?"))}, <Time iso={typeof c.createdTime === "string" ? c.createdTime : null} />
              </small>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">No comments.</p>
      )}
      <h2>History</h2>
      {m.history.length ? (
        <ul>
          {m.history.slice(0, SHOWN_ENTRIES).map((h) => (
            <li>
              {text(`${h.field}: ${clip(h.oldValue) ?? "—"} → ${clip(h.newValue) ?? "—"}`)}{" "}
              <small class="muted">
                <Time iso={h.changedAt ?? h.recordedAt} />
              </small>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">No recorded changes.</p>
      )}
      {roleAtLeast(session.role, "responder") ? <UpdateForm session={session} alert={a} update={m.update} /> : ""}
    </>,
  );
}
