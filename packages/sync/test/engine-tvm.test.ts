/**
 * TVM snapshots through the engine, against the emulator over HTTPS, on
 * SQLite and PostgreSQL: a sync takes each tenant's snapshot when it is due
 * (not on every pass), the store then answers what the API answers, a tenant
 * that granted only some TVM permissions gets the parts it granted and one
 * that granted none is reported — neither is degraded — and a read that fails
 * halfway leaves the last good snapshot.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { MachineVulnerability } from "@mde-partner/client";
import { openStore, syncOnce, type TenantSyncResult } from "@mde-partner/sync";
import { partnerFor, suiteWorld } from "@mde-partner/test-kit";
import { addTenants } from "./fixtures/engine-world.js";
import { createTestDatabase, DIALECTS } from "./helpers/databases.js";

const BASE_ROLES = ["Alert.ReadWrite.All", "Machine.ReadWrite.All"];
const HOUR = 3_600_000;

describe("TVM snapshots in the sync", () => {
  const world = suiteWorld({
    seed: "engine-tvm",
    tenants: [
      { name: "Contoso" },
      { name: "Partial", roles: [...BASE_ROLES, "Vulnerability.Read.All", "Software.Read.All"] },
      { name: "NoTvm", roles: BASE_ROLES },
    ],
    alertsPerTenant: 3,
    machinesPerTenant: 6,
    rateLimits: false,
  });

  for (const dialect of DIALECTS) {
    it(`takes a snapshot when due, matching the API, and reports missing permissions per tenant (${dialect})`, async () => {
      const db = await createTestDatabase(dialect);
      let now = Date.parse("2026-12-02T12:00:00Z");
      const clock = { now: () => now };
      const store = await openStore({ ...db.options, clock });
      try {
        const { emulator, info } = world;
        await addTenants(store, info);
        const [contoso, partial, noTvm] = info.tenants as [{ id: string }, { id: string }, { id: string }];
        const partner = partnerFor(world);
        const sync = async () => {
          const report = await syncOnce({ store, partner, clock });
          assert.equal(report.ok, true, JSON.stringify(report.tenants.find((t) => t.status !== "ok")));
          return (id: string) => report.tenants.find((t) => t.tenantId === id) as TenantSyncResult;
        };
        const tvmCalls = (tenantId: string) =>
          emulator.control.journal({ kind: "api", tenantId }).filter((e) => /vulnerabilit|Software|recommendation|Score/i.test(e.path)).length;

        const first = await sync();
        const c = first(contoso.id).tvm;
        assert.equal(c?.status, "ok", JSON.stringify(c));
        assert.equal(c?.missingPermissions, undefined);

        // The store answers what the API answers.
        const api = partner.tenant(contoso.id).mde;
        const rows: MachineVulnerability[] = [];
        for await (const v of api.vulnerabilities.listMachinesVulnerabilities()) rows.push(v);
        assert.ok(rows.length > 0, "the emulator's machines have vulnerabilities");
        assert.equal(c?.machineVulnerabilities, new Set(rows.map((r) => `${r.machineId}|${r.cveId}|${r.productVendor}|${r.productName}|${r.productVersion}|${r.fixingKbId ?? ""}`)).size);
        const machinesPerCve = new Map<string, Set<string>>();
        for (const r of rows) machinesPerCve.set(r.cveId, (machinesPerCve.get(r.cveId) ?? new Set()).add(r.machineId.toLowerCase()));
        const top = await store.topTvmCves({ tenantIds: [contoso.id], limit: 1_000 });
        assert.deepEqual(
          new Map(top.map((t) => [t.cveId, t.machines])),
          new Map([...machinesPerCve].map(([cve, set]) => [cve, set.size])),
          "machines per CVE",
        );
        const exposure = await api.scores.getExposureScore();
        const snapshot = await store.getTvmSnapshot(contoso.id);
        assert.equal(snapshot?.exposureScore, exposure.score);
        assert.equal(snapshot?.takenAt, new Date(now).toISOString());

        const machine = rows[0]!.machineId;
        const onMachine = new Set(rows.filter((r) => r.machineId === machine).map((r) => r.cveId));
        assert.deepEqual(new Set((await store.listMachineTvmVulnerabilities(contoso.id, machine)).map((v) => v.cveId)), onMachine);
        const kbs = new Set(rows.filter((r) => r.machineId === machine && r.fixingKbId).map((r) => r.fixingKbId));
        assert.deepEqual(new Set((await store.listMachineMissingKbs(contoso.id, machine)).map((k) => k.kbId)), kbs);
        const installed: string[] = [];
        for await (const s of api.exports.listSoftwareInventory()) if (s.deviceId.toLowerCase() === machine.toLowerCase()) installed.push(`${s.softwareVendor}-_-${s.softwareName}`.toLowerCase());
        assert.ok(installed.length > 0);
        assert.deepEqual(new Set((await store.listMachineSoftware(contoso.id, machine)).map((s) => s.softwareId)), new Set(installed));

        // Granted some TVM permissions: those parts, the others named; the tenant is not degraded.
        const p = first(partial.id);
        assert.equal(p.tvm?.status, "ok");
        assert.deepEqual(p.tvm?.missingPermissions, ["Score.Read.All", "SecurityRecommendation.Read.All"]);
        assert.equal(p.state, "verified");
        assert.ok((p.tvm?.vulnerabilities ?? 0) > 0);
        assert.equal((await store.getTvmSnapshot(partial.id))?.exposureScore, null);

        // Granted none: reported, recorded, not a failed sync.
        const n = first(noTvm.id);
        assert.equal(n.status, "ok");
        assert.equal(n.state, "verified");
        assert.equal(n.tvm?.status, "failed");
        assert.equal(n.tvm?.error?.code, "ERR_MDE_FORBIDDEN");
        assert.match(n.tvm?.error?.message ?? "", /Vulnerability\.Read\.All/);
        const none = await store.getTvmSnapshot(noTvm.id);
        assert.equal(none?.takenAt, null);
        assert.equal(none?.lastErrorCode, "ERR_MDE_FORBIDDEN");

        // Not due an hour later: no TVM call at all.
        now += HOUR;
        const calls = tvmCalls(contoso.id);
        const second = await sync();
        assert.equal(second(contoso.id).tvm?.status, "not-due");
        assert.equal(second(contoso.id).tvm?.takenAt, snapshot?.takenAt);
        assert.equal(tvmCalls(contoso.id), calls, "TVM is not read on every pass");

        // Due again after the interval; a read failing halfway keeps the last good snapshot.
        now += 6 * HOUR;
        const fault = emulator.control.addFault({ target: "api", tenantId: contoso.id, pathContains: "/recommendations", status: 400 });
        const third = await sync();
        emulator.control.removeFault(fault.id);
        assert.equal(third(contoso.id).tvm?.status, "failed");
        const kept = await store.getTvmSnapshot(contoso.id);
        assert.equal(kept?.takenAt, snapshot?.takenAt, "the last good snapshot stays");
        assert.ok(kept?.lastError);
        assert.deepEqual(new Set((await store.listMachineTvmVulnerabilities(contoso.id, machine)).map((v) => v.cveId)), onMachine);
        // A failed read is retried after a shorter wait, then succeeds.
        now += HOUR;
        const fourth = await sync();
        assert.equal(fourth(contoso.id).tvm?.status, "ok");
        assert.equal((await store.getTvmSnapshot(contoso.id))?.lastError, null);

        // --no-tvm and an interval of 0.
        now += 1;
        assert.equal((await syncOnce({ store, partner, clock, tvm: false })).tenants[0]?.tvm, undefined);
        const every = await syncOnce({ store, partner, clock, tvmIntervalMs: 0, tenantIds: [contoso.id] });
        assert.equal(every.tenants[0]?.tvm?.status, "ok");
      } finally {
        await store.close();
        await db.drop();
      }
    });
  }
});
