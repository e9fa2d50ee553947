import type { Clock } from "./clock.js";

/**
 * Per app+tenant+API call budgets, as a Microsoft responder described them
 * ("The rate limitations are always on the combination of application+tenant",
 * MicrosoftDocs/microsoft-365-docs#10124; mde-api.md §3.4). Whether the real
 * windows are fixed or sliding is DOC-SILENT; the emulator uses fixed windows
 * aligned to the clock, so `Retry-After` is the time left in the window.
 */
export interface RateLimits {
  perMinute?: number;
  perHour?: number;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterSec: number; window: "minute" | "hour"; limit: number };

export interface RateLimiter {
  /** Counts one call against `key` if every window has room. */
  take(key: string, limits: RateLimits): RateDecision;
  /** Calls counted in the current windows (for the control API and tests). */
  usage(key: string): { minute: number; hour: number };
  reset(): void;
}

interface Counter {
  minuteStart: number;
  minute: number;
  hourStart: number;
  hour: number;
}

export function createRateLimiter(clock: Clock): RateLimiter {
  const counters = new Map<string, Counter>();
  const roll = (key: string): Counter => {
    const now = clock.now();
    const minuteStart = now - (now % 60_000);
    const hourStart = now - (now % 3_600_000);
    let c = counters.get(key);
    if (!c) {
      c = { minuteStart, minute: 0, hourStart, hour: 0 };
      counters.set(key, c);
    }
    if (c.minuteStart !== minuteStart) {
      c.minuteStart = minuteStart;
      c.minute = 0;
    }
    if (c.hourStart !== hourStart) {
      c.hourStart = hourStart;
      c.hour = 0;
    }
    return c;
  };
  return {
    take(key, limits) {
      const c = roll(key);
      const now = clock.now();
      if (limits.perMinute !== undefined && c.minute >= limits.perMinute) {
        return { ok: false, retryAfterSec: Math.max(1, Math.ceil((c.minuteStart + 60_000 - now) / 1000)), window: "minute", limit: limits.perMinute };
      }
      if (limits.perHour !== undefined && c.hour >= limits.perHour) {
        return { ok: false, retryAfterSec: Math.max(1, Math.ceil((c.hourStart + 3_600_000 - now) / 1000)), window: "hour", limit: limits.perHour };
      }
      c.minute++;
      c.hour++;
      return { ok: true };
    },
    usage(key) {
      const c = roll(key);
      return { minute: c.minute, hour: c.hour };
    },
    reset() {
      counters.clear();
    },
  };
}
