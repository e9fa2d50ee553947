/**
 * Resolves on the first SIGINT or SIGTERM (or when `signal` aborts), then
 * removes its listeners: a long-running command (serve, the live demo) stops
 * cleanly and returns its exit code instead of being killed mid-write.
 */
export function untilStopped(signal?: AbortSignal): Promise<NodeJS.Signals | "abort"> {
  return new Promise((resolve) => {
    const done = (why: NodeJS.Signals | "abort") => {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
      signal?.removeEventListener("abort", onAbort);
      resolve(why);
    };
    const onInt = () => done("SIGINT");
    const onTerm = () => done("SIGTERM");
    const onAbort = () => done("abort");
    process.on("SIGINT", onInt);
    process.on("SIGTERM", onTerm);
    if (signal?.aborted) done("abort");
    else signal?.addEventListener("abort", onAbort, { once: true });
  });
}
