import type { CompiledQuery } from "kysely";
import type { Migration, MigrationContext, MigrationOutcome } from "./dialect.js";
import { StoreError } from "./errors.js";

/**
 * Migrations are run by a small runner of our own rather than Kysely's
 * `Migrator`: Kysely's SQLite adapter takes no lock across processes (it relies
 * on the one connection of one process) and begins a deferred transaction,
 * while we need `BEGIN IMMEDIATE` for two processes sharing one file, a
 * single-row schema version we can compare against ("newer than this code
 * knows" → a typed error), and the same statements on both engines. The
 * per-dialect runners (sqlite-dialect.ts, postgres-dialect.ts) do the locking;
 * this file holds the shared decisions.
 */

/** Highest version among `migrations`. */
export function latestVersion(migrations: readonly Migration[]): number {
  return migrations.reduce((max, m) => Math.max(max, m.version), 0);
}

/**
 * The migrations to apply to a database at `current`, in order; throws
 * `ERR_STORE_SCHEMA_NEWER` when the database is ahead of this code.
 */
export function pendingMigrations(current: number, migrations: readonly Migration[]): Migration[] {
  const latest = latestVersion(migrations);
  if (current > latest) {
    throw new StoreError(
      "ERR_STORE_SCHEMA_NEWER",
      `store schema version ${current} is newer than this mde-partner supports (${latest}): upgrade mde-partner, or point it at another database`,
    );
  }
  return [...migrations].filter((m) => m.version > current).sort((a, b) => a.version - b.version);
}

/** Checks a migration list once (unique, positive, increasing versions). */
export function assertMigrations(migrations: readonly Migration[]): void {
  const seen = new Set<number>();
  for (const m of migrations) {
    if (!Number.isInteger(m.version) || m.version < 1 || seen.has(m.version)) {
      throw new TypeError(`invalid migration version ${m.version} (${m.name})`);
    }
    seen.add(m.version);
  }
}

/**
 * What brings a database found at version `from` up to date, for the dialect's
 * runner to execute in order inside its lock: each pending migration's
 * statements and its `store_migrations` row, then the new `store_schema` version.
 */
export function migrationPlan(
  context: MigrationContext,
  from: number,
  migrations: readonly Migration[],
  now: string,
): { readonly statements: CompiledQuery[]; readonly outcome: MigrationOutcome } {
  const { db } = context;
  const pending = pendingMigrations(from, migrations);
  const statements: CompiledQuery[] = [];
  for (const m of pending) {
    statements.push(...m.statements(context));
    statements.push(db.insertInto("store_migrations").values({ version: m.version, name: m.name, applied_at: now }).compile());
  }
  const to = Math.max(from, latestVersion(migrations));
  if (pending.length > 0) {
    statements.push(
      db
        .insertInto("store_schema")
        .values({ id: 1, version: to, updated_at: now })
        .onConflict((oc) => oc.column("id").doUpdateSet({ version: to, updated_at: now }))
        .compile(),
    );
  }
  return { statements, outcome: { from, to, applied: pending.map((m) => m.version) } };
}
