/**
 * The scheduled drift check of `sync --watch` and `worker`: every baseline applied so far (its
 * last applied document, from the store) is compared with its tenants on an interval, and each
 * tenant's drift state is stored for the console and metrics. One check at a time; a check that
 * fails is reported and the next one runs on time.
 */
import { type BaselineContext, checkStoredBaselines } from "./run.js";

/** Default interval of the scheduled drift check: 15 minutes. */
export const DEFAULT_DRIFT_INTERVAL_MS = 15 * 60_000;

export interface DriftScheduleOptions extends BaselineContext {
  /** Between the end of one check and the start of the next (default 15 minutes). */
  readonly intervalMs?: number;
  /** Wait before the first check (default: the interval's tenth, so a starting process syncs first). */
  readonly firstDelayMs?: number;
  readonly onCheck?: (result: Awaited<ReturnType<typeof checkStoredBaselines>>) => void;
  readonly onError?: (error: unknown) => void;
}

/**
 * Starts the checks; `stop()` waits for a check in progress. Safe to call `stop` twice.
 *
 * @example
 * const drift = startDriftSchedule({ store, partner, onCheck: (r) => log(r) });
 * // …
 * await drift.stop();
 */
export function startDriftSchedule(options: DriftScheduleOptions): { stop(): Promise<void> } {
  const interval = options.intervalMs ?? DEFAULT_DRIFT_INTERVAL_MS;
  if (!Number.isFinite(interval) || interval < 1000) throw new TypeError("intervalMs must be at least 1000");
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const run = () => {
    timer = undefined;
    running = (async () => {
      try {
        const result = await checkStoredBaselines({ ...options, signal: abort.signal });
        if (result.length > 0) options.onCheck?.(result);
      } catch (error) {
        if (!abort.signal.aborted) options.onError?.(error);
      }
    })().finally(() => {
      running = undefined;
      if (!abort.signal.aborted) schedule(interval);
    });
  };
  const schedule = (ms: number) => {
    timer = setTimeout(run, ms);
    timer.unref?.();
  };
  schedule(options.firstDelayMs ?? Math.min(interval, Math.round(interval / 10)));
  return {
    async stop() {
      abort.abort();
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
