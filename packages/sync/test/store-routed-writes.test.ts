/**
 * The store's own writes while its alert writer thread runs (SQLite file store, as built: the
 * threads start from the modules beside the store's). Two connections take the file's write lock
 * in turn, and the writer begins its next transaction the moment the last one committed: a write
 * of the store's connection found the lock taken for as long as pages were queued, and failed
 * with SQLITE_BUSY after the busy timeout. Now such writes run on the writer's connection,
 * between two of its transactions (dialect.ts WriteRoute).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout } from "node:timers/promises";
import type { AlertInput, openStore, Store } from "@mde-partner/sync";
import { type Kysely, sql } from "kysely";
import type * as AlertRowsModule from "../src/store/alert-rows.js";
import type * as WriterClientModule from "../src/store/alert-writer-client.js";
import type * as MigrationsModule from "../src/store/migrations.js";
import type * as SqliteDialectModule from "../src/store/sqlite-dialect.js";
import { alertInput } from "./helpers/alerts.js";
import { createTestDatabase, randomTenantId, type TestDatabase } from "./helpers/databases.js";

const built = (await import(new URL("../dist/index.js", import.meta.url).href)) as { openStore: typeof openStore };
// The same build's dialect and threads, for what the store's methods cannot show (a transaction that fails halfway).
const { createSqliteDialect } = (await import(new URL("../dist/store/sqlite-dialect.js", import.meta.url).href)) as typeof SqliteDialectModule;
const { AlertWriterThread } = (await import(new URL("../dist/store/alert-writer-client.js", import.meta.url).href)) as typeof WriterClientModule;
const { toRow } = (await import(new URL("../dist/store/alert-rows.js", import.meta.url).href)) as typeof AlertRowsModule;
const { migrations } = (await import(new URL("../dist/store/migrations.js", import.meta.url).href)) as typeof MigrationsModule;

const PAGES = 48;
const PER_PAGE = 2000;

function page(n: number): AlertInput[] {
  return Array.from({ length: PER_PAGE }, (_, i) => alertInput(`rw${n}_${i}`, `2024-03-01T10:${String(n % 60).padStart(2, "0")}:00.${String(i).padStart(7, "0")}Z`));
}

/** Queues every page at once on the writer thread; `answered()` counts those written so far. */
function queuePages(store: Store, tenant: string) {
  let answered = 0;
  const pages = Array.from({ length: PAGES }, (_, n) =>
    store.applyAlertPage(tenant, page(n), { value: "2024-03-01T10:00:00Z", seenIds: [] }).then((r) => {
      answered++;
      return r;
    }),
  );
  return { pages, answered: () => answered };
}

describe("the store's writes beside a busy alert writer thread (sqlite file store)", () => {
  let db: TestDatabase;
  let store: Store;
  const tenant = randomTenantId();
  const others = [randomTenantId(), randomTenantId(), randomTenantId()];
  before(async () => {
    db = await createTestDatabase("sqlite");
    // A short busy timeout: a write that found the lock taken for longer failed.
    store = await built.openStore({ ...db.options, busyTimeoutMs: 500 });
    for (const id of [tenant, ...others]) await store.upsertTenant({ id, name: `Tenant ${id.slice(0, 4)}`, initialState: "consented" });
  });
  after(async () => {
    await store?.close();
    await db?.drop();
  });

  it("a sync's bookkeeping and a console's changes go in while pages are still queued", { timeout: 120_000 }, async () => {
    const queued = queuePages(store, tenant);
    // The first transaction's answers: the writer has begun the next one.
    await Promise.race(queued.pages);
    await setTimeout(20);
    assert.ok(queued.answered() < PAGES / 2, `the writer wrote ${queued.answered()} of ${PAGES} pages before the test could write: use larger pages`);

    // What a sync and a console write meanwhile: run rows, a tenant's state and name, a group, an audit entry.
    const [run, state, renamed, group, audit] = await Promise.all([
      store.startSyncRun(others[0]!, "alerts"),
      store.setTenantState(others[1]!, "verified", "sync succeeded"),
      store.upsertTenant({ id: others[2]!, name: "Renamed meanwhile" }),
      store.addToGroup("eu-retail", [others[0]!, others[2]!], "alice"),
      store.appendAudit({ actor: "alice", action: "tenant.rename", phase: "completed", tenantId: others[2]! }),
    ]);
    const finished = await store.finishSyncRun(run.id, { status: "succeeded", pages: 1, items: 3 });
    const leftAtWrites = PAGES - queued.answered();
    // Read while pages are still being written: the store's own connection, never behind the writer.
    const readBack = await store.getTenant(others[2]!);

    const results = await Promise.all(queued.pages);
    assert.equal(
      results.reduce((n, r) => n + r.inserted, 0),
      PAGES * PER_PAGE,
      "every page's alerts are stored",
    );
    // Before, these waited for the whole queue and failed after the busy timeout (SQLITE_BUSY).
    assert.ok(leftAtWrites > 0, "the writes went in only once every page was written");
    assert.equal(readBack?.name, "Renamed meanwhile", "a read after a write sees it");
    assert.equal(state.state, "verified");
    assert.equal(renamed.name, "Renamed meanwhile");
    assert.deepEqual([...group.tenantIds].sort(), [others[0]!, others[2]!].sort());
    assert.equal(audit.action, "tenant.rename");
    assert.equal(finished?.status, "succeeded");
    assert.equal(finished?.items, 3);
    const runs = await store.listSyncRuns({ tenantId: others[0]! });
    assert.deepEqual(
      runs.map((r) => [r.id, r.status]),
      [[run.id, "succeeded"]],
    );
    assert.equal((await store.getTenant(others[1]!))?.state, "verified");
  });
});

