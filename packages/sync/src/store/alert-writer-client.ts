import { existsSync } from "node:fs";
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
 * The writer thread's young generation, in MiB. A page's parse allocates some 10 MiB of objects
 * that live until its rows are written; with V8's default (16 MiB semi-spaces) most of them
 * survived two scavenges and were copied into the old generation, and a third of the thread's
 * time went to the collector. At 192 MiB they die young (measured on the emulator's pages:
 * ~30% less CPU per alert on this thread).
 */
const YOUNG_GENERATION_MB = 192;

type Waiting = { resolve(r: ApplyPageResult | AlertPageBodyResult): void; reject(e: Error): void };

/**
 * The store's side of the SQLite alert writer thread: one page in flight per call, answered in
 * order. The thread keeps the process alive only while a page is being written, and a thread
 * that died fails every page after it (the store's own thread never writes behind its back).
 *
 * One thread, not one per core: SQLite takes one writer at a time, and a second connection
 * writing the same file in turn makes each connection drop its page cache at every transaction
 * the other committed (WAL mode) — measured: two threads, each parsing and writing, spent more
 * CPU per alert than one and finished no sooner.
 */
export class AlertWriterThread {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Waiting>();
  #next = 0;
  #failure: Error | undefined;
  #closed: Promise<void> | undefined;

  /**
   * Starts the thread for the store file at `setup.path`, or returns undefined when its module is
   * not beside this one (code bundled without it): the caller then writes in its own thread.
   */
  static start(setup: WriterSetup): AlertWriterThread | undefined {
    const entry = new URL("./alert-writer-thread.js", import.meta.url);
    if (entry.protocol !== "file:" || !existsSync(fileURLToPath(entry))) return undefined;
    return new AlertWriterThread(new Worker(entry, { workerData: setup, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } }));
  }

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.unref();
    worker.on("message", (reply: WriterReply) => {
      const waiting = this.#pending.get(reply.id);
      if (!waiting) return;
      this.#settled(reply.id);
      if ("result" in reply) waiting.resolve(reply.result);
      else {
        const { message, code, name } = reply.error;
        const error = code?.startsWith("ERR_STORE_") ? new StoreError(code as ConstructorParameters<typeof StoreError>[0], message) : Object.assign(new Error(message), { name, ...(code ? { code } : {}) });
        waiting.reject(error);
      }
    });
    worker.on("error", (error) => this.#fail(error));
    worker.on("exit", (code) => this.#fail(new StoreError("ERR_STORE_WRITER", `the store's alert writer thread stopped (exit code ${code})`)));
  }

  #send<R extends ApplyPageResult>(request: Omit<WriterRowsRequest, "id"> | Omit<WriterBodyRequest, "id">): Promise<R> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = ++this.#next;
    return new Promise<R>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as Waiting["resolve"], reject });
      if (this.#pending.size === 1) this.#worker.ref();
      if (!("body" in request)) return this.#worker.postMessage({ ...request, id } satisfies WriterRowsRequest);
      // A body's buffer moves to the thread without a copy when the body is all of it (the caller
      // handed it over with the page); a view into a larger or shared buffer is copied first.
      const { body } = request;
      const own = body.buffer instanceof ArrayBuffer && body.byteOffset === 0 && body.byteLength === body.buffer.byteLength ? body : body.slice();
      this.#worker.postMessage({ ...request, body: own, id } satisfies WriterBodyRequest, [own.buffer as ArrayBuffer]);
    });
  }

  /** Writes one page's rows and its cursor in one transaction on the thread. */
  write(request: Omit<WriterRowsRequest, "id">): Promise<ApplyPageResult> {
    return this.#send(request);
  }

  /** Reads one page's body on the thread and writes its rows and cursor there in one transaction. */
  writeBody(request: Omit<WriterBodyRequest, "id">): Promise<AlertPageBodyResult> {
    return this.#send(request);
  }

  #settled(id: number) {
    this.#pending.delete(id);
    if (this.#pending.size === 0) this.#worker.unref();
  }

  #fail(error: Error) {
    this.#failure ??= error;
    for (const [id, waiting] of this.#pending) {
      this.#settled(id);
      waiting.reject(this.#failure);
    }
  }

  /** Lets the pages in flight finish, then closes the thread's connection and ends it. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      if (this.#failure) return;
      this.#failure = new StoreError("ERR_STORE_CLOSED", "the store is closed");
      this.#worker.ref();
      const exited = new Promise<void>((resolve) => this.#worker.once("exit", () => resolve()));
      this.#worker.postMessage({ type: "close" });
      await exited;
    })();
    return this.#closed;
  }
}
