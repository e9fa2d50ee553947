/**
 * Injectable time. Token expiry, refresh windows, `Retry-After`, backoff and
 * rate budgets all read `Clock.now()` and wait through `Sleep`, so tests drive
 * them with a manual clock instead of real waiting.
 */

/** Waits `ms` milliseconds; rejects with the signal's reason when aborted. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/**
 * Injectable time: `now()` in milliseconds since the Unix epoch, and where a caller waits
 * (`machineActions.waitForCompletion`) its `sleep` (default: a real timer). Structurally
 * compatible with the emulator's `Clock`.
 *
 * @example
 * let now = Date.parse("2026-01-01T00:00:00Z");
 * const clock: Clock = { now: () => now, sleep: async (ms) => { now += ms; } };
 */
export interface Clock {
  now(): number;
  sleep?: Sleep;
}

export const systemClock: Clock = Object.freeze({ now: () => Date.now() });

/** `setTimeout`-based sleep that honours an `AbortSignal`. */
export const systemSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener("abort", onAbort, { once: true });
  });

/**
 * Lets one caller stop waiting for `promise` when `signal` aborts, without
 * cancelling the work itself (others may be waiting on it too).
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}
