/**
 * The query planner's statistics at a connection's close (sqlite-connection.ts `optimizeSqlite`):
 * a store file has two connections — the writer thread's and the store's own — and each one asks
 * SQLite to analyze what is stale before it closes. What one of them analyzed is not analyzed
 * again by the other (a first sync's alerts were: the whole table read a second time, from a cold
 * cache, at the end of the sync).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import Database from "better-sqlite3";
import { optimizeSqlite } from "../src/store/sqlite-connection.js";

const dir = mkdtempSync(join(tmpdir(), "mde-stats-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A file with a table of `rows` rows and two indexes, not analyzed yet, as a new store's alerts
 * before its first sync: the store's other tables already have statistics (a store's first open
 * analyzes them at its close).
 */
function storeFile(name: string, rows: number): string {
  const path = join(dir, name);
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.exec("create table tenants (id text primary key, name text)");
  db.prepare("insert into tenants values (?, ?)").run("contoso", "Contoso");
  db.exec("analyze tenants");
  db.exec("create table alerts (seq integer primary key, tenant_key integer, updated_us integer, status text)");
  db.exec("create index alerts_tenant_updated on alerts (tenant_key, updated_us)");
  db.exec("create index alerts_status on alerts (status)");
  const insert = db.prepare("insert into alerts (tenant_key, updated_us, status) values (?, ?, ?)");
  db.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run(i % 7, i * 1000, ["New", "InProgress", "Resolved"][i % 3]);
  })();
  db.close();
  return path;
}

/** A connection that has used the table the way the planner notes (a query on an index). */
function used(path: string): Database.Database {
  const db = new Database(path);
  db.prepare("select count(*) from alerts where tenant_key = ? and updated_us > ?").get(1, 0);
  db.prepare("select count(*) from alerts where status = ?").get("New");
  return db;
}

const stats = (db: Database.Database) => db.prepare("select idx, stat from sqlite_stat1 where tbl = 'alerts' order by idx").all();

describe("statistics at close", () => {
  it("a table never analyzed is analyzed at a connection's close", () => {
    const path = storeFile("first.db", 5_000);
    const db = used(path);
    optimizeSqlite(db);
    const rows = stats(db) as Array<{ idx: string; stat: string }>;
    db.close();
    assert.deepEqual(
      rows.map((r) => r.idx),
      ["alerts_status", "alerts_tenant_updated"],
    );
    assert.ok(rows.every((r) => r.stat.startsWith("5000 ")), "each index's row count");
  });

  it("what one connection analyzed, the other one does not analyze again at its close", () => {
    const path = storeFile("two.db", 5_000);
    const store = used(path); // the store's own connection, opened first
    const writer = used(path); // the writer thread's
    const observer = new Database(path);
    optimizeSqlite(writer);
    writer.close();
    const version = observer.pragma("data_version", { simple: true });
    assert.equal(stats(observer).length, 2, "the writer's connection analyzed the table");
    optimizeSqlite(store);
    // data_version changes for a connection when another one commits a change to the file.
    assert.equal(observer.pragma("data_version", { simple: true }), version, "the store's connection wrote no statistics again");
    store.close();
    observer.close();
  });
});
