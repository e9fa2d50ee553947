/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * The device page's vulnerability-management sections: the machine's
 * vulnerabilities, missing KBs, installed software and recommendations from
 * its tenant's TVM snapshot in the store, with when the snapshot was taken —
 * and plainly when there is none yet.
 */
import type { DeviceTvm } from "../services/vulnerabilities.js";
import { PAGE_ROWS } from "../services/vulnerabilities.js";
import { SeverityChip, Table, Time } from "./components.js";
import { age } from "./format.js";
import { text } from "./html.js";
import { ExploitFlags, score, tenantText } from "./pages/vulnerabilities-page.js";

/** "N shown" or "the first N shown" when the list was cut (the service reads one row more than it shows). */
function Count({ rows, what }: { rows: readonly unknown[]; what: string }) {
  const n = PAGE_ROWS.device;
  return <p class="muted">{rows.length > n ? `The first ${n} ${what} shown.` : `${rows.length} ${what}.`}</p>;
}

function shown<T>(rows: readonly T[]): readonly T[] {
  return rows.slice(0, PAGE_ROWS.device);
}

/** Where the data comes from: the snapshot's time, its last failure, the permissions it lacks. */
function SnapshotLine({ tvm, now }: { tvm: DeviceTvm; now: number }) {
  const s = tvm.snapshot;
  if (!s?.takenAt) {
    return (
      <p class="card" id="tvm-snapshot" data-state="none">
        No vulnerability-management snapshot of this tenant yet: sync takes one on its own interval (every 6 hours by default).
        {s?.lastError ? <span class="warn"> The last attempt failed: {text(tenantText(s.lastError, 300))}</span> : ""}
      </p>
    );
  }
  return (
    <p class="muted" id="tvm-snapshot" data-state="taken" data-taken={text(s.takenAt)}>
      From the tenant's TVM snapshot taken <Time iso={s.takenAt} /> ({age(s.takenAt, now)}).
      {s.lastError ? <span class="warn"> The last refresh failed ({text(tenantText(s.lastError, 300))}); this is the snapshot before it.</span> : ""}
      {s.missingPermissions.length ? (
        <span class="warn"> Parts needing {text(s.missingPermissions.map((p) => tenantText(p, 64)).join(", "))} are missing: the tenant did not grant them.</span>
      ) : (
        ""
      )}
    </p>
  );
}

/** The four sections, in order. */
export function DeviceTvmSections({ tvm, now }: { tvm: DeviceTvm; now: number }) {
  const taken = !!tvm.snapshot?.takenAt;
  const none = (what: string) => <p class="muted">{taken ? `None in the snapshot.` : `No ${what} until the first snapshot.`}</p>;
  return (
    <section id="device-tvm" aria-label="Vulnerability management">
      <h2>Vulnerabilities</h2>
      <SnapshotLine tvm={tvm} now={now} />
      {tvm.vulnerabilities.length ? <Count rows={tvm.vulnerabilities} what="vulnerabilities" /> : ""}
      <Table
        id="device-vulnerabilities"
        rows={shown(tvm.vulnerabilities)}
        row={(v) => ({ "data-cve": tenantText(v.cveId, 64) })}
        columns={[
          { head: "CVE", cell: (v) => <a href={text(`/vulnerabilities/${encodeURIComponent(v.cveId)}`)}>{text(tenantText(v.cveId, 64))}</a> },
          { head: "Severity", cell: (v) => <SeverityChip severity={v.severity} /> },
          { head: "CVSS", num: true, cell: (v) => score(v.cvssV3) },
          { head: "Product", cell: (v) => tenantText([v.productVendor, v.productName].filter(Boolean).join(" ")) || "—" },
          { head: "Version", cell: (v) => tenantText(v.productVersion, 60) ?? "—" },
          { head: "Fixing KB", cell: (v) => tenantText(v.fixingKbId, 60) ?? "—" },
          { head: "Exploit", cell: (v) => <ExploitFlags v={v} /> },
        ]}
        empty={none("vulnerabilities")}
      />
      <h2>Missing KBs</h2>
      {tvm.missingKbs.length ? <Count rows={tvm.missingKbs} what="KBs" /> : ""}
      <Table
        id="device-missing-kbs"
        rows={shown(tvm.missingKbs)}
        columns={[
          { head: "KB", cell: (k) => tenantText(k.kbId, 60) },
          { head: "CVEs addressed", num: true, cell: (k) => k.cves },
          { head: "Products", cell: (k) => tenantText(k.products.join(", ")) || "—" },
        ]}
        empty={none("missing KBs")}
      />
      <h2>Installed software</h2>
      {tvm.software.length ? <Count rows={tvm.software} what="products" /> : ""}
      <Table
        id="device-software"
        rows={shown(tvm.software)}
        columns={[
          { head: "Software", cell: (s) => tenantText(s.name ?? s.softwareId) },
          { head: "Vendor", cell: (s) => tenantText(s.vendor) ?? "—" },
          { head: "Version", cell: (s) => tenantText(s.version, 60) || "—" },
          { head: "Weaknesses", num: true, cell: (s) => s.weaknesses },
          { head: "End of support", cell: (s) => tenantText(s.endOfSupport, 60) ?? "—" },
        ]}
        empty={none("software inventory")}
      />
      <h2>Recommendations</h2>
      <p class="muted">The tenant's recommendations for software installed on this device.</p>
      <Table
        id="device-recommendations"
        rows={shown(tvm.recommendations)}
        columns={[
          { head: "Recommendation", cell: (r) => tenantText(r.name ?? r.id) },
          { head: "Product", cell: (r) => tenantText([r.vendor, r.productName].filter(Boolean).join(" ")) || "—" },
          { head: "Severity score", num: true, cell: (r) => score(r.severityScore) },
          { head: "Remediation", cell: (r) => tenantText(r.remediationType, 60) ?? "—" },
          { head: "Exposed machines", num: true, cell: (r) => r.exposedMachines },
          { head: "Status", cell: (r) => tenantText(r.status, 60) ?? "—" },
        ]}
        empty={none("recommendations")}
      />
    </section>
  );
}
