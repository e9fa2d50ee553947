/**
 * The incremental alert cursor: where the next run starts, and the value a
 * run may commit.
 *
 * Why a run commits what it commits (the reasoning the tests check):
 *
 * The list API has no `$orderby` (mde-api.md §3.5) and pages by `$top`/`$skip`
 * (§3.6) over an order of its own; the emulator's is a stable internal
 * sequence. A run reads the open-ended set `lastUpdateTime ge X`. Changes
 * during the run only ever add to that set (an update raises an alert's
 * `lastUpdateTime`, a new alert gets a new one; nothing leaves), so:
 *
 * 1. An alert that was in the set when the run started is never skipped:
 *    additions can push it to a later page (read twice — harmless, upserts are
 *    idempotent and an older version never replaces a newer one), not past
 *    the reader.
 * 2. What the run may miss is only what changed *during* the run: an update
 *    landing before the current `$skip` offset, or the new version of an alert
 *    already read. Every such change carries a `lastUpdateTime` at or after the
 *    run's start (server time).
 * 3. The order is not by time, so until the last page is read, an unread alert
 *    may be older than everything read so far. Mid-run pages therefore commit
 *    their rows with the *previous* cursor; only the page that ends the pass
 *    commits a new one.
 *
 * Hence the committed value is min(newest `lastUpdateTime` read, run start by
 * our clock), and the next run reads from that value minus the overlap window
 * (default 5 min), which absorbs the skew between our clock and the service's,
 * the service's delay between stamping and listing an alert, and timestamps
 * equal to the cursor (the `seenIds` of the store's cursor record the ids at
 * exactly that time; re-reading them is harmless). A crash at any point leaves
 * either the old cursor (the pass is re-read) or the new one with all rows it
 * covers, since rows and cursor of a page commit in one transaction.
 */
import { advanceCursor, type CursorPosition, finalPosition, toTimeKey, unchangedPosition } from "../store/index.js";

/** Default overlap: re-read this much before the cursor. */
export const DEFAULT_OVERLAP_MS = 5 * 60_000;

/** Milliseconds of an API time (sub-millisecond ticks dropped: rounding down only widens the re-read). */
export function timeMs(value: string): number {
  const key = toTimeKey(value);
  if (key === null) throw new TypeError(`not an ISO-8601 time: ${JSON.stringify(value)}`);
  return Date.parse(`${key.slice(0, 23)}Z`);
}

/** The lower bound (ms) of a run's `lastUpdateTime ge …` filter, or undefined for a full read. */
export function readFrom(cursor: CursorPosition | null, overlapMs: number, since: string | undefined): number | undefined {
  if (cursor?.value) return timeMs(cursor.value) - overlapMs;
  if (since !== undefined) return timeMs(since);
  return undefined;
}

/** Tracks the newest version read in a run and the cursor the pass may commit at its end. */
export function createRunCursor(previous: CursorPosition | null, runStartMs: number) {
  let newest: CursorPosition = unchangedPosition(previous);
  return {
    /** Position to write with a mid-run page: unchanged. */
    unchanged: (): CursorPosition => unchangedPosition(previous),
    see(items: ReadonlyArray<{ readonly id: string; readonly lastUpdateTime?: string | null }>): void {
      newest = advanceCursor(newest, items);
    },
    /** Position to write with the page that ends the pass: the newest read, capped at the run's start. */
    final: (): CursorPosition => finalPosition(newest, runStartMs),
  };
}
