/**
 * Microsoft Graph as a tenant's alert source, against the emulator in-process,
 * on SQLite and PostgreSQL: alerts_v2 + incidents of 10 tenants equal
 * the emulator's ground truth, incrementally; tenants switched from the MDE
 * API to Graph mid-life (and back) keep an exact store; changes made during a
 * Graph pass are caught by the next one (graph-sync.ts).
 *
 * Ground truth is the emulator's count + SHA-256 over MDE alert ids and MDE
 * `lastUpdateTime` strings. The store keys Graph alerts by `providerAlertId`
 * (the MDE id) and keeps `lastUpdateDateTime` as Graph printed it, so the
 * checksum only matches if Graph prints the same text as the MDE API. The test
 * does not take that for granted: it also computes the checksum from what
 * Graph itself returns and asserts that both agree, so a difference in time
 * printing would show up as that assertion failing, not as a mysterious store
 * mismatch.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { graphAlertFilter, type PartnerClient, type PartnerTenant } from "@mde-partner/client";
import { createManualClock } from "@mde-partner/emulator";
import { type GraphAlert } from "@mde-partner/client";
import { type SyncProgressEvent, syncOnce, toGraphAlertInput } from "@mde-partner/sync";
import { partnerFor, suiteWorld } from "@mde-partner/test-kit";
import { addTenants, mismatches, withStore } from "./fixtures/engine-world.js";
import { DIALECTS, type TestDatabase } from "./helpers/databases.js";

/** Ground truth computed from Graph's own answer: providerAlertId + lastUpdateDateTime of every MDE alert in alerts_v2. */
async function graphTruth(partner: PartnerClient<PartnerTenant>, tenantId: string) {
  const lines: string[] = [];
  const list = partner.tenant(tenantId).graph.alerts.list({
    filter: graphAlertFilter.eq("serviceSource", "microsoftDefenderForEndpoint"),
    pageSize: 1000,
  });
  for await (const a of list) lines.push(`${a.providerAlertId ?? a.id}\t${a.lastUpdateDateTime ?? ""}\n`);
  lines.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const hash = createHash("sha256");
  for (const l of lines) hash.update(l);
  return { alerts: lines.length, checksum: hash.digest("hex") };
}

async function historyRows(db: TestDatabase): Promise<number> {
  const [row] = await db.query<{ n: number | string }>("select count(*) as n from alert_history");
  return Number(row?.n ?? 0);
}

