/**
 * The exposure score history on SQLite and PostgreSQL: each TVM snapshot that carries a score
 * keeps it for its UTC day (the day's last snapshot wins), reads answer a tenant set and a period
 * oldest day first, rows past 400 days are pruned by the next snapshot, a snapshot without scores
 * adds nothing, a removed tenant's history goes with it, and a store from before the history migrates to the history with its snapshots intact.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { openStore, TVM_SCORE_HISTORY_DAYS, type TvmSnapshotInput } from "@mde-partner/sync";
import { migrations } from "../src/store/migrations.js";
import { DIALECTS, randomTenantId, storePerTest } from "./helpers/databases.js";

const DAY = 86_400_000;
const HISTORY = migrations.find((m) => m.name === "exposure score history")!;
/** The schema versions before the history (whatever number the history migration has). */
const BEFORE_HISTORY = migrations.filter((m) => m.version < HISTORY.version);

function scores(exposure: number | null, secure: number | null = null): TvmSnapshotInput {
  return {
    exposureScore: exposure === null ? null : { score: exposure, time: "2026-11-01T00:00:00Z" },
    secureScore: secure === null ? null : { score: secure, time: "2026-11-01T00:00:00Z" },
    machineVulnerabilities: [{ machineId: "a".repeat(40), cveId: "CVE-2026-0001", severity: "High" }],
  };
}

