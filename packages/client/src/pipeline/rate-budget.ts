/**
 * Per app+tenant rate budgets (mde-api.md §3.4, §7). MDE counts calls per
 * application + tenant + API, per minute and per hour, and answers 429 with
 * `Retry-After` once a window is full; "retrying sooner yields more 429s".
 * So the client keeps its own count and makes callers wait in a FIFO queue
 * *before* sending, instead of collecting 429s.
 *
 * Written here rather than taken from a library: the rate limiters on npm
 * (bottleneck, p-limit, p-throttle, …) limit one key with one window; MDE needs
 * many keys (every tenant × every budget) with two windows each, an injectable
 * clock/sleep, abort support, and a pause when the server says `Retry-After`.
 *
 * Windows are sliding: at most N sends in *any* 60 s (3,600 s) span. The docs do
 * not say whether the server's windows are fixed or sliding (DOC-SILENT, §3.4); a
 * sliding count never exceeds a fixed-window limit either way. The budget is per
 * process: several workers sharing one app+tenant should each get a share
 * (`rateBudgets` option).
 *
 * A third window, per second, serves Microsoft Graph's global budget of 2,000
 * requests per second per app across all tenants (graph-security.md §6); the
 * scope of that bucket is the app alone.
 */
import type { Clock, Sleep } from "../clock.js";

export interface BudgetLimits {
  readonly perSecond?: number;
  readonly perMinute?: number;
  readonly perHour?: number;
}

export interface RateBudgetsOptions {
  clock: Clock;
  sleep: Sleep;
  /** Limits per budget name. */
  budgets: Readonly<Record<string, BudgetLimits>>;
  /** Limits for a budget name the table does not know, or knows without numbers (DOC-SILENT). */
  fallback: BudgetLimits;
}

export interface RateBudgets {
  /** Waits until a call of `budget` may be sent for `scope` (app+tenant), then counts it. */
  acquire(scope: string, budget: string, signal?: AbortSignal): Promise<void>;
  /** Holds every queued call of the bucket until `untilMs` (the server's `Retry-After`). */
  pause(scope: string, budget: string, untilMs: number): void;
  /** Calls waiting right now for the bucket (for tests and metrics). */
  waiting(scope: string, budget: string): number;
}

const WINDOWS = [
  ["perSecond", 1_000],
  ["perMinute", 60_000],
  ["perHour", 3_600_000],
] as const;

/** The windows of `budget` (its own limits, or the fallback when it names none), shortest first. */
export function budgetWindows(options: Pick<RateBudgetsOptions, "budgets" | "fallback">, budget: string): Array<{ ms: number; limit: number }> {
  const own = options.budgets[budget];
  const limits = own && WINDOWS.some(([k]) => own[k] !== undefined) ? own : options.fallback;
  const out: Array<{ ms: number; limit: number }> = [];
  for (const [k, ms] of WINDOWS) {
    const limit = limits[k];
    if (limit !== undefined) out.push({ ms, limit });
  }
  return out;
}

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

interface Window {
  limit: number;
  ms: number;
  /** Send times inside the window, oldest first. */
  stamps: number[];
}

interface Bucket {
  windows: Window[];
  pausedUntil: number;
  queue: Waiter[];
  pumping: boolean;
}

export function createRateBudgets(options: RateBudgetsOptions): RateBudgets {
  const { clock, sleep } = options;
  const buckets = new Map<string, Bucket>();

  const bucketFor = (scope: string, budget: string): Bucket => {
    const key = `${scope}|${budget}`;
    let bucket = buckets.get(key);
    if (!bucket) {
      const windows: Window[] = budgetWindows(options, budget).map((w) => ({ ...w, stamps: [] }));
      bucket = { windows, pausedUntil: 0, queue: [], pumping: false };
      buckets.set(key, bucket);
    }
    return bucket;
  };

  /** Milliseconds until the next send is allowed (0 = now). */
  const delay = (bucket: Bucket, now: number): number => {
    let wait = Math.max(0, bucket.pausedUntil - now);
    for (const w of bucket.windows) {
      while (w.stamps.length > 0 && (w.stamps[0] ?? 0) <= now - w.ms) w.stamps.shift();
      if (w.stamps.length >= w.limit) wait = Math.max(wait, (w.stamps[w.stamps.length - w.limit] ?? now) + w.ms - now);
    }
    return wait;
  };

  const release = (bucket: Bucket, waiter: Waiter, now: number) => {
    for (const w of bucket.windows) w.stamps.push(now);
    if (waiter.onAbort) waiter.signal?.removeEventListener("abort", waiter.onAbort);
    waiter.resolve();
  };

  // One pump per bucket serves the queue in order; it sleeps only as long as the window requires.
  const pump = async (bucket: Bucket) => {
    if (bucket.pumping) return;
    bucket.pumping = true;
    try {
      while (bucket.queue.length > 0) {
        const now = clock.now();
        const wait = delay(bucket, now);
        if (wait <= 0) {
          const waiter = bucket.queue.shift();
          if (waiter) release(bucket, waiter, now);
          continue;
        }
        await sleep(wait);
      }
    } finally {
      bucket.pumping = false;
    }
  };

  return {
    acquire(scope, budget, signal) {
      signal?.throwIfAborted();
      const bucket = bucketFor(scope, budget);
      const now = clock.now();
      // Fast path: nobody queued and room in both windows.
      if (bucket.queue.length === 0 && delay(bucket, now) <= 0) {
        for (const w of bucket.windows) w.stamps.push(now);
        return Promise.resolve();
      }
      return new Promise<void>((resolve, reject) => {
        const waiter: Waiter = { resolve, reject, signal, onAbort: undefined };
        if (signal) {
          waiter.onAbort = () => {
            const i = bucket.queue.indexOf(waiter);
            if (i >= 0) bucket.queue.splice(i, 1);
            reject(signal.reason);
          };
          signal.addEventListener("abort", waiter.onAbort, { once: true });
        }
        bucket.queue.push(waiter);
        void pump(bucket);
      });
    },
    pause(scope, budget, untilMs) {
      const bucket = bucketFor(scope, budget);
      bucket.pausedUntil = Math.max(bucket.pausedUntil, untilMs);
    },
    waiting: (scope, budget) => buckets.get(`${scope}|${budget}`)?.queue.length ?? 0,
  };
}
