/**
 * Names the console's commands share, kept apart from @mde-partner/server so
 * that parsing the command line (every run of the CLI) does not load the
 * console.
 */
import { usageError } from "./errors.js";

/** The operators file in MDE_PARTNER_HOME (mode 0600; `mde-partner users`). */
export const CONSOLE_USERS_FILE = "console-users.json";
/** The self-signed certificate `serve` generates once, and its key (both mode 0600). */
export const CONSOLE_CERT_FILE = "console-cert.pem";
export const CONSOLE_KEY_FILE = "console-key.pem";

/** The console's roles (@mde-partner/server `ROLES`): viewer reads, responder also acts, admin also onboards and manages users. */
export const CONSOLE_ROLES = ["viewer", "responder", "admin"] as const;

const NAME = /^[A-Za-z0-9._@-]{1,64}$/;

/** The users file's rule for names (@mde-partner/server users-file.ts), checked up front for a one-line error. */
export function checkUserName(name: string): string {
  if (!NAME.test(name))
    throw usageError(`user name must be 1-64 letters, digits, '.', '_', '@' or '-', got ${JSON.stringify(name.slice(0, 80))}`);
  return name;
}
