/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * The cross-tenant vulnerability pages: exposure per customer and the CVEs on
 * the most customers (`/vulnerabilities`), and one CVE's customers and
 * machines (`/vulnerabilities/:cveId`). Every value here came from a customer
 * tenant's API: shown escaped and clipped, and no tenant-supplied URL is a link.
 */
import type { TvmCveSummary, TvmSnapshotRecord } from "@mde-partner/sync";
import type { CustomerExposure, CveDetail, VulnerabilityOverview } from "../../services/vulnerabilities.js";
import { PAGE_ROWS } from "../../services/vulnerabilities.js";
import type { Session } from "../../sessions.js";
import { clip } from "../clip.js";
import { Chip, Fact, SeverityChip, Table, Time } from "../components.js";
import { age } from "../format.js";
import { text, visibleControls } from "../html.js";
import { layout } from "../layout.js";

/**
 * Tenant text of the TVM pages: control characters neutralised, then cut to
 * `max` like every list cell (clip.tsx). Escaping is left to the views.
 */
export function tenantText<T extends string | null | undefined>(value: T, max?: number): T {
  return clip(typeof value === "string" ? (visibleControls(value) as T) : value, max);
}

/** A score with one decimal, or an em dash. */
export const score = (n: number | null | undefined) => (typeof n === "number" && Number.isFinite(n) ? n.toFixed(1) : "—");

/** Public exploit / verified / in an exploit kit, as short chips. */
export function ExploitFlags({ v }: { v: { publicExploit: boolean; exploitVerified: boolean; exploitInKit?: boolean } }) {
  const flags = [v.publicExploit && "public", v.exploitVerified && "verified", v.exploitInKit && "in kit"].filter((f): f is string => !!f);
  return flags.length ? <>{flags.map((f) => <Chip kind="bad" data-exploit={f}>{f}</Chip>)}</> : <span class="muted">none known</span>;
}

/** What the snapshot of a tenant says beyond its numbers: no snapshot yet, the last failure, the parts it lacks. */
export function snapshotNotes(s: TvmSnapshotRecord | null): string[] {
  if (!s) return ["no TVM snapshot yet"];
  const notes: string[] = [];
  if (!s.takenAt) notes.push("no TVM snapshot yet");
  if (s.lastError) notes.push(`last read failed: ${tenantText(s.lastError, 200)}`);
  if (s.missingPermissions.length) notes.push(`not granted: ${s.missingPermissions.map((p) => tenantText(p, 64)).join(", ")}`);
  if (s.truncated.length) notes.push(`cut at the store's limit: ${s.truncated.join(", ")}`);
  return notes;
}

function Exposure({ rows, now }: { rows: readonly CustomerExposure[]; now: number }) {
  return (
    <Table
      id="exposure"
      rows={rows}
      row={(r) => ({ "data-tenant": r.tenant.id, "data-exposure": score(r.snapshot?.exposureScore) })}
      columns={[
        { head: "Customer", cell: (r) => <a href={text(`/tenants/${r.tenant.id}`)}>{text(tenantText(r.tenant.name))}</a> },
        { head: "Exposure score", num: true, attrs: () => ({ "data-field": "exposure" }), cell: (r) => score(r.snapshot?.exposureScore) },
        { head: "Secure score", num: true, cell: (r) => score(r.snapshot?.secureScore) },
        { head: "Machines", num: true, cell: (r) => (r.snapshot?.takenAt ? r.snapshot.machines : "—") },
        { head: "CVEs", num: true, cell: (r) => (r.snapshot?.takenAt ? r.snapshot.vulnerabilities : "—") },
        {
          head: "Taken",
          attrs: () => ({ "data-field": "taken" }),
          cell: (r) =>
            r.snapshot?.takenAt ? (
              <>
                <Time iso={r.snapshot.takenAt} /> <small class="muted">({age(r.snapshot.takenAt, now)})</small>
              </>
            ) : (
              "never"
            ),
        },
        {
          head: "Notes",
          attrs: () => ({ "data-field": "notes" }),
          cell: (r) => {
            const notes = snapshotNotes(r.snapshot);
            return notes.length ? <span class="warn">{text(notes.join("; "))}</span> : "";
          },
        },
      ]}
      empty={<p class="card">No customer tenants yet.</p>}
    />
  );
}

