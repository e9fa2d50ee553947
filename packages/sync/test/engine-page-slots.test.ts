/**
 * A sync reads a page's body only once the store has a slot for it (store.alertPageSlot, at most
 * four on a store with alert threads), over the emulator's HTTPS socket into the store as built
 * (its threads start from the modules beside it). Every slot a run takes is given back — when the
 * page is answered, and when a stopped run's passes end — so the next run finds all four free.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type openStore, type Store, syncOnce } from "@mde-partner/sync";
import { emulatorWorld, type EmulatorWorld, partnerFor } from "@mde-partner/test-kit";
import { addTenants, mismatches } from "./fixtures/engine-world.js";
import { createTestDatabase, type TestDatabase } from "./helpers/databases.js";
import { settledNow } from "./helpers/settled.js";

const built = (await import(new URL("../dist/index.js", import.meta.url).href)) as { openStore: typeof openStore };

/** `store` with its page slots counted: taken, and given back (each release counted once). */
function counted(store: Store): { store: Store; taken: () => number; released: () => number } {
  let taken = 0;
  let released = 0;
  // The store is frozen: the counting slot sits on an object whose prototype is the store.
  const wrapped = Object.create(store, {
    alertPageSlot: {
      value: async () => {
        const release = await store.alertPageSlot();
        taken++;
        let done = false;
        return () => {
          if (!done) released++;
          done = true;
          release();
        };
      },
    },
  }) as Store;
  return { store: wrapped, taken: () => taken, released: () => released };
}

describe("page slots during a sync (sqlite store with alert threads, HTTPS)", () => {
  let world: EmulatorWorld;
  let db: TestDatabase;
  let raw: Store;
  before(async () => {
    world = await emulatorWorld({ seed: "engine-page-slots", tenants: 10, alertsPerTenant: 300, machinesPerTenant: 1, rateLimits: false, serve: true });
    db = await createTestDatabase("sqlite");
    raw = await built.openStore(db.options);
    await addTenants(raw, world.info);
  });
  after(async () => {
    await raw?.close();
    await db?.drop();
    await world?.stop();
  });

  // A slot never given back would leave a later run waiting for ever: a test fails rather than hangs.
  it("a stopped run gives back every slot it took", { timeout: 60_000 }, async () => {
    const { store, taken, released } = counted(raw);
    const stop = new AbortController();
    let pages = 0;
    const report = await syncOnce({
      store,
      partner: partnerFor(world),
      concurrency: 8,
      pageSize: 100,
      tvm: false,
      machines: false,
      signal: stop.signal,
      onProgress: (e) => {
        if (e.type === "page" && ++pages === 3) stop.abort();
      },
    });
    assert.ok(report.tenants.some((r) => r.status !== "ok"), "the run was stopped before its end");
    assert.ok(taken() >= 3);
    assert.equal(released(), taken());
    const four = [0, 1, 2, 3].map(() => raw.alertPageSlot());
    for (const p of four) assert.equal(await settledNow(p), true, "all four slots are free again");
    for (const p of four) (await p)();
  });

  it("a whole run takes a slot for every page, gives each back, and stores every alert", { timeout: 60_000 }, async () => {
    const { store, taken, released } = counted(raw);
    const report = await syncOnce({ store, partner: partnerFor(world), concurrency: 8, pageSize: 100, tvm: false, machines: false });
    assert.ok(report.ok, JSON.stringify(report.tenants.filter((r) => r.status !== "ok")));
    assert.deepEqual(await mismatches(raw, world.info.tenants, (id) => world.emulator.control.groundTruth(id)), []);
    assert.ok(taken() >= 10, `slots taken: ${taken()}`);
    assert.equal(released(), taken());
    const four = [0, 1, 2, 3].map(() => raw.alertPageSlot());
    for (const p of four) assert.equal(await settledNow(p), true);
    for (const p of four) (await p)();
  });
});
