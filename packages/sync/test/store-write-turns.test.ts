/**
 * The store's own writes while its alert writer thread has pages queued (SQLite file store, as
 * built: its threads start from the modules beside it). SQLite hands the write lock to whoever
 * asks while it is free, and the writer starts its next transaction the moment the last one
 * committed, so without turns (write-turns.ts) a write on the store's thread — a sync's run row, a
 * tenant's state, a console's change during a sync it started — waited until the writer had
 * nothing left to write. With turns, it goes in before the writer's next transaction.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout } from "node:timers/promises";
import type { AlertInput, openStore, Store } from "@mde-partner/sync";
import { alertInput } from "./helpers/alerts.js";
import { createTestDatabase, randomTenantId, type TestDatabase } from "./helpers/databases.js";

const built = (await import(new URL("../dist/index.js", import.meta.url).href)) as { openStore: typeof openStore };

const PAGES = 32;
const PER_PAGE = 2000;

function page(n: number): AlertInput[] {
  return Array.from({ length: PER_PAGE }, (_, i) => alertInput(`da${n}_${i}`, `2024-03-01T10:${String(n % 60).padStart(2, "0")}:00.${String(i).padStart(7, "0")}Z`));
}

describe("the store's writes beside a busy alert writer thread (sqlite file store)", () => {
  let db: TestDatabase;
  let store: Store;
  const tenant = randomTenantId();
  before(async () => {
    db = await createTestDatabase("sqlite");
    store = await built.openStore(db.options);
    await store.upsertTenant({ id: tenant, name: "Writer busy", initialState: "consented" });
  });
  after(async () => {
    await store?.close();
    await db?.drop();
  });

  it("a write of the store's own thread does not wait for every page queued before it", { timeout: 120_000 }, async () => {
    let answered = 0;
    // Queued at once: the writer takes them in transactions of up to eight pages.
    const pages = Array.from({ length: PAGES }, (_, n) =>
      store.applyAlertPage(tenant, page(n), { value: "2024-03-01T10:00:00Z", seenIds: [] }).then((r) => {
        answered++;
        return r;
      }),
    );
    // The first transaction's answers, all of them: the writer has begun the next one.
    await Promise.race(pages);
    await setTimeout(50);
    const queuedAtWrite = PAGES - answered;
    assert.ok(queuedAtWrite >= 16, `the writer wrote ${answered} of ${PAGES} pages before the test could write: use larger pages`);

    const other = randomTenantId();
    await store.upsertTenant({ id: other, name: "Written meanwhile", initialState: "consented" });
    const leftAtWrite = PAGES - answered;

    const results = await Promise.all(pages);
    assert.equal(
      results.reduce((n, r) => n + r.inserted, 0),
      PAGES * PER_PAGE,
      "every page's alerts are stored",
    );
    assert.equal((await store.getTenant(other))?.name, "Written meanwhile");
    // Without turns the write went in once the queue was empty (none left), or by chance between
    // two transactions; with them, before the writer's next transaction: after the eight pages of
    // the one in progress (sixteen if this thread was too slow to take its first turn).
    assert.ok(leftAtWrite >= queuedAtWrite - 16, `the write waited for ${queuedAtWrite - leftAtWrite} of the ${queuedAtWrite} pages queued before it`);
  });
});
