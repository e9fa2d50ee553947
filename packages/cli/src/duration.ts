import { usageError } from "./errors.js";

/** Parses `500ms`, `30s`, `5m`, `1h` (a bare number is seconds) into milliseconds, within bounds. */
export function parseDuration(flag: string, value: string, { minMs = 1000, maxMs = 24 * 3_600_000 } = {}): number {
  const m = /^(\d+)(ms|s|m|h)?$/.exec(String(value).trim());
  if (!m) throw usageError(`${flag} takes a duration like 30s, 5m or 1h, got ${JSON.stringify(String(value).slice(0, 40))}`);
  const n = Number(m[1]);
  const ms = m[2] === "ms" ? n : m[2] === "m" ? n * 60_000 : m[2] === "h" ? n * 3_600_000 : n * 1000;
  if (ms < minMs || ms > maxMs) throw usageError(`${flag} must be between ${minMs / 1000}s and ${maxMs / 3_600_000}h`);
  return ms;
}
