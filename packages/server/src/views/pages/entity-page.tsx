/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * A file, IP, domain or user across the customers: per tenant where it is
 * known, the entity, its prevalence in that organisation, and its related
 * alerts and devices; the tenants that failed, in place; the tenants where it
 * is not seen, in one line.
 */
import type { User } from "@mde-partner/client";
import type { TenantRecord } from "@mde-partner/sync";
import type { EntityKind, EntityLookup, EntityView, TenantEntity } from "../../services/entities.js";
import type { TenantFailure, TenantPart } from "../../services/tenant-reads.js";
import type { Session } from "../../sessions.js";
import { clip } from "../clip.js";
import { Fact, FilterForm, Table, TenantSelect } from "../components.js";
import { text } from "../html.js";
import { layout } from "../layout.js";
import { Failure, RelatedAlerts, RelatedMachines, sectionOf, tenantName, value, When } from "./entity-parts.js";

const LABELS: Readonly<Record<EntityKind, { title: string; path: string }>> = {
  file: { title: "File", path: "/files" },
  ip: { title: "IP address", path: "/ips" },
  domain: { title: "Domain", path: "/domains" },
  user: { title: "User", path: "/users" },
};

/** The console path of an entity page (the key is encoded as one path segment). */
export const entityPath = (kind: EntityKind, key: string) => `${LABELS[kind].path}/${encodeURIComponent(key)}`;

type Stats = { organizationPrevalence?: unknown; orgFirstSeen?: unknown; orgLastSeen?: unknown } | null;

function OrgStats({ stats }: { stats: Stats }) {
  if (!stats) return <p class="muted">No statistics.</p>;
  return (
    <dl class="facts">
      <Fact label="Devices in the organisation" data-field="organizationPrevalence">{value(stats.organizationPrevalence)}</Fact>
      <Fact label="First seen">
        <When v={stats.orgFirstSeen} />
      </Fact>
      <Fact label="Last seen">
        <When v={stats.orgLastSeen} />
      </Fact>
    </dl>
  );
}

function UserFacts({ user }: { user: User | null }) {
  if (!user) return <p class="muted">No profile: neither a related alert nor a device reports this account.</p>;
  return (
    <dl class="facts" data-section="user">
      <Fact label="Account">{value(user.accountName ?? user.id)}</Fact>
      <Fact label="Domain">{value(user.accountDomain)}</Fact>
      <Fact label="SID">{value(user.accountSid)}</Fact>
      <Fact label="First seen">
        <When v={user.firstSeen} />
      </Fact>
      <Fact label="Last seen">
        <When v={user.lastSeen} />
      </Fact>
      <Fact label="Logon types" data-field="logonTypes">{value(user.logonTypes)}</Fact>
      <Fact label="Devices logged on to">{value(user.logOnMachinesCount)}</Fact>
      <Fact label="Domain admin">{value(user.isDomainAdmin)}</Fact>
    </dl>
  );
}

function EntityBody({ tenantId, view }: { tenantId: string; view: EntityView }) {
  const related = (
    <>
      <h3>Related alerts</h3>
      {sectionOf(view.alerts, (r) => <RelatedAlerts tenantId={tenantId} related={r} />)}
      <h3>{view.kind === "ip" ? "Devices (of its alerts)" : "Related devices"}</h3>
      {sectionOf(view.machines, (r) => <RelatedMachines tenantId={tenantId} related={r} />)}
    </>
  );
  switch (view.kind) {
    case "file":
      return (
        <>
          {sectionOf(view.file, (f) =>
            f ? (
              <dl class="facts" data-section="file">
                <Fact label="SHA-1">
                  <code>{text(value(f.sha1, 80))}</code>
                </Fact>
                <Fact label="SHA-256">
                  <code>{text(value(f.sha256, 80))}</code>
                </Fact>
                <Fact label="MD5">
                  <code>{text(value(f.md5, 80))}</code>
                </Fact>
                <Fact label="Size (bytes)">{value(f.size)}</Fact>
                <Fact label="Type">{`${value(f.fileType, 60)}${f.isPeFile === true ? " (PE)" : ""}`}</Fact>
                <Fact label="Publisher / product">{`${value(f.filePublisher)} / ${value(f.fileProductName)}`}</Fact>
                <Fact label="Signer" data-field="signer">
                  {`${value(f.signer)}${f.issuer ? `, issued by ${value(f.issuer)}` : ""}${f.isValidCertificate === false ? " (certificate not valid)" : ""}`}
                </Fact>
                <Fact label="Determination" data-field="determination">
                  {`${value(f.determinationType, 60)}${f.determinationValue ? `: ${value(f.determinationValue)}` : ""}`}
                </Fact>
                <Fact label="Global prevalence" data-field="globalPrevalence">{value(f.globalPrevalence)}</Fact>
                <Fact label="Globally first / last seen">
                  <When v={f.globalFirstObserved} /> / <When v={f.globalLastObserved} />
                </Fact>
              </dl>
            ) : (
              <p class="muted">The tenant has no profile of this file.</p>
            ),
          )}
          <h3>In the organisation</h3>
          {sectionOf(view.stats, (s) => (
            <>
              <OrgStats stats={s} />
              {s && Array.isArray(s.topFileNames) && s.topFileNames.length > 0 && (
                <p>
                  Names: {text(s.topFileNames.slice(0, 10).map((n) => value(n, 200)).join(", "))}
                </p>
              )}
            </>
          ))}
          {related}
        </>
      );
    case "ip":
    case "domain":
      return (
        <>
          <h3>In the organisation</h3>
          {sectionOf<Stats>(view.stats, (s) => <OrgStats stats={s} />)}
          {related}
        </>
      );
    case "user":
      return (
        <>
          {sectionOf(view.user, (u) => <UserFacts user={u} />)}
          {related}
        </>
      );
  }
}

