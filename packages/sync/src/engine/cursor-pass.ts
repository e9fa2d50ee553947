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

/** Runs one pass of `stream` for `tenantId`, adding to `pass`. */
export async function runCursorPass<Item, Row>(
  settings: TenantSyncSettings,
  tenantId: string,
  pass: PassTotals,
  stream: CursorStream<Item, Row>,
): Promise<void> {
  const { store, signal } = settings;
  const runStart = settings.clock.now();
  const previous = await store.getCursor(tenantId, stream.cursor);
  const cursor = createRunCursor(previous, runStart);
  const from = readFrom(previous, settings.overlapMs, settings.since);
  emitProgress(settings.onProgress, { type: "tenant-start", tenantId, stream: stream.progress });
  let ended = false;
  for await (const page of stream.pages(from)) {
    const rows = stream.rows(page.value);
    const last = stream.isLast(page);
    cursor.see(stream.versions(rows));
    // Not aborted mid-transaction: the signal is only looked at between pages.
    const r = await stream.apply(rows, last ? cursor.final() : cursor.unchanged());
    pass.pages++;
    pass.fetched += rows.length;
    pass.inserted += r.inserted;
    pass.updated += r.updated;
    pass.unchanged += r.unchanged;
    pass.cursor = r.cursor.value;
    emitProgress(settings.onProgress, { type: "page", tenantId, stream: stream.progress, page: pass.pages, items: rows.length, total: pass.fetched });
    if (last) {
      ended = true;
      break;
    }
    if (signal?.aborted) throw new Stopped("stopped");
  }
  // The pager ended without a page that ends the pass (an empty tail): the pass is complete all the same.
  if (!ended) pass.cursor = (await store.setCursor(tenantId, stream.cursor, cursor.final())).value;
}