describe("write transactions on the alert writer's connection (the store's dialect and threads, as built)", () => {
  let db: TestDatabase;
  let dialect: ReturnType<typeof createSqliteDialect>;
  let thread: InstanceType<typeof AlertWriterThread>;
  let kdb: Kysely<{ notes: { id: number; text: string } }>;
  before(async () => {
    db = await createTestDatabase("sqlite");
    const path = db.options.url.slice("sqlite:".length);
    // The store's tables, which the writer thread's statements are prepared on.
    await (await built.openStore(db.options)).close();
    dialect = createSqliteDialect({ path });
    kdb = dialect.db as unknown as typeof kdb;
    await sql`create table notes (id integer primary key, text text not null)`.execute(kdb);
    thread = AlertWriterThread.start({ path })!;
    assert.ok(thread?.route.open(), "the writer thread's modules are beside the build's");
    // As while the writer has pages in hand: every write goes there.
    dialect.routeWrites!({ ...thread.route, backlogged: () => true });
  });
  after(async () => {
    dialect?.routeWrites?.(undefined);
    await thread?.close();
    await dialect?.close();
    await db?.drop();
  });

  const texts = async () => (await kdb.selectFrom("notes").select("text").orderBy("id").execute()).map((r) => r.text);

  it("a transaction that fails halfway leaves nothing, and the next one commits", async () => {
    await assert.rejects(
      dialect.writeTransaction(async (trx) => {
        await (trx as unknown as typeof kdb).insertInto("notes").values({ id: 1, text: "half" }).execute();
        // Its own write is visible inside it.
        assert.deepEqual((await (trx as unknown as typeof kdb).selectFrom("notes").select("text").execute()).map((r) => r.text), ["half"]);
        throw new Error("failed halfway");
      }),
      /failed halfway/,
    );
    assert.deepEqual(await texts(), []);
    await dialect.writeTransaction(async (trx) => {
      await (trx as unknown as typeof kdb).insertInto("notes").values({ id: 2, text: "whole" }).execute();
    });
    assert.deepEqual(await texts(), ["whole"]);
  });

  it("transactions that overlap in time run one after the other, each whole", async () => {
    const write = (id: number, text: string) =>
      dialect.writeTransaction(async (trx) => {
        const t = trx as unknown as typeof kdb;
        const before = (await t.selectFrom("notes").select(sql<number>`count(*)`.as("n")).executeTakeFirstOrThrow()).n;
        await setTimeout(15);
        await t.insertInto("notes").values({ id, text }).execute();
        const after = (await t.selectFrom("notes").select(sql<number>`count(*)`.as("n")).executeTakeFirstOrThrow()).n;
        // No other transaction's row came in between.
        return after - before;
      });
    const added = await Promise.all([write(10, "a"), write(11, "b"), write(12, "c")]);
    assert.deepEqual(added, [1, 1, 1]);
    assert.deepEqual((await texts()).slice(-3), ["a", "b", "c"]);
  });

  it("a statement the writer's connection refuses fails with SQLite's code, and the connection goes on", async () => {
    await assert.rejects(kdb.insertInto("notes").values({ id: 2, text: "again" }).execute(), (error: { code?: string }) => {
      assert.equal(error.code, "SQLITE_CONSTRAINT_PRIMARYKEY");
      return true;
    });
    const r = await kdb.insertInto("notes").values({ id: 20, text: "after" }).executeTakeFirst();
    assert.equal(r.insertId, 20n);
    assert.equal(r.numInsertedOrUpdatedRows, 1n);
  });
});