for (const dialect of DIALECTS) {
  describe(`store TVM score history (${dialect})`, () => {
    let nowMs = Date.parse("2026-11-03T08:00:00Z");
    const { store } = storePerTest(dialect, (d) => openStore({ ...d.options, clock: { now: () => nowMs } }));

    it("keeps one score per tenant and day, the day's last snapshot winning, and reads a period", async () => {
      const [a, b] = [randomTenantId(), randomTenantId()];
      await store.upsertTenant({ id: a, name: "A" });
      await store.upsertTenant({ id: b, name: "B" });
      nowMs = Date.parse("2026-11-03T08:00:00Z");
      await store.replaceTvmSnapshot(a, scores(60, 500));
      nowMs = Date.parse("2026-11-03T20:00:00Z");
      await store.replaceTvmSnapshot(a, scores(55, 520));
      nowMs = Date.parse("2026-11-04T08:00:00Z");
      await store.replaceTvmSnapshot(a, scores(50));
      await store.replaceTvmSnapshot(b, scores(80));
      nowMs = Date.parse("2026-11-10T08:00:00Z");
      await store.replaceTvmSnapshot(a, scores(40));

      const all = await store.listTvmScoreHistory({ tenantIds: [a, b], from: "2026-11-01", to: "2026-11-30" });
      const ofA = all.filter((p) => p.tenantId === a);
      assert.deepEqual(
        ofA.map((p) => [p.day, p.exposureScore, p.secureScore]),
        [
          ["2026-11-03", 55, 520],
          ["2026-11-04", 50, null],
          ["2026-11-10", 40, null],
        ],
      );
      assert.equal(ofA[0]?.takenAt, "2026-11-03T20:00:00.000Z");
      assert.equal(ofA[0]?.exposureTime, "2026-11-01T00:00:00Z");
      assert.deepEqual(all.filter((p) => p.tenantId === b).map((p) => [p.day, p.exposureScore]), [["2026-11-04", 80]]);
      assert.deepEqual(all.map((p) => p.day), [...all.map((p) => p.day)].sort(), "oldest day first");

      const period = await store.listTvmScoreHistory({ tenantIds: [a], from: "2026-11-04", to: "2026-11-09" });
      assert.deepEqual(period.map((p) => p.day), ["2026-11-04"], "both ends of the period are days, inclusive");
      assert.deepEqual(await store.listTvmScoreHistory({ tenantIds: [], from: "2026-11-01", to: "2026-11-30" }), []);
      // The snapshot row itself still says the last score.
      assert.equal((await store.getTvmSnapshot(a))?.exposureScore, 40);
    });

    it("forgets a removed tenant's history and snapshot", async () => {
      const [a, b] = [randomTenantId(), randomTenantId()];
      await store.upsertTenant({ id: a, name: "A" });
      await store.upsertTenant({ id: b, name: "B" });
      nowMs = Date.parse("2026-11-03T08:00:00Z");
      await store.replaceTvmSnapshot(a, scores(60));
      await store.replaceTvmSnapshot(b, scores(70));
      assert.equal(await store.removeTenant(a), true);
      assert.deepEqual(await store.listTvmScoreHistory({ tenantIds: [a], from: "2026-11-01", to: "2026-11-30" }), []);
      assert.equal(await store.getTvmSnapshot(a), null);
      assert.deepEqual(await store.topTvmCves({ tenantIds: [a] }), []);
      assert.equal((await store.listTvmScoreHistory({ tenantIds: [b], from: "2026-11-01", to: "2026-11-30" })).length, 1, "other tenants keep theirs");
    });

    it("adds nothing for a snapshot without scores, and prunes days past the history's length", async () => {
      const a = randomTenantId();
      await store.upsertTenant({ id: a, name: "A" });
      nowMs = Date.parse("2025-01-01T12:00:00Z");
      await store.replaceTvmSnapshot(a, scores(70));
      nowMs += 10 * DAY;
      await store.replaceTvmSnapshot(a, scores(null));
      assert.deepEqual((await store.listTvmScoreHistory({ tenantIds: [a], from: "2024-01-01", to: "2027-01-01" })).map((p) => p.day), ["2025-01-01"]);

      nowMs = Date.parse("2025-01-01T12:00:00Z") + (TVM_SCORE_HISTORY_DAYS - 1) * DAY;
      await store.replaceTvmSnapshot(a, scores(65));
      assert.equal((await store.listTvmScoreHistory({ tenantIds: [a], from: "2024-01-01", to: "2027-01-01" })).length, 2, "a day inside the window stays");
      nowMs = Date.parse("2025-01-01T12:00:00Z") + (TVM_SCORE_HISTORY_DAYS + 1) * DAY;
      await store.replaceTvmSnapshot(a, scores(60));
      const left = await store.listTvmScoreHistory({ tenantIds: [a], from: "2024-01-01", to: "2027-01-01" });
      assert.deepEqual(left.map((p) => p.exposureScore), [65, 60], `rows older than ${TVM_SCORE_HISTORY_DAYS} days are gone`);
    });
  });

  describe(`store TVM score history: migration (${dialect})`, () => {
    const { db } = storePerTest(dialect, (d) => openStore({ ...d.options, migrations: BEFORE_HISTORY }));

    it("a store from before the history migrates to it with its tenants and snapshot records intact", async () => {
      const a = randomTenantId();
      const old = await openStore({ ...db.options, migrations: BEFORE_HISTORY });
      await old.upsertTenant({ id: a, name: "Before" });
      await old.recordTvmFailure(a, { code: "ERR_MDE_FORBIDDEN", message: "permission missing" });
      await old.close();
      let nowMs = Date.parse("2026-11-05T00:00:00Z");
      const current = await openStore({ ...db.options, clock: { now: () => nowMs } });
      try {
        assert.deepEqual(current.migration.applied, migrations.filter((m) => m.version >= HISTORY.version).map((m) => m.version));
        assert.equal((await current.getTenant(a))?.name, "Before");
        assert.equal((await current.getTvmSnapshot(a))?.lastErrorCode, "ERR_MDE_FORBIDDEN");
        assert.deepEqual(await current.listTvmScoreHistory({ tenantIds: [a], from: "2000-01-01", to: "2100-01-01" }), [], "history starts with the next snapshot");
        await current.replaceTvmSnapshot(a, scores(30));
        nowMs += DAY;
        await current.replaceTvmSnapshot(a, scores(28));
        assert.deepEqual((await current.listTvmScoreHistory({ tenantIds: [a], from: "2000-01-01", to: "2100-01-01" })).map((p) => p.exposureScore), [30, 28]);
      } finally {
        await current.close();
      }
    });
  });
}
