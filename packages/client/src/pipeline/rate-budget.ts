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
 * The counts live in a {@link RateBudgetStore} (rate-budget-store.ts: fixed,
 * clock-aligned windows with a guard band): by default one in this client's
 * memory; a shared one (`budgetStore` option, e.g. `@mde-partner/sync`'s
 * PostgreSQL store) when several processes send for one app+tenant. Callers of
 * this process wait in one FIFO queue per bucket; only the head of each queue
 * asks the store, so a full window costs one store round trip per wake-up, not
 * one per waiting call.
 *
 * A third window, per second, serves Microsoft Graph's global budget of 2,000
 * requests per second per app across all tenants (graph-security.md §6); the
 * scope of that bucket is the app alone.
 */
import type { Clock, Sleep } from "../clock.js";
import type { BudgetWindow, RateBudgetStore } from "./rate-budget-store.js";

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
  /** Where the sends are counted. */
  store: RateBudgetStore;
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

/** Longest single wait before asking the store again (a sharer's pause may have been lifted early). */
const MAX_WAIT_MS = 5_000;

/** The windows of `budget` (its own limits, or the fallback when it names none), shortest first. */
function budgetWindows(options: Pick<RateBudgetsOptions, "budgets" | "fallback">, budget: string): BudgetWindow[] {
  const own = options.budgets[budget];
  const limits = own && WINDOWS.some(([k]) => own[k] !== undefined) ? own : options.fallback;
  const out: BudgetWindow[] = [];
  for (const [k, ms] of WINDOWS) {
    const limit = limits[k];
    if (limit !== undefined) out.push({ ms, limit });
  }
  return out;
}

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
}

interface Bucket {
  key: string;
  windows: BudgetWindow[];
  pausedUntil: number;
  queue: Waiter[];
  pumping: boolean;
}

/** Rate budgets counted in `options.store`. */
export function createRateBudgets(options: RateBudgetsOptions): RateBudgets {
  const { clock, sleep, store } = options;
  const buckets = new Map<string, Bucket>();

  const bucketFor = (scope: string, budget: string): Bucket => {
    const key = `${scope}|${budget}`;
    let bucket = buckets.get(key);
    if (!bucket) {
      const windows: BudgetWindow[] = budgetWindows(options, budget);
      bucket = { key, windows, pausedUntil: 0, queue: [], pumping: false };
      buckets.set(key, bucket);
    }
    return bucket;
  };

  const pump = async (bucket: Bucket) => {
    if (bucket.pumping) return;
    bucket.pumping = true;
    try {
      while (bucket.queue.length > 0) {
        const head = bucket.queue[0] as Waiter;
        const now = clock.now();
        if (bucket.pausedUntil > now) {
          await sleep(Math.min(MAX_WAIT_MS, bucket.pausedUntil - now));
          continue;
        }
        let decision: Awaited<ReturnType<RateBudgetStore["take"]>>;
        try {
          decision = bucket.windows.length === 0 ? { ok: true } : await store.take(bucket.key, bucket.windows, now);
        } catch (error) {
          // The store is unreachable: this call fails (the caller sees why); the next ones ask again.
          if (bucket.queue[0] === head) bucket.queue.shift();
          head.reject(error);
          continue;
        }
        if (decision.ok) {
          // The slot goes to whoever is first now (the head may have given up meanwhile).
          bucket.queue.shift()?.resolve();
          continue;
        }
        await sleep(Math.max(1, Math.min(MAX_WAIT_MS, decision.waitMs)));
      }
    } finally {
      bucket.pumping = false;
    }
  };

  return {
    acquire(scope, budget, signal) {
      signal?.throwIfAborted();
      const bucket = bucketFor(scope, budget);
      return new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          const i = bucket.queue.indexOf(waiter);
          if (i >= 0) bucket.queue.splice(i, 1);
          reject(signal?.reason);
        };
        const waiter: Waiter = {
          resolve: () => {
            signal?.removeEventListener("abort", onAbort);
            resolve();
          },
          reject: (reason) => {
            signal?.removeEventListener("abort", onAbort);
            reject(reason);
          },
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        bucket.queue.push(waiter);
        void pump(bucket);
      });
    },
    pause(scope, budget, untilMs) {
      const bucket = bucketFor(scope, budget);
      bucket.pausedUntil = Math.max(bucket.pausedUntil, untilMs);
      // Tell the other sharers too; a failure only means they find the 429 themselves.
      store.pause(bucket.key, untilMs).catch(() => {});
    },
    waiting: (scope, budget) => buckets.get(`${scope}|${budget}`)?.queue.length ?? 0,
  };
}
