import type { Migration } from "./dialect.js";
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
