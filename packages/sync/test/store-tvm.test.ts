/**
 * TVM snapshots in the store, on SQLite and PostgreSQL: a snapshot replaces
 * the tenant's previous one whole (a failure halfway leaves the old one, and
 * a failed fetch is recorded beside it), the console's cross-tenant reads
 * answer from it, tenant text is bounded, and a store made before TVM
 * migrates with its data intact.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { openStore, type TvmSnapshotInput } from "@mde-partner/sync";
import { migrations } from "../src/store/migrations.js";
import { DIALECTS, randomTenantId, storePerTest } from "./helpers/databases.js";

/** The schema versions before TVM. */
const BEFORE_TVM = migrations.filter((m) => m.version < 5);

const M1 = "a".repeat(40);
const M2 = "b".repeat(40);
const M3 = "c".repeat(40);

function snapshot(machines: readonly string[], cves: readonly string[], extra: Partial<TvmSnapshotInput> = {}): TvmSnapshotInput {
  return {
    exposureScore: { score: 42.5, time: "2026-12-01T10:00:00Z" },
    secureScore: { score: 610, time: "2026-12-01T10:00:00Z" },
    machineVulnerabilities: machines.flatMap((m) =>
      cves.map((cve) => ({ machineId: m, cveId: cve, productVendor: "microsoft", productName: "edge", productVersion: "1.0", fixingKbId: `KB${cve.slice(-4)}`, severity: "High" })),
    ),
    vulnerabilities: cves.map((cve, i) => ({
      id: cve,
      name: cve,
      description: `about ${cve}`,
      severity: i === 0 ? "Critical" : "Medium",
      cvssV3: 9.8 - i,
      publishedOn: "2026-01-01T00:00:00Z",
      publicExploit: i === 0,
      exploitVerified: false,
      exploitInKit: false,
      exploitTypes: ["Local"],
      exposedMachines: machines.length,
    })),
    software: machines.map((m) => ({ deviceId: m, softwareVendor: "microsoft", softwareName: "edge", softwareVersion: "1.0", numberOfWeaknesses: cves.length })),
    recommendations: [
      { id: "va-_-microsoft-_-edge", recommendationName: "Update Microsoft Edge", productName: "edge", vendor: "microsoft", severityScore: 7.5, exposedMachinesCount: machines.length },
      { id: "sca-_-scid-2000", recommendationName: "Turn on firewall", severityScore: 5 },
    ],
    ...extra,
  };
}

