import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { IncomingRow } from "./alert-rows.js";
import { StoreError } from "./errors.js";
import type { ApplyPageResult, CursorPosition } from "./records.js";

/** What the writer thread opens (alert-writer-thread.ts). */
export interface WriterSetup {
  readonly path: string;
  readonly busyTimeoutMs?: number;
}

/** One page to write: rows already validated, newest version per id. */
export interface WriterRequest {
  readonly id: number;
  readonly tenantId: string;
  readonly rows: readonly IncomingRow[];
  /** Rows of the page left out as older duplicates of another (counted as unchanged). */
  readonly duplicates: number;
  readonly stream: string;
  readonly nextCursor: CursorPosition;
  readonly now: string;
}

export type WriterReply =
  | { readonly id: number; readonly result: ApplyPageResult }
  | { readonly id: number; readonly error: { readonly message: string; readonly code?: string; readonly name: string } };

/**
 * The store's side of the SQLite alert writer thread: one page in flight per call, answered in
 * order. The thread keeps the process alive only while a page is being written, and a thread
 * that died fails every page after it (the store's own thread never writes behind its back).
 */
export class AlertWriterThread {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve(r: ApplyPageResult): void; reject(e: Error): void }>();
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
    return new AlertWriterThread(new Worker(entry, { workerData: setup }));
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

  /** Writes one page and its cursor in one transaction on the thread. */
  write(request: Omit<WriterRequest, "id">): Promise<ApplyPageResult> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = ++this.#next;
    return new Promise<ApplyPageResult>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      if (this.#pending.size === 1) this.#worker.ref();
      this.#worker.postMessage({ ...request, id } satisfies WriterRequest);
    });
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
