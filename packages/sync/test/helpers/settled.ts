/** Whether `promise` has settled once everything already queued (its microtasks, this turn's I/O) has run. */
export async function settledNow(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}
