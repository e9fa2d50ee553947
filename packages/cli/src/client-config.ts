/**
 * `client` in config.json: the partner client's limits, for a partner whose customers need others
 * than the defaults (a slow proxy, a tenant with very large answers, a tighter memory budget).
 * The names are the client library's own options (`createPartnerClient`, partner-options.ts), so
 * each means the same in both places; what is left out keeps the library's default.
 *
 * @example
 * "client": { "timeoutMs": 300000, "maxResponseBytes": 536870912 }
 */
import type { PartnerClientOptions } from "@mde-partner/client";

/** `client` in config.json. */
export interface ClientConfig {
  /** Per-attempt time limit of an API call, ms (default 120 s). */
  timeoutMs?: number;
  /** Time limit of a token request, ms (default 30 s). */
  tokenTimeoutMs?: number;
  /** The most one API answer's body may hold, in bytes after decoding (default 256 MiB). */
  maxResponseBytes?: number;
  /** Retries after 429/503 (default 3). */
  maxThrottleRetries?: number;
  /** Retries after 5xx and network failures (default 3). */
  maxTransientRetries?: number;
}

/**
 * Each setting's bounds. A time limit under a second fails calls that are merely slow; over an hour
 * it no longer limits anything. An answer's bound under 1 MiB refuses ordinary pages, and over
 * 1 GiB no page could be decoded anyway (a JavaScript string holds at most about 512 MiB).
 * Retries: 0 (fail at once) to 10.
 */
const BOUNDS: Record<keyof ClientConfig, { min: number; max: number; unit: string }> = {
  timeoutMs: { min: 1_000, max: 3_600_000, unit: "milliseconds" },
  tokenTimeoutMs: { min: 1_000, max: 600_000, unit: "milliseconds" },
  maxResponseBytes: { min: 1_048_576, max: 1_073_741_824, unit: "bytes" },
  maxThrottleRetries: { min: 0, max: 10, unit: "retries" },
  maxTransientRetries: { min: 0, max: 10, unit: "retries" },
};
const KEYS = Object.keys(BOUNDS) as Array<keyof ClientConfig>;

/** Checks the `client` entry of a parsed config; returns a reason, or undefined when valid (or absent). */
export function clientConfigProblem(raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return "client must be an object";
  for (const [key, value] of Object.entries(raw)) {
    const bounds = BOUNDS[key as keyof ClientConfig];
    // A misspelt name would otherwise be ignored and leave the default in force unnoticed.
    if (!bounds) return `client.${key} is not a setting (known: ${KEYS.join(", ")})`;
    if (typeof value !== "number" || !Number.isInteger(value) || value < bounds.min || value > bounds.max)
      return `client.${key} must be a whole number of ${bounds.unit} from ${bounds.min} to ${bounds.max}`;
  }
  return undefined;
}

/** The partner client's options for the config's `client` entry (none when it has none). */
export function clientOptions(client: ClientConfig | undefined): Pick<PartnerClientOptions, "timeoutMs" | "tokenTimeoutMs" | "maxResponseBytes" | "retry"> {
  if (!client) return {};
  const { timeoutMs, tokenTimeoutMs, maxResponseBytes, maxThrottleRetries, maxTransientRetries } = client;
  const retry = {
    ...(maxThrottleRetries !== undefined ? { maxThrottleRetries } : {}),
    ...(maxTransientRetries !== undefined ? { maxTransientRetries } : {}),
  };
  return {
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(tokenTimeoutMs !== undefined ? { tokenTimeoutMs } : {}),
    ...(maxResponseBytes !== undefined ? { maxResponseBytes } : {}),
    ...(Object.keys(retry).length > 0 ? { retry } : {}),
  };
}
