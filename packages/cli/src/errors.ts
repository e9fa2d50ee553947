/** Exit codes (DESIGN.md): 0 ok, 1 failed, 2 bad input/usage, 3 partial (some tenants failed). */
export const EXIT = { ok: 0, failed: 1, usage: 2, partial: 3 } as const;

/** A failure the CLI reports as one line plus a hint, with a chosen exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "CliError";
  }
}

export const usageError = (message: string, hint?: string) => new CliError(message, EXIT.usage, hint);

/** Parses a whole number option, or throws a usage error naming the flag. */
export function parseCount(flag: string, value: string, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}): number {
  if (!/^\d+$/.test(value)) throw usageError(`${flag} must be a whole number, got '${value}'`);
  const n = Number(value);
  if (n < min || n > max) throw usageError(`${flag} must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** Library error codes that mean "the input was wrong" (exit 2) rather than "the call failed" (exit 1). */
const BAD_INPUT_CODES = new Set([
  "ERR_MDE_BAD_REQUEST",
  "ERR_MDE_NOT_FOUND",
  "ERR_MDE_TENANT_NOT_FOUND",
  "ERR_STORE_SCHEMA_NEWER",
  "ERR_STORE_TENANT_UNKNOWN",
  "ERR_STORE_GROUP_UNKNOWN",
  "ERR_STORE_NAME_TAKEN",
]);

/** What to do about each stable error code (docs/errors.md has the long form). */
const HINTS: Record<string, string> = {
  ERR_MDE_CONSENT_REQUIRED: "send the consent link to the customer's Global Administrator: mde-partner consent link <tenant-id>",
  ERR_MDE_CONSENT_DENIED: "ask the customer's Global Administrator to open the consent link again and press Accept",
  ERR_MDE_TENANT_NOT_FOUND: "check the tenant id the customer gave and the configured cloud (mde-partner init --cloud …)",
  ERR_MDE_SECRET_INVALID: "use the secret's Value (not its Secret ID) from App registrations > Certificates & secrets",
  ERR_MDE_SECRET_EXPIRED: "add a new client secret to the app registration and point the configuration at it",
  ERR_MDE_CERTIFICATE_INVALID: "upload the certificate to the app registration; check the private key belongs to it",
  ERR_MDE_SCOPE_INVALID: "check the configured cloud: the scope must be the MDE resource's /.default",
  ERR_MDE_APP_DISABLED: "re-enable the app registration, or ask the customer to re-enable the enterprise application",
  ERR_MDE_NOT_PROVISIONED: "the customer needs an active Defender for Endpoint subscription and must open the Defender portal once",
  ERR_MDE_FORBIDDEN: "add the permission to the app (mde-partner app permissions), then have the tenant consent again",
  ERR_MDE_NOT_FOUND: "check the id; the entity may not exist in this tenant or may have aged out",
  ERR_MDE_BAD_REQUEST: "fix the request as the message says (property names and values are case-sensitive)",
  ERR_MDE_RATE_LIMITED: "throttling is transient: wait and try again; lower --concurrency if it repeats",
  ERR_MDE_HTTP: "a 5xx answer (API or Entra ID token service) is transient: try again later; other statuses: see the message",
  ERR_MDE_NETWORK: "check connectivity, the API and login URLs, and the CA (init --ca-cert) for a custom cloud",
  ERR_MDE_TIMEOUT: "retry later",
  ERR_MDE_INVALID_RESPONSE: "the service answered something unusable (a proxy in the way?); retry, and report it if it repeats",
  ERR_MDE_AUTH: "check the app registration, the credential and the tenant id",
  ERR_STORE_SCHEMA_NEWER: "this database was upgraded by a newer mde-partner: upgrade mde-partner, or use another --db",
  ERR_STORE_INVALID_ROW: "the database holds a row this version cannot read; restore a backup or report it",
  ERR_STORE_TENANT_UNKNOWN: "add the tenant first: mde-partner tenants add <tenant-id>",
  ERR_STORE_CLOSED: "this is a bug: the store was used after it was closed",
  ERR_STORE_GROUP_UNKNOWN: "mde-partner groups list",
  ERR_STORE_NAME_TAKEN: "mde-partner tokens list shows the names in use",
};

/** The stable code of an error from the client or the store, if it has one. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^ERR_(MDE|STORE)_/.test(code) ? code : undefined;
}

/** First line of an error's message, without trailing punctuation noise. */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split(/\r?\n/)[0] ?? "").trim() || "unknown error";
}

/**
 * Turns anything thrown into a CliError: library/store errors keep their code
 * in the message and get a hint; caller mistakes (`TypeError` from the client or
 * the store: a malformed id, a bad value) are bad input.
 */
export function toCliError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  const code = errorCode(error);
  if (code) {
    const consentUrl = (error as { consentUrl?: unknown }).consentUrl;
    const hint =
      code === "ERR_MDE_CONSENT_REQUIRED" && typeof consentUrl === "string"
        ? `send this consent link to the customer's Global Administrator: ${consentUrl}`
        : HINTS[code];
    return new CliError(`${firstLine(error)} (${code})`, BAD_INPUT_CODES.has(code) ? EXIT.usage : EXIT.failed, hint);
  }
  // A JSON parse failure that escaped the library: the server (or a proxy) answered something that is not the API.
  if (error instanceof SyntaxError) {
    return new CliError(
      `the service answered something that is not JSON (${firstLine(error)})`,
      EXIT.failed,
      HINTS.ERR_MDE_INVALID_RESPONSE,
    );
  }
  if (error instanceof TypeError || error instanceof RangeError) return new CliError(firstLine(error), EXIT.usage);
  return new CliError(firstLine(error), EXIT.failed, "run again with --debug for details");
}

/**
 * Exit code of a multi-tenant run: 0 when every tenant succeeded, 3 (partial)
 * when some failed, and when all failed the failures' own code if they agree
 * (e.g. 2 for a query every tenant refused), else 1.
 */
export function multiTenantExit(failures: readonly CliError[], total: number): number {
  if (failures.length === 0) return EXIT.ok;
  if (failures.length < total) return EXIT.partial;
  const codes = new Set(failures.map((f) => f.exitCode));
  return codes.size === 1 ? [...codes][0]! : EXIT.failed;
}
