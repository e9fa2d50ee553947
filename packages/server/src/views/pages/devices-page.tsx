/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import type { IsolationState, StoredAlert, StoredMachine, StoredMachineAction, TenantRecord } from "@mde-partner/sync";
import type { Child } from "hono/jsx";
import { DEVICE_ACTIONS, ISOLATION_TYPES, isFinalStatus, SCAN_TYPES } from "../../services/devices.js";
import type { Session } from "../../sessions.js";
import { checkWrite, missingPermissionText } from "../../services/write-permissions.js";
import { roleAtLeast } from "../../users-file.js";
import { clip } from "../clip.js";
import { Choices, Fact, FilterForm, GroupSelect, Options, PostForm, Table, TenantSelect, Time } from "../components.js";
import { text } from "../html.js";
import { layout, type PageOptions } from "../layout.js";
import { DeviceLiveLinks } from "./live-response-page.js";

/** The one choice an action takes besides its comment (the first value is preselected). */
const CHOICES: Readonly<Record<string, { legend: string; name: string; values: readonly string[] }>> = {
  isolate: { legend: "Isolation type", name: "isolationType", values: ISOLATION_TYPES },
  scan: { legend: "Scan type", name: "scanType", values: SCAN_TYPES },
};

const HEALTH = ["Active", "Inactive", "ImpairedCommunication", "NoSensorData", "NoSensorDataImpairedCommunication"];

export function devicesPage(
  session: Session,
  m: {
    machines: readonly StoredMachine[];
    tenants: readonly TenantRecord[];
    tenant: string;
    q: string;
    health: string;
    /** The customer groups the operator may filter by, and the chosen one ("" = none). */
    groups?: readonly string[];
    group?: string;
  },
): string {
  const names = new Map(m.tenants.map((t) => [t.id, t.name]));
  return layout(
    session,
    { title: "Devices", section: "devices" },
    <>
      <FilterForm action="/devices" label="Filter devices">
        <GroupSelect id="d-group" groups={m.groups ?? []} selected={m.group ?? ""} />
        <TenantSelect id="d-tenant" tenants={m.tenants} selected={m.tenant} />
        <label for="d-q">
          Name contains
          <input id="d-q" name="q" value={text(m.q)} />
        </label>
        <label for="d-health">
          Health
          <select id="d-health" name="health">
            <option value="">Any</option>
            <Options values={HEALTH} selected={m.health} />
          </select>
        </label>
      </FilterForm>
      <p class="muted">{m.machines.length} shown.</p>
      <Table
        id="devices"
        rows={m.machines}
        row={(d) => ({ "data-device": d.id })}
        columns={[
          { head: "Device", cell: (d) => <a href={text(`/devices/${d.tenantId}/${d.id}`)}>{text(clip(d.computerDnsName ?? d.id))}</a> },
          { head: "Tenant", cell: (d) => clip(names.get(d.tenantId) ?? d.tenantId) },
          { head: "OS", cell: (d) => clip(d.osPlatform) ?? "—" },
          { head: "Health", cell: (d) => clip(d.healthStatus) ?? "—" },
          { head: "Risk", cell: (d) => clip(d.riskScore) ?? "—" },
          { head: "Last seen", cell: (d) => <Time iso={d.lastSeen} /> },
        ]}
        empty={<p class="card">No devices match.</p>}
      />
    </>,
  );
}

/** Who asked: the operator the product recorded; MDE's `requestor` (the app id for app-token actions) only when no operator is known. */
export function requestedBy(a: StoredMachineAction): string {
  return clip(a.operator ?? a.requestor ?? "—");
}

/** How the isolation state reads on the device page. */
export function isolationLabel(i: IsolationState): string {
  const scope = i.scope ? ` (${i.scope})` : "";
  const base = i.state === "Isolated" ? `Isolated${scope}` : i.state === "NotIsolated" ? "Not isolated" : "Unknown (no isolation action recorded)";
  return i.pending === "Isolate" ? `${base}; isolation pending` : i.pending === "Unisolate" ? `${base}; release pending` : base;
}