describe("alerts_v2 + incidents sync of 10 tenants", () => {
  const world = suiteWorld({ seed: "engine-graph", tenants: 10, alertsPerTenant: 400, machinesPerTenant: 4, rateLimits: false });

  for (const dialect of DIALECTS) {
    it(`equals ground truth after a backfill and after adds and updates (${dialect})`, async () => {
      await withStore(dialect, async (store) => {
        const { emulator, info } = world;
        const truth = (id: string) => emulator.control.groundTruth(id);
        const partner = partnerFor(world);
        await addTenants(store, info);
        for (const t of info.tenants) assert.equal((await store.setTenantSource(t.id, "graph")).alertSource, "graph");

        const first = await syncOnce({ store, partner, concurrency: 4, pageSize: 150 });
        assert.equal(first.ok, true, JSON.stringify(first.tenants.find((t) => t.status !== "ok")));
        for (const r of first.tenants) {
          assert.equal(r.source, "graph");
          assert.equal(r.alerts.inserted, truth(r.tenantId).alerts);
          assert.ok(r.pages > 3, "alerts_v2 paged by @odata.nextLink");
          assert.ok((r.incidents?.inserted ?? 0) > 0, "incidents stored");
        }
        // What Graph says is what the MDE API says (same ids, same lastUpdateTime text) …
        for (const t of info.tenants) {
          const g = await graphTruth(partner, t.id);
          assert.deepEqual(g, { alerts: truth(t.id).alerts, checksum: truth(t.id).checksum }, `Graph vs MDE ground truth of ${t.id}`);
        }
        // … and the store holds exactly that.
        assert.deepEqual(await mismatches(store, info.tenants, truth), []);

        // One alert model: a Graph-sourced alert reads like the MDE API's alert.
        const [t0] = info.tenants;
        const mdeAlerts = (await partner.tenant(t0!.id).alerts.list({ top: 40 })).value;
        for (const m of mdeAlerts) {
          const stored = await store.getAlert(t0!.id, m.id);
          assert.ok(stored, `alert ${m.id} stored`);
          assert.equal(stored.source, "graph");
          assert.equal(stored.graphId, m.id, "the emulator's Graph id is the MDE id");
          assert.equal(stored.graphPayload?.serviceSource, "microsoftDefenderForEndpoint", "the Graph object is kept as received");
          for (const k of [
            "title",
            "severity",
            "status",
            "classification",
            "determination",
            "assignedTo",
            "machineId",
            "computerDnsName",
            "category",
            "alertCreationTime",
            "lastUpdateTime",
            "incidentId",
          ] as const) {
            assert.deepEqual(stored.payload[k] ?? null, (m as unknown as Record<string, unknown>)[k] ?? null, `${m.id}.${k}`);
          }
        }

        // Incidents: every incident Graph lists, with its alerts (by MDE id).
        for (const t of info.tenants.slice(0, 3)) {
          const graphIncidents = [];
          for await (const i of partner.tenant(t.id).graph.incidents.list({ expand: ["alerts"], pageSize: 50 })) graphIncidents.push(i);
          assert.equal(await store.countIncidents({ tenantIds: [t.id] }), graphIncidents.length);
          const sample = graphIncidents[0]!;
          const stored = await store.getIncident(t.id, sample.id);
          assert.ok(stored);
          assert.equal(stored.status, sample.status);
          assert.equal(stored.lastUpdateDateTime, sample.lastUpdateDateTime);
          assert.deepEqual([...stored.alertIds].sort(), (sample.alerts ?? []).map((a) => a.providerAlertId).sort());
          const alerts = await store.getAlerts(t.id, stored.alertIds);
          assert.equal(alerts.length, stored.alertIds.length, "the incident's alerts are in the store");
          assert.ok(alerts.every((a) => a.incidentId === sample.id));
          assert.equal(stored.payload.alerts, undefined, "the expanded alerts are not stored twice");
        }

        // The customers' SOCs work: new alerts, updates (a batch sharing one timestamp), an update through Graph.
        let added = 0;
        for (const [i, t] of info.tenants.entries()) {
          added += emulator.control.addAlerts(t.id, 10 + i).length;
          emulator.control.updateAlerts(t.id, 30, { sameTimestamp: true });
          emulator.control.updateAlerts(t.id, 10);
        }
        const patched = mdeAlerts[0]!;
        await partner.tenant(t0!.id).graph.alerts.update(patched.id, { status: "resolved", classification: "truePositive", determination: "malware" });
        const second = await syncOnce({ store, partner, concurrency: 4, pageSize: 150 });
        assert.equal(second.ok, true);
        assert.deepEqual(await mismatches(store, info.tenants, truth), []);
        assert.equal(
          second.tenants.reduce((n, r) => n + r.alerts.inserted, 0),
          added,
          "every new alert inserted once",
        );
        for (const r of second.tenants) assert.ok(r.alerts.fetched < 200, `incremental: ${r.tenantId} re-read ${r.alerts.fetched} alerts`);
        const total = info.tenants.reduce((n, t) => n + truth(t.id).alerts, 0);
        assert.equal(await store.countAlerts(), total, "no duplicates");
        const after = await store.getAlert(t0!.id, patched.id);
        assert.equal(after?.status, "Resolved");
        assert.equal(after?.classification, "TruePositive");
        assert.equal(after?.payload.determination, "Malware");
        const runs = await store.listSyncRuns({ tenantId: t0!.id });
        // Graph's alert streams instead of MDE's; machines and the TVM snapshot come from the MDE API either way.
        assert.deepEqual(new Set(runs.map((r) => r.stream)), new Set(["graph-alerts", "graph-incidents", "machines", "tvm"]));
      });
    });
  }
});