describe("where the store's writes go while the alert writer thread runs (the store's dialect and threads, as built)", () => {
  let db: TestDatabase;
  let path: string;
  let thread: InstanceType<typeof AlertWriterThread>;
  const tenant = randomTenantId();
  before(async () => {
    db = await createTestDatabase("sqlite");
    path = db.options.url.slice("sqlite:".length);
    const store = await built.openStore(db.options);
    await store.upsertTenant({ id: tenant, name: "Queued", initialState: "consented" });
    await store.close();
    thread = AlertWriterThread.start({ path })!;
    assert.ok(thread?.route.open(), "the writer thread's modules are beside the build's");
  });
  after(async () => {
    await thread?.close();
    await db?.drop();
  });

  /** A dialect on the store file whose writes may go to the thread, with `backlogged` as the route's own or forced. */
  async function dialectOn(backlogged?: () => boolean) {
    const dialect = createSqliteDialect({ path, busyTimeoutMs: 500 });
    // As the store opens it: nothing to migrate, and from then on a busy lock is waited for between tries.
    await dialect.migrate(migrations, new Date().toISOString());
    const kdb = dialect.db as unknown as Kysely<{ notes: { id: number; text: string } }>;
    await sql`create table if not exists notes (id integer primary key, text text not null)`.execute(kdb);
    dialect.routeWrites!(backlogged ? { ...thread.route, backlogged } : thread.route);
    return { dialect, kdb };
  }

  /** Queues `count` pages of the tenant's alerts on the writer thread at once. */
  function queue(count: number, perPage: number, tag: string) {
    let answered = 0;
    const now = new Date().toISOString();
    const pages = Array.from({ length: count }, (_, n) =>
      thread
        .write({
          tenantId: tenant,
          rows: page(n)
            .slice(0, perPage)
            .map((a, i) => toRow({ ...a, id: `${tag}${n}_${i}` }, i, Date.now() * 1000)),
          duplicates: 0,
          stream: "alerts",
          nextCursor: { value: "2024-03-01T10:00:00Z", seenIds: [] },
          now,
        })
        .then((r) => {
          answered++;
          return r;
        }),
    );
    return { pages, answered: () => answered };
  }

  it("a write that finds the lock taken by the writer goes to it, though its backlog is small", { timeout: 120_000 }, async () => {
    // The writer is busy, but says its backlog is small: a write tries the store's own connection first.
    const { dialect, kdb } = await dialectOn(() => false);
    try {
      const queued = queue(PAGES, PER_PAGE, "lk");
      await Promise.race(queued.pages);
      await setTimeout(20);
      assert.ok(queued.answered() < PAGES / 2, `the writer wrote ${queued.answered()} of ${PAGES} pages before the test could write: use larger pages`);
      await kdb.insertInto("notes").values({ id: 1, text: "single" }).execute();
      await dialect.writeTransaction(async (trx) => {
        await (trx as unknown as typeof kdb).insertInto("notes").values({ id: 2, text: "in a transaction" }).execute();
      });
      const leftAtWrites = PAGES - queued.answered();
      const results = await Promise.all(queued.pages);
      assert.equal(
        results.reduce((n, r) => n + r.inserted, 0),
        PAGES * PER_PAGE,
      );
      // Tried here alone, they waited for the whole queue, or failed after the busy timeout (SQLITE_BUSY).
      assert.ok(leftAtWrites > 0, "the writes went in only once every page was written");
      assert.deepEqual((await kdb.selectFrom("notes").select("text").orderBy("id").execute()).map((r) => r.text), ["single", "in a transaction"]);
    } finally {
      dialect.routeWrites!(undefined);
      await dialect.close();
    }
  });

  it("a page that comes while a write transaction holds the lock on the store's connection waits for it, and both are whole", async () => {
    const { dialect, kdb } = await dialectOn();
    try {
      let queued: ReturnType<typeof queue> | undefined;
      await dialect.writeTransaction(async (trx) => {
        const t = trx as unknown as typeof kdb;
        await t.insertInto("notes").values({ id: 10, text: "before the page" }).execute();
        // The writer had nothing in hand when this began: it runs on the store's own connection.
        queued = queue(1, 50, "wt");
        await setTimeout(100);
        assert.equal(queued.answered(), 0, "the page was written inside another connection's transaction");
        await t.insertInto("notes").values({ id: 11, text: "after the page came" }).execute();
      });
      const [result] = await Promise.all(queued!.pages);
      assert.equal(result!.inserted, 50);
      assert.deepEqual((await kdb.selectFrom("notes").select("text").where("id", ">=", 10).orderBy("id").execute()).map((r) => r.text), ["before the page", "after the page came"]);
    } finally {
      dialect.routeWrites!(undefined);
      await dialect.close();
    }
  });
});
