/*
 * An alert page as the API sent it — the body's bytes, not yet decoded — read where it is written:
 * on an alert writer thread (alert-writer-thread.ts) or, without one, in the caller's thread. The
 * page's place in its pass (the newest version read, whether it ends the pass, the cursor it
 * writes) is decided here too, from what the engine hands over with the bytes: the reasoning is
 * the engine's (engine/alert-cursor.ts), the functions are the store's (cursors.ts).
 */
import { type IncomingRow, newestOfPage, toRow } from "./alert-rows.js";
import { scanAlertPage } from "./alert-page-scan.js";
import { type PackedRows, packRows } from "./alert-row-pack.js";
import { advanceCursor, finalPosition, unchangedPosition } from "./cursors.js";
import { StoreError } from "./errors.js";
import type { AlertInput, ApplyPageResult, CursorPosition } from "./records.js";
import { isoToUs } from "./time.js";

/** One page's body and what its pass knows so far. */
export interface AlertPageBody {
  readonly tenantId: string;
  readonly body: Uint8Array;
  /** The pass's page size (`$top`): a shorter page without a next link ends the pass. */
  readonly pageSize: number;
  /** The cursor the pass started from (written, unchanged, with every page but the last). */
  readonly previous: CursorPosition | null;
  /** The newest version read in the pass before this page. */
  readonly newest: CursorPosition;
  /** When the pass started (ms): the page that ends it writes no cursor later than that. */
  readonly runStartMs: number;
}

/** What writing one page's body did. */
export interface AlertPageBodyResult extends ApplyPageResult {
  /** Alerts on the page. */
  readonly items: number;
  /** The page's `@odata.nextLink`, when it has one (the pager checks it before following it). */
  readonly nextLink?: string;
  /** This page ended the pass (it wrote the pass's new cursor). */
  readonly last: boolean;
  /** The newest version read in the pass, this page included. */
  readonly newest: CursorPosition;
}

/** The UTF-8 byte order mark, which a JSON body may start with (and JSON.parse refuses). */
const BOM = [0xef, 0xbb, 0xbf];

/** The alerts and next link of a page's body; a body that is not an OData collection is refused (`ERR_STORE_PAGE_BODY`). */
function readAlertPageBody(body: Uint8Array): { alerts: AlertInput[]; nextLink: string | undefined } {
  const start = BOM.every((b, i) => body[i] === b) ? BOM.length : 0;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body.buffer, body.byteOffset + start, body.byteLength - start).toString("utf8"));
  } catch {
    throw new StoreError("ERR_STORE_PAGE_BODY", "the page is not JSON");
  }
  if (parsed === null || typeof parsed !== "object" || !Array.isArray((parsed as { value?: unknown }).value)) {
    throw new StoreError("ERR_STORE_PAGE_BODY", 'expected an OData collection with a "value" array');
  }
  const link = (parsed as Record<string, unknown>)["@odata.nextLink"];
  return { alerts: (parsed as { value: AlertInput[] }).value, nextLink: typeof link === "string" ? link : undefined };
}

/** Where the page stands in its pass: the newest version read, whether it ends the pass, the cursor it writes. */
function pagePlace(page: AlertPageBody, alerts: ReadonlyArray<{ readonly id: string; readonly lastUpdateTime?: string | null }>, nextLink: string | undefined) {
  const newest = advanceCursor(page.newest, alerts);
  const last = alerts.length < page.pageSize && nextLink === undefined;
  return { newest, last, position: last ? finalPosition(newest, page.runStartMs) : unchangedPosition(page.previous) };
}

/** A page's body read and checked, ready to write: its rows (newest version per id) and the cursor row it writes. */
export interface ReadPage {
  readonly rows: IncomingRow[];
  /** Alerts of the page left out as older duplicates of another (counted as unchanged). */
  readonly duplicates: number;
  /** The cursor the page writes. */
  readonly position: CursorPosition;
  /** What the page's answer tells beyond the write's counts. */
  readonly place: Omit<AlertPageBodyResult, keyof ApplyPageResult>;
}

/**
 * Reads one page's body for writing at `now`: parsed, every alert validated and turned into its
 * row (an invalid one refuses the page: `ERR_STORE_INVALID_ROW`), placed in its pass.
 */
export function readPage(page: AlertPageBody, now: string): ReadPage {
  const { alerts, nextLink } = readAlertPageBody(page.body);
  const ingestedUs = isoToUs(now);
  const unique = newestOfPage(alerts.map((a, i) => toRow(a, i, ingestedUs)));
  return { rows: [...unique.values()], duplicates: alerts.length - unique.size, ...placed(page, alerts, nextLink) };
}

/** A page's position and answer from its alerts (their ids and lastUpdateTime) and next link. */
function placed(page: AlertPageBody, alerts: ReadonlyArray<{ readonly id: string; readonly lastUpdateTime?: string | null }>, nextLink: string | undefined) {
  const place = pagePlace(page, alerts, nextLink);
  return {
    position: place.position,
    place: { items: alerts.length, ...(nextLink !== undefined ? { nextLink } : {}), last: place.last, newest: place.newest },
  };
}

/** A page read as {@link readPage} reads it, its rows packed for the writer thread (alert-row-pack.ts). */
export type ReadPackedPage = Omit<ReadPage, "rows"> & { readonly packed: PackedRows };

/**
 * {@link readPage} with the rows packed: the body scanned straight into packed rows where the
 * scanner can (alert-page-scan.ts), else read by {@link readPage} and packed.
 */
export function readPagePacked(page: AlertPageBody, now: string): ReadPackedPage {
  const scanned = scanAlertPage(page.body, isoToUs(now));
  if (scanned === null) {
    const { rows, ...read } = readPage(page, now);
    return { ...read, packed: packRows(rows) };
  }
  return { packed: scanned.packed, duplicates: 0, ...placed(page, scanned.items, scanned.nextLink) };
}