for (const dialect of DIALECTS) {
  describe(`store TVM snapshots (${dialect})`, () => {
    const { store, db } = storePerTest(dialect);

    it("answers the console's cross-tenant and per-machine questions from the snapshots", async () => {
      const [a, b] = [randomTenantId(), randomTenantId()];
      await store.upsertTenant({ id: a, name: "A" });
      await store.upsertTenant({ id: b, name: "B" });
      await store.replaceMachines(a, [{ id: M1, computerDnsName: "pc1.a.test" }]);
      const wa = await store.replaceTvmSnapshot(a, snapshot([M1, M2], ["CVE-2026-0001", "CVE-2026-0002"]));
      assert.deepEqual({ ...wa, takenAt: undefined }, { takenAt: undefined, machines: 2, machineVulnerabilities: 4, vulnerabilities: 2, software: 2, recommendations: 2, truncated: [] });
      await store.replaceTvmSnapshot(b, { ...snapshot([M3], ["CVE-2026-0001"]), exposureScore: { score: 80, time: "2026-12-01T11:00:00Z" } });

      const list = await store.listTvmSnapshots();
      assert.deepEqual(list.map((s) => [s.tenantId, s.exposureScore]), [[b, 80], [a, 42.5]], "worst exposure first");
      assert.equal(list[1]?.secureScore, 610);
      assert.ok(list[1]?.takenAt);

      const top = await store.topTvmCves();
      assert.deepEqual(top.map((c) => [c.cveId, c.customers, c.machines]), [["CVE-2026-0001", 2, 3], ["CVE-2026-0002", 1, 2]]);
      assert.equal(top[0]?.severity, "Critical");
      assert.equal(top[0]?.cvssV3, 9.8);
      assert.equal(top[0]?.publicExploit, true);
      assert.deepEqual((await store.topTvmCves({ tenantIds: [b] })).map((c) => c.cveId), ["CVE-2026-0001"]);

      const customers = await store.listTvmCveTenants("CVE-2026-0001");
      assert.deepEqual(customers.map((c) => [c.tenantId, c.machines]), [[a, 2], [b, 1]]);
      assert.deepEqual(customers[0]?.exploitTypes, ["Local"]);
      const machines = await store.listTvmCveMachines("CVE-2026-0001");
      const byTenant = (t: string) => machines.filter((m) => m.tenantId === t).map((m) => [m.machineId, m.computerDnsName]);
      assert.deepEqual(byTenant(a), [[M1, "pc1.a.test"], [M2, null]], "names from the stored machines where known");
      assert.deepEqual(byTenant(b), [[M3, null]]);
      assert.deepEqual(machines[0]?.products, ["microsoft edge 1.0"]);
      assert.equal((await store.listTvmCveMachines("CVE-2026-0001", { limit: 1 })).length, 1);

      const vulns = await store.listMachineTvmVulnerabilities(a, M1.toUpperCase());
      assert.deepEqual(vulns.map((v) => [v.cveId, v.cvssV3]), [["CVE-2026-0001", 9.8], ["CVE-2026-0002", 8.8]]);
      const kbs = await store.listMachineMissingKbs(a, M1);
      assert.deepEqual(kbs.map((k) => [k.kbId, k.cves]), [["KB0001", 1], ["KB0002", 1]]);
      const software = await store.listMachineSoftware(a, M1);
      assert.deepEqual(software.map((s) => [s.softwareId, s.version, s.weaknesses]), [["microsoft-_-edge", "1.0", 2]]);
      const recs = await store.listMachineRecommendations(a, M1);
      assert.deepEqual(recs.map((r) => r.id), ["va-_-microsoft-_-edge"], "the software recommendation of an installed product");
      assert.deepEqual(await store.listMachineRecommendations(a, "d".repeat(40)), []);
    });

    it("replaces the snapshot whole; a failure inside the write or a failed fetch leaves the last good one", async () => {
      const a = randomTenantId();
      await store.replaceTvmSnapshot(a, snapshot([M1], ["CVE-2026-0001"]));
      const first = await store.getTvmSnapshot(a);
      await store.replaceTvmSnapshot(a, snapshot([M2], ["CVE-2026-0009"]));
      assert.deepEqual(await store.listMachineTvmVulnerabilities(a, M1), [], "the old machine rows are gone");
      assert.deepEqual((await store.topTvmCves()).map((c) => c.cveId), ["CVE-2026-0009"]);

      // The last insert of the write fails: everything before it in the transaction is undone.
      if (db.dialect === "sqlite") {
        await db.exec("create trigger boom before insert on tvm_recommendations begin select raise(abort, 'boom'); end");
      } else {
        await db.exec("create function boom() returns trigger language plpgsql as $$ begin raise exception 'boom'; end $$");
        await db.exec("create trigger boom before insert on tvm_recommendations for each row execute function boom()");
      }
      await assert.rejects(store.replaceTvmSnapshot(a, snapshot([M3], ["CVE-2026-0005"])), /boom/);
      assert.deepEqual((await store.topTvmCves()).map((c) => c.cveId), ["CVE-2026-0009"], "the previous snapshot is whole");
      assert.equal((await store.listMachineTvmVulnerabilities(a, M2)).length, 1);
      assert.deepEqual(await store.listMachineTvmVulnerabilities(a, M3), []);

      const good = await store.getTvmSnapshot(a);
      await store.recordTvmFailure(a, { code: "ERR_MDE_HTTP", message: "service failing" });
      const after = await store.getTvmSnapshot(a);
      assert.equal(after?.takenAt, good?.takenAt, "the snapshot's time stays");
      assert.equal(after?.lastErrorCode, "ERR_MDE_HTTP");
      assert.equal(after?.machines, 1);
      assert.notEqual(first?.takenAt, undefined);

      const fresh = randomTenantId();
      await store.recordTvmFailure(fresh, { code: "ERR_MDE_FORBIDDEN", message: "permission missing: Vulnerability.Read.All" });
      const none = await store.getTvmSnapshot(fresh);
      assert.equal(none?.takenAt, null, "a tenant with only failed attempts has no snapshot");
      assert.equal(none?.lastError, "permission missing: Vulnerability.Read.All");
    });

    it("bounds a hostile tenant's text and drops rows without their keys", async () => {
      const a = randomTenantId();
      const long = "<script>x</script>".repeat(10_000);
      const w = await store.replaceTvmSnapshot(a, {
        machineVulnerabilities: [
          { machineId: M1, cveId: "CVE-2026-0001", productName: long, severity: "High" },
          { machineId: M1, cveId: "CVE-2026-0001", productName: long, severity: "High" },
          { machineId: null, cveId: "CVE-2026-0002" },
          { machineId: M1 },
        ],
        vulnerabilities: [{ id: "CVE-2026-0001", description: long, name: long, exploitTypes: [long, 7] }],
        software: [{ deviceId: M1, softwareVendor: long, softwareName: "x", softwareVersion: long }],
        recommendations: [{ id: long }],
        missingPermissions: ["Score.Read.All"],
      });
      assert.equal(w.machineVulnerabilities, 1, "the duplicate and the rows without keys are not stored");
      const [v] = await store.listMachineTvmVulnerabilities(a, M1);
      assert.ok(v && v.productName!.length <= 256);
      const [c] = await store.listTvmCveTenants("CVE-2026-0001");
      assert.ok(c && c.description!.length <= 2_000 && c.name!.length <= 256);
      assert.ok(c.exploitTypes.every((t) => t.length <= 64));
      const [s] = await store.listMachineSoftware(a, M1);
      assert.ok(s && s.softwareId.length <= 256 && s.version.length <= 128);
      const snap = await store.getTvmSnapshot(a);
      assert.deepEqual(snap?.missingPermissions, ["Score.Read.All"]);
      assert.equal(snap?.exposureScore, null);
    });
  });

  describe(`TVM migration on a store made before it (${dialect})`, () => {
    const { db } = storePerTest(dialect, (d) => openStore({ ...d.options, migrations: BEFORE_TVM }));

    it("adds the TVM tables and keeps the tenants and machines", async () => {
      const a = randomTenantId();
      const old = await openStore({ ...db.options, migrations: BEFORE_TVM });
      await old.upsertTenant({ id: a, name: "Before" });
      await old.replaceMachines(a, [{ id: M1, computerDnsName: "pc1" }]);
      await old.close();
      const current = await openStore(db.options);
      try {
        assert.deepEqual(
          current.migration.applied,
          migrations.filter((m) => m.version >= 5).map((m) => m.version),
        );
        assert.equal((await current.getTenant(a))?.name, "Before");
        assert.equal((await current.getMachine(a, M1))?.computerDnsName, "pc1");
        assert.equal(await current.getTvmSnapshot(a), null);
        await current.replaceTvmSnapshot(a, snapshot([M1], ["CVE-2026-0001"]));
        assert.equal((await current.listMachineTvmVulnerabilities(a, M1))[0]?.cveId, "CVE-2026-0001");
      } finally {
        await current.close();
      }
    });
  });
}
