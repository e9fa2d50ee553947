import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { afterEach, beforeEach, describe, it } from "node:test";
import { type MigrationContext, openStore, parseStoreUrl, STORE_SCHEMA_VERSION, StoreError } from "@mde-partner/sync";
import { createTestDatabase, DIALECTS, randomTenantId, type TestDatabase } from "./helpers/databases.js";

const root = new URL("../../../", import.meta.url).pathname;
/** Every version an empty database goes through. */
const ALL_VERSIONS = Array.from({ length: STORE_SCHEMA_VERSION }, (_, i) => i + 1);

/** Opens the store in a separate Node process and returns its migration outcome. */
async function openInChild(options: TestDatabase["options"]): Promise<{ from: number; to: number; applied: number[] }> {
  const code = `
    import { openStore } from "@mde-partner/sync";
    const store = await openStore(JSON.parse(process.env.STORE_OPTIONS));
    process.stdout.write(JSON.stringify(store.migration));
    await store.close();`;
  const child = spawn(process.execPath, ["--import", "tsx", "--conditions=development", "--input-type=module", "-e", code], {
    cwd: root,
    env: { ...process.env, STORE_OPTIONS: JSON.stringify(options) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  const [status] = (await once(child, "exit")) as [number];
  assert.equal(status, 0, `child failed: ${err}`);
  return JSON.parse(out);
}

for (const dialect of DIALECTS) {
  describe(`store migrations (${dialect})`, () => {
    let db: TestDatabase;
    beforeEach(async () => {
      db = await createTestDatabase(dialect);
    });
    afterEach(() => db.drop());

    it("applies the schema once and is a no-op when opened again", async () => {
      const first = await openStore(db.options);
      assert.equal(first.dialect, dialect);
      assert.deepEqual(first.migration, { from: 0, to: STORE_SCHEMA_VERSION, applied: ALL_VERSIONS });
      const tenant = randomTenantId();
      await first.upsertTenant({ id: tenant, name: "Contoso" });
      await first.close();
      await first.close(); // safe twice

      const second = await openStore(db.options);
      assert.deepEqual(second.migration, { from: STORE_SCHEMA_VERSION, to: STORE_SCHEMA_VERSION, applied: [] });
      assert.equal((await second.getTenant(tenant))?.name, "Contoso", "data survives reopening");
      await second.close();

      const history = await db.query<{ version: number }>("select version from store_migrations");
      assert.equal(history.length, ALL_VERSIONS.length);
      const version = await db.query<{ version: number }>("select version from store_schema");
      assert.deepEqual(
        version.map((r) => Number(r.version)),
        [STORE_SCHEMA_VERSION],
      );
    });

    it("two store instances opening at the same time both succeed, migrating once", async () => {
      const stores = await Promise.all([openStore(db.options), openStore(db.options)]);
      try {
        const applied = stores.map((s) => s.migration.applied.length).sort();
        assert.deepEqual(applied, [0, ALL_VERSIONS.length]);
        const tenant = randomTenantId();
        await stores[0]!.upsertTenant({ id: tenant, name: "Fabrikam" });
        assert.equal((await stores[1]!.getTenant(tenant))?.name, "Fabrikam");
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
      assert.equal((await db.query("select version from store_migrations")).length, ALL_VERSIONS.length);
    });

    it("two processes opening at the same time both succeed, migrating once", async () => {
      const outcomes = await Promise.all([openInChild(db.options), openInChild(db.options)]);
      assert.deepEqual(outcomes.map((o) => o.applied.length).sort(), [0, ALL_VERSIONS.length]);
      for (const o of outcomes) assert.equal(o.to, STORE_SCHEMA_VERSION);
      assert.equal((await db.query("select version from store_migrations")).length, ALL_VERSIONS.length);
    });

    it("refuses a database whose schema is newer than the code, with a typed one-line error", async () => {
      await (await openStore(db.options)).close();
      await db.exec(`update store_schema set version = ${STORE_SCHEMA_VERSION + 1} where id = 1`);
      await assert.rejects(openStore(db.options), (error: unknown) => {
        assert.ok(error instanceof StoreError);
        assert.equal(error.code, "ERR_STORE_SCHEMA_NEWER");
        assert.doesNotMatch(error.message, /\n/);
        assert.match(error.message, new RegExp(`version ${STORE_SCHEMA_VERSION + 1} is newer`));
        assert.match(error.message, /upgrade mde-partner/);
        return true;
      });
      const version = await db.query<{ version: number }>("select version from store_schema");
      assert.equal(Number(version[0]?.version), STORE_SCHEMA_VERSION + 1, "the newer version is left alone");
    });

    it("applies a later migration on top of an existing database", async () => {
      await (await openStore(db.options)).close();
      const { migrations } = await import("../src/store/migrations.js");
      const extra = {
        version: STORE_SCHEMA_VERSION + 1,
        name: "test: add a table",
        statements: (ctx: MigrationContext) => [ctx.db.schema.createTable("test_extra").addColumn("x", "integer").compile()],
      };
      const store = await openStore({ ...db.options, migrations: [...migrations, extra] });
      assert.deepEqual(store.migration.applied, [STORE_SCHEMA_VERSION + 1]);
      await store.close();
      assert.deepEqual(await db.query("select x from test_extra"), []);
    });
  });
}

describe("store url", () => {
  it("recognises sqlite paths, :memory: and postgres URLs", () => {
    assert.deepEqual(parseStoreUrl("sqlite:/var/lib/mde/mde-partner.db"), { dialect: "sqlite", path: "/var/lib/mde/mde-partner.db" });
    assert.deepEqual(parseStoreUrl("sqlite:///var/x.db"), { dialect: "sqlite", path: "/var/x.db" });
    assert.deepEqual(parseStoreUrl("./data/x.db"), { dialect: "sqlite", path: "./data/x.db" });
    assert.deepEqual(parseStoreUrl(":memory:"), { dialect: "sqlite", path: ":memory:" });
    assert.deepEqual(parseStoreUrl("postgres://u@h:5432/db?schema=s1"), {
      dialect: "postgres",
      connectionString: "postgres://u@h:5432/db",
      schema: "s1",
    });
    assert.throws(() => parseStoreUrl("mysql://h/db"), TypeError);
    assert.throws(() => parseStoreUrl(""), TypeError);
  });

  it("works in memory", async () => {
    const store = await openStore({ url: ":memory:" });
    const tenant = randomTenantId();
    await store.upsertTenant({ id: tenant, name: "In memory" });
    assert.equal((await store.listTenants()).length, 1);
    await store.close();
  });
});
