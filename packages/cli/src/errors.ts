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
