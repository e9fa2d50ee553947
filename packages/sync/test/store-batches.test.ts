/**
 * Batches in the store (hunts and response actions run by the workers): items
 * start queued, a claim counts attempts and keeps the first start, an item
 * finishes once, the batch is done with its last item — also when many items
 * finish at the same moment from separate connections — and bad input is
 * refused before anything is written.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { openStore } from "@mde-partner/sync";
import { DIALECTS, randomTenantId, storePerTest } from "./helpers/databases.js";

for (const dialect of DIALECTS) {
  describe(`store batches (${dialect})`, () => {
    const { store, db } = storePerTest(dialect);

    it("records a batch, claims and finishes its items once, and is done with the last one", async () => {
      const [a, b] = [randomTenantId(), randomTenantId()];
      const { batch, items } = await store.createBatch({
        kind: "hunt",
        actor: "cli:alice",
        request: { query: "DeviceInfo | take 1" },
        items: [{ tenantId: a }, { tenantId: b }, { tenantId: a.toUpperCase() }],
      });
      assert.equal(batch.total, 2, "the same tenant in another spelling is one item");
      assert.deepEqual(batch.counts, { queued: 2, running: 0, done: 0, failed: 0 });
      assert.deepEqual(items.map((i) => i.key).sort(), [a, b].sort());

      const first = await store.claimBatchItem(batch.id, a, "w1");
      assert.equal(first?.state, "queued");
      assert.equal(first?.attempts, 0);
      const again = await store.claimBatchItem(batch.id, a, "w2");
      assert.equal(again?.state, "running");
      assert.equal(again?.attempts, 1);
      const startedAt = again?.startedAt;
      assert.ok(startedAt);
      const third = await store.claimBatchItem(batch.id, a, "w3");
      assert.equal(third?.startedAt, startedAt, "the first start is kept across attempts");
      assert.equal(await store.claimBatchItem(batch.id, "nope", "w1"), null);

      assert.equal(await store.finishBatchItem(batch.id, a, { state: "done", result: { rows: [{ x: 1 }] } }), true);
      assert.equal(await store.finishBatchItem(batch.id, a, { state: "failed", error: { code: "ERR_X", message: "late" } }), false, "once");
      assert.equal((await store.getBatch(batch.id))?.state, "running");
      assert.equal((await store.claimBatchItem(batch.id, a, "w4"))?.state, "done", "a final item is returned unchanged");

      await store.finishBatchItem(batch.id, b, { state: "failed", error: { code: "ERR_MDE_FORBIDDEN", message: "no role" } });
      const done = await store.getBatch(batch.id);
      assert.equal(done?.state, "done");
      assert.ok(done?.finishedAt);
      assert.deepEqual(done?.counts, { queued: 0, running: 0, done: 1, failed: 1 });
      const listed = await store.listBatchItems(batch.id);
      assert.deepEqual(listed.find((i) => i.key === a)?.result, { rows: [{ x: 1 }] });
      assert.deepEqual(listed.find((i) => i.key === b)?.error, { code: "ERR_MDE_FORBIDDEN", message: "no role" });
      assert.equal(listed.find((i) => i.key === a)?.attempts, 3, "the claim of a final item is no attempt");
      assert.deepEqual(
        (await store.listBatches({ state: "done" })).map((x) => x.id),
        [batch.id],
      );
    });

    it("is done when its items finish at the same moment (PostgreSQL: on separate connections)", async () => {
      const tenants = Array.from({ length: 12 }, () => randomTenantId());
      const { batch } = await store.createBatch({ kind: "hunt", actor: "t", request: { query: "q" }, items: tenants.map((tenantId) => ({ tenantId })) });
      // SQLite's writers are processes taking turns on the file lock; in one process, one store stands for them.
      const others = dialect === "postgres" ? await Promise.all([0, 1, 2].map(() => openStore(db.options))) : [];
      const writers = others.length > 0 ? others : [store];
      try {
        await Promise.all(tenants.map((key, i) => writers[i % writers.length]!.finishBatchItem(batch.id, key, { state: "done", result: null })));
      } finally {
        await Promise.all(others.map((o) => o.close()));
      }
      const done = await store.getBatch(batch.id);
      assert.equal(done?.state, "done");
      assert.equal(done?.counts.done, 12);
    });

    it("prunes finished batches with their items, never running ones", async () => {
      const t = randomTenantId();
      const finished = await store.createBatch({ kind: "hunt", actor: "a", request: { query: "q" }, items: [{ tenantId: t }] });
      await store.finishBatchItem(finished.batch.id, t, { state: "done", result: { rows: [{ big: "x".repeat(1000) }] } });
      const running = await store.createBatch({ kind: "hunt", actor: "a", request: { query: "q" }, items: [{ tenantId: t }] });
      assert.equal(await store.deleteBatches("2000-01-01T00:00:00Z"), 0, "nothing finished before then");
      const future = new Date(Date.now() + 60_000).toISOString();
      assert.equal(await store.deleteBatches(future), 1);
      assert.equal(await store.getBatch(finished.batch.id), null);
      assert.deepEqual(await store.listBatchItems(finished.batch.id), []);
      assert.equal((await store.getBatch(running.batch.id))?.state, "running");
      assert.equal((await store.listBatchItems(running.batch.id)).length, 1);
    });

    it("lists the open items of running batches for the reconciler, and refuses bad input", async () => {
      const t = randomTenantId();
      const { batch } = await store.createBatch({
        kind: "response-action",
        actor: "cli:bob",
        request: { action: "isolate", comment: "INC-1" },
        items: [{ tenantId: t, machineId: "A".repeat(40) }],
      });
      const key = `${t}/${"a".repeat(40)}`;
      assert.deepEqual(await store.listOpenBatchItems(new Date(Date.now() + 60_000).toISOString()), [
        { batchId: batch.id, key, state: "queued", attempts: 0 },
      ]);
      assert.deepEqual(await store.listOpenBatchItems("2000-01-01T00:00:00.000Z"), [], "younger batches are left alone");

      await assert.rejects(store.createBatch({ kind: "hunt", actor: "x", request: {}, items: [] }), /at least one item/);
      await assert.rejects(store.createBatch({ kind: "scan" as never, actor: "x", request: {}, items: [{ tenantId: t }] }), /kind/);
      await assert.rejects(store.createBatch({ kind: "hunt", actor: "x", request: {}, items: [{ tenantId: "contoso" }] }), /GUID/);
      await assert.rejects(
        store.createBatch({ kind: "response-action", actor: "x", request: {}, items: [{ tenantId: t, machineId: "../etc" }] }),
        /machine id/,
      );
      await assert.rejects(store.getBatch("not-a-batch"), /batch id must be a GUID/);
      await assert.rejects(store.deleteBatches("last week"), /ISO time/);
      assert.equal((await store.listBatches()).length, 1, "nothing half-written");
    });
  });
}
