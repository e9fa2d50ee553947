/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import type { SyncRunRecord, TenantTransition, VerifyResult } from "@mde-partner/sync";
import { SEVERITIES, stateLabel, type TenantOverview } from "../../services/tenants.js";
import type { Session } from "../../sessions.js";
import { hasEverywhere } from "../../access.js";
import { type Role, roleAtLeast } from "../../users-file.js";
import { clip, ClipDetail } from "../clip.js";
import { Chip, Fact, FilterForm, GroupSelect, PostForm, Table, Time, type Column } from "../components.js";
import { age } from "../format.js";
import { text } from "../html.js";
import { layout, type PageOptions } from "../layout.js";
import { API_LABEL, SourceCell } from "./source-switch-page.js";

const StateChip = ({ state }: { state: string }) => (
  <Chip kind={`state-${state}`} data-state={state}>
    {stateLabel(state)}
  </Chip>
);

/** One resource's line: unknown until verified, nothing needed, all granted, or what is missing. */
function ResourceDrift({ row, resource }: { row: TenantOverview; resource: "mde" | "graph" }) {
  const d = row.drift[resource];
  const granted = resource === "mde" ? row.tenant.grantedRoles.length : (row.tenant.graphRoles?.length ?? 0);
  return (
    <div class="drift" data-resource={resource} data-drifted={d.missing.length > 0 ? "true" : "false"}>
      <strong>{API_LABEL[resource]}</strong>:{" "}
      {d.needed.length === 0 ? (
        <span class="muted">nothing needed</span>
      ) : !d.known ? (
        <span class="warn">not read yet</span>
      ) : d.missing.length === 0 ? (
        <>
          <span class="ok">all needed granted</span> <small class="muted">({granted} roles)</small>
        </>
      ) : (
        <span class="bad">missing: {text(d.missing.join(", "))}</span>
      )}
    </div>
  );
}

const Drift = ({ row }: { row: TenantOverview }) => (
  <>
    <ResourceDrift row={row} resource="mde" />
    <ResourceDrift row={row} resource="graph" />
  </>
);

function DriftCell({ session, row }: { session: Session; row: TenantOverview }) {
  const { tenant, missingPermissions } = row;
  if (tenant.state === "pending_consent") return <span class="muted">waiting for consent</span>;
  const admin = roleAtLeast(session.role, "admin");
  if (!row.rolesKnown) {
    return (
      <>
        <span class="warn">granted roles not read yet</span>
        {admin && (
          <PostForm action={`/tenants/${tenant.id}/verify`} session={session}>
            <button class="secondary" type="submit">Verify</button>
          </PostForm>
        )}
      </>
    );
  }
  // The re-consent link asks for both resources in one consent (graph-security.md §2).
  return (
    <>
      <Drift row={row} />
      {missingPermissions.length > 0 && admin && (
        <PostForm action={`/tenants/${tenant.id}/consent-link`} session={session}>
          <button class="secondary" type="submit">Re-consent link</button>
        </PostForm>
      )}
    </>
  );
}

/** The customer groups the operator may filter the list by, and the chosen one ("" = none). */
export interface TenantGroups {
  readonly groups: readonly string[];
  readonly group: string;
  /** The operator's role on each listed tenant, when it differs between them (which row buttons show). */
  readonly rolesOn?: ReadonlyMap<string, Role>;
}

