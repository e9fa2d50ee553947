/**
 * Schema v6 (compact alert rows) on a store made before it, on SQLite and PostgreSQL: every alert
 * reads back as it did — payload, times as the API sent them, ingest time, Graph mapping — in the
 * same order, with the same counts, webhook state and ground truth, and later pages update the
 * carried-over rows like any other (newer wins, history recorded, older ignored).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { openStore } from "@mde-partner/sync";
import { migrations } from "../src/store/migrations.js";
import { DIALECTS, randomTenantId, storePerTest } from "./helpers/databases.js";

const BEFORE_V6 = migrations.filter((m) => m.version < 6);

function alert(id: string, lastUpdateTime: string | null, extra: Record<string, unknown> = {}) {
  return {
    id,
    incidentId: 7,
    severity: "High",
    status: "New",
    title: `Suspicious ${id}`,
    alertCreationTime: "2026-11-01T08:00:00.1234567Z",
    lastUpdateTime,
    machineId: "m".repeat(40),
    ...extra,
  };
}

const q = (v: string | null) => (v === null ? "null" : `'${v.replaceAll("'", "''")}'`);

/** An alert with exactly the documented fields in the documented order (stored without field names). */
function documented(id: string, status: string | null) {
  return {
    id,
    incidentId: 424711,
    investigationId: null,
    assignedTo: "soc.analyst@contoso.onmicrosoft.com",
    severity: "Medium",
    status,
    classification: null,
    determination: null,
    investigationState: "Running",
    detectionSource: "WindowsDefenderAtp",
    detectorId: "522bdae1-2252-4c0a-9a59-6801e1a82edd",
    category: "Execution",
    threatFamilyName: null,
    title: "Low-reputation arbitrary code executed by signed executable",
    description: "Binaries signed by Microsoft can be used to run low-reputation arbitrary code.",
    alertCreationTime: "2026-11-02T22:19:00.9800232Z",
    firstEventTime: "2026-11-02T21:56:53.1513582Z",
    lastEventTime: "2026-11-02T22:03:10.6618999Z",
    lastUpdateTime: "2026-11-03T19:13:20.1950719Z",
    resolvedTime: null,
    machineId: "df954b18aaa4562f4fe5262cd99278ebeb3fae82",
    computerDnsName: "lt-slopez-01.contoso.local",
    rbacGroupName: "Domain Controllers",
    aadTenantId: "01f72b17-0e87-4cfd-bb2e-701baa7ba581",
    threatName: null,
    mitreTechniques: ["T1064"],
    relatedUser: { userName: "msmith", domainName: "CONTOSO" },
    comments: [],
    evidence: [],
  };
}

describe("compact alert payloads", () => {
  for (const dialect of DIALECTS) {
    describe(dialect, () => {
      const { store } = storePerTest(dialect);

      it("gives back every shape as written, and tells same-time versions apart by the values kept in columns", async () => {
        const t = randomTenantId();
        const plain = documented("da-plain", "New");
        const extra = { ...documented("da-extra", "New"), newField: { nested: [1, "two"] } };
        const reordered = { title: "first", ...documented("da-order", "New") };
        const odd = { ...documented("da-odd", "New"), status: 3 };
        const page = [plain, extra, reordered, odd];
        assert.equal((await store.applyAlertPage(t, page, { value: null, seenIds: [] })).inserted, 4);
        for (const a of page) assert.deepEqual((await store.getAlert(t, a.id))?.payload, a);
        // The same lastUpdateTime with only the status changed (a value the payload keeps in its column) is an update.
        const r = await store.applyAlertPage(t, [documented("da-plain", "Resolved"), documented("da-extra", "New")], { value: null, seenIds: [] });
        assert.deepEqual([r.inserted, r.updated, r.unchanged], [0, 2, 0]);
        const again = await store.applyAlertPage(t, [documented("da-plain", "Resolved")], { value: null, seenIds: [] });
        assert.deepEqual([again.updated, again.unchanged], [0, 1]);
        assert.equal((await store.getAlert(t, "da-plain"))?.payload.status, "Resolved");
      });
    });
  }
});

