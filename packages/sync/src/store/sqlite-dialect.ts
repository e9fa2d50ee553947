import type Database from "better-sqlite3";
import { setTimeout as sleep } from "node:timers/promises";
import { CompiledQuery, type DatabaseConnection, type Driver, Kysely, type QueryResult, SqliteAdapter, SqliteDialect, SqliteIntrospector, SqliteQueryCompiler, sql } from "kysely";
import type { Migration, MigrationOutcome, StoreDialect, WriteRoute } from "./dialect.js";
import { bootstrapStatements } from "./migrations.js";
import { migrationPlan } from "./migrator.js";
import type { StoreDatabase } from "./schema-types.js";
import { cachingDatabase, optimizeSqlite, openSqliteConnection, type SqliteConnectionOptions } from "./sqlite-connection.js";

export { cachingDatabase, STATEMENT_CACHE_SIZE } from "./sqlite-connection.js";

/**
 * Runs `statement` again (`again`: after a try that found the lock taken) while another connection
 * holds the write lock (SQLITE_BUSY), waiting between tries without blocking this thread, until
 * `timeoutMs` have passed. Only statements that take the lock themselves come here busy — `begin
 * immediate` and single writes outside a transaction — and those did nothing before failing, so
 * running them again is safe.
 */
async function retryBusy<T>(statement: (again: boolean) => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let wait = 1, again = false; ; wait = Math.min(wait * 2, 25), again = true) {
    try {
      return await statement(again);
    } catch (error) {
      if ((error as { code?: unknown })?.code !== "SQLITE_BUSY" || Date.now() >= deadline) throw error;
      await sleep(wait);
    }
  }
}

/** Statements that only read: they stay on the store's connection (WAL: never behind the writer's lock). */
function onlyReads(query: CompiledQuery): boolean {
  return query.query.kind === "SelectQueryNode" || (query.query.kind === "RawNode" && /^\s*select\b/i.test(query.sql));
}

/** Statements that begin or end a transaction or savepoint: they stay where the transaction is. */
function controlsTransaction(query: CompiledQuery): boolean {
  return query.query.kind === "RawNode" && /^\s*(begin|commit|end|rollback|savepoint|release)\b/i.test(query.sql);
}

/** A Kysely instance of the store's schema over `driver` (SQLite's adapter, compiler and introspector). */
function kyselyOver(driver: Driver): Kysely<StoreDatabase> {
  return new Kysely<StoreDatabase>({
    dialect: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => driver,
      createIntrospector: (db) => new SqliteIntrospector(db),
      createQueryCompiler: () => new SqliteQueryCompiler(),
    },
  });
}

/** What a driver of this file needs besides connections: nothing, or the one owner's init and destroy. */
const NO_LIFECYCLE = {
  init: async () => {},
  destroy: async () => {},
  beginTransaction: async () => {
    throw new TypeError("use writeTransaction");
  },
  commitTransaction: async () => {},
  rollbackTransaction: async () => {},
};

const BEGIN_IMMEDIATE = CompiledQuery.raw("begin immediate");

/** A write transaction on the route (dialect.ts WriteRoute), begun there: each of its statements runs there. */
class RoutedTransaction implements DatabaseConnection {
  constructor(
    private readonly route: WriteRoute,
    private readonly transaction: number,
  ) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (!controlsTransaction(query)) return this.route.run<R>(query, this.transaction);
    const commit = /^\s*commit\b/i.test(query.sql);
    const ended = this.route.end(this.transaction, commit);
    // The writer ends a transaction whose commit failed itself: a rollback after it does nothing.
    return (commit ? ended : ended.catch(() => {})).then(() => ({ rows: [] }));
  }

  streamQuery(): never {
    throw new TypeError("a write transaction does not stream");
  }
}

/** A write transaction on the store's own connection, taken and begun (BEGIN IMMEDIATE) for it. */
class LocalTransaction implements DatabaseConnection {
  constructor(
    readonly connection: DatabaseConnection,
    private readonly raw: Database.Database,
  ) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    // A commit that failed may have ended the transaction already (SQLite rolls some back itself).
    if (query.query.kind === "RawNode" && !this.raw.inTransaction && /^\s*rollback\b/i.test(query.sql)) return Promise.resolve({ rows: [] });
    return this.connection.executeQuery<R>(query);
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.connection.streamQuery<R>(query, chunkSize);
  }
}

