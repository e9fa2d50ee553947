// The SOC overview's aggregates on every dialect: open alerts per tenant and
// severity, the oldest alert still New (by creation time), alerts created per
// UTC day, and the machines isolated now (from their Isolate/Unisolate actions).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { advanceCursor, openStore } from "@mde-partner/sync";
import { DIALECTS, randomTenantId, storePerTest } from "./helpers/databases.js";

const NOW = Date.parse("2025-03-10T12:00:00Z");
const DAY = 86_400_000;
const at = (ms: number) => new Date(ms).toISOString();

for (const dialect of DIALECTS) {
  describe(`store alertOverview (${dialect})`, () => {
    const { store } = storePerTest(dialect, (db) => openStore({ ...db.options, clock: { now: () => NOW } }));

    it("counts open alerts, finds the oldest New one and counts alerts per UTC day of creation", async () => {
      const [a, b, quiet] = [randomTenantId(), randomTenantId(), randomTenantId()];
      for (const t of [a, b, quiet]) await store.upsertTenant({ id: t, name: t.slice(0, 8) });
      const alert = (id: string, severity: string, status: string, createdMs: number | null) => ({
        id,
        title: id,
        severity,
        status,
        ...(createdMs === null ? {} : { alertCreationTime: at(createdMs) }),
        lastUpdateTime: at(NOW - 60_000),
      });
      const pageA = [
        alert("a1", "High", "New", NOW - 3 * DAY),
        alert("a2", "High", "InProgress", NOW - 1 * DAY),
        alert("a3", "High", "Resolved", NOW - 1 * DAY),
        alert("a4", "Medium", "New", NOW - 10 * DAY),
        alert("a5", "Low", "New", NOW - 40 * DAY), // the oldest New one, outside the 30 days
        alert("a6", "Medium", "New", null), // no creation time: not the oldest
        alert("a7", "Informational", "Resolved", NOW - 2 * 3_600_000),
      ];
      await store.applyAlertPage(a, pageA, advanceCursor(null, pageA));
      const pageB = [alert("b1", "Medium", "Resolved", NOW - 5 * DAY)];
      await store.applyAlertPage(b, pageB, advanceCursor(null, pageB));

      const overview = await store.alertOverview({ tenantIds: [a, b, quiet], days: 30 });
      assert.equal(overview.days.length, 30);
      assert.equal(overview.days.at(-1), "2025-03-10T00:00:00.000Z");
      assert.equal(overview.days[0], "2025-02-09T00:00:00.000Z");
      const [fa, fb, fq] = [a, b, quiet].map((t) => overview.tenants.find((x) => x.tenantId === t)!);
      assert.deepEqual(fa!.open, { High: 2, Medium: 2 });
      assert.deepEqual(fa!.oldestNew, { id: "a5", createdAt: at(NOW - 40 * DAY) });
      const dayOf = (ms: number) => overview.days.indexOf(at(Math.floor(ms / DAY) * DAY));
      assert.deepEqual(fa!.daily[dayOf(NOW - 3 * DAY)], { High: 1 });
      assert.deepEqual(fa!.daily[dayOf(NOW - DAY)], { High: 2 });
      assert.deepEqual(fa!.daily[dayOf(NOW - 10 * DAY)], { Medium: 1 });
      assert.deepEqual(fa!.daily[29], { Informational: 1 });
      assert.equal(fa!.daily.reduce((n, d) => n + Object.values(d).reduce((m, v) => m + v, 0), 0), 5, "a5 and a6 are not in the window");
      assert.deepEqual(fb!.open, {});
      assert.equal(fb!.oldestNew, null);
      assert.deepEqual(fb!.daily[dayOf(NOW - 5 * DAY)], { Medium: 1 });
      assert.deepEqual(fq, { tenantId: quiet, open: {}, oldestNew: null, daily: overview.days.map(() => ({})), isolatedMachineIds: [] });

      // Seven days; only the tenants asked for; none for an empty list.
      const week = await store.alertOverview({ tenantIds: [b], days: 7, now: new Date(NOW) });
      assert.deepEqual(week.tenants.map((t) => t.tenantId), [b]);
      assert.deepEqual(week.tenants[0]!.daily[7 - 1 - 5], { Medium: 1 });
      assert.deepEqual((await store.alertOverview({ tenantIds: [] })).tenants, []);
      // Every tenant when none is named.
      assert.deepEqual((await store.alertOverview()).tenants.map((t) => t.tenantId).sort(), [a, b, quiet].sort());
      await assert.rejects(store.alertOverview({ days: 0 }), TypeError);
    });

    it("counts the machines whose isolation is in force", async () => {
      const t = randomTenantId();
      await store.upsertTenant({ id: t, name: "t" });
      const action = (id: string, machineId: string, type: string, status: string, minutesAgo: number) => ({
        id,
        machineId,
        type,
        status,
        creationDateTimeUtc: at(NOW - minutesAgo * 60_000),
        lastUpdateDateTimeUtc: at(NOW - minutesAgo * 60_000),
      });
      await store.upsertMachineActions(t, [
        action("1", "m-isolated", "Isolate", "Succeeded", 30),
        action("2", "m-released", "Isolate", "Succeeded", 60),
        action("3", "m-released", "Unisolate", "Succeeded", 10),
        action("4", "m-pending", "Isolate", "Pending", 5),
        action("5", "m-failed", "Isolate", "Failed", 5),
        action("6", "m-scan", "RunAntiVirusScan", "Succeeded", 5),
        action("7", "m-again", "Unisolate", "Succeeded", 60),
        action("8", "m-again", "Isolate", "Succeeded", 20),
      ]);
      const [figures] = (await store.alertOverview({ tenantIds: [t] })).tenants;
      assert.deepEqual(figures!.isolatedMachineIds, ["m-again", "m-isolated"]);
    });
  });
}
