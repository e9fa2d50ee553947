/**
 * The PostgreSQL store's password, kept out of config.json. The configuration
 * (and `--db`) holds only a reference in the store URL — `?passwordEnv=VAR` (an
 * environment variable's name) or `?passwordFile=/path` (a file holding the
 * password) — resolved here, in memory, when a command opens the store. With
 * neither, node-postgres falls back to the standard `PGPASSWORD` and
 * `~/.pgpass` (or a server that needs no password).
 */
import { absolutePath } from "./config.js";
import { usageError } from "./errors.js";
import { secretFromEnv, secretFromFile } from "./secret-reference.js";

const POSTGRES = /^postgres(ql)?:\/\//i;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** The query parameters that name where the password is; never sent to the server. */
export const PASSWORD_ENV_PARAM = "passwordEnv";
export const PASSWORD_FILE_PARAM = "passwordFile";

function parsePostgres(url: string): URL | undefined {
  if (!POSTGRES.test(url)) return undefined;
  try {
    return new URL(url);
  } catch {
    return undefined; // parseStoreUrl reports it, without echoing the URL
  }
}

/** True when `url` is a PostgreSQL URL with a password written into it. */
export function storeUrlHasPassword(url: string): boolean {
  return (parsePostgres(url)?.password ?? "") !== "";
}

/** The store URL for display: any password replaced by `…`. */
export function redactStoreUrl(url: string): string {
  const parsed = parsePostgres(url);
  if (!parsed) return url;
  if (parsed.password !== "") parsed.password = "…";
  return parsed.toString();
}

/**
 * Adds a password reference to a PostgreSQL store URL (what `init
 * --db-password-env/--db-password-file` writes to the configuration).
 */
export function withPasswordReference(url: string, ref: { env?: string; file?: string }): string {
  const parsed = parsePostgres(url);
  if (!parsed) throw usageError("--db-password-env and --db-password-file apply to a postgres:// store only");
  if (ref.env !== undefined && ref.file !== undefined) throw usageError("give one of --db-password-env and --db-password-file");
  parsed.searchParams.delete(PASSWORD_ENV_PARAM);
  parsed.searchParams.delete(PASSWORD_FILE_PARAM);
  if (ref.env !== undefined) {
    if (!ENV_NAME.test(ref.env))
      throw usageError("--db-password-env takes the NAME of an environment variable (e.g. MDE_DB_PASSWORD), not the password");
    parsed.searchParams.set(PASSWORD_ENV_PARAM, ref.env);
  }
  if (ref.file !== undefined) parsed.searchParams.set(PASSWORD_FILE_PARAM, absolutePath(ref.file));
  return parsed.toString();
}

/**
 * The URL a command connects with: for PostgreSQL, the password reference is
 * read and put into the URL (in memory only) and the reference parameters are
 * removed; other URLs are returned as they are. A missing variable or an
 * unreadable file is bad input (exit 2) naming the variable or file, never a
 * password.
 *
 * @example resolveStoreUrl("postgres://mssp@db/mssp?passwordEnv=MDE_DB_PASSWORD", process.env)
 */
export function resolveStoreUrl(url: string, env: NodeJS.ProcessEnv): string {
  const parsed = parsePostgres(url);
  if (!parsed) return url;
  const envName = parsed.searchParams.get(PASSWORD_ENV_PARAM);
  const file = parsed.searchParams.get(PASSWORD_FILE_PARAM);
  if (envName === null && file === null) return url;
  parsed.searchParams.delete(PASSWORD_ENV_PARAM);
  parsed.searchParams.delete(PASSWORD_FILE_PARAM);
  if (envName !== null && file !== null) throw usageError("the store URL names both passwordEnv and passwordFile: keep one");
  if (parsed.password !== "")
    throw usageError("the store URL has a password and a password reference: keep the reference only");
  let password: string;
  if (envName !== null) {
    if (!ENV_NAME.test(envName)) throw usageError("the store URL's passwordEnv is not an environment variable name");
    // A password may begin or end with spaces: taken exactly as set.
    password = secretFromEnv(env, envName, "database password", { trim: false });
  } else {
    password = secretFromFile(file!, "database password").replace(/\r?\n$/, "");
    if (password === "") throw usageError(`the database password file ${file} is empty`);
  }
  // Encoded in full (the setter would leave a literal `%` alone); node-postgres decodes it again.
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}
