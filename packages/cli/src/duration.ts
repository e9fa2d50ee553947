import { usageError } from "./errors.js";

/** Parses `500ms`, `30s`, `5m`, `1h`, `90d` (a bare number is seconds) into milliseconds, within bounds. */
export function parseDuration(flag: string, value: string, { minMs = 1000, maxMs = 24 * 3_600_000 } = {}): number {
  const m = /^(\d+)(ms|s|m|h|d)?$/.exec(String(value).trim());
  if (!m) throw usageError(`${flag} takes a duration like 30s, 5m or 1h, got ${JSON.stringify(String(value).slice(0, 40))}`);
  const n = Number(m[1]);
  const ms = m[2] === "ms" ? n : m[2] === "m" ? n * 60_000 : m[2] === "h" ? n * 3_600_000 : m[2] === "d" ? n * 86_400_000 : n * 1000;
  const upper = maxMs >= 2 * 86_400_000 && maxMs % 86_400_000 === 0 ? `${maxMs / 86_400_000}d` : `${maxMs / 3_600_000}h`;
  if (ms < minMs || ms > maxMs) throw usageError(`${flag} must be between ${minMs / 1000}s and ${upper}`);
  return ms;
}
