/**
 * An SQLite store whose file another process is writing (a console beside a `sync` run from cron):
 * the store's writes wait for the other process's write lock, and its reads go on meanwhile. The
 * store has one connection, which a write that kept it while waiting (up to the busy timeout,
 * 15 s) held every read behind: the console froze.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { after, before, describe, it } from "node:test";
import { setTimeout } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { openStore, type Store } from "@mde-partner/sync";
import { createTestDatabase, randomTenantId, type TestDatabase } from "./helpers/databases.js";

/** Another process holding the file's write lock (BEGIN IMMEDIATE) until its stdin closes. */
async function holdWriteLock(path: string) {
  const child = spawn(
    process.execPath,
    [
      "-e",
      `const db = new (require("better-sqlite3"))(process.argv[1]);
       db.exec("begin immediate");
       process.stdout.write("locked\\n");
       process.stdin.resume();
       process.stdin.on("end", () => { db.exec("commit"); db.close(); });`,
      path,
    ],
    { cwd: fileURLToPath(new URL("..", import.meta.url)), stdio: ["pipe", "pipe", "inherit"] },
  );
  const [line] = (await once(child.stdout!, "data")) as [Buffer];
  assert.equal(line.toString().trim(), "locked");
  return {
    release: async () => {
      child.stdin!.end();
      if (child.exitCode === null) await once(child, "exit");
    },
  };
}

describe("an SQLite store beside another process that holds the write lock", () => {
  let db: TestDatabase;
  let store: Store;
  const known = randomTenantId();
  before(async () => {
    db = await createTestDatabase("sqlite");
    store = await openStore(db.options);
    await store.upsertTenant({ id: known, name: "Known", initialState: "consented" });
  });
  after(async () => {
    await store?.close();
    await db?.drop();
  });

  it("its reads answer while its writes wait, and the writes go in once the lock is free", { timeout: 60_000 }, async () => {
    const other = await holdWriteLock(db.options.url.slice("sqlite:".length));
    let released = false;
    try {
      const added = randomTenantId();
      const settled: string[] = [];
      // A write transaction and a single statement, both waiting for the lock.
      const writes = [
        store.upsertTenant({ id: added, name: "Added while locked" }).then(() => settled.push("upsertTenant")),
        store.startSyncRun(known, "alerts").then(() => settled.push("startSyncRun")),
      ];
      await setTimeout(100);
      // The reads do not wait for them (before: they waited until the other process let go,
      // here after 1.5 s).
      const release = setTimeout(1500).then(() => ((released = true), other.release()));
      const tenant = await store.getTenant(known);
      const tenants = await store.listTenants();
      const runs = await store.listSyncRuns({ tenantId: known });
      assert.equal(released, false, "the reads waited for the other process's lock");
      assert.deepEqual(settled, [], "the writes went in while the other process held the lock");
      assert.equal(tenant?.name, "Known");
      assert.deepEqual(
        tenants.map((t) => t.id),
        [known],
      );
      assert.deepEqual(runs, []);

      await release;
      await Promise.all(writes);
      assert.deepEqual([...settled].sort(), ["startSyncRun", "upsertTenant"]);
      assert.equal((await store.getTenant(added))?.name, "Added while locked");
      assert.equal((await store.listSyncRuns({ tenantId: known })).length, 1);
    } finally {
      if (!released) await other.release();
    }
  });
});