export function tenantsPage(
  session: Session,
  rows: readonly TenantOverview[],
  now: number,
  flash?: PageOptions["flash"],
  groups: TenantGroups = { groups: [], group: "" },
): string {
  // Adding a customer is console-wide: it needs the admin role on every tenant.
  const admin = hasEverywhere(session.grants, "admin");
  // A row's buttons follow the operator's role on that tenant.
  const on = (r: TenantOverview): Session => {
    const role = groups.rolesOn?.get(r.tenant.id);
    return role && role !== session.role ? { ...session, role } : session;
  };
  const responder = roleAtLeast(session.role, "responder");
  const columns: Column<TenantOverview>[] = [
    {
      head: "Customer",
      cell: (r) => (
        <>
          <a href={text(`/tenants/${r.tenant.id}`)}>{text(r.tenant.name)}</a>
          <br />
          <code>{text(r.tenant.id)}</code>
        </>
      ),
    },
    { head: "State", cell: (r) => <StateChip state={r.tenant.state} /> },
    { head: "Permissions (granted vs needed)", cell: (r) => <DriftCell session={on(r)} row={r} /> },
    { head: "Alert source", cell: (r) => <SourceCell session={on(r)} row={r} /> },
    {
      head: "Last sync",
      attrs: (r) => ({ title: r.tenant.lastSyncAt ?? "" }),
      cell: (r) => (
        <>
          {age(r.tenant.lastSyncAt, now)}
          {r.lastRun && (
            <>
              <br />
              <small class="muted">{text(`${r.lastRun.status}, ${r.lastRun.items} items`)}</small>
            </>
          )}
        </>
      ),
    },
    ...SEVERITIES.map(
      (s): Column<TenantOverview> => ({
        head: s,
        num: true,
        cell: (r) => (r.alertCounts[s] ? <a href={text(`/alerts?tenant=${r.tenant.id}&severity=${s}`)}>{r.alertCounts[s]}</a> : "0"),
      }),
    ),
    { head: "Last error", cell: (r) => (r.tenant.lastError ? <span class="bad">{text(clip(r.tenant.lastError))}</span> : "—") },
  ];
  return layout(
    session,
    { title: "Tenants", section: "tenants", flash },
    <>
      {groups.groups.length ? (
        <FilterForm action="/tenants" label="Filter tenants">
          <GroupSelect id="t-group" groups={groups.groups} selected={groups.group} />
        </FilterForm>
      ) : (
        ""
      )}
      <div class="row">
        {admin ? <a class="button" href="/tenants/new" id="add-customer">Add a customer</a> : ""}
        {responder && (
          <PostForm action="/sync" session={session}>
            <button type="submit" class="secondary" id="sync-all">Sync all tenants now</button>
          </PostForm>
        )}
      </div>
      <Table
        id="tenants"
        caption={`${rows.length} customer tenant${rows.length === 1 ? "" : "s"}`}
        rows={rows}
        row={(r) => ({ "data-tenant": r.tenant.id })}
        columns={columns}
        empty={
          <p class="card" id="no-tenants">
            {hasEverywhere(session.grants, "viewer") ? "No customers yet." : "No customer tenant in your customer groups yet."}
            {admin && (
              <>
                {" "}
                <a href="/tenants/new">Add the first one</a>.
              </>
            )}
          </p>
        }
      />
    </>,
  );
}

/** What a verification found: each check, the permissions missing per resource, the error and the next step. */
export function VerifyResultBlock({ result }: { result: VerifyResult }) {
  const resources = result.resources;
  return (
    <section class="card" id="verify-result" data-state={result.state}>
      <h2>
        Verification: <StateChip state={result.state} />
      </h2>
      <ul class="checks">
        {result.checks.map((c) => (
          <li class={c.ok ? "ok" : "bad"}>
            {c.ok ? "✔" : "✘"} <strong>{text(clip(c.name, 80))}</strong>: {text(clip(c.detail, 1_000))}
          </li>
        ))}
      </ul>
      {result.missingPermissions.length ? <p class="bad">Missing permissions: {text(result.missingPermissions.join(", "))}</p> : ""}
      {resources && (
        <ul class="drift-per-resource">
          {(["mde", "graph"] as const).map((r) => {
            const v = resources[r];
            return (
              <li data-resource={r} class={v.missing.length ? "bad" : "ok"}>
                <strong>{API_LABEL[r]}</strong>:{" "}
                {text(v.roles === null ? "token not read" : v.missing.length ? `missing ${v.missing.join(", ")}` : `${v.needed.length} needed, all granted`)}
              </li>
            );
          })}
        </ul>
      )}
      {result.error ? <p class="bad">{text(`${clip(result.error.code, 80)}: ${clip(result.error.message, 2_000)}`)}</p> : ""}
      {result.consentUrl ? (
        <p>Next step: the customer's administrator must consent again (an admin creates a new consent link on the tenant's page).</p>
      ) : result.action ? (
        <p>Next step: {text(clip(result.action, 2_000))}</p>
      ) : (
        ""
      )}
    </section>
  );
}

