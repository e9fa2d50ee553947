/**
 * Where rate budgets are counted when several processes share one app+tenant.
 *
 * MDE's limits are per application + tenant, not per process (mde-api.md §3.4:
 * "The rate limitations are always on the combination of application+tenant").
 * N workers of one partner app each counting on their own would together send
 * N times the budget. A `RateBudgetStore` is the shared count: every send asks
 * it first (`take`), and it answers yes, or how long until a window has room.
 *
 * Windows are fixed and aligned to the clock (a minute starts at :00), like the
 * emulator's limiter (the service's own are DOC-SILENT, §3.4). The server counts
 * a call when it *arrives*, we count it when it *leaves*: a call leaving in the
 * last moments of a window may land in the next one. So a call taken inside a
 * window's guard band (its last 1/60, at most 1 s) is counted in that window
 * *and* the next, and the server never sees more than the limit in any window.
 *
 * `createMemoryBudgetStore` keeps the counts in this process (every partner
 * client has one unless given a `budgetStore`; several clients in one process
 * can share one); `@mde-partner/sync` has the PostgreSQL one that workers on
 * several machines share.
 *
 * What a store implementer needs is exported as `@mde-partner/client/budget-store`.
 */

/** One fixed window of a budget: at most `limit` sends per `ms`, aligned to the epoch. */
export interface BudgetWindow {
  readonly ms: number;
  readonly limit: number;
}

/** The answer of {@link RateBudgetStore.take}. */
export type BudgetDecision = { readonly ok: true } | { readonly ok: false; readonly waitMs: number };

/**
 * A shared count of sends per budget key (app + tenant + budget name).
 * Implementations must make `take` atomic across every process that shares the store.
 */
export interface RateBudgetStore {
  /** Counts one send of `key` in every window when all have room (all or nothing); else how long to wait. */
  take(key: string, windows: readonly BudgetWindow[], now: number): Promise<BudgetDecision>;
  /** Holds every sharer's sends of `key` until `untilMs` (the server's `Retry-After`). */
  pause(key: string, untilMs: number): Promise<void>;
}

/** Start of the fixed window of length `ms` that contains `now`. */
export function windowStart(now: number, ms: number): number {
  return now - (((now % ms) + ms) % ms);
}

/** Length of a window's guard band: calls leaving in it are counted in the next window too. */
export function guardBandMs(ms: number): number {
  return Math.min(1000, Math.floor(ms / 60));
}

/**
 * The (window, start) slots one send at `now` counts in: the current window of
 * each, plus the next one when `now` is inside the current one's guard band.
 */
export function slotsFor(windows: readonly BudgetWindow[], now: number): Array<{ ms: number; start: number; limit: number }> {
  const slots: Array<{ ms: number; start: number; limit: number }> = [];
  for (const w of windows) {
    const start = windowStart(now, w.ms);
    slots.push({ ms: w.ms, start, limit: w.limit });
    if (now >= start + w.ms - guardBandMs(w.ms)) slots.push({ ms: w.ms, start: start + w.ms, limit: w.limit });
  }
  return slots;
}

/**
 * A budget store in this process's memory (fixed windows, guard band, shared
 * pauses). Useful to share one budget between several partner clients of one
 * process, and as the reference for other implementations.
 *
 * @example
 * const budgetStore = createMemoryBudgetStore();
 * const a = createPartnerClient({ ...options, budgetStore });
 * const b = createPartnerClient({ ...options, budgetStore }); // a and b together stay within the budgets
 */
export function createMemoryBudgetStore(): RateBudgetStore {
  const counts = new Map<string, number>();
  const pauses = new Map<string, number>();
  let lastSweep = 0;
  const sweep = (now: number) => {
    // Forget windows that ended more than an hour ago (the longest window is an hour).
    if (now - lastSweep < 60_000) return;
    lastSweep = now;
    for (const k of counts.keys()) {
      const [, ms, start] = k.split("\u0000");
      if (Number(start) + Number(ms) < now - 3_600_000) counts.delete(k);
    }
    for (const [k, until] of pauses) if (until < now) pauses.delete(k);
  };
  return {
    async take(key, windows, now) {
      sweep(now);
      const paused = pauses.get(key) ?? 0;
      if (paused > now) return { ok: false, waitMs: paused - now };
      const slots = slotsFor(windows, now);
      let waitMs = 0;
      for (const s of slots) {
        if ((counts.get(`${key}\u0000${s.ms}\u0000${s.start}`) ?? 0) >= s.limit) waitMs = Math.max(waitMs, s.start + s.ms - now);
      }
      if (waitMs > 0) return { ok: false, waitMs };
      for (const s of slots) {
        const k = `${key}\u0000${s.ms}\u0000${s.start}`;
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      return { ok: true };
    },
    async pause(key, untilMs) {
      pauses.set(key, Math.max(pauses.get(key) ?? 0, untilMs));
    },
  };
}
