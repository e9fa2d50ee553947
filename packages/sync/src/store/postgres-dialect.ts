import { Kysely, PostgresDialect, sql } from "kysely";
import { loadPg } from "./pg-modules.js";
import type { Migration, MigrationOutcome, StoreDialect } from "./dialect.js";
import { bootstrapStatements } from "./migrations.js";
import { migrationPlan } from "./migrator.js";
import type { StoreDatabase } from "./schema-types.js";
import { advisoryLockKey } from "./advisory-lock.js";

/** Options of the PostgreSQL engine. */
export interface PostgresDialectOptions {
  /** `postgres://user@host:port/database`. */
  readonly connectionString: string;
  /** Schema holding the store's tables (created when missing); default: the server's search_path. */
  readonly schema?: string;
  /** Pool size (default 10). */
  readonly maxConnections?: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/** First key of the advisory lock: "MDE" in ASCII, so other applications' locks do not collide. */
const LOCK_CLASS = 0x4d4445;

/**
 * PostgreSQL through a `pg` Pool. BIGINT (identity ids, `count(*)`) is parsed
 * to a number by this pool only — the `pg` module's global parsers are left
 * alone. Migrations run in one transaction holding `pg_advisory_xact_lock`.
 */
export function createPostgresDialect(options: PostgresDialectOptions): StoreDialect {
  const { schema } = options;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new TypeError(`invalid PostgreSQL schema name ${JSON.stringify(schema)}: use lower-case letters, digits and _`);
  }
  const pg = loadPg();
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    application_name: "mde-partner",
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        oid === pg.types.builtins.INT8
          ? (v: string) => Number(v)
          : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
    },
  });
  // A connection the server closed (a restart, a failover) emits "error" — on the pool when idle, on the
  // client when checked out between two queries; without a listener that is an uncaught exception. The
  // query that needs it fails instead, and the pool replaces it (node-postgres docs, "Pool": error event).
  pool.on("error", () => {});
  pool.on("connect", (client) => client.on("error", () => {}));
  const db = new Kysely<StoreDatabase>({ dialect: new PostgresDialect({ pool }) });
  let closed: Promise<void> | undefined;

  return {
    name: "postgres",
    db,
    // The wire protocol counts parameters in 16 bits (65535); stay below it.
    maxParameters: 60000,

    async migrate(list: readonly Migration[], now: string): Promise<MigrationOutcome> {
      const context = { dialect: "postgres" as const, db };
      return db.transaction().execute(async (trx) => {
        // Transaction-scoped advisory lock: a second process blocks here until
        // the first commits, then reads the new version and does nothing.
        await sql`select pg_advisory_xact_lock(${LOCK_CLASS}::int, ${advisoryLockKey(schema ?? "")}::int)`.execute(trx);
        if (schema) await sql`create schema if not exists ${sql.id(schema)}`.execute(trx);
        for (const q of bootstrapStatements(context)) await trx.executeQuery(q);
        const row = await trx.selectFrom("store_schema").select("version").where("id", "=", 1).executeTakeFirst();
        const plan = migrationPlan(context, row?.version ?? 0, list, now);
        for (const q of plan.statements) await trx.executeQuery(q);
        return plan.outcome;
      });
    },

    writeTransaction(fn) {
      return db.transaction().execute(fn);
    },

    contains(haystack, needle) {
      return sql<boolean>`strpos(${haystack}, ${needle}) > 0`;
    },

    close() {
      closed ??= db.destroy();
      return closed;
    },
  };
}