export function tenantDetailPage(
  session: Session,
  row: TenantOverview,
  transitions: readonly TenantTransition[],
  runs: readonly SyncRunRecord[],
  now: number,
  extra: { flash?: PageOptions["flash"]; verify?: VerifyResult } = {},
): string {
  const { tenant } = row;
  const admin = roleAtLeast(session.role, "admin");
  const responder = roleAtLeast(session.role, "responder");
  const base = `/tenants/${tenant.id}`;
  return layout(
    session,
    { title: tenant.name, section: "tenants", flash: extra.flash },
    <>
      <div class="row">
        {responder && (
          <PostForm action={`${base}/sync`} session={session}>
            <button type="submit" id="sync-now">Sync now</button>
          </PostForm>
        )}
        {admin && (
          <PostForm action={`${base}/verify`} session={session}>
            <button type="submit" class="secondary" id="verify-now">Verify now</button>
          </PostForm>
        )}
        {admin && (
          <PostForm action={`${base}/consent-link`} session={session}>
            <button type="submit" class="secondary">New consent link</button>
          </PostForm>
        )}
        {admin && (
          <PostForm action={`${base}/offboard`} session={session}>
            <button type="submit" class="secondary" id="offboard" title="Removes the tenant and everything synced for it, once another admin approves">
              Offboard…
            </button>
          </PostForm>
        )}
        <a class="button secondary" href={text(`/alerts?tenant=${tenant.id}`)}>Alerts</a>
        <a class="button secondary" href={text(`/devices?tenant=${tenant.id}`)}>Devices</a>
      </div>
      {extra.verify ? <VerifyResultBlock result={extra.verify} /> : ""}
      <section class="card">
        <dl class="facts">
          <Fact label="Tenant id">
            <code>{text(tenant.id)}</code>
          </Fact>
          <Fact label="State">
            <StateChip state={tenant.state} />
          </Fact>
          <Fact label="Cloud / region">{`${tenant.cloud}${tenant.region ? ` / ${tenant.region}` : ""}`}</Fact>
          <Fact label="Alert source">
            <SourceCell session={session} row={row} from="detail" />
            {tenant.alertSource === "graph" && (
              <>
                {" "}
                <a href={text(`/incidents?tenant=${tenant.id}`)}>Incidents</a>
              </>
            )}
          </Fact>
          <Fact label="Granted permissions (MDE API)">{tenant.grantedRoles.length ? tenant.grantedRoles.join(", ") : "—"}</Fact>
          <Fact label="Granted permissions (Microsoft Graph)">
            {tenant.graphRoles === null ? "unknown until verified" : tenant.graphRoles.length ? tenant.graphRoles.join(", ") : "none"}
          </Fact>
          <Fact label="Missing permissions">{!row.rolesKnown ? "unknown until verified" : <Drift row={row} />}</Fact>
          <Fact label="Last sync">
            <Time iso={tenant.lastSyncAt} /> ({age(tenant.lastSyncAt, now)})
          </Fact>
          <Fact label="Alerts">{`${row.alertTotal} (${SEVERITIES.map((s) => `${s} ${row.alertCounts[s] ?? 0}`).join(", ")})`}</Fact>
          <Fact label="Last error" id="last-error">
            {tenant.lastError ? <ClipDetail value={tenant.lastError} full={`/api/v1/tenants/${tenant.id}`} /> : "—"}
          </Fact>
        </dl>
      </section>
      <h2>Sync runs</h2>
      <Table
        rows={runs}
        columns={[
          { head: "Started", cell: (r) => <Time iso={r.startedAt} /> },
          { head: "Stream", cell: (r) => r.stream },
          { head: "Status", cell: (r) => r.status },
          { head: "Items", num: true, cell: (r) => r.items },
          { head: "Error", cell: (r) => clip(r.error ?? "", 500) },
        ]}
        empty={<p class="muted">No sync yet.</p>}
      />
      <h2>State history</h2>
      <Table
        rows={transitions}
        columns={[
          { head: "When", cell: (t) => <Time iso={t.at} /> },
          { head: "From", cell: (t) => (t.from ? stateLabel(t.from) : "—") },
          { head: "To", cell: (t) => stateLabel(t.to) },
          { head: "Reason", cell: (t) => clip(t.reason ?? "", 500) },
        ]}
      />
    </>,
  );
}
