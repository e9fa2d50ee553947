// Who can read the embedded store: real SQLite files under the usual umask 022,
// which would make anything created without an explicit mode world-readable.
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { openStore } from "@mde-partner/sync";
import Database from "better-sqlite3";
import { randomTenantId } from "./helpers/databases.js";

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8).padStart(4, "0");
const alert = (id: string) => ({ id, title: "t", severity: "High", status: "New", lastUpdateTime: "2025-01-01T00:00:00.0000000Z" });

describe("store file modes (sqlite, umask 022)", { skip: process.platform === "win32" ? "POSIX modes" : false }, () => {
  let dir: string;
  let umask: number;
  before(() => {
    umask = process.umask(0o022);
    dir = mkdtempSync(join(tmpdir(), "mde-store-mode-"));
  });
  after(() => {
    process.umask(umask);
    rmSync(dir, { recursive: true, force: true });
  });

  it("creates the folder 0700 and the database, -wal and -shm 0600", async () => {
    const path = join(dir, "new", "deeper", "x.db");
    const store = await openStore({ url: `sqlite:${path}` });
    try {
      const tenant = randomTenantId();
      await store.upsertTenant({ id: tenant, name: "Contoso" });
      await store.applyAlertPage(tenant, [alert("a1"), alert("a2")], { value: null, seenIds: [] });
      // While the store is open (WAL mode) its companions exist: every one is the owner's only.
      assert.ok(existsSync(`${path}-wal`) && existsSync(`${path}-shm`), "WAL files exist while open");
      assert.deepEqual(
        [path, `${path}-wal`, `${path}-shm`].map(mode),
        ["0600", "0600", "0600"],
      );
      assert.equal(mode(join(dir, "new")), "0700");
      assert.equal(mode(join(dir, "new", "deeper")), "0700");
    } finally {
      await store.close();
    }
  });

  it("tightens an existing world-readable store of this user to 0600 and says so", async () => {
    const path = join(dir, "old.db");
    // A store made before: SQLite itself creates it 0644 under umask 022.
    const raw = new Database(path);
    raw.pragma("journal_mode = WAL");
    raw.exec("create table t (x)");
    raw.close();
    chmodSync(path, 0o644);
    assert.equal(mode(path), "0644");
    const warnings: string[] = [];
    const store = await openStore({ url: `sqlite:${path}`, onWarning: (m) => warnings.push(m) });
    try {
      await store.upsertTenant({ id: randomTenantId(), name: "Fabrikam" });
      assert.deepEqual([path, `${path}-wal`, `${path}-shm`].map(mode), ["0600", "0600", "0600"]);
    } finally {
      await store.close();
    }
    assert.equal(warnings.length, 1, warnings.join("\n"));
    assert.match(warnings[0]!, /old\.db was readable by other users: its mode is now 0600/);
  });
});
