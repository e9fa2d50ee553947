import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { beforeEach, describe, it } from "node:test";
import { advanceCursor, cursorCovers, StoreError, toTimeKey } from "@mde-partner/sync";
import { alertInput as alert } from "./helpers/alerts.js";
import { DIALECTS, randomTenantId, storePerTest } from "./helpers/databases.js";


const cursorOf = (value: string, ...seenIds: string[]) => ({ value, seenIds });

/** Independent checksum: lines `${id}\t${lastUpdateTime}\n`, ids in code-unit order (Array#sort's default). */
function expectedChecksum(alerts: ReadonlyArray<{ id: string; lastUpdateTime?: string | null }>): string {
  const lines = alerts.map((a) => [a.id, a.lastUpdateTime ?? ""] as const);
  const ids = lines.map((l) => l[0]).sort();
  const byId = new Map(lines);
  return createHash("sha256")
    .update(ids.map((id) => `${id}\t${byId.get(id)}\n`).join(""))
    .digest("hex");
}

for (const dialect of DIALECTS) {
  describe(`store alerts (${dialect})`, () => {
    const { store } = storePerTest(dialect);
    let tenant: string;
    beforeEach(() => {
      tenant = randomTenantId();
    });

    it("upserts a page by (tenant, id) and writes the cursor with it", async () => {
      const page1 = [
        alert("da1_1", "2024-03-01T10:00:00.0000001Z"),
        alert("da1_2", "2024-03-01T10:00:01.5Z"),
        alert("da1_3", "2024-03-01T10:00:01.5Z"),
      ];
      const r1 = await store.applyAlertPage(tenant, page1, cursorOf("2024-03-01T10:00:01.5Z", "da1_2", "da1_3"));
      assert.deepEqual([r1.inserted, r1.updated, r1.unchanged], [3, 0, 0]);
      const c1 = await store.getCursor(tenant, "alerts");
      assert.equal(c1?.value, "2024-03-01T10:00:01.5Z", "the cursor keeps the API's text exactly");
      assert.deepEqual(c1?.seenIds, ["da1_2", "da1_3"]);

      const changed = alert("da1_2", "2024-03-01T11:00:00.0000000Z", { status: "InProgress", assignedTo: "analyst@contoso.com" });
      const r2 = await store.applyAlertPage(
        tenant,
        [changed, alert("da1_4", "2024-03-01T11:00:00.0000000Z")],
        cursorOf("2024-03-01T11:00:00.0000000Z", "da1_2", "da1_4"),
      );
      assert.deepEqual([r2.inserted, r2.updated, r2.unchanged], [1, 1, 0]);
      const stored = await store.getAlert(tenant, "da1_2");
      assert.equal(stored?.status, "InProgress");
      assert.deepEqual(stored?.payload, changed, "the payload round-trips unchanged");
      assert.equal(await store.countAlerts({ tenantIds: [tenant] }), 4);
      assert.equal((await store.getCursor(tenant, "alerts"))?.value, "2024-03-01T11:00:00.0000000Z");

      const history = await store.alertHistory(tenant, "da1_2");
      assert.deepEqual(
        history.map((h) => [h.field, h.oldValue, h.newValue, h.changedAt]),
        [
          ["status", "New", "InProgress", "2024-03-01T11:00:00.0000000Z"],
          ["assignedTo", null, "analyst@contoso.com", "2024-03-01T11:00:00.0000000Z"],
        ],
      );
    });

    it("never lets an older version replace a newer one (also across timestamp precisions)", async () => {
      // "…:59.2Z" is newer than "…:59Z" although it sorts before it as text.
      await store.applyAlertPage(
        tenant,
        [alert("a", "2024-01-01T00:00:59.2Z", { status: "Resolved" })],
        cursorOf("2024-01-01T00:00:59.2Z", "a"),
      );
      const stale = await store.applyAlertPage(
        tenant,
        [alert("a", "2024-01-01T00:00:59Z", { status: "New" })],
        cursorOf("2024-01-01T00:00:59.2Z", "a"),
      );
      assert.deepEqual([stale.inserted, stale.updated, stale.unchanged], [0, 0, 1]);
      assert.equal((await store.getAlert(tenant, "a"))?.status, "Resolved");
      assert.deepEqual(await store.alertHistory(tenant, "a"), [], "a stale version records no change");

      await store.applyAlertPage(
        tenant,
        [alert("a", "2024-01-01T00:00:59.2000001Z", { status: "InProgress" })],
        cursorOf("2024-01-01T00:00:59.2000001Z", "a"),
      );
      const now = await store.getAlert(tenant, "a");
      assert.equal(now?.status, "InProgress");
      assert.equal(now?.lastUpdateTime, "2024-01-01T00:00:59.2000001Z");
    });

    it("keeps the newest version when one page holds an id twice", async () => {
      const page = [alert("d", "2024-05-01T00:00:02Z", { status: "Resolved" }), alert("d", "2024-05-01T00:00:01Z", { status: "New" })];
      const r = await store.applyAlertPage(tenant, page, cursorOf("2024-05-01T00:00:02Z", "d"));
      assert.deepEqual([r.inserted, r.unchanged], [1, 1]);
      assert.equal((await store.getAlert(tenant, "d"))?.status, "Resolved");
    });

    it("commits rows and cursor together: a failure mid-page changes neither", async () => {
      const before = alert("keep", "2024-02-01T00:00:00Z", { status: "New" });
      await store.applyAlertPage(tenant, [before], cursorOf("2024-02-01T00:00:00Z", "keep"));
      const cursorBefore = await store.getCursor(tenant, "alerts");

      // 4,000 alerts: more than one INSERT statement on either engine. The
      // first statement would update "keep"; the last row is invalid, so the
      // failure comes after earlier statements already ran in the transaction.
      const big = Array.from({ length: 4000 }, (_, i) => alert(`b${i}`, "2024-02-02T00:00:00Z"));
      big[0] = alert("keep", "2024-02-03T00:00:00Z", { status: "Resolved" });
      big[3999] = { ...alert("bad", "2024-02-02T00:00:00Z"), id: "" };
      await assert.rejects(store.applyAlertPage(tenant, big, cursorOf("2024-02-03T00:00:00Z", "keep")), (e: unknown) => {
        assert.ok(e instanceof StoreError);
        assert.equal(e.code, "ERR_STORE_INVALID_ROW");
        assert.match(e.message, /index 3999/);
        return true;
      });
      assert.equal(await store.countAlerts({ tenantIds: [tenant] }), 1);
      assert.equal((await store.getAlert(tenant, "keep"))?.status, "New");
      assert.deepEqual(await store.getCursor(tenant, "alerts"), cursorBefore);

      // A failure after every row was written (the cursor itself is invalid) also rolls back.
      const page = Array.from({ length: 10 }, (_, i) => alert(`c${i}`, "2024-02-04T00:00:00Z"));
      await assert.rejects(store.applyAlertPage(tenant, page, cursorOf("not a time")), { code: "ERR_STORE_INVALID_ROW" });
      assert.equal(await store.countAlerts({ tenantIds: [tenant] }), 1);
      assert.deepEqual(await store.getCursor(tenant, "alerts"), cursorBefore);

      // The store is usable afterwards and the whole page then lands.
      big[3999] = alert("b3999", "2024-02-02T00:00:00Z");
      const ok = await store.applyAlertPage(tenant, big, cursorOf("2024-02-03T00:00:00Z", "keep"));
      assert.deepEqual([ok.inserted, ok.updated], [3999, 1]);
      assert.equal(await store.countAlerts({ tenantIds: [tenant] }), 4000);
    });

    it("keeps tenants apart: the same alert id in two tenants is two alerts", async () => {
      const other = randomTenantId();
      await store.applyAlertPage(
        tenant,
        [alert("same", "2024-01-01T00:00:00Z", { title: "first" })],
        cursorOf("2024-01-01T00:00:00Z", "same"),
      );
      await store.applyAlertPage(
        other.toUpperCase(),
        [alert("same", "2024-01-01T00:00:00Z", { title: "second" })],
        cursorOf("2024-01-01T00:00:00Z", "same"),
      );
      assert.equal((await store.getAlert(tenant, "same"))?.title, "first");
      assert.equal((await store.getAlert(other, "same"))?.title, "second", "tenant ids are case-insensitive");
      assert.equal((await store.getCursor(other, "alerts"))?.tenantId, other);
      await assert.rejects(store.applyAlertPage("not-a-guid", [], cursorOf("2024-01-01T00:00:00Z")), TypeError);
    });

    it("groundTruth equals a checksum computed independently", async () => {
      // Ids whose order differs between binary and linguistic collations.
      const ids = [
        "da637_-880718168",
        "DA637_1",
        "da637_1",
        "da637_10",
        "da637_9",
        "Zeta",
        "alpha",
        "_x",
        "da637-1",
        "636688558380765161_2136280442",
      ];
      const alerts = ids.map((id, i) => alert(id, `2024-06-0${(i % 9) + 1}T12:00:00.${String(i).padStart(7, "0")}Z`));
      await store.applyAlertPage(tenant, alerts, advanceCursor(null, alerts));
      assert.deepEqual(await store.groundTruth(tenant), { alerts: ids.length, checksum: expectedChecksum(alerts) });
      // Re-delivering older versions changes nothing.
      await store.applyAlertPage(tenant, [alert("Zeta", "2023-01-01T00:00:00Z")], advanceCursor(null, alerts));
      assert.deepEqual(await store.groundTruth(tenant), { alerts: ids.length, checksum: expectedChecksum(alerts) });
      assert.deepEqual(await store.groundTruth(randomTenantId()), { alerts: 0, checksum: expectedChecksum([]) });
    });

    it("removing a tenant removes its alerts and cursor", async () => {
      await store.upsertTenant({ id: tenant, name: "Gone" });
      await store.applyAlertPage(tenant, [alert("x", "2024-01-01T00:00:00Z")], cursorOf("2024-01-01T00:00:00Z", "x"));
      assert.equal(await store.removeTenant(tenant), true);
      assert.equal(await store.getAlert(tenant, "x"), null);
      assert.equal(await store.getCursor(tenant, "alerts"), null);
      assert.equal(await store.removeTenant(tenant), false);
    });
  });
}

