/**
 * Who may read the embedded store. The SQLite file holds every customer's
 * alerts, so it is the owner's only: created 0600 (its folder 0700 when the
 * store creates it), whatever the process umask says. SQLite gives the `-wal`
 * and `-shm` files it creates the main file's permission bits (unix VFS,
 * `findCreateFileMode`), so a 0600 main file is enough for them; the ones
 * left by an older version are tightened here too.
 */
import { chmodSync, closeSync, constants, mkdirSync, openSync, statSync } from "node:fs";
import { dirname } from "node:path";

/** Permission bits of the store's files and of the folder it creates. */
export const STORE_FILE_MODE = 0o600;
export const STORE_DIR_MODE = 0o700;

/** The files SQLite keeps beside a database in WAL mode. */
export function sqliteCompanionFiles(path: string): string[] {
  return [path, `${path}-wal`, `${path}-shm`];
}

/** What {@link secureSqliteFile} did, for the caller to report. */
export interface SqliteFileModeOutcome {
  /** True when the database file did not exist and was created 0600. */
  readonly created: boolean;
  /** Files whose group/other bits were removed (an existing store made by an older version). */
  readonly tightened: readonly string[];
  /** Files others can still read (not ours to change): one line each. */
  readonly warnings: readonly string[];
}

/**
 * Makes sure `path` exists with mode 0600 before SQLite opens it: creates the
 * folder chain 0700 and the file 0600 with `O_EXCL` (explicit modes, so the
 * umask cannot widen them), and removes group/other access from an existing
 * database and its `-wal`/`-shm` files when this user owns them. A file owned
 * by someone else is left alone and reported in `warnings`.
 */
export function secureSqliteFile(path: string): SqliteFileModeOutcome {
  // mkdirSync's mode applies to every folder it creates; existing ones are not touched.
  mkdirSync(dirname(path), { recursive: true, mode: STORE_DIR_MODE });
  let created = false;
  try {
    closeSync(openSync(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, STORE_FILE_MODE));
    created = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  if (created) {
    // A umask cannot add bits, but a restrictive ACL default or an odd umask may
    // have removed the owner's; set the exact mode once.
    chmodSync(path, STORE_FILE_MODE);
    return { created, tightened: [], warnings: [] };
  }
  const tightened: string[] = [];
  const warnings: string[] = [];
  const uid = process.getuid?.();
  for (const file of sqliteCompanionFiles(path)) {
    let mode: number;
    let owner: number;
    try {
      const st = statSync(file);
      if (!st.isFile()) continue;
      mode = st.mode & 0o777;
      owner = st.uid;
    } catch {
      continue; // -wal/-shm exist only while the database is open
    }
    if ((mode & 0o077) === 0) continue;
    if (uid === undefined || owner === uid) {
      chmodSync(file, mode & 0o700);
      tightened.push(file);
    } else {
      warnings.push(`${file} is readable by other users (mode ${mode.toString(8).padStart(4, "0")}) and not owned by this user: chmod 600 it`);
    }
  }
  return { created, tightened, warnings };
}
