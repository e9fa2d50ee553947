/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * What the pages read live from several tenants share: a tenant's failure
 * shown in place (code, the tenant's message, what to do), a failed section,
 * tenant values of any JSON type as bounded text, and the related alerts and
 * devices as links to their console pages.
 */
import type { Alert, Machine } from "@mde-partner/client";
import type { TenantRecord } from "@mde-partner/sync";
import type { Child } from "hono/jsx";
import type { Related } from "../../services/entities.js";
import type { Section, TenantFailure } from "../../services/tenant-reads.js";
import { clip } from "../clip.js";
import { SeverityChip, Table, Time } from "../components.js";
import { text } from "../html.js";

/** Characters of one tenant value in a fact on these pages. */
const FACT_MAX = 500;

/** A tenant value (any JSON type: the tenant's API decides) as bounded text; an em dash when absent. */
export function value(v: unknown, max = FACT_MAX): string {
  if (v === null || v === undefined || v === "") return "—";
  if (typeof v === "string") return clip(v, max);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return clip(JSON.stringify(v), max);
}

/** A tenant time value: a `<time>` when it is a string, bounded text otherwise. */
export const When = ({ v }: { v: unknown }) => (typeof v === "string" ? <Time iso={v} /> : text(value(v)));

/** The tenant's name (the partner's own record), bounded. */
export const tenantName = (t: TenantRecord) => clip(t.name || t.id, 120);

/** One tenant's failure: its stable code, its message, and the hint. */
export function Failure({ error, id }: { error: TenantFailure; id?: string }) {
  return (
    <p class="warn tenant-error" id={id} data-code={text(clip(error.code, 60))}>
      {text(`${clip(error.code, 60)}: ${clip(error.message, 500)}`)} <span class="muted">— {text(clip(error.hint, 300))}</span>
    </p>
  );
}

/** A section's content, or its failure in its place. */
export function sectionOf<T>(s: Section<T>, render: (v: T) => Child): Child {
  return s.ok ? render(s.value) : <Failure error={s.error} />;
}

const MACHINE_ID = /^[0-9a-f]{40}$/i;

/** Related alerts of one tenant, each a link to the console's alert page. */
export function RelatedAlerts({ tenantId, related }: { tenantId: string; related: Related<Alert> }) {
  return (
    <>
      {related.total > related.items.length && (
        <p class="muted">
          {related.items.length} of {related.total} shown.
        </p>
      )}
      <Table
        rows={related.items}
        row={(a) => ({ "data-alert": clip(String(a.id), 120) })}
        columns={[
          { head: "Severity", cell: (a) => <SeverityChip severity={typeof a.severity === "string" ? a.severity : null} /> },
          {
            head: "Alert",
            cell: (a) => <a href={text(`/alerts/${tenantId}/${encodeURIComponent(String(a.id))}`)}>{text(value(a.title ?? a.id, 200))}</a>,
          },
          { head: "Status", cell: (a) => value(a.status, 40) },
          { head: "Device", cell: (a) => value(a.computerDnsName, 120) },
          { head: "Created", cell: (a) => <When v={a.alertCreationTime} /> },
        ]}
        empty={<p class="muted">No related alerts.</p>}
      />
    </>
  );
}

/** Related devices of one tenant, each a link to the console's device page (when its id is a device id). */
export function RelatedMachines({ tenantId, related }: { tenantId: string; related: Related<Machine> }) {
  return (
    <>
      {related.total > related.items.length && (
        <p class="muted">
          {related.items.length} of {related.total} shown.
        </p>
      )}
      <Table
        rows={related.items}
        row={(m) => ({ "data-device": clip(String(m.id), 60) })}
        columns={[
          {
            head: "Device",
            cell: (m) =>
              typeof m.id === "string" && MACHINE_ID.test(m.id) ? (
                <a href={text(`/devices/${tenantId}/${m.id.toLowerCase()}`)}>{text(value(m.computerDnsName ?? m.id, 200))}</a>
              ) : (
                value(m.computerDnsName ?? m.id, 200)
              ),
          },
          { head: "OS", cell: (m) => value(m.osPlatform, 60) },
          { head: "Health", cell: (m) => value(m.healthStatus, 60) },
          { head: "Last seen", cell: (m) => <When v={m.lastSeen} /> },
        ]}
        empty={<p class="muted">No related devices.</p>}
      />
    </>
  );
}
