import type Database from "better-sqlite3";
import type { CompiledQuery, Expression, Kysely, QueryResult, SqlBool } from "kysely";
import type { StoreDatabase } from "./schema-types.js";

/** The database engines the store runs on. */
export type DialectName = "sqlite" | "postgres";

/** What a migration needs to describe DDL that both engines accept. */
export interface MigrationContext {
  readonly dialect: DialectName;
  /** Kysely instance used only to compile statements for this dialect. */
  readonly db: Kysely<StoreDatabase>;
}

/** One versioned schema change: an ordered list of statements compiled for the dialect. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  statements(context: MigrationContext): CompiledQuery[];
  /**
   * The migration rewrites a large table: SQLite gives the old table's pages back to the file
   * system afterwards (VACUUM, outside the migration's transaction). PostgreSQL frees a dropped
   * table's storage by itself.
   */
  readonly rewritesTable?: boolean;
}

/** Outcome of applying migrations at open time. */
export interface MigrationOutcome {
  /** Schema version found before migrating (0 for an empty database). */
  readonly from: number;
  /** Schema version after migrating. */
  readonly to: number;
  /** Versions applied by this call (empty when another process, or an earlier run, already did). */
  readonly applied: readonly number[];
}

/**
 * The alert writer thread's connection, taking the store's own writes (alert-writer-client.ts).
 * Two connections writing one SQLite file take its write lock in turn, and the writer starts its
 * next transaction the moment the last one committed: a write of the store's connection waited
 * until the writer had no page queued (on a sync's benchmark 140–680 ms, and the tenants behind it
 * did not start), and while it waited Kysely's one connection held every read behind it. On the
 * writer's own connection the statement runs between two of its transactions, and keeps its page
 * cache, which a commit of another connection would make SQLite drop (WAL mode).
 *
 * A write goes there when the writer has more than a moment's work in hand, or when it found the
 * lock taken on the store's connection: a trip to the writer's thread and back costs more than a
 * small write on the store's own connection, and a writer with a page or two of a few alerts holds
 * the lock only briefly.
 */
export interface WriteRoute {
  /** Whether statements can go there now (the thread runs). */
  open(): boolean;
  /** Whether the writer has more than a moment's work in hand (pages sent to its threads, not yet answered). */
  backlogged(): boolean;
  /** Runs one statement there: on its own, or as part of the write transaction `transaction` begun there. */
  run<R>(query: CompiledQuery, transaction?: number): Promise<QueryResult<R>>;
  /**
   * Opens write transaction `transaction` there (BEGIN IMMEDIATE) once the one open ends: until
   * {@link end}, the writer runs only its statements, and no page.
   */
  begin(transaction: number): Promise<void>;
  /** Commits or rolls back `transaction` (nothing when it already ended: a commit that failed rolled it back). */
  end(transaction: number, commit: boolean): Promise<void>;
}

/**
 * The small surface that differs between SQLite and PostgreSQL. Everything
 * else (schema, queries, repositories) is shared and written once in Kysely.
 */
export interface StoreDialect {
  readonly name: DialectName;
  readonly db: Kysely<StoreDatabase>;
  /**
   * SQLite only: the connection under Kysely, for the hot write paths that reuse prepared
   * statements (alerts-write.ts). Used only inside {@link writeTransaction}, which holds it.
   */
  readonly sqliteHandle?: Database.Database;
  /** SQLite file stores: the file (absent for `:memory:` and PostgreSQL). */
  readonly sqlitePath?: string;
  /** Most bind parameters one statement may carry (batched inserts are sized from it). */
  readonly maxParameters: number;
  /** Applies pending migrations under the engine's cross-process lock; refuses a newer schema. */
  migrate(migrations: readonly Migration[], now: string): Promise<MigrationOutcome>;
  /** Runs `fn` in a transaction that is going to write (SQLite: `BEGIN IMMEDIATE`). */
  writeTransaction<T>(fn: (trx: Kysely<StoreDatabase>) => Promise<T>): Promise<T>;
  /**
   * SQLite file stores: sends the store's writes — its single statements and its write
   * transactions, not its reads — to `route` (the alert writer thread's connection) until called
   * again with undefined. See {@link WriteRoute}.
   */
  routeWrites?(route: WriteRoute | undefined): void;
  /** SQL boolean: `haystack` contains `needle` as a plain substring (no wildcards). */
  contains(haystack: Expression<string>, needle: string): Expression<SqlBool>;
  /** Housekeeping before closing (e.g. SQLite `PRAGMA optimize`), then releases connections. */
  close(): Promise<void>;
}
