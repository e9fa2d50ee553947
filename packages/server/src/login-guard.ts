/**
 * Brute-force protection of the sign-in form, per console instance:
 * - a rate limit per client address (attempts per window), answered 429;
 * - a lockout per account name after consecutive failures, whether or not the
 *   account exists (so a lockout does not reveal which names are real).
 */
import type { Clock } from "./options.js";

export interface LoginGuardOptions {
  /** Attempts per client address per window (default 20 per minute). */
  readonly attemptsPerWindow?: number;
  readonly windowMs?: number;
  /** Consecutive failures that lock an account (default 5). */
  readonly maxFailures?: number;
  /** How long a lockout lasts (default 15 minutes). */
  readonly lockoutMs?: number;
}

export type GuardDecision = { ok: true } | { ok: false; reason: "rate-limited" | "locked"; retryAt: number };

export interface LoginGuard {
  /** Whether an attempt from `client` for `name` may be checked at all (counts the attempt). */
  admit(client: string, name: string): GuardDecision;
  /** Records the outcome of a checked attempt; returns the lockout end when this failure locked the account. */
  record(name: string, ok: boolean): number | undefined;
  /** Failed attempts since the console started (for /metrics). */
  readonly failures: number;
  readonly lockouts: number;
}

export function createLoginGuard(clock: Clock, options: LoginGuardOptions = {}): LoginGuard {
  const perWindow = options.attemptsPerWindow ?? 20;
  const windowMs = options.windowMs ?? 60_000;
  const maxFailures = options.maxFailures ?? 5;
  const lockoutMs = options.lockoutMs ?? 15 * 60_000;
  const attempts = new Map<string, { start: number; count: number }>();
  const accounts = new Map<string, { failures: number; lockedUntil: number }>();
  let failures = 0;
  let lockouts = 0;

  const sweep = (now: number) => {
    if (attempts.size < 10_000 && accounts.size < 10_000) return;
    for (const [k, v] of attempts) if (now - v.start >= windowMs) attempts.delete(k);
    for (const [k, v] of accounts) if (v.lockedUntil <= now && v.failures === 0) accounts.delete(k);
  };

  return {
    admit(client, name) {
      const now = clock.now();
      sweep(now);
      const key = name.toLowerCase();
      const account = accounts.get(key);
      if (account && account.lockedUntil > now) return { ok: false, reason: "locked", retryAt: account.lockedUntil };
      const bucket = attempts.get(client);
      if (!bucket || now - bucket.start >= windowMs) attempts.set(client, { start: now, count: 1 });
      else if (bucket.count >= perWindow) return { ok: false, reason: "rate-limited", retryAt: bucket.start + windowMs };
      else bucket.count++;
      return { ok: true };
    },
    record(name, ok) {
      const key = name.toLowerCase();
      if (ok) {
        accounts.delete(key);
        return undefined;
      }
      failures++;
      const account = accounts.get(key) ?? { failures: 0, lockedUntil: 0 };
      account.failures++;
      accounts.set(key, account);
      if (account.failures >= maxFailures) {
        account.failures = 0;
        account.lockedUntil = clock.now() + lockoutMs;
        lockouts++;
        return account.lockedUntil;
      }
      return undefined;
    },
    get failures() {
      return failures;
    },
    get lockouts() {
      return lockouts;
    },
  };
}
