import type Database from "better-sqlite3";
import { setTimeout as sleep } from "node:timers/promises";
import { type DatabaseConnection, type Driver, Kysely, SqliteDialect, sql } from "kysely";
import type { Migration, MigrationOutcome, StoreDialect } from "./dialect.js";
import { bootstrapStatements } from "./migrations.js";
import { migrationPlan } from "./migrator.js";
import type { StoreDatabase } from "./schema-types.js";
import { optimizeSqlite, openSqliteConnection, type SqliteConnectionOptions } from "./sqlite-connection.js";

/**
 * Runs `statement` again while another connection holds the write lock (SQLITE_BUSY), waiting
 * between tries without blocking this thread, until `timeoutMs` have passed. Only statements that
 * take the lock themselves come here busy — `begin immediate` and single writes outside a
 * transaction — and those did nothing before failing, so running them again is safe.
 */
async function retryBusy<T>(statement: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let wait = 1; ; wait = Math.min(wait * 2, 25)) {
    try {
      return await statement();
    } catch (error) {
      if ((error as { code?: unknown })?.code !== "SQLITE_BUSY" || Date.now() >= deadline) throw error;
      await sleep(wait);
    }
  }
}

/** Prepared statements a store's connection keeps for reuse (the most recently used). */
export const STATEMENT_CACHE_SIZE = 128;

/**
 * better-sqlite3's database as Kysely's dialect uses it (`prepare`, `close`), keeping the prepared
 * statements by their SQL text: Kysely asks for a new statement at every query, and SQLite's parse
 * and plan of one cost 13–68 µs on this machine (an update of a tenant; the console's alert page),
 * a sizable part of a short query and of a sync's per-tenant store work. The SQL of a query built
 * twice the same way is the same text, its values being parameters; texts that vary (IN lists,
 * multi-row inserts of other lengths) push the least recently used out. A statement still being
 * iterated (a streamed query) is not handed out again: a new one is prepared beside it. SQLite
 * prepares a kept statement again by itself after a schema change (sqlite.org/c3ref/prepare.html).
 */
export function cachingDatabase(raw: Database.Database, size = STATEMENT_CACHE_SIZE): { prepare(sql: string): Database.Statement; close(): void } {
  const kept = new Map<string, Database.Statement>();
  return {
    prepare(text: string): Database.Statement {
      const hit = kept.get(text);
      if (hit !== undefined) {
        if (hit.busy) return raw.prepare(text);
        // Most recently used last.
        kept.delete(text);
        kept.set(text, hit);
        return hit;
      }
      const statement = raw.prepare(text);
      kept.set(text, statement);
      if (kept.size > size) kept.delete(kept.keys().next().value!);
      return statement;
    },
    close(): void {
      kept.clear();
      raw.close();
    },
  };
}

/**
 * Kysely's SQLite dialect with {@link retryBusy} around every statement: better-sqlite3's own busy
 * timeout waits inside the call, which stops this thread's event loop — a console freezes, a sync
 * stops reading the network — for as long as another writer (the alert writer thread, another
 * process) holds the lock.
 */
class NonBlockingSqliteDialect extends SqliteDialect {
  readonly #timeoutMs: number;

  constructor(database: Database.Database, timeoutMs: number) {
    super({ database: cachingDatabase(database) });
    this.#timeoutMs = timeoutMs;
  }

  override createDriver(): Driver {
    const driver = super.createDriver();
    const timeoutMs = this.#timeoutMs;
    const wrap = (connection: DatabaseConnection): DatabaseConnection => ({
      executeQuery: (query) => retryBusy(() => connection.executeQuery(query), timeoutMs),
      streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
    });
    return new Proxy(driver, {
      get(target, property) {
        if (property === "acquireConnection") return async () => wrap(await target.acquireConnection());
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }
}

/**
 * SQLite through better-sqlite3: one connection per store (Kysely serialises
 * its use), WAL so readers never wait for the writer, and a busy timeout so a
 * second process waits for the write lock instead of failing.
 */
export function createSqliteDialect(options: SqliteConnectionOptions): StoreDialect {
  const memory = options.path === ":memory:";
  const { raw, busyTimeoutMs } = openSqliteConnection(options);
  const db = new Kysely<StoreDatabase>({ dialect: new NonBlockingSqliteDialect(raw, busyTimeoutMs) });
  let closed: Promise<void> | undefined;

  return {
    name: "sqlite",
    db,
    sqliteHandle: raw,
    ...(memory ? {} : { sqlitePath: options.path }),
    // SQLITE_MAX_VARIABLE_NUMBER is 32766 since SQLite 3.32; stay below it.
    maxParameters: 30000,

    async migrate(list: readonly Migration[], now: string): Promise<MigrationOutcome> {
      // Runs synchronously inside BEGIN IMMEDIATE: the write lock is taken
      // before the version is read, so a second process waits (busy timeout)
      // and then finds nothing to do. No await between BEGIN and COMMIT, so
      // other stores in this process cannot interleave with it either.
      const context = { dialect: "sqlite" as const, db };
      const run = (q: { sql: string; parameters: readonly unknown[] }) => raw.prepare(q.sql).run([...q.parameters]);
      const migrateNow = raw.transaction((): MigrationOutcome => {
        for (const q of bootstrapStatements(context)) run(q);
        const row = raw.prepare("select version from store_schema where id = 1").get() as { version: number } | undefined;
        const plan = migrationPlan(context, row?.version ?? 0, list, now);
        for (const q of plan.statements) run(q);
        return plan.outcome;
      });
      const outcome = migrateNow.immediate();
      // Without it a rewritten alerts table would leave the file as large as both tables together.
      if (!memory && list.some((m) => m.rewritesTable && outcome.applied.includes(m.version))) {
        try {
          raw.exec("VACUUM");
        } catch (error) {
          // Best effort: the migration is done; another connection kept the file busy.
          if ((error as { code?: unknown })?.code !== "SQLITE_BUSY") throw error;
          options.onWarning?.(`${options.path} was migrated but not compacted (in use elsewhere): run "VACUUM" on it to reclaim the space`);
        }
      }
      // From here on a busy lock is waited for without blocking the thread (NonBlockingSqliteDialect).
      raw.pragma("busy_timeout = 0");
      return outcome;
    },

    async writeTransaction(fn) {
      // BEGIN IMMEDIATE takes the write lock up front: a deferred transaction
      // that reads first and writes later can fail with SQLITE_BUSY when
      // another process wrote in between, and the busy timeout cannot help then.
      return db.connection().execute(async (conn) => {
        await sql`begin immediate`.execute(conn);
        try {
          const result = await fn(conn);
          await sql`commit`.execute(conn);
          return result;
        } catch (error) {
          if (raw.inTransaction) await sql`rollback`.execute(conn);
          throw error;
        }
      });
    },

    contains(haystack, needle) {
      return sql<boolean>`instr(${haystack}, ${needle}) > 0`;
    },

    close() {
      closed ??= (async () => {
        try {
          // Best effort: skipped while another connection holds the write lock.
          if (raw.open && !raw.readonly) optimizeSqlite(raw);
        } finally {
          await db.destroy();
        }
      })();
      return closed;
    },
  };
}
