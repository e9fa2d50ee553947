/**
 * One incremental pass over a time-ordered stream (MDE alerts, Graph alerts_v2, Graph incidents):
 * read from the stored cursor (less the overlap), commit each page's rows with the cursor the page
 * may move it to (unchanged mid-pass, the newest time read on the page that ends the pass — see
 * alert-cursor.ts), count what changed and report progress. Why this is crash-safe is told in
 * alert-cursor.ts and graph-sync.ts.
 */
import type { CursorPosition } from "../store/index.js";
import { createRunCursor, readFrom } from "./alert-cursor.js";
import { emitProgress, Stopped } from "./run-control.js";
import type { TenantSyncSettings } from "./sync-tenant.js";

/** Running totals of one pass. */
export interface PassTotals {
  fetched: number;
  inserted: number;
  updated: number;
  unchanged: number;
  pages: number;
  cursor: string | null;
}

export const emptyPass = (): PassTotals => ({ fetched: 0, inserted: 0, updated: 0, unchanged: 0, pages: 0, cursor: null });

/** What one stream's pass reads and how it commits. */
export interface CursorStream<Item, Row> {
  /** The cursor's stream name in the store. */
  readonly cursor: string;
  /** The stream's name in progress events. */
  readonly progress: "alerts" | "incidents";
  /** The pages to read, from `from` (ms since the epoch; undefined: everything). */
  pages(from: number | undefined): AsyncIterable<{ readonly value: Item[]; readonly nextLink?: string | undefined }>;
  /** The page's items as the store takes them. */
  rows(items: Item[]): Row[];
  /** The rows' id and change time, for the cursor. */
  versions(rows: Row[]): ReadonlyArray<{ readonly id: string; readonly lastUpdateTime?: string | null }>;
  /** Whether this page ends the pass. */
  isLast(page: { readonly value: Item[]; readonly nextLink?: string | undefined }): boolean;
  /** Commits the rows with the cursor position in one transaction. */
  apply(rows: Row[], position: CursorPosition): Promise<{ inserted: number; updated: number; unchanged: number; cursor: { value: string | null } }>;
}

/** A page committed with its cursor, as a pass counts it. */
export interface CommittedPage {
  /** Items on the page as read. */
  readonly items: number;
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly cursor: { readonly value: string | null };
  /** The page ended the pass (it committed the pass's new cursor). */
  readonly last: boolean;
}

/** Where a pass starts: the stored cursor, the pass's start (our clock) and the time to read from. */
export interface PassStart {
  readonly previous: CursorPosition | null;
  readonly runStartMs: number;
  /** The lower bound (ms) of the read, the overlap taken off; undefined: everything. */
  readonly from: number | undefined;
}

/**
 * Runs one pass of the stream named `names` for `tenantId`, adding to `pass`: `open` reads and
 * commits the pages from where the pass starts, and gives the cursor the pass ends at when its
 * pages run out before one that ends it (an empty tail).
 */
export async function runPass(
  settings: TenantSyncSettings,
  tenantId: string,
  pass: PassTotals,
  names: { readonly cursor: string; readonly progress: "alerts" | "incidents" },
  open: (start: PassStart) => { pages: AsyncIterable<CommittedPage>; final(): CursorPosition },
): Promise<void> {
  const { store, signal } = settings;
  const runStartMs = settings.clock.now();
  const previous = await store.getCursor(tenantId, names.cursor);
  const { pages, final } = open({ previous, runStartMs, from: readFrom(previous, settings.overlapMs, settings.since) });
  emitProgress(settings.onProgress, { type: "tenant-start", tenantId, stream: names.progress });
  let ended = false;
  for await (const r of pages) {
    pass.pages++;
    pass.fetched += r.items;
    pass.inserted += r.inserted;
    pass.updated += r.updated;
    pass.unchanged += r.unchanged;
    pass.cursor = r.cursor.value;
    emitProgress(settings.onProgress, { type: "page", tenantId, stream: names.progress, page: pass.pages, items: r.items, total: pass.fetched });
    if (r.last) {
      ended = true;
      break;
    }
    // Not aborted mid-transaction: the signal is only looked at between pages.
    if (signal?.aborted) throw new Stopped("stopped");
  }
  // The pager ended without a page that ends the pass (an empty tail): the pass is complete all the same.
  if (!ended) pass.cursor = (await store.setCursor(tenantId, names.cursor, final())).value;
}

/** Runs one pass of `stream` for `tenantId`, adding to `pass`: each page's rows are built here and committed by `stream.apply`. */
export function runCursorPass<Item, Row>(settings: TenantSyncSettings, tenantId: string, pass: PassTotals, stream: CursorStream<Item, Row>): Promise<void> {
  return runPass(settings, tenantId, pass, stream, ({ previous, runStartMs, from }) => {
    const cursor = createRunCursor(previous, runStartMs);
    async function* pages(): AsyncGenerator<CommittedPage> {
      for await (const page of stream.pages(from)) {
        const rows = stream.rows(page.value);
        const last = stream.isLast(page);
        cursor.see(stream.versions(rows));
        yield { ...(await stream.apply(rows, last ? cursor.final() : cursor.unchanged())), items: rows.length, last };
      }
    }
    return { pages: pages(), final: () => cursor.final() };
  });
}
