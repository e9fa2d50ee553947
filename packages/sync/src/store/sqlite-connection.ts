/*
 * One connection to an SQLite store file, opened and closed the way every connection of the store
 * is: the store's own (sqlite-dialect.ts, under Kysely) and the alert writer thread's
 * (alert-writer-thread.ts, which prepares its own statements). Kept free of the query builder so
 * the writer thread does not load it.
 */
import Database from "better-sqlite3";
import { secureSqliteFile } from "./sqlite-file-mode.js";

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

/** Options of a connection to the embedded SQLite engine. */
export interface SqliteConnectionOptions {
  /** File path, or `:memory:`. Parent directories are created (0700), the file 0600. */
  readonly path: string;
  /** How long a writer waits for another process's write lock (default 15,000 ms). */
  readonly busyTimeoutMs?: number;
  /** Told when an existing store file was readable by others (tightened, or not ours to tighten). */
  readonly onWarning?: (message: string) => void;
}

/** The WAL size, in pages, at which a connection's commit copies the WAL back into the file (see {@link openSqliteConnection}). */
export const WAL_AUTOCHECKPOINT_PAGES = 4000;

/** Opens a connection to the store file at `options.path` (created 0600 when new) with the store's settings. */
export function openSqliteConnection(options: SqliteConnectionOptions): { raw: Database.Database; busyTimeoutMs: number } {
  const memory = options.path === ":memory:";
  if (!memory) {
    // Before better-sqlite3 opens it: SQLite would create the file 0644 (umask 022).
    const files = secureSqliteFile(options.path);
    for (const f of files.tightened) options.onWarning?.(`${f} was readable by other users: its mode is now 0600`);
    for (const w of files.warnings) options.onWarning?.(w);
  }
  // 15 s: a sync's page transaction or a first open's migrations in another process can hold the
  // write lock for seconds on a loaded two-core machine (seen: a second process's first open
  // failing with SQLITE_BUSY after 5 s while the first migrated); waiting is what a user wants.
  const busyTimeoutMs = options.busyTimeoutMs ?? 15_000;
  const raw = new Database(options.path, { timeout: busyTimeoutMs });
  // 16 KiB pages for a new file (an existing one keeps its size: SQLite changes it only before the
  // first table, and never in WAL mode). An alert row is ~1.2 KiB: at 4 KiB a page held three, and
  // each page's commit rewrote about twice as many index pages as rows (bench/ingest-limit.bench.ts:
  // ~3 µs less CPU per alert and a smaller file at 16 KiB; 32 and 64 KiB gained nothing more).
  if (!memory) raw.pragma("page_size = 16384");
  if (!memory) raw.pragma("journal_mode = WAL");
  // NORMAL is durable across application crashes in WAL mode (sqlite.org/pragma.html#pragma_synchronous).
  raw.pragma("synchronous = NORMAL");
  // The default 2 MiB page cache thrashes once the alert indexes outgrow it
  // (measured: 1M alerts inserted ~2× slower); 64 MiB is a cap, not an allocation.
  raw.pragma("cache_size = -65536");
  // A checkpoint every 4,000 pages (64 MiB of WAL at 16 KiB) instead of 1,000: index pages that
  // several commits rewrote are copied back once (bench/ingest-limit.bench.ts, with the alert
  // writer's grouped commits). The WAL is removed when the last connection closes.
  if (!memory) raw.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
  return { raw, busyTimeoutMs };
}

/**
 * Lets SQLite refresh its query planner's statistics where they are stale, as it advises before a
 * connection closes (sqlite.org/pragma.html#pragma_optimize); skipped while another connection holds
 * the write lock.
 *
 * The statistics are reloaded first (`ANALYZE sqlite_schema`, sqlite.org/lang_analyze.html): a
 * connection keeps those it read when it opened, so after the writer thread's connection had
 * analyzed the alerts of a first sync, the store's own connection saw them as never analyzed and
 * analyzed them again at its close, from a cold cache (measured: about 90 ms of a 120,000-alert
 * sync's last moments; about 1 ms with the reload).
 */
export function optimizeSqlite(raw: Database.Database): void {
  try {
    raw.exec("ANALYZE sqlite_schema");
    raw.pragma("optimize");
  } catch (error) {
    if ((error as { code?: unknown })?.code !== "SQLITE_BUSY") throw error;
  }
}