describe("cursor helpers", () => {
  it("advances to the newest time and remembers every id seen at it", () => {
    const c1 = advanceCursor(null, [
      { id: "a", lastUpdateTime: "2024-01-01T00:00:01Z" },
      { id: "b", lastUpdateTime: "2024-01-01T00:00:02.5Z" },
      { id: "c", lastUpdateTime: "2024-01-01T00:00:02.5000000Z" },
    ]);
    assert.deepEqual(c1, { value: "2024-01-01T00:00:02.5Z", seenIds: ["b", "c"] });
    // Same timestamp on the next page: ids merge; an older item changes nothing.
    const c2 = advanceCursor(c1, [
      { id: "d", lastUpdateTime: "2024-01-01T00:00:02.5Z" },
      { id: "e", lastUpdateTime: "2024-01-01T00:00:00Z" },
    ]);
    assert.deepEqual(c2, { value: "2024-01-01T00:00:02.5Z", seenIds: ["b", "c", "d"] });
    const c3 = advanceCursor(c2, [{ id: "f", lastUpdateTime: "2024-01-01T00:00:02.51Z" }]);
    assert.deepEqual(c3, { value: "2024-01-01T00:00:02.51Z", seenIds: ["f"] });
    assert.deepEqual(advanceCursor(c3, []), c3);

    assert.equal(cursorCovers(c2, { id: "d", lastUpdateTime: "2024-01-01T00:00:02.5000000Z" }), true);
    assert.equal(cursorCovers(c2, { id: "z", lastUpdateTime: "2024-01-01T00:00:02.5Z" }), false, "same time, unseen id");
    assert.equal(cursorCovers(c2, { id: "z", lastUpdateTime: "2024-01-01T00:00:01Z" }), true);
    assert.equal(cursorCovers(c2, { id: "z", lastUpdateTime: "2024-01-01T00:00:03Z" }), false);
  });

  it("normalises API times to sortable 7-digit UTC keys", () => {
    assert.equal(toTimeKey("2021-01-26T20:33:59.2Z"), "2021-01-26T20:33:59.2000000Z");
    assert.equal(toTimeKey("2021-01-26T20:33:57.7220239Z"), "2021-01-26T20:33:57.7220239Z");
    assert.equal(toTimeKey("2019-12-13T00:00:00Z"), "2019-12-13T00:00:00.0000000Z");
    assert.equal(toTimeKey("2021-01-11 09:47:58.854"), "2021-01-11T09:47:58.8540000Z");
    assert.equal(toTimeKey("2021-01-26T22:33:59.25+02:00"), "2021-01-26T20:33:59.2500000Z");
    assert.equal(toTimeKey("2024-02-29"), "2024-02-29T00:00:00.0000000Z");
    assert.equal(toTimeKey(new Date("2024-02-29T01:02:03.456Z")), "2024-02-29T01:02:03.4560000Z");
    assert.equal(toTimeKey("yesterday"), null);
    const sorted = ["2021-01-26T20:33:59Z", "2021-01-26T20:33:59.2Z", "2021-01-26T20:33:58.9999999Z"].map((t) => toTimeKey(t)!).sort();
    assert.deepEqual(sorted, ["2021-01-26T20:33:58.9999999Z", "2021-01-26T20:33:59.0000000Z", "2021-01-26T20:33:59.2000000Z"]);
  });
});
