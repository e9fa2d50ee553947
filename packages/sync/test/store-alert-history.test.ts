// The status history of many alerts at once (what a customer report reads for response times),
// on every dialect: one tenant's changes by alert, oldest first, another tenant's never.
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import type { AlertInput } from "@mde-partner/sync";
import { DIALECTS, randomTenantId, storePerTest } from "./helpers/databases.js";

const alert = (id: string, lastUpdateTime: string, status: string): AlertInput => ({
  id,
  title: `Alert ${id}`,
  severity: "High",
  status,
  alertCreationTime: "2026-11-01T08:00:00Z",
  lastUpdateTime,
});
const cursor = (value: string) => ({ value, seenIds: [] });

for (const dialect of DIALECTS) {
  describe(`store alert history of many alerts (${dialect})`, () => {
    const { store } = storePerTest(dialect);
    let tenant: string;
    let other: string;
    beforeEach(() => {
      tenant = randomTenantId();
      other = randomTenantId();
    });

    it("returns each alert's status changes oldest first, and nothing of another tenant", async () => {
      const ids = Array.from({ length: 620 }, (_, i) => `da${i}`);
      await store.applyAlertPage(tenant, ids.map((id) => alert(id, "2026-11-01T08:00:00Z", "New")), cursor("2026-11-01T08:00:00Z"));
      await store.applyAlertPage(other, [alert("da1", "2026-11-01T08:00:00Z", "New")], cursor("2026-11-01T08:00:00Z"));
      await store.applyAlertPage(tenant, [alert("da1", "2026-11-01T09:00:00Z", "InProgress"), alert("da600", "2026-11-01T09:30:00Z", "InProgress")], cursor("2026-11-01T09:30:00Z"));
      await store.applyAlertPage(tenant, [alert("da1", "2026-11-02T10:00:00Z", "Resolved")], cursor("2026-11-02T10:00:00Z"));
      await store.applyAlertPage(other, [alert("da1", "2026-11-03T10:00:00Z", "Resolved")], cursor("2026-11-03T10:00:00Z"));

      const changes = await store.alertChangesOf(tenant, ids);
      assert.deepEqual([...changes.keys()].sort(), ["da1", "da600"], "alerts past the first 500 are read too");
      assert.deepEqual(
        changes.get("da1")!.map((c) => [c.oldValue, c.newValue, c.changedAt]),
        [
          ["New", "InProgress", "2026-11-01T09:00:00Z"],
          ["InProgress", "Resolved", "2026-11-02T10:00:00Z"],
        ],
      );
      assert.equal((await store.alertChangesOf(tenant, ["da2"])).size, 0);
      assert.equal((await store.alertChangesOf(tenant, [])).size, 0);
      assert.equal((await store.alertChangesOf(other, ["da1"])).get("da1")?.length, 1);
    });
  });
}
