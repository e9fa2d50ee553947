import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { MessageChannel, type MessagePort, Worker } from "node:worker_threads";
import type { CompiledQuery, QueryResult } from "kysely";
import type { AlertPageBody, AlertPageBodyResult, ReadPage } from "./alert-page-body.js";
import type { PackedRows } from "./alert-row-pack.js";
import type { IncomingRow } from "./alert-rows.js";
import { StoreError } from "./errors.js";
import { SpareBuffers } from "./spare-buffers.js";
import type { WriteRoute } from "./dialect.js";
import type { ApplyPageResult, CursorPosition } from "./records.js";
import type { SyncCursorsTable } from "./schema-types.js";

/** What the writer thread opens (alert-writer-thread.ts), and its end of the reader thread's channel. */
export interface WriterSetup {
  readonly path: string;
  readonly busyTimeoutMs?: number;
  readonly reader?: MessagePort;
}

/** The reader thread's end of its channel to the writer thread (alert-reader-thread.ts). */
export interface ReaderSetup {
  readonly writer: MessagePort;
}

/** A written page's packed buffers, from the writer thread back to the reader thread (alert-row-pack.ts `recyclePacked`). */
export interface SparePacked {
  readonly type: "spare";
  readonly bytes: ArrayBuffer;
  readonly cells: ArrayBuffer;
}

/** A read page's body buffer, from the reader thread back to the store's thread ({@link AlertWriterThread.bodyBuffer}). */
export interface SpareBody {
  readonly type: "spare";
  readonly body: ArrayBuffer;
}

/** A page the reader thread read, on its way to the writer thread. */
export interface WriterPackedRequest {
  readonly id: number;
  readonly tenantId: string;
  readonly packed: PackedRows;
  readonly duplicates: number;
  readonly cursor: SyncCursorsTable;
  readonly now: string;
  readonly place: ReadPage["place"];
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

export type WriterRequest = WriterRowsRequest | WriterPackedRequest;

/** One of the store's own statements, or the start or end of one of its write transactions, for the writer's connection (dialect.ts WriteRoute). */
export type RoutedRequest =
  | { readonly type: "sql"; readonly id: number; readonly sql: string; readonly parameters: readonly unknown[]; readonly transaction?: number }
  | { readonly type: "begin"; readonly id: number; readonly transaction: number }
  | { readonly type: "end"; readonly id: number; readonly transaction: number; readonly commit: boolean };

export type WriterReply =
  | { readonly id: number; readonly result: ApplyPageResult | AlertPageBodyResult | QueryResult<unknown> | null }
  | { readonly id: number; readonly error: { readonly message: string; readonly code?: string; readonly name: string } };

/** The answer for a page that failed with `error` on either thread (its code, name and message cross; the stack stays). */
export function errorReply(id: number, error: unknown): WriterReply {
  const e = error as { message?: unknown; code?: unknown; name?: unknown };
  return { id, error: { message: String(e?.message ?? error), ...(typeof e?.code === "string" ? { code: e.code } : {}), name: String(e?.name ?? "Error") } };
}

/**
 * The reader thread's young generation, in MiB. A page the scanner cannot read (alert-page-scan.ts)
 * is parsed whole, and a page's parse allocates some 10 MiB of objects that live until its rows
 * are packed; with V8's default (16 MiB semi-spaces) most of them survived two scavenges and were
 * copied into the old generation, and a third of the thread's time went to the collector. At
 * 192 MiB they die young (measured on the emulator's pages: ~30% less CPU per alert on the thread
 * that parses).
 */
const READER_YOUNG_GENERATION_MB = 192;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

type Waiting = {
  resolve(r: ApplyPageResult | AlertPageBodyResult | QueryResult<unknown> | null): void;
  reject(e: Error): void;
  /** A page's bytes to write (0: one of the store's own statements). */
  readonly bytes: number;
};

/**
 * Bodies kept for reuse at most: one per page a sync has in flight at its default concurrency
 * (engine/sync-all.ts), whose answers come in waves; fewer left most bodies in new buffers.
 */
const SPARE_BODIES = 16;
/**
 * Pages a sync may have between the start of their body's read and their answer
 * ({@link AlertWriterThread.pageSlot}). Without a bound, a sync's 16 tenants read their first
 * bodies at once when the server answers faster than the threads write, each into a new buffer of
 * several MiB, and the reader packed their rows into new buffers too. Measured with the emulator's
 * pages (bench/sync-script.bench.ts, 40 tenants × 3,000 alerts, 3 rounds each): unbounded 3.69 s,
 * 33.9 µs of CPU per alert, 91k first touches of memory; 8 slots 3.39–3.61 s, 32.4–32.6 µs,
 * 75–78k; 4 slots 3.29–3.40 s, 30.4–31.3 µs, 66–70k. A slot is held while the body arrives, so
 * this also bounds the bodies read at once: 4 of several MiB each keep a link busy.
 */
export const PAGES_AHEAD = 4;
/**
 * The pages in hand, in bytes of alerts, above which the store's own writes go to the writer
 * (dialect.ts WriteRoute): about 2 ms of its work on a sync's benchmark (a 3,000-alert page of
 * 4 MiB took about 35 ms to write). Below it a write tries the store's own connection first.
 */
const BACKLOG_BYTES = 256 * 1024;
/** About the bytes of an alert in a page of rows (the API's JSON of the emulator's alerts: 1.3 KiB). */
const ROW_BYTES = 1024;
/** How long an idle store keeps its spare bodies. */
const SPARE_BODIES_IDLE_MS = 2_000;

/**
 * The store's side of the SQLite alert threads: the reader thread parses the alert pages' bodies
 * (alert-reader-thread.ts), the writer thread writes them and the pages of rows this thread sends
 * (alert-writer-thread.ts); every page is answered once, by the reader (a page it refused) or the
 * writer. The threads keep the process alive only while a page is in flight, and a thread that
 * died fails every page after it (the store's own thread never writes behind their back).
 *
 * One writer: SQLite takes one writer at a time, and two connections writing the same file in turn
 * make each drop its page cache at every transaction the other committed (WAL mode) — measured:
 * two threads that each parsed and wrote spent more CPU per alert than one, and finished no sooner.
 */
export class AlertWriterThread {
  readonly #writer: Worker;
  readonly #reader: Worker;
  readonly #pending = new Map<number, Waiting>();
  /** Buffers of bodies the reader thread has read, for the next bodies (see {@link bodyBuffer}). */
  readonly #spareBodies = new SpareBuffers(SPARE_BODIES);
  #idle: ReturnType<typeof setTimeout> | undefined;
  /** The buffers {@link bodyBuffer} gave out: a body in one of them moves to the reader whole. */
  readonly #lent = new WeakSet<ArrayBuffer>();
  /** Told when the first page goes in flight (true) and when the last one is answered (false). */
  readonly #onBusy: (busy: boolean) => void;
  /** About how many bytes of alerts the pages sent to the threads and not answered yet hold (each counts at least 1). */
  #backlog = 0;
  #next = 0;
  /** Slots of {@link pageSlot} free, and the callers waiting for one in the order they came. */
  #freeSlots = PAGES_AHEAD;
  readonly #waitingSlot: Array<() => void> = [];
  #failure: Error | undefined;
  /** Why the threads stopped, when they did (closing alone still lets the store's statements through). */
  #stopped: Error | undefined;
  #closed: Promise<void> | undefined;
  #closing = false;

