/**
 * A pass run again and again, `intervalMs` after each one ends, until stopped:
 * the webhook forwarder's and the notification rules' background loop. A pass
 * that throws is left to the next one; `stop()` aborts the wait (and the pass's
 * signal) and resolves once the loop has ended.
 */
export interface PassLoop<R> {
  /** Starts the loop (a second call while it runs does nothing). */
  start(intervalMs: number, onPass?: (result: R) => void): void;
  stop(): Promise<void>;
}

export function createPassLoop<R>(
  runOnce: (signal: AbortSignal) => Promise<R>,
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>,
): PassLoop<R> {
  let loop: { controller: AbortController; done: Promise<void> } | undefined;
  return {
    start(intervalMs, onPass) {
      if (loop) return;
      if (!(intervalMs > 0)) throw new TypeError("intervalMs must be positive");
      const controller = new AbortController();
      const done = (async () => {
        while (!controller.signal.aborted) {
          try {
            onPass?.(await runOnce(controller.signal));
          } catch {
            if (controller.signal.aborted) break;
          }
          await sleep(intervalMs, controller.signal).catch(() => {});
        }
      })();
      loop = { controller, done };
    },
    async stop() {
      const l = loop;
      loop = undefined;
      if (!l) return;
      l.controller.abort();
      await l.done;
    },
  };
}