describe("switching tenants from the MDE API to Graph mid-life", () => {
  const world = suiteWorld({ seed: "engine-graph-switch", tenants: 5, alertsPerTenant: 600, machinesPerTenant: 3, rateLimits: false });

  for (const dialect of DIALECTS) {
    it(`loses nothing and duplicates nothing, either way (${dialect})`, async () => {
      await withStore(dialect, async (store, db) => {
        const { emulator, info } = world;
        const truth = (id: string) => emulator.control.groundTruth(id);
        const total = () => info.tenants.reduce((n, t) => n + truth(t.id).alerts, 0);
        const partner = partnerFor(world);
        await addTenants(store, info);
        const switched = info.tenants.slice(0, 3).map((t) => t.id);

        const first = await syncOnce({ store, partner, pageSize: 500 });
        assert.equal(first.ok, true);
        assert.deepEqual(await mismatches(store, info.tenants, truth), []);
        assert.equal(await historyRows(db), 0);

        for (const id of switched) await store.setTenantSource(id, "graph");
        // Nothing changed at the source: the Graph pass re-reads every alert and changes nothing
        // (the normalised Graph alert has the MDE alert's status, assignment and classification).
        const same = await syncOnce({ store, partner, tenantIds: switched, pageSize: 200 });
        assert.equal(same.ok, true);
        for (const r of same.tenants) {
          assert.equal(r.source, "graph");
          assert.equal(r.alerts.inserted, 0, "no duplicate rows");
        }
        assert.equal(await historyRows(db), 0, "no phantom changes from the switch");
        assert.equal(await store.countAlerts(), total());

        // The emulator moves on: new and updated alerts in every tenant.
        for (const t of info.tenants) {
          emulator.control.addAlerts(t.id, 25);
          emulator.control.updateAlerts(t.id, 40, { sameTimestamp: true });
          emulator.control.updateAlerts(t.id, 15);
        }
        const second = await syncOnce({ store, partner, pageSize: 200 });
        assert.equal(second.ok, true);
        assert.deepEqual(await mismatches(store, info.tenants, truth), []);
        assert.equal(await store.countAlerts(), total(), "no duplicates");
        for (const id of switched) {
          assert.ok((await store.countIncidents({ tenantIds: [id] })) > 0);
          assert.equal(await store.countAlerts({ tenantIds: [id], source: "mde" }), 0, "every alert of a switched tenant was re-read through Graph");
        }
        assert.equal(await store.countIncidents({ tenantIds: info.tenants.slice(3).map((t) => t.id) }), 0, "no incidents for MDE-sourced tenants");

        // And back: the MDE cursor from before the switch still holds; the Graph id mapping survives.
        const back = switched[0]!;
        await store.setTenantSource(back, "mde");
        const someAlert = (await store.queryAlerts({ tenantIds: [back], limit: 1 })).items[0]!;
        emulator.control.addAlerts(back, 7);
        emulator.control.updateAlerts(back, 20);
        const third = await syncOnce({ store, partner, tenantIds: [back], pageSize: 500 });
        assert.equal(third.ok, true);
        assert.deepEqual(await mismatches(store, info.tenants, truth), []);
        assert.equal(await store.countAlerts(), total());
        assert.equal((await store.getAlert(back, someAlert.id))?.graphId, someAlert.graphId);
      });
    });
  }
});

describe("changes during a Graph pass", () => {
  const clock = createManualClock(Date.now());
  const world = suiteWorld({ seed: "engine-graph-midrun", tenants: 2, alertsPerTenant: 1200, machinesPerTenant: 2, rateLimits: false, clock });

  it("a pass may miss what changes under it, but its cursors never pass it: the next pass catches up", async () => {
    await withStore("sqlite", async (store) => {
      const { emulator, info } = world;
      const truth = (id: string) => emulator.control.groundTruth(id);
      const partner = partnerFor(world);
      await addTenants(store, info);
      for (const t of info.tenants) await store.setTenantSource(t.id, "graph");
      let injected = 0;
      const inject = (e: SyncProgressEvent) => {
        if (e.type !== "page" || e.stream === "machines" || (e.page !== 2 && e.page !== 4)) return;
        clock.advance(e.page === 2 ? 60_000 : 20 * 60_000);
        emulator.control.updateAlerts(e.tenantId, 40, { sameTimestamp: true });
        emulator.control.updateAlerts(e.tenantId, 20);
        emulator.control.addAlerts(e.tenantId, 15);
        injected++;
      };
      const first = await syncOnce({ store, partner, pageSize: 100, onProgress: inject, clock });
      assert.equal(first.ok, true, JSON.stringify(first.tenants.find((t) => t.status !== "ok")?.error));
      assert.ok(injected >= 4, `changes injected during the passes (${injected})`);
      assert.notDeepEqual(await mismatches(store, info.tenants, truth), [], "the pass missed changes made under it (the case under test)");

      clock.advance(60_000);
      const second = await syncOnce({ store, partner, pageSize: 100, clock });
      assert.equal(second.ok, true);
      assert.deepEqual(await mismatches(store, info.tenants, truth), []);
      assert.equal(await store.countAlerts(), info.tenants.reduce((n, t) => n + truth(t.id).alerts, 0));
    });
  });
});

