/**
 * The PostgreSQL client (`pg`) and the job queue (`pg-boss`), loaded when a PostgreSQL store, a
 * worker or a batch queue is first opened rather than when the package is imported: every CLI
 * command is a new process, and one on a SQLite store never needs either.
 */
import { createRequire } from "node:module";
import type PgBoss from "pg-boss";
import type pg from "pg";

// Both are CommonJS packages, so `require` loads them synchronously where a constructor needs them.
const load = createRequire(import.meta.url);

/** The `pg` module. */
export const loadPg = (): typeof pg => load("pg") as typeof pg;

/** The `pg-boss` class. */
export const loadPgBoss = (): typeof PgBoss => load("pg-boss") as typeof PgBoss;
