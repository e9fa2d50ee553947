/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import type { SyncRunRecord, TenantTransition, VerifyResult } from "@mde-partner/sync";
import { SEVERITIES, type SourceSwitchPreview, type StartedOnboarding, stateLabel, type TenantOverview } from "../../services/tenants.js";
import type { Session } from "../../sessions.js";
import { roleAtLeast } from "../../users-file.js";
import { clip, ClipDetail } from "../clip.js";
import { Chip, Fact, PostForm, Table, Time, type Column } from "../components.js";
import { age, when } from "../format.js";
import { text } from "../html.js";
import { layout, type PageOptions } from "../layout.js";

const StateChip = ({ state }: { state: string }) => (
  <Chip kind={`state-${state}`} data-state={state}>
    {stateLabel(state)}
  </Chip>
);

const RESOURCE_LABEL = { mde: "MDE API", graph: "Microsoft Graph" } as const;

/** One resource's line: unknown until verified, nothing needed, all granted, or what is missing. */
function ResourceDrift({ row, resource }: { row: TenantOverview; resource: "mde" | "graph" }) {
  const d = row.drift[resource];
  const granted = resource === "mde" ? row.tenant.grantedRoles.length : (row.tenant.graphRoles?.length ?? 0);
  return (
    <div class="drift" data-resource={resource} data-drifted={d.missing.length > 0 ? "true" : "false"}>
      <strong>{RESOURCE_LABEL[resource]}</strong>:{" "}
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

const SOURCE_LABEL = { mde: "MDE API", graph: "Microsoft Graph" } as const;
/** The same in a sentence. */
const SOURCE_NAME = { mde: "the MDE API", graph: "Microsoft Graph" } as const;
/** What the switch does, said on the button: it changes where every later sync reads the tenant's alerts. */
const SWITCH_LABEL = { mde: "Use the MDE API as this tenant's alert source", graph: "Use Microsoft Graph as this tenant's alert source" } as const;

/** The tenant's alert source; admins get a link to the switch's confirmation step (nothing changes on this page). */
function SourceCell({ session, row, from = "list" }: { session: Session; row: TenantOverview; from?: "list" | "detail" }) {
  const { tenant } = row;
  const current = (
    <Chip kind={`source-${tenant.alertSource}`} data-source={tenant.alertSource}>
      {SOURCE_LABEL[tenant.alertSource]}
    </Chip>
  );
  if (!roleAtLeast(session.role, "admin")) return current;
  const other = tenant.alertSource === "graph" ? "mde" : "graph";
  return (
    <>
      {current}{" "}
      <a class="button secondary" data-switch-source={other} href={`/tenants/${tenant.id}/source?to=${other}&from=${from}`}>
        {SWITCH_LABEL[other]}…
      </a>
    </>
  );
}

/**
 * The confirmation step of an alert-source switch: what changes (every later
 * sync of the tenant, from the console, the CLI or the workers, reads the other
 * API), what stays, what it needs, and a real submit button. No script: the
 * form posts `confirm=yes`, and a post without it changes nothing.
 */
export function confirmSourcePage(
  session: Session,
  preview: SourceSwitchPreview,
  from: "list" | "detail",
  error?: string,
): string {
  const { tenant, to } = preview;
  const name = text(clip(tenant.name));
  const back = from === "detail" ? `/tenants/${tenant.id}` : "/tenants";
  const commands = (
    <>
      (Sync now here, <code>mde-partner sync</code>, <code>sync --watch</code>, the demo and the workers)
    </>
  );
  const needed = text(preview.needed.join(", "));
  return layout(
    session,
    { title: `Use ${SOURCE_NAME[to]} as ${clip(tenant.name)}'s alert source?`, section: "tenants", flash: error ? { kind: "error", text: error } : undefined },
    <PostForm action={`/tenants/${tenant.id}/source`} session={session} class="card stack" id="confirm-source" data-source={to}>
      <input type="hidden" name="source" value={to} />
      <input type="hidden" name="from" value={from} />
      <input type="hidden" name="confirm" value="yes" />
      <p>
        {name} (<code>{text(tenant.id)}</code>) reads its alerts from the <strong>{SOURCE_LABEL[tenant.alertSource]}</strong> today. Switching changes that
        setting for everything that syncs this tenant:
      </p>
      <ul id="source-switch-effects">
        {to === "graph" ? (
          <li>
            Every later sync of {name} {commands} reads its alerts from <strong>Microsoft Graph</strong> (alerts_v2, the alerts Defender for Endpoint raised)
            instead of the MDE API, and reads its incidents too (the Incidents page).
          </li>
        ) : (
          <li>
            Every later sync of {name} {commands} reads its alerts from the <strong>MDE API</strong> instead of Microsoft Graph. Its incidents are no longer
            synced; those already stored stay.
          </li>
        )}
        <li>Nothing is read now: the next sync reads from the new source. Alerts already stored stay, under the same MDE ids, so none is duplicated or lost.</li>
        <li>
          Permissions it needs:{" "}
          {preview.needed.length === 0 ? (
            `nothing more on ${SOURCE_NAME[to]}.`
          ) : preview.missing === null ? (
            <>
              {needed} on {SOURCE_NAME[to]}; the tenant is not verified yet, so whether it granted them is unknown (verify it after switching).
            </>
          ) : preview.missing.length ? (
            <>
              {needed} on {SOURCE_NAME[to]}. <strong class="bad">Not granted at the last verification: {text(preview.missing.join(", "))}</strong>: its syncs
              will fail until the customer consents again.
            </>
          ) : (
            <>
              {needed} on {SOURCE_NAME[to]}, all granted at the last verification.
            </>
          )}
        </li>
        <li>You can switch back at any time on the Tenants page; the switch is in the audit log.</li>
      </ul>
      <div class="row">
        <button type="submit" id="confirm">Switch {name} to {SOURCE_NAME[to]}</button>
        <a href={text(back)} id="cancel">Cancel</a>
      </div>
    </PostForm>,
  );
}

export function tenantsPage(session: Session, rows: readonly TenantOverview[], now: number, flash?: PageOptions["flash"]): string {
  const admin = roleAtLeast(session.role, "admin");
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
    { head: "Permissions (granted vs needed)", cell: (r) => <DriftCell session={session} row={r} /> },
    { head: "Alert source", cell: (r) => <SourceCell session={session} row={r} /> },
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
          <p class="card">
            No customers yet.
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

export function newTenantPage(session: Session, error?: string, values: { name?: string; tenant?: string } = {}): string {
  return layout(
    session,
    { title: "Add a customer", section: "tenants", flash: error ? { kind: "error", text: error } : undefined },
    <PostForm action="/tenants" session={session} class="card stack">
      <label for="customer-name">
        Customer name
        <input id="customer-name" name="name" required maxlength={120} value={text(values.name ?? "")} />
      </label>
      <label for="customer-tenant">
        Tenant id or domain (optional)
        <input id="customer-tenant" name="tenant" placeholder="contoso.onmicrosoft.com or 00000000-…" value={text(values.tenant ?? "")} />
      </label>
      <p class="muted">With a tenant the link works only for that tenant. Without one the customer's administrator picks the organization.</p>
      <div>
        <button type="submit" id="create-link">Create consent link</button>
      </div>
    </PostForm>,
  );
}

export function onboardingPage(session: Session, started: StartedOnboarding): string {
  const url = text(started.consentUrl);
  return layout(
    session,
    { title: `Consent link for ${started.name}`, section: "tenants" },
    <>
      <div class="card stack">
        <p>
          Send this link to the customer's Global Administrator. When they accept, they come back to this console, which records the tenant and verifies it
          at once.
        </p>
        <div class="consent-link">
          <label for="consent-link" class="sr">Consent link</label>
          <input id="consent-link" readonly value={url} />
          <button type="button" data-copy="#consent-link" id="copy-link">Copy link</button>
        </div>
        <p>
          <a href={url} id="open-consent-link" rel="noreferrer">Open the consent link</a> (only if you are the customer's administrator)
        </p>
        <p class="muted">
          The link works once and expires {text(when(started.expiresAt))}.
          {started.tenantId && (
            <>
              {" "}
              Tenant <code>{text(started.tenantId)}</code> is listed as pending until then.
            </>
          )}
        </p>
      </div>
      <p>
        <a href="/tenants">Back to tenants</a>
      </p>
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
                <strong>{RESOURCE_LABEL[r]}</strong>:{" "}
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
