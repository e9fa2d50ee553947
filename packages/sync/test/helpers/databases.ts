// Test databases for the store: every test gets its own, on every dialect.
// SQLite: a file in a fresh temp directory. PostgreSQL: a schema with a random
// name in the database of PG_URL (default postgres://postgres@127.0.0.1:5432/test,
// as on the project's machines and in CI), dropped afterwards.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach } from "node:test";
import { openStore, type Store } from "@mde-partner/sync";
import { lateBound } from "@mde-partner/test-kit";
import Database from "better-sqlite3";
import pg from "pg";

export const PG_URL = process.env.PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** The dialects every store test runs on. */
export const DIALECTS = ["sqlite", "postgres"] as const;
export type TestDialect = (typeof DIALECTS)[number];

export interface TestDatabase {
  readonly dialect: TestDialect;
  /** What to pass to `openStore` (plus any other option). */
  readonly options: { readonly url: string; readonly schema?: string };
  /** Runs SQL directly on the database, bypassing the store (to simulate other writers). */
  exec(statement: string): Promise<void>;
  /** Runs a query directly and returns its rows. */
  query<T>(statement: string): Promise<T[]>;
  /** Removes the database; safe to call twice. */
  drop(): Promise<void>;
}

async function withPg<T>(schema: string | null, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    if (schema) await client.query(`set search_path to ${schema}`);
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database of `dialect` for one test. */
export async function createTestDatabase(dialect: TestDialect): Promise<TestDatabase> {
  if (dialect === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "mde-store-test-"));
    const path = join(dir, "store.db");
    const withDb = <T>(fn: (db: Database.Database) => T): T => {
      const db = new Database(path, { timeout: 5000 });
      try {
        return fn(db);
      } finally {
        db.close();
      }
    };
    return {
      dialect,
      options: { url: `sqlite:${path}` },
      exec: async (statement) => withDb((db) => void db.exec(statement)),
      query: async <T>(statement: string) => withDb((db) => db.prepare(statement).all() as T[]),
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const schema = `store_test_${randomBytes(6).toString("hex")}`;
  let dropped = false;
  return {
    dialect,
    options: { url: PG_URL, schema },
    exec: (statement) => withPg(schema, async (c) => void (await c.query(statement))),
    query: <T>(statement: string) => withPg(schema, async (c) => (await c.query(statement)).rows as T[]),
    drop: async () => {
      if (dropped) return;
      dropped = true;
      await withPg(null, (c) => c.query(`drop schema if exists ${schema} cascade`));
    },
  };
}

/** A random tenant id (GUID). */
export function randomTenantId(): string {
  return crypto.randomUUID();
}

/**
 * A fresh store on `dialect` for every test of the enclosing `describe`:
 * opened in `beforeEach` (by `open`, default the database's own options),
 * closed and dropped in `afterEach`. The stand-ins returned read the current ones.
 */
export function storePerTest(
  dialect: TestDialect,
  open: (db: TestDatabase) => Promise<Store> = (db) => openStore(db.options),
): { store: Store; db: TestDatabase } {
  let db: TestDatabase | undefined;
  let store: Store | undefined;
  beforeEach(async () => {
    db = await createTestDatabase(dialect);
    store = await open(db);
  });
  afterEach(async () => {
    await store?.close();
    await db?.drop();
  });
  return { store: lateBound(() => store, "store"), db: lateBound(() => db, "database") };
}
