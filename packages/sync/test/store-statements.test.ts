/**
 * The store's prepared statements (sqlite-dialect.ts `cachingDatabase`): a query built the same way
 * again runs on the statement prepared the first time, while every answer stays what a fresh
 * statement gives — during a streamed read of the same query, after another connection changed
 * the schema, and beyond the number of statements kept.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import Database from "better-sqlite3";
import { Kysely, SqliteDialect, sql } from "kysely";
import { cachingDatabase } from "../src/store/sqlite-dialect.js";
import { openStore } from "../src/store/open-store.js";

const dir = mkdtempSync(join(tmpdir(), "mde-statements-"));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Db {
  items: { id: number; name: string };
}

/** A file with `items` (1..n), a connection to it that counts what it prepares, and Kysely over that connection through the cache. */
function setup(name: string, n: number, size?: number) {
  const path = join(dir, name);
  const raw = new Database(path);
  raw.pragma("journal_mode = WAL");
  raw.exec("create table items (id integer primary key, name text not null)");
  const insert = raw.prepare("insert into items (id, name) values (?, ?)");
  for (let i = 1; i <= n; i++) insert.run(i, `item ${i}`);
  const prepared: string[] = [];
  const prepare = raw.prepare.bind(raw);
  // Counting, not replacing: every statement still comes from better-sqlite3.
  raw.prepare = ((text: string) => (prepared.push(text), prepare(text))) as typeof raw.prepare;
  const db = new Kysely<Db>({ dialect: new SqliteDialect({ database: cachingDatabase(raw, size) }) });
  return { path, raw, db, prepared };
}

describe("prepared statements", () => {
  it("a query built again runs on the statement prepared for it the first time", async () => {
    const { db, prepared } = setup("reuse.db", 10);
    try {
      const names: string[] = [];
      for (const id of [3, 7, 9]) names.push((await db.selectFrom("items").select("name").where("id", "=", id).executeTakeFirstOrThrow()).name);
      assert.deepEqual(names, ["item 3", "item 7", "item 9"]);
      for (const id of [1, 2]) await db.updateTable("items").set({ name: `renamed ${id}` }).where("id", "=", id).execute();
      assert.deepEqual(await db.selectFrom("items").select("name").where("id", "<=", 2).orderBy("id").execute(), [{ name: "renamed 1" }, { name: "renamed 2" }]);
      // One select by id, one update, one select of a range: three texts, three statements.
      assert.equal(prepared.length, 3, prepared.join("\n"));
    } finally {
      await db.destroy();
    }
  });

  it("a streamed query left early frees its statement for the next run of that query", async () => {
    const { db, prepared } = setup("stream.db", 50);
    try {
      const query = () => db.selectFrom("items").select(["id", "name"]).where("id", ">", 0).orderBy("id");
      const seen: number[] = [];
      for await (const row of query().stream(5)) {
        seen.push(row.id);
        if (row.id === 10) break;
      }
      assert.deepEqual(seen, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      assert.equal((await query().execute()).length, 50);
      assert.equal(prepared.length, 1, "the stream's statement ran the query again");
    } finally {
      await db.destroy();
    }
  });

  it("a statement busy with an unfinished read is not handed out again", () => {
    const { raw, prepared } = setup("busy.db", 20);
    const cache = cachingDatabase(raw);
    try {
      const text = "select id from items order by id";
      const first = cache.prepare(text);
      const reading = first.iterate() as IterableIterator<{ id: number }>;
      assert.equal(reading.next().value?.id, 1);
      const second = cache.prepare(text);
      assert.notEqual(second, first);
      assert.equal((second.all() as unknown[]).length, 20);
      assert.equal(reading.next().value?.id, 2, "the first read goes on where it was");
      reading.return?.();
      assert.equal(cache.prepare(text), first, "once the read is done its statement is reused");
      assert.equal(prepared.length, 2);
    } finally {
      cache.close();
    }
  });

  it("a kept statement answers for the schema another connection changed", async () => {
    const { path, db } = setup("schema.db", 3);
    try {
      const all = () => db.selectFrom("items").selectAll().orderBy("id").execute() as Promise<Array<Record<string, unknown>>>;
      assert.deepEqual(Object.keys((await all())[0]!), ["id", "name"]);
      const other = new Database(path);
      other.exec("alter table items add column tag text not null default 'new'");
      other.close();
      const rows = await all();
      assert.deepEqual(rows[0], { id: 1, name: "item 1", tag: "new" });
    } finally {
      await db.destroy();
    }
  });

  it("no more statements are kept than its size, the least recently used going first", async () => {
    const { db, prepared } = setup("size.db", 10, 2);
    try {
      const byId = (id: number) => db.selectFrom("items").select("name").where("id", "=", id).execute();
      const byName = (name: string) => db.selectFrom("items").select("id").where("name", "=", name).execute();
      const count = () => db.selectFrom("items").select(sql<number>`count(*)`.as("n")).execute();
      await byId(1);
      await byName("item 2");
      await byId(3); // byId is now the most recently used
      await count(); // byName goes
      assert.equal(prepared.length, 3);
      await byId(4);
      assert.equal(prepared.length, 3, "kept: byId, count");
      await byName("item 5");
      assert.equal(prepared.length, 4, "byName was prepared again");
      assert.deepEqual(await byName("item 6"), [{ id: 6 }]);
    } finally {
      await db.destroy();
    }
  });

  it("a store's queries keep their answers with statements reused", async () => {
    const store = await openStore({ url: `sqlite:${join(dir, "store.db")}` });
    try {
      const ids = ["11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"];
      for (const [i, id] of ids.entries()) await store.upsertTenant({ id, name: `Tenant ${i}`, initialState: "consented" });
      for (let round = 0; round < 3; round++) {
        for (const [i, id] of ids.entries()) await store.upsertTenant({ id, name: `Tenant ${i} round ${round}`, initialState: "consented" });
        const names = (await store.listTenants()).map((t) => t.name).sort();
        assert.deepEqual(names, [`Tenant 0 round ${round}`, `Tenant 1 round ${round}`]);
      }
    } finally {
      await store.close();
    }
  });
});