/**
 * The store's Kysely instances over its one better-sqlite3 connection (Kysely's SQLite driver,
 * which lets one caller at a time use it). A statement that finds the write lock taken by another
 * process is tried again ({@link retryBusy}) with the connection let go meanwhile: better-sqlite3's
 * own busy timeout waits inside the call, which stops this thread's event loop, and a retry that
 * kept the connection held every read behind it — a console froze for as long as a sync in another
 * process kept writing.
 *
 * While the alert writer thread runs (`route`, dialect.ts WriteRoute), a write goes to its
 * connection, without taking this one, when the writer has more than a moment's work in hand or the
 * write found the lock taken here: reads go on here meanwhile, and several tenants' writes are
 * queued there together instead of one at a time behind this connection.
 *
 * - `db`: the store's queries, each statement on its own: reads here, writes where they go;
 * - `writing`: a write transaction, begun where it goes when it is handed out, every statement of it there.
 */
function sqliteKyselys(raw: Database.Database, timeoutMs: number) {
  const driver = new SqliteDialect({ database: cachingDatabase(raw) }).createDriver();
  let initialized: Promise<void> | undefined;
  let route: WriteRoute | undefined;
  /** Where a write goes (undefined: here): the route while it is open, when the writer is backlogged or a try here found the lock taken. */
  const routeFor = (again: boolean): WriteRoute | undefined => (route?.open() && (again || route.backlogged()) ? route : undefined);

  /** This connection, taken (Kysely's mutex) until {@link give}n back. */
  const take = async (): Promise<DatabaseConnection> => {
    await (initialized ??= driver.init());
    return driver.acquireConnection();
  };
  const give = (connection: DatabaseConnection) => driver.releaseConnection(connection);
  const onThisConnection = async <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
    const connection = await take();
    try {
      return await connection.executeQuery<R>(query);
    } finally {
      await give(connection);
    }
  };

  /** Each statement where it goes, taking this connection for each try that runs here. */
  const perStatement: DatabaseConnection = {
    executeQuery<R>(query: CompiledQuery) {
      if (onlyReads(query) || controlsTransaction(query)) return retryBusy(() => onThisConnection<R>(query), timeoutMs);
      return retryBusy((again) => routeFor(again)?.run<R>(query) ?? onThisConnection<R>(query), timeoutMs);
    },
    async *streamQuery(query, chunkSize) {
      const connection = await take();
      try {
        yield* connection.streamQuery(query, chunkSize);
      } finally {
        await give(connection);
      }
    },
  };

  const db = kyselyOver({
    ...NO_LIFECYCLE,
    destroy: () => driver.destroy(),
    acquireConnection: async () => perStatement,
    releaseConnection: async () => {},
  });
  let transactions = 0;
  const writing = kyselyOver({
    ...NO_LIFECYCLE,
    acquireConnection: () =>
      retryBusy(async (again): Promise<DatabaseConnection> => {
        const on = routeFor(again);
        if (on) {
          const transaction = ++transactions;
          await on.begin(transaction);
          return new RoutedTransaction(on, transaction);
        }
        const connection = await take();
        try {
          await connection.executeQuery(BEGIN_IMMEDIATE);
          return new LocalTransaction(connection, raw);
        } catch (error) {
          await give(connection);
          throw error;
        }
      }, timeoutMs),
    releaseConnection: async (connection) => {
      if (connection instanceof LocalTransaction) await give(connection.connection);
    },
  });
  return {
    db,
    writing,
    setRoute(next: WriteRoute | undefined) {
      route = next;
    },
  };
}

/**
 * SQLite through better-sqlite3: one connection per store (Kysely serialises
 * its use), WAL so readers never wait for the writer, and a busy timeout so a
 * second process waits for the write lock instead of failing.
 */
export function createSqliteDialect(options: SqliteConnectionOptions): StoreDialect {
  const memory = options.path === ":memory:";
  const { raw, busyTimeoutMs } = openSqliteConnection(options);
  const connections = sqliteKyselys(raw, busyTimeoutMs);
  const { db } = connections;
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
      // From here on a busy lock is waited for without blocking the thread (sqliteKyselys).
      raw.pragma("busy_timeout = 0");
      return outcome;
    },

    async writeTransaction(fn) {
      // BEGIN IMMEDIATE (when the connection is handed out) takes the write lock up front: a
      // deferred transaction that reads first and writes later can fail with SQLITE_BUSY when
      // another process wrote in between, and waiting cannot help then.
      return connections.writing.connection().execute(async (conn) => {
        try {
          const result = await fn(conn);
          await sql`commit`.execute(conn);
          return result;
        } catch (error) {
          await sql`rollback`.execute(conn);
          throw error;
        }
      });
    },

    routeWrites(route) {
      connections.setRoute(route);
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
