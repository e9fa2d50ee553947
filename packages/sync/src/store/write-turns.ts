/*
 * Turns at an SQLite store's write lock between the store's own thread and its alert writer
 * thread (alert-writer-thread.ts), in one process.
 *
 * SQLite gives the lock to whoever asks while it is free; a waiting connection only polls. The
 * writer thread writes page after page, each transaction starting the moment the last one
 * committed, so the store's thread — retrying its small writes after a pause (sqlite-dialect.ts)
 * — almost never found the lock free while pages were queued. A sync's bookkeeping (a tenant's
 * run row, its state) then waited for the writer's whole queue: measured on the sync benchmark
 * (40 tenants × 3,000 alerts), single statements waited 140–680 ms, the tenants behind them did
 * not start, and the API host sat idle while the writer wrote, then the writer while the host
 * answered.
 *
 * With turns, the store's thread says it is waiting; the writer, before its next transaction,
 * tells it to try now and waits (a bounded time) until its statement went through. A write of the
 * store's thread waits for the writer's transaction in progress at most (up to eight pages); in
 * the same benchmark its statements waited 33–145 ms. Breaking the writer's transactions between
 * pages as well cut that to 25–95 ms but cost CPU per alert (smaller transactions, and the writer's
 * page cache dropped at each commit of the other connection): side by side 38.3 against 36.0 µs.
 * Another process's writes are not covered: they wait on SQLite's busy timeout as before.
 */

/** Cells of the shared buffer: how many statements wait on the store's thread, and how often the writer gave way. */
const WAITING = 0;
const GAVE_WAY = 1;

/** `Atomics.waitAsync` (ES2024; in Node since 16), which the project's ES2023 library types do not declare. */
const waitAsync = (Atomics as unknown as {
  waitAsync(cells: Int32Array, index: number, value: number, timeoutMs: number): { async: false; value: string } | { async: true; value: Promise<string> };
}).waitAsync;

/** The most the writer waits for the store's thread at one turn: a statement's retry, with a busy event loop. */
const MAX_GIVE_WAY_MS = 250;

export class WriteTurns {
  readonly #cells: Int32Array;

  /** `buffer`: the store thread's turns as the writer thread got them (a new buffer when absent). */
  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT)) {
    this.#cells = new Int32Array(buffer);
  }

  /** The buffer to hand to the writer thread (shared, not copied). */
  get buffer(): SharedArrayBuffer {
    return this.#cells.buffer as SharedArrayBuffer;
  }

  // The store's thread.

  /** A mark to wait on with {@link nextTurn}: read before the statement is tried. */
  mark(): number {
    return Atomics.load(this.#cells, GAVE_WAY);
  }

  /** The store's thread has a statement waiting for the lock (true) or no longer (false: it ran, or gave up). */
  waiting(on: boolean): void {
    Atomics.add(this.#cells, WAITING, on ? 1 : -1);
    if (!on) Atomics.notify(this.#cells, WAITING);
  }

  /**
   * Resolves when the writer gave way since `mark`, or after `ms`, whichever comes first. Does not
   * block the thread. A timer keeps the process alive meanwhile: a pending `Atomics.waitAsync`
   * does not.
   */
  async nextTurn(mark: number, ms: number): Promise<void> {
    const turn = waitAsync(this.#cells, GAVE_WAY, mark, ms);
    if (!turn.async) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([turn.value, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms + 1)))]);
    clearTimeout(timer);
  }

  // The writer thread (may block: it is a worker).

  /** Whether a statement of the store's thread waits for the lock. */
  wanted(): boolean {
    return Atomics.load(this.#cells, WAITING) > 0;
  }

  /** With no transaction open: lets the store's thread's waiting statements through, waiting at most {@link MAX_GIVE_WAY_MS}. */
  giveWay(): void {
    if (!this.wanted()) return;
    Atomics.add(this.#cells, GAVE_WAY, 1);
    Atomics.notify(this.#cells, GAVE_WAY);
    const deadline = Date.now() + MAX_GIVE_WAY_MS;
    for (let waiting = Atomics.load(this.#cells, WAITING); waiting > 0; waiting = Atomics.load(this.#cells, WAITING)) {
      const left = deadline - Date.now();
      if (left <= 0) return;
      Atomics.wait(this.#cells, WAITING, waiting, left);
    }
  }
}
