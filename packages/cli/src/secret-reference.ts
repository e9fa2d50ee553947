/**
 * Secrets the CLI is given by reference, never in argv or config.json: an
 * environment variable's name or a file's path (client secret, certificate and
 * key, the store's password, the webhook's secret and key, the emulator's
 * control token). One reader for all of them, so every missing variable or
 * unreadable file is the same one-line usage error naming the variable or the
 * file — never the secret.
 */
import { readFileSync } from "node:fs";
import { usageError } from "./errors.js";

/**
 * The value of environment variable `name`, or a usage error (exit 2) when it
 * is unset or empty. `trim` (default true) drops surrounding whitespace.
 *
 * @example secretFromEnv(process.env, "MDE_CLIENT_SECRET", "client secret")
 */
export function secretFromEnv(
  env: NodeJS.ProcessEnv,
  name: string,
  what: string,
  options: { hint?: string; trim?: boolean } = {},
): string {
  const raw = env[name];
  const value = options.trim === false ? raw : raw?.trim();
  if (value === undefined || value === "") throw usageError(`the environment variable ${name} holding the ${what} is not set`, options.hint ?? `export ${name}=…`);
  return value;
}

/**
 * The text of `file`, or a usage error (exit 2) naming the file when it cannot
 * be read. The text is returned as stored; callers trim as their secret allows.
 *
 * @example secretFromFile("/run/secrets/mde", "client secret").trim()
 */
export function secretFromFile(file: string, what: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw usageError(`cannot read the ${what} file ${file} (${(error as NodeJS.ErrnoException).code ?? "error"})`, "check the path and its permissions");
  }
}
