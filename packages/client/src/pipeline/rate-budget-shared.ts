/**
 * Rate budgets counted in a {@link RateBudgetStore} shared with other
 * processes (rate-budget-store.ts says why). Callers of this process still
 * wait in one FIFO queue per bucket, as with the in-memory budgets
 * (rate-budget.ts); only the head of each queue asks the store, so a full
 * window costs one store round trip per wake-up, not one per waiting call.
 */
import { budgetWindows, type RateBudgets, type RateBudgetsOptions } from "./rate-budget.js";
import type { BudgetWindow, RateBudgetStore } from "./rate-budget-store.js";

/** Longest single wait before asking the store again (a sharer's pause may have been lifted early). */
const MAX_WAIT_MS = 5_000;

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

export interface SharedRateBudgetsOptions extends RateBudgetsOptions {
  store: RateBudgetStore;
}

/** Rate budgets whose counts live in `options.store` (same interface as `createRateBudgets`). */
export function createSharedRateBudgets(options: SharedRateBudgetsOptions): RateBudgets {
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
