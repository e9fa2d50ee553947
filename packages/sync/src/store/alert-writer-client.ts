import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { AlertPageBody, AlertPageBodyResult } from "./alert-page-body.js";
import type { IncomingRow } from "./alert-rows.js";
import { StoreError } from "./errors.js";
import type { ApplyPageResult, CursorPosition } from "./records.js";

/** What a writer thread opens (alert-writer-thread.ts). */
export interface WriterSetup {
  readonly path: string;
  readonly busyTimeoutMs?: number;
  /** One Int32 shared by the process's writer threads: 1 while one of them holds the write transaction. */
  readonly lock: SharedArrayBuffer;
}

/** One page to write: rows already validated, newest version per id. */
export interface WriterRowsRequest {
  readonly id: number;
  readonly tenantId: string;
  readonly rows: readonly IncomingRow[];
  /** Rows of the page left out as older duplicates of another (counted as unchanged). */
  readonly duplicates: number;
  readonly stream: string;
  readonly nextCursor: CursorPosition;
  readonly now: string;
}

/** One page's body to read and write there (alert-page-body.ts). */
export interface WriterBodyRequest extends AlertPageBody {
  readonly id: number;
  readonly now: string;
}

export type WriterRequest = WriterRowsRequest | WriterBodyRequest;

export type WriterReply =
  | { readonly id: number; readonly result: ApplyPageResult | AlertPageBodyResult }
  | { readonly id: number; readonly error: { readonly message: string; readonly code?: string; readonly name: string } };

/**
 * How many writer threads a store starts: two where there are two cores or more. A thread reads
 * its page (decodes and parses the body, validates, builds rows) outside the write transaction and
 * takes the shared lock only to write, so with two the parsing of one page overlaps the writing of
 * another; SQLite takes one writer at a time, so more threads would mostly wait for the lock.
 */
const THREADS = Math.max(1, Math.min(2, availableParallelism()));

type Waiting = { resolve(r: ApplyPageResult | AlertPageBodyResult): void; reject(e: Error): void };

/** One writer thread: its pages in flight, answered in order. */
class WriterThread {
  readonly worker: Worker;
  readonly pending = new Map<number, Waiting>();

  constructor(worker: Worker, onFailure: (error: Error) => void) {
    this.worker = worker;
    worker.unref();
    worker.on("message", (reply: WriterReply) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.settled(reply.id);
      if ("result" in reply) waiting.resolve(reply.result);
      else {
        const { message, code, name } = reply.error;
        const error = code?.startsWith("ERR_STORE_") ? new StoreError(code as ConstructorParameters<typeof StoreError>[0], message) : Object.assign(new Error(message), { name, ...(code ? { code } : {}) });
        waiting.reject(error);
      }
    });
    worker.on("error", (error) => onFailure(error));
    worker.on("exit", (code) => onFailure(new StoreError("ERR_STORE_WRITER", `the store's alert writer thread stopped (exit code ${code})`)));
  }

  send(request: WriterRequest, waiting: Waiting) {
    this.pending.set(request.id, waiting);
    if (this.pending.size === 1) this.worker.ref();
    if (!("body" in request)) return this.worker.postMessage(request);
    // A body's buffer moves to the thread without a copy when the body is all of it (the caller
    // handed it over with the page); a view into a larger or shared buffer is copied first.
    const { body } = request;
    const own = body.buffer instanceof ArrayBuffer && body.byteOffset === 0 && body.byteLength === body.buffer.byteLength ? body : body.slice();
    this.worker.postMessage({ ...request, body: own }, [own.buffer as ArrayBuffer]);
  }

  settled(id: number) {
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
  }
}

/**
 * The store's side of the SQLite alert writer threads: each page goes to the thread with the
 * fewest pages in flight. The threads keep the process alive only while a page is being written,
 * and a thread that died fails every page after it (the store's own thread never writes behind
 * their back).
 */
export class AlertWriterThread {
  readonly #threads: WriterThread[];
  #next = 0;
  #failure: Error | undefined;
  #closed: Promise<void> | undefined;

  /**
   * Starts the threads for the store file at `setup.path`, or returns undefined when their module
   * is not beside this one (code bundled without it): the caller then writes in its own thread.
   */
  static start(setup: Omit<WriterSetup, "lock">): AlertWriterThread | undefined {
    const entry = new URL("./alert-writer-thread.js", import.meta.url);
    if (entry.protocol !== "file:" || !existsSync(fileURLToPath(entry))) return undefined;
    const workerData: WriterSetup = { ...setup, lock: new SharedArrayBuffer(4) };
    return new AlertWriterThread(Array.from({ length: THREADS }, () => new Worker(entry, { workerData })));
  }

  private constructor(workers: Worker[]) {
    this.#threads = workers.map((w) => new WriterThread(w, (error) => this.#fail(error)));
  }

  #send<R extends ApplyPageResult>(request: Omit<WriterRowsRequest, "id"> | Omit<WriterBodyRequest, "id">): Promise<R> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = ++this.#next;
    const thread = this.#threads.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    return new Promise<R>((resolve, reject) => thread.send({ ...request, id } as WriterRequest, { resolve: resolve as Waiting["resolve"], reject }));
  }

  /** Writes one page's rows and its cursor in one transaction on a thread. */
  write(request: Omit<WriterRowsRequest, "id">): Promise<ApplyPageResult> {
    return this.#send(request);
  }

  /** Reads one page's body on a thread and writes its rows and cursor there in one transaction. */
  writeBody(request: Omit<WriterBodyRequest, "id">): Promise<AlertPageBodyResult> {
    return this.#send(request);
  }

  #fail(error: Error) {
    this.#failure ??= error;
    for (const thread of this.#threads) {
      for (const [id, waiting] of thread.pending) {
        thread.settled(id);
        waiting.reject(this.#failure);
      }
    }
  }

  /** Lets the pages in flight finish, then closes the threads' connections and ends them. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      if (this.#failure) return;
      this.#failure = new StoreError("ERR_STORE_CLOSED", "the store is closed");
      await Promise.all(
        this.#threads.map(({ worker }) => {
          worker.ref();
          const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
          worker.postMessage({ type: "close" });
          return exited;
        }),
      );
    })();
    return this.#closed;
  }
}