export function deviceDetailPage(
  session: Session,
  m: {
    machine: StoredMachine;
    tenant: TenantRecord | null;
    actions: readonly StoredMachineAction[];
    alerts: readonly StoredAlert[];
    isolation: IsolationState;
    /** Sections after the device's own (vulnerability management, device-tvm.tsx). */
    extra?: Child;
  },
): string {
  const d = m.machine;
  const p = d.payload as Record<string, unknown>;
  const payloadText = (k: string) => (typeof p[k] === "string" ? (p[k] as string) : null);
  const tags = Array.isArray(p.machineTags) ? (p.machineTags as unknown[]).filter((t): t is string => typeof t === "string") : [];
  const responder = roleAtLeast(session.role, "responder");
  // Only the actions the tenant's recorded roles allow are offered; the others say what is missing.
  const checks = DEVICE_ACTIONS.map((a) => ({ ...a, check: checkWrite(m.tenant, a.operation) }));
  const refused = checks.filter((a) => !a.check.allowed);
  const device = `/devices/${d.tenantId}/${d.id}`;
  return layout(
    session,
    { title: clip(d.computerDnsName ?? d.id), section: "devices" },
    <>
      <section class="card">
        <dl class="facts">
          <Fact label="Tenant">
            <a href={text(`/tenants/${d.tenantId}`)}>{text(clip(m.tenant?.name ?? d.tenantId))}</a>
          </Fact>
          <Fact label="Device id">
            <code>{text(d.id)}</code>
          </Fact>
          <Fact label="OS">{`${clip(d.osPlatform) ?? "—"} ${clip(payloadText("osVersion")) ?? ""}`}</Fact>
          <Fact label="Health">{clip(d.healthStatus) ?? "—"}</Fact>
          <Fact label="Risk / exposure">{`${clip(d.riskScore) ?? "—"} / ${clip(payloadText("exposureLevel")) ?? "—"}`}</Fact>
          <Fact label="Isolation" id="isolation-state" data-state={m.isolation.state ?? "unknown"}>
            {isolationLabel(m.isolation)}
          </Fact>
          <Fact label="IP address">{clip(payloadText("lastIpAddress")) ?? "—"}</Fact>
          <Fact label="Last seen">
            <Time iso={d.lastSeen} />
          </Fact>
          <Fact label="Tags">{tags.length ? tags.slice(0, 50).map((t) => clip(t)).join(", ") : "—"}</Fact>
        </dl>
      </section>
      <DeviceLiveLinks session={session} machine={d} tenant={m.tenant} />
      {responder && (
        <>
          <h2>Response actions</h2>
          <ul class="row plain-list" id="action-links">
            {checks
              .filter((a) => a.check.allowed)
              .map((a) => (
                <li>
                  <a class="button secondary" href={text(`${device}/actions/new?action=${a.kind}`)} id={`action-${a.kind}`}>{a.label}</a>
                </li>
              ))}
          </ul>
          {refused.length ? (
            <ul class="plain-list" id="actions-unavailable">
              {refused.map((a) => (
                <li class="warn" data-action={a.kind}>{text(missingPermissionText(a.check, a.label))}</li>
              ))}
            </ul>
          ) : (
            ""
          )}
        </>
      )}
      <h2>Actions on this device</h2>
      <Table
        id="device-actions"
        rows={m.actions}
        columns={[
          { head: "Action", cell: (a) => <a href={text(`/actions/${a.tenantId}/${encodeURIComponent(a.id)}`)}>{text(clip(a.type ?? "?"))}</a> },
          { head: "Status", cell: (a) => clip(a.status) ?? "—" },
          { head: "Requested by", attrs: () => ({ "data-field": "requested-by" }), cell: requestedBy },
          { head: "Comment", cell: (a) => clip(a.comment ?? "") },
          { head: "Created", cell: (a) => <Time iso={a.creationTime} /> },
        ]}
        empty={<p class="muted">No response actions yet.</p>}
      />
      <h2>Alerts on this device</h2>
      {m.alerts.length ? (
        <ul>
          {m.alerts.map((a) => (
            <li>
              <a href={text(`/alerts/${a.tenantId}/${encodeURIComponent(a.id)}`)}>{text(clip(a.title ?? a.id))}</a> —{" "}
              {text(`${clip(a.severity ?? "")}, ${clip(a.status ?? "")}`)}
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">None stored.</p>
      )}
      {m.extra ?? ""}
    </>,
  );
}

/** The confirmation step: what will happen, a required comment, and a real submit button. */
export function confirmActionPage(
  session: Session,
  m: { machine: StoredMachine; action: string; error?: string | undefined; comment?: string },
): string {
  const spec = DEVICE_ACTIONS.find((a) => a.kind === m.action);
  const d = m.machine;
  const name = clip(d.computerDnsName ?? d.id);
  const label = spec?.label ?? m.action;
  const choice = CHOICES[m.action];
  return layout(
    session,
    { title: `${label}: ${name}?`, section: "devices", flash: m.error ? { kind: "error", text: m.error } : undefined },
    <PostForm action={`/devices/${d.tenantId}/${d.id}/actions`} session={session} class="card stack" id="confirm-action">
      <input type="hidden" name="action" value={text(m.action)} />
      <p>{text(spec?.warning ?? "")}</p>
      <p>
        Device <strong>{text(name)}</strong> (<code>{text(d.id)}</code>) of tenant <code>{text(d.tenantId)}</code>.
      </p>
      {choice && (
        <fieldset>
          <legend>{choice.legend}</legend>
          <Choices type="radio" name={choice.name} values={choice.values} checked={(_, i) => i === 0} />
        </fieldset>
      )}
      <label for="action-comment">
        Comment (required: why, ticket number)
        <textarea id="action-comment" name="comment" required maxlength={1000} rows={3}>
          {text(m.comment ?? "")}
        </textarea>
      </label>
      <div class="row">
        <button type="submit" class="danger" id="confirm">Confirm: {text(label)}</button>
        <a href={text(`/devices/${d.tenantId}/${d.id}`)}>Cancel</a>
      </div>
    </PostForm>,
  );
}

/**
 * An action's status card. `poll` carries the attributes the page's script reads:
 * `data-poll` (the JSON API to poll until final) or `data-final`.
 */
export function ActionStatus({ a, poll }: { a: StoredMachineAction; poll: Record<string, unknown> }) {
  return (
    <section class="card" id="action-status" aria-live="polite" {...poll} data-status={text(a.status ?? "")}>
      <dl class="facts">
        <Fact label="Status" data-field="status" id="action-state">{clip(a.status) ?? "—"}</Fact>
        <Fact label="Type" data-field="type">{clip(a.type) ?? "—"}</Fact>
        <Fact label="Requested by" id="requested-by">{requestedBy(a)}</Fact>
        <Fact label="Comment" data-field="comment">{clip(a.comment, 1_000) ?? "—"}</Fact>
        <Fact label="Created" data-field="creationTime">{clip(a.creationTime, 40) ?? "—"}</Fact>
        <Fact label="Last update" data-field="lastUpdateTime">{clip(a.lastUpdateTime, 40) ?? "—"}</Fact>
        <Fact label="Action id">
          <code>{text(clip(a.id))}</code>
        </Fact>
      </dl>
      <p class="warn" data-error=""></p>
    </section>
  );
}

/** An action's live status: the static script polls the JSON API until it is final. */
export function actionStatusPage(
  session: Session,
  a: StoredMachineAction,
  deviceName: string | null,
  flash?: PageOptions["flash"],
): string {
  const poll = isFinalStatus(a.status) ? { "data-final": "true" } : { "data-poll": text(`/api/v1/actions/${a.tenantId}/${a.id}`), "data-interval": "1000" };
  return layout(
    session,
    { title: `${clip(a.type ?? "Action", 60)} on ${clip(deviceName ?? a.machineId ?? "?")}`, section: "devices", flash },
    <>
      <ActionStatus a={a} poll={poll} />
      <p>
        <a href={text(`/actions/${a.tenantId}/${a.id}`)}>Refresh</a> · <a href={text(`/devices/${a.tenantId}/${a.machineId ?? ""}`)}>Back to the device</a>
      </p>
    </>,
  );
}