describe("compact alert rows migration", () => {
  for (const dialect of DIALECTS) {
    describe(`a store made before v6 (${dialect})`, () => {
      const { db } = storePerTest(dialect, (d) => openStore({ ...d.options, migrations: BEFORE_V6 }));

      it("reads every alert back as before and keeps updating it", async () => {
        const a = randomTenantId();
        const b = randomTenantId();
        const old = await openStore({ ...db.options, migrations: BEFORE_V6 });
        await old.upsertTenant({ id: a, name: "A" });
        await old.upsertTenant({ id: b, name: "B" });
        await old.close();
        // Rows exactly as the v5 writer stored them.
        const rows = [
          [a, alert("da1", "2026-11-03T19:13:20.1950719Z"), "2026-11-03T19:13:20.1950719Z", "2026-12-01T10:00:00.001Z", "mde", null, null],
          [a, alert("da2", "2026-11-03T19:13:21Z"), "2026-11-03T19:13:21.0000000Z", "2026-12-01T10:00:00.002Z", "mde", null, null],
          [a, alert("da3", null, { severity: "Low" }), "", "2026-12-01T10:00:00.003Z", "mde", null, null],
          [b, alert("da4", "2026-11-03T19:13:20.1950718Z"), "2026-11-03T19:13:20.1950718Z", "2026-12-01T10:00:00.004Z", "graph", "g-4", '{"id":"g-4"}'],
        ] as const;
        for (const [tenant, x, key, ingested, source, graphId, graphPayload] of rows) {
          await db.exec(`insert into alerts (tenant_id, id, payload, title, title_lc, severity, severity_rank, status, classification,
            assigned_to, machine_id, alert_creation_time, alert_creation_key, last_update_time, last_update_key, ingested_at, source,
            graph_id, incident_id, graph_payload) values (${q(tenant)}, ${q(x.id)}, ${q(JSON.stringify(x))}, ${q(x.title)},
            ${q(x.title.toLowerCase())}, ${q(x.severity)}, ${x.severity === "High" ? 4 : 2}, 'New', null, null, ${q(x.machineId)},
            ${q(x.alertCreationTime)}, '2026-11-01T08:00:00.1234567Z', ${q(x.lastUpdateTime)}, ${q(key)}, ${q(ingested)}, ${q(source)},
            ${q(graphId)}, '7', ${q(graphPayload)})`);
        }
        await db.exec(`insert into webhook_deliveries (target, tenant_id, alert_id, last_update_key, delivered_at)
          values ('siem', ${q(a)}, 'da1', '2026-11-03T19:13:20.1950719Z', '2026-12-01T10:00:01.000Z')`);

        const store = await openStore(db.options);
        try {
          assert.ok(store.migration.applied.includes(6));
          const da1 = await store.getAlert(a, "da1");
          assert.deepEqual(da1?.payload, rows[0][1]);
          assert.equal(da1?.lastUpdateTime, "2026-11-03T19:13:20.1950719Z");
          assert.equal(da1?.alertCreationTime, "2026-11-01T08:00:00.1234567Z");
          assert.equal(da1?.ingestedAt, "2026-12-01T10:00:00.001Z");
          assert.equal(da1?.title, "Suspicious da1");
          const da4 = await store.getAlert(b, "da4");
          assert.equal(da4?.source, "graph");
          assert.equal(da4?.graphId, "g-4");
          assert.deepEqual(da4?.graphPayload, { id: "g-4" });

          // Newest first across tenants, to the seventh digit; no time last.
          const page = await store.queryAlerts({});
          assert.deepEqual(page.items.map((x) => x.id), ["da2", "da1", "da4", "da3"]);
          const range = await store.queryAlerts({ from: "2026-11-03T19:13:20.1950719Z", to: "2026-11-03T19:13:21Z" });
          assert.deepEqual(range.items.map((x) => x.id), ["da1"]);
          assert.deepEqual((await store.queryAlerts({ tenantIds: [a], severities: ["Low"] })).items.map((x) => x.id), ["da3"]);
          const counts = await store.countAlertsByTenantAndSeverity({});
          assert.deepEqual(
            counts.filter((c) => c.tenantId === a).map((c) => [c.severity, c.count]),
            [["High", 2], ["Low", 1]],
          );

          // The webhook state carried over: da1 was delivered in its current version.
          const pending = await store.pendingDeliveries("siem");
          assert.deepEqual(pending.map((p) => p.alert.id).sort(), ["da2", "da3", "da4"]);

          const truth = await store.groundTruth(a);
          const hash = createHash("sha256");
          for (const [id, t] of [["da1", "2026-11-03T19:13:20.1950719Z"], ["da2", "2026-11-03T19:13:21Z"], ["da3", ""]]) hash.update(`${id}\t${t}\n`);
          assert.deepEqual(truth, { alerts: 3, checksum: hash.digest("hex") });

          // A newer version updates the carried-over row and records the change; an older one is ignored.
          const newer = alert("da1", "2026-11-03T19:13:20.1950720Z", { status: "Resolved" });
          const older = alert("da2", "2026-11-03T19:13:20.9999999Z", { status: "Resolved" });
          const r = await store.applyAlertPage(a, [newer, older], { value: null, seenIds: [] });
          assert.deepEqual([r.inserted, r.updated, r.unchanged], [0, 1, 1]);
          assert.equal((await store.getAlert(a, "da1"))?.status, "Resolved");
          assert.equal((await store.getAlert(a, "da2"))?.status, "New");
          const history = await store.alertHistory(a, "da1");
          assert.deepEqual(history.map((h) => [h.field, h.oldValue, h.newValue, h.changedAt]), [["status", "New", "Resolved", "2026-11-03T19:13:20.1950720Z"]]);
          assert.deepEqual((await store.pendingDeliveries("siem")).map((p) => p.alert.id).sort(), ["da1", "da2", "da3", "da4"]);
        } finally {
          await store.close();
        }
      });
    });
  }
});
