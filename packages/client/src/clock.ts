/**
 * Injectable time. Token expiry, refresh windows, `Retry-After`, backoff and
 * rate budgets all read `Clock.now()` and wait through `Sleep`, so tests drive
 * them with a manual clock instead of real waiting.
 */

/** Milliseconds since the Unix epoch. Structurally compatible with the emulator's `Clock`. */
export interface Clock {
  now(): number;
}

/** Waits `ms` milliseconds; rejects with the signal's reason when aborted. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

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