  /**
   * Starts the threads for the store file at `setup.path`, or returns undefined when their modules
   * are not beside this one (code bundled without them): the caller then writes in its own thread.
   */
  static start(setup: Omit<WriterSetup, "reader">, onBusy: (busy: boolean) => void = () => {}): AlertWriterThread | undefined {
    const writerEntry = new URL("./alert-writer-thread.js", import.meta.url);
    const readerEntry = new URL("./alert-reader-thread.js", import.meta.url);
    if ([writerEntry, readerEntry].some((e) => e.protocol !== "file:" || !existsSync(fileURLToPath(e)))) return undefined;
    const { port1, port2 } = new MessageChannel();
    const writer = new Worker(writerEntry, { workerData: { ...setup, reader: port1 } satisfies WriterSetup, transferList: [port1] });
    const reader = new Worker(readerEntry, {
      workerData: { writer: port2 } satisfies ReaderSetup,
      transferList: [port2],
      resourceLimits: { maxYoungGenerationSizeMb: READER_YOUNG_GENERATION_MB },
    });
    return new AlertWriterThread(writer, reader, onBusy);
  }

  private constructor(writer: Worker, reader: Worker, onBusy: (busy: boolean) => void) {
    this.#writer = writer;
    this.#reader = reader;
    this.#onBusy = onBusy;
    for (const worker of [writer, reader]) {
      worker.unref();
      worker.on("message", (reply: WriterReply | SpareBody) => {
        if ("type" in reply) {
          // A closing store keeps nothing for later.
          if (!this.#closing) this.#spareBodies.keep(reply.body);
          return;
        }
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
      // Closing, the reader ends first; the writer still answers the pages it has.
      worker.on("exit", (code) => (this.#closing && worker === reader) || this.#fail(new StoreError("ERR_STORE_WRITER", `the store's alert ${worker === writer ? "writer" : "reader"} thread stopped (exit code ${code})`)));
    }
  }

  /** Posts `message` to `worker` as request `id` and waits for its answer (the threads are kept alive meanwhile). */
  #post<R>(id: number, worker: Worker, bytes: number, message: unknown, transfer?: ArrayBuffer[]): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as Waiting["resolve"], reject, bytes });
      if (this.#pending.size === 1) {
        clearTimeout(this.#idle);
        this.#idle = undefined;
        for (const w of [this.#writer, this.#reader]) w.ref();
      }
      if (bytes > 0 && (this.#backlog += bytes) === bytes) this.#onBusy(true);
      worker.postMessage(message, transfer);
    });
  }

  #send<R extends ApplyPageResult>(request: Omit<WriterRowsRequest, "id"> | Omit<WriterBodyRequest, "id">): Promise<R> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = ++this.#next;
    if (!("body" in request)) return this.#post(id, this.#writer, ROW_BYTES * Math.max(1, request.rows.length), { ...request, id } satisfies WriterRowsRequest);
    // A body's buffer moves to the reader without a copy when the body is all of it (the caller
    // handed it over with the page) or the buffer is one bodyBuffer gave out; a view into a
    // larger or shared buffer is copied first.
    const { body } = request;
    const whole = body.buffer instanceof ArrayBuffer && body.byteOffset === 0 && body.byteLength === body.buffer.byteLength;
    const own = whole || this.#lent.delete(body.buffer as ArrayBuffer) ? body : body.slice();
    return this.#post(id, this.#reader, Math.max(1, own.byteLength), { ...request, body: own, id } satisfies WriterBodyRequest, [own.buffer as ArrayBuffer]);
  }

  /**
   * The writer's connection as the store's route for its own writes (dialect.ts WriteRoute: those
   * that come while it has more than {@link BACKLOG_BYTES} of pages in hand, or found the lock taken
   * on the store's connection): the writer runs them as they come, between two of its page
   * transactions. Open until the threads stop; a write transaction begun before the store closed
   * still ends there.
   */
  readonly route: WriteRoute = {
    open: () => this.#stopped === undefined && !this.#closing,
    backlogged: () => this.#backlog > BACKLOG_BYTES,
    run: <R>(query: CompiledQuery, transaction?: number) =>
      this.#routed<QueryResult<R>>({ type: "sql", sql: query.sql, parameters: query.parameters, ...(transaction !== undefined ? { transaction } : {}) }),
    begin: (transaction: number) => this.#routed<void>({ type: "begin", transaction }),
    end: (transaction: number, commit: boolean) => this.#routed<void>({ type: "end", transaction, commit }),
  };

  #routed<R>(request: DistributiveOmit<RoutedRequest, "id">): Promise<R> {
    if (this.#stopped) return Promise.reject(this.#stopped);
    const id = ++this.#next;
    return this.#post(id, this.#writer, 0, { ...request, id } as RoutedRequest);
  }

  /**
   * A buffer of at least `byteLength` bytes for a page's body, to hand to {@link writeBody} as the
   * body (or a view of it from offset 0): the buffer of a body the reader thread is done with where
   * one is big enough, so the body lands in memory already touched rather than in a new buffer whose
   * every page is a trip into the kernel on first touch (measured on the emulator's pages: about a
   * sixth of this thread's CPU during a sync went to the fresh buffers of bodies).
   */
  bodyBuffer(byteLength: number): Uint8Array {
    const buffer = this.#spareBodies.get(byteLength);
    this.#lent.add(buffer);
    return new Uint8Array(buffer, 0, byteLength);
  }

  /**
   * A slot for one page, held from before its body is read until its answer: resolves with the
   * slot's release (which does nothing when called again) once fewer than {@link PAGES_AHEAD} are
   * held. The caller releases it in every case, its body's read failing included.
   */
  pageSlot(): Promise<() => void> {
    return new Promise((resolve) => {
      const grant = () => {
        let held = true;
        resolve(() => {
          if (!held) return;
          held = false;
          const next = this.#waitingSlot.shift();
          if (next) next();
          else this.#freeSlots++;
        });
      };
      if (this.#freeSlots > 0) {
        this.#freeSlots--;
        grant();
      } else this.#waitingSlot.push(grant);
    });
  }

  /** Writes one page's rows and its cursor in one transaction on the writer thread. */
  write(request: Omit<WriterRowsRequest, "id">): Promise<ApplyPageResult> {
    return this.#send(request);
  }

  /** Reads one page's body on the reader thread and writes its rows and cursor in one transaction on the writer thread. */
  writeBody(request: Omit<WriterBodyRequest, "id">): Promise<AlertPageBodyResult> {
    return this.#send(request);
  }

  #settled(id: number) {
    const bytes = this.#pending.get(id)?.bytes ?? 0;
    if (bytes > 0 && (this.#backlog -= bytes) === 0) this.#onBusy(false);
    this.#pending.delete(id);
    if (this.#pending.size === 0) {
      // An idle store lets its spare bodies go after a while (a sync's next body often comes later
      // than its last page is answered).
      this.#idle ??= setTimeout(() => {
        this.#idle = undefined;
        this.#spareBodies.clear();
      }, SPARE_BODIES_IDLE_MS).unref();
      for (const w of [this.#writer, this.#reader]) w.unref();
    }
  }

  #fail(error: Error) {
    this.#failure ??= error;
    this.#stopped ??= error;
    for (const [id, waiting] of this.#pending) {
      this.#settled(id);
      waiting.reject(this.#failure);
    }
  }

  /** Lets the pages in flight finish, then closes the writer's connection and ends both threads. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      clearTimeout(this.#idle);
      this.#spareBodies.clear();
      if (this.#failure) return;
      this.#failure = new StoreError("ERR_STORE_CLOSED", "the store is closed");
      this.#closing = true;
      await Promise.all(
        [this.#reader, this.#writer].map((worker) => {
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