function TopCves({ rows }: { rows: readonly TvmCveSummary[] }) {
  return (
    <Table
      id="top-cves"
      rows={rows}
      row={(c) => ({ "data-cve": tenantText(c.cveId, 64) })}
      columns={[
        { head: "CVE", cell: (c) => <a href={text(`/vulnerabilities/${encodeURIComponent(c.cveId)}`)}>{text(tenantText(c.cveId, 64))}</a> },
        { head: "Customers", num: true, attrs: () => ({ "data-field": "customers" }), cell: (c) => c.customers },
        { head: "Machines", num: true, attrs: () => ({ "data-field": "machines" }), cell: (c) => c.machines },
        { head: "Severity", cell: (c) => <SeverityChip severity={c.severity} /> },
        { head: "CVSS", num: true, cell: (c) => score(c.cvssV3) },
        { head: "Exploit", cell: (c) => <ExploitFlags v={c} /> },
      ]}
      empty={<p class="card">No vulnerabilities in the stored snapshots yet. Sync takes each tenant's TVM snapshot (every 6 hours by default).</p>}
    />
  );
}

export function vulnerabilitiesPage(session: Session, m: VulnerabilityOverview, now: number): string {
  return layout(
    session,
    { title: "Vulnerabilities", section: "vulnerabilities" },
    <>
      <p class="muted">
        From each customer's vulnerability-management snapshot in the store (sync refreshes it on its own interval); this page does not call the API.
      </p>
      <h2>Exposure by customer</h2>
      <Exposure rows={m.customers} now={now} />
      <h2>CVEs on the most customers</h2>
      <TopCves rows={m.topCves} />
    </>,
  );
}

export function cvePage(session: Session, d: CveDetail, now: number): string {
  // The facts of the CVE as the customer with the most machines reports them (a tenant's catalog, so tenant text).
  const first = d.customers[0];
  const name = (tenantId: string) => tenantText(d.names.get(tenantId) ?? tenantId);
  return layout(
    session,
    { title: d.cveId, section: "vulnerabilities" },
    <>
      <p>
        <a href="/vulnerabilities">All vulnerabilities</a>
      </p>
      {first ? (
        <section class="card">
          <dl class="facts">
            <Fact label="Severity">
              <SeverityChip severity={first.severity} />
            </Fact>
            <Fact label="CVSS v3" id="cve-cvss">{score(first.cvssV3)}</Fact>
            <Fact label="Published">
              <Time iso={first.publishedOn} />
            </Fact>
            <Fact label="Exploit" id="cve-exploit">
              <ExploitFlags v={first} />
              {first.exploitTypes.length ? <> {text(first.exploitTypes.map((t) => tenantText(t, 64)).join(", "))}</> : ""}
            </Fact>
            <Fact label="Description" id="cve-description">
              {/* The store keeps at most 2,000 characters of it (store/tvm-write.ts). */}
              {first.description ? text(tenantText(first.description, 2_000)) : "—"}
            </Fact>
          </dl>
          <p class="muted">As {text(name(first.tenantId))}'s vulnerability catalog describes it.</p>
        </section>
      ) : (
        ""
      )}
      <h2>Customers</h2>
      <Table
        id="cve-customers"
        rows={d.customers}
        row={(c) => ({ "data-tenant": c.tenantId })}
        columns={[
          { head: "Customer", cell: (c) => <a href={text(`/tenants/${c.tenantId}`)}>{text(name(c.tenantId))}</a> },
          { head: "Machines", num: true, attrs: () => ({ "data-field": "machines" }), cell: (c) => c.machines },
          { head: "Severity", cell: (c) => <SeverityChip severity={c.severity} /> },
          {
            head: "Snapshot taken",
            cell: (c) => {
              const taken = d.snapshots.get(c.tenantId)?.takenAt;
              return taken ? (
                <>
                  <Time iso={taken} /> <small class="muted">({age(taken, now)})</small>
                </>
              ) : (
                "—"
              );
            },
          },
        ]}
      />
      <h2>Machines</h2>
      <p class="muted">
        {d.machines.length >= PAGE_ROWS.machines ? `The first ${PAGE_ROWS.machines} machines, by customer.` : `${d.machines.length} machine(s).`}
      </p>
      <Table
        id="cve-machines"
        rows={d.machines}
        row={(m) => ({ "data-machine": m.machineId, "data-tenant": m.tenantId })}
        columns={[
          { head: "Device", cell: (m) => <a href={text(`/devices/${m.tenantId}/${encodeURIComponent(m.machineId)}`)}>{text(tenantText(m.computerDnsName ?? m.machineId))}</a> },
          { head: "Customer", cell: (m) => name(m.tenantId) },
          { head: "Products", cell: (m) => tenantText(m.products.slice(0, 5).join("; ")) || "—" },
          { head: "Fixing KB", cell: (m) => tenantText(m.fixingKbIds.slice(0, 5).join(", ")) || "—" },
        ]}
      />
    </>,
  );
}