function TenantSection({ part }: { part: TenantPart<TenantEntity> }) {
  const t = part.tenant;
  return (
    <section class="card tenant-part" data-tenant={t.id} data-outcome={part.ok ? "known" : "failed"}>
      <h2>
        <a href={text(`/tenants/${t.id}`)}>{text(tenantName(t))}</a>
      </h2>
      {part.ok ? <EntityBody tenantId={t.id} view={part.value.view} /> : <Failure error={part.error} />}
    </section>
  );
}

export function entityPage(session: Session, m: { lookup: EntityLookup; tenants: readonly TenantRecord[]; tenant: string }): string {
  const { lookup } = m;
  const label = LABELS[lookup.kind];
  const known = lookup.parts.filter((p) => p.ok && p.value.known);
  const failed = lookup.parts.filter((p) => !p.ok);
  const unseen = lookup.parts.filter((p) => p.ok && !p.value.known);
  return layout(
    session,
    { title: `${label.title} ${clip(lookup.key, 120)}` },
    <>
      <FilterForm action={entityPath(lookup.kind, lookup.key)} label="Tenants to look in">
        <TenantSelect id="e-tenant" tenants={m.tenants} selected={m.tenant} />
      </FilterForm>
      <p id="entity-summary">
        Known in {known.length} of {lookup.parts.length} tenant(s){failed.length ? `; ${failed.length} could not be read` : ""}. Read live
        from each customer's Defender for Endpoint API.
      </p>
      {[...known, ...failed].map((part) => (
        <TenantSection part={part} />
      ))}
      {unseen.length > 0 && (
        <p class="muted" id="entity-unseen">
          Not seen in: {text(unseen.map((p) => tenantName(p.tenant)).join(", "))}.
        </p>
      )}
    </>,
  );
}

/** The accounts logged on to a device (live: `GET /api/machines/{id}/logonusers`), each a link to its user page. */
export function logonUsersPage(
  session: Session,
  m: { tenantId: string; machineId: string; deviceName: string; users: readonly User[] | null; error?: TenantFailure | undefined },
): string {
  return layout(
    session,
    { title: `Logged-on users: ${clip(m.deviceName, 120)}`, section: "devices" },
    <>
      <p>
        <a href={text(`/devices/${m.tenantId}/${m.machineId}`)}>Back to the device</a>
      </p>
      {m.error ? (
        <Failure error={m.error} />
      ) : (
        <Table
          id="logon-users"
          rows={(m.users ?? []).slice(0, 200)}
          columns={[
            {
              head: "Account",
              cell: (u) => {
                const name = typeof u.accountName === "string" ? u.accountName : "";
                return name ? <a href={text(entityPath("user", name))}>{text(value(name, 120))}</a> : value(u.id, 120);
              },
            },
            { head: "Domain", cell: (u) => value(u.accountDomain, 120) },
            { head: "Logon types", cell: (u) => value(u.logonTypes, 120) },
            { head: "First seen", cell: (u) => <When v={u.firstSeen} /> },
            { head: "Last seen", cell: (u) => <When v={u.lastSeen} /> },
          ]}
          empty={<p class="muted">No logged-on users reported.</p>}
        />
      )}
    </>,
  );
}