describe("Graph and MDE ids that differ (the real service's 2026 example)", () => {
  for (const dialect of DIALECTS) {
    it(`one row per MDE id: keyed by providerAlertId, the Graph id kept as a mapping (${dialect})`, async () => {
      await withStore(dialect, async (store) => {
        const tenant = crypto.randomUUID();
        await store.upsertTenant({ id: tenant, name: "Contoso", initialState: "consented" });
        // graph-security.md §4.3: id `da09e47ccc-…_1`, providerAlertId `09e47ccc-…_1`.
        const mdeId = "09e47ccc-5ac2-4bc9-8bbd-0a1d1f0f4d1a_1";
        const graphId = `da${mdeId}`;
        await store.applyAlertPage(tenant, [{ id: mdeId, title: "Suspicious PowerShell", status: "New", lastUpdateTime: "2026-03-01T10:00:00.1234567Z", incidentId: 29 }], {
          value: null,
          seenIds: [],
        });
        const graphAlert = {
          id: graphId,
          providerAlertId: mdeId,
          incidentId: "29",
          serviceSource: "microsoftDefenderForEndpoint",
          status: "inProgress",
          severity: "high",
          classification: "unknown",
          title: "Suspicious PowerShell",
          createdDateTime: "2026-03-01T09:00:00Z",
          // Fewer fractional digits than the MDE API printed, and later: a newer version of the same alert.
          lastUpdateDateTime: "2026-03-01T10:05:00.12Z",
          evidence: [{ "@odata.type": "#microsoft.graph.security.deviceEvidence", mdeDeviceId: "a".repeat(40), deviceDnsName: "pc1.contoso.com" }],
        } as unknown as GraphAlert;
        const r = await store.applyGraphAlertPage(tenant, [toGraphAlertInput(graphAlert)], { value: null, seenIds: [] });
        assert.deepEqual({ inserted: r.inserted, updated: r.updated }, { inserted: 0, updated: 1 });
        assert.equal(await store.countAlerts({ tenantIds: [tenant] }), 1);
        const stored = await store.getAlert(tenant, mdeId);
        assert.equal(stored?.graphId, graphId);
        assert.equal(stored?.status, "InProgress");
        assert.equal(stored?.severity, "High");
        assert.equal(stored?.classification, null);
        assert.equal(stored?.machineId, "a".repeat(40));
        assert.equal(stored?.incidentId, "29");
        assert.equal(stored?.graphPayload?.id, graphId);
        assert.deepEqual(
          (await store.alertHistory(tenant, mdeId)).map((h) => [h.field, h.oldValue, h.newValue]),
          [["status", "New", "InProgress"]],
        );
        // An older MDE version arriving later changes nothing; a newer one keeps the Graph id mapping.
        await store.applyAlertPage(tenant, [{ id: mdeId, status: "New", lastUpdateTime: "2026-03-01T10:01:00Z" }], { value: null, seenIds: [] });
        assert.equal((await store.getAlert(tenant, mdeId))?.status, "InProgress");
        await store.applyAlertPage(tenant, [{ id: mdeId, status: "Resolved", lastUpdateTime: "2026-03-01T11:00:00Z" }], { value: null, seenIds: [] });
        const latest = await store.getAlert(tenant, mdeId);
        assert.equal(latest?.status, "Resolved");
        assert.equal(latest?.source, "mde");
        assert.equal(latest?.graphId, graphId);
        assert.equal(await store.countAlerts({ tenantIds: [tenant] }), 1);
      });
    });
  }
});
