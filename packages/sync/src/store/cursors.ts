import type { Kysely } from "kysely";
import { type StoreContext, tenantKey } from "./context.js";
import { StoreError } from "./errors.js";
import type { CursorPosition, SyncCursor } from "./records.js";
import type { StoreDatabase, SyncCursorsTable } from "./schema-types.js";
import { toTimeKey } from "./time.js";

/** The cursor a stored row gives back. */
export function toCursor(row: SyncCursorsTable): SyncCursor {
  return {
    tenantId: row.tenant_id,
    stream: row.stream,
    value: row.cursor_value,
    seenIds: JSON.parse(row.seen_ids) as string[],
    updatedAt: row.updated_at,
  };
}

function checkStream(stream: string): string {
  if (typeof stream !== "string" || !/^[a-z][a-z0-9_.-]{0,63}$/.test(stream)) {
    throw new TypeError(`stream must be a short lower-case name like "alerts", got ${JSON.stringify(stream)}`);
  }
  return stream;
}

/** A cursor's row, checked: its value must be a time, its stream a short name. */
export function cursorRow(tenantId: string, stream: string, position: CursorPosition, now: string): SyncCursorsTable {
  if (position.value !== null && toTimeKey(position.value) === null) {
    throw new StoreError("ERR_STORE_INVALID_ROW", `cursor value ${JSON.stringify(position.value)} is not an ISO-8601 time`);
  }
  return {
    tenant_id: tenantId,
    stream: checkStream(stream),
    cursor_value: position.value,
    seen_ids: JSON.stringify([...new Set(position.seenIds)]),
    updated_at: now,
  };
}

/** The upsert of a cursor row, as one statement for a raw SQLite connection (the alert writer threads). */
export const CURSOR_UPSERT_SQL =
  "insert into sync_cursors (tenant_id, stream, cursor_value, seen_ids, updated_at) values (?, ?, ?, ?, ?) " +
  "on conflict (tenant_id, stream) do update set cursor_value = excluded.cursor_value, seen_ids = excluded.seen_ids, updated_at = excluded.updated_at";

/** Writes a cursor with `trx` (inside the caller's transaction). */
export async function writeCursor(
  trx: Kysely<StoreDatabase>,
  tenantId: string,
  stream: string,
  position: CursorPosition,
  now: string,
): Promise<SyncCursor> {
  const row = cursorRow(tenantId, stream, position, now);
  await trx
    .insertInto("sync_cursors")
    .values(row)
    .onConflict((oc) =>
      oc.columns(["tenant_id", "stream"]).doUpdateSet({ cursor_value: row.cursor_value, seen_ids: row.seen_ids, updated_at: now }),
    )
    .execute();
  return toCursor(row);
}

/**
 * The cursor after a page: the newest `lastUpdateTime` (as the API sent it)
 * and every id seen at exactly that time, merged with the previous cursor's
 * ids when the time did not move. A client that then asks for
 * `lastUpdateTime ge value` and skips those ids neither misses nor repeats an
 * alert that shares the boundary timestamp (STYLE.md, "what weaker code does").
 *
 * @example advanceCursor(null, [{ id: "a", lastUpdateTime: "2024-01-01T00:00:00Z" }])
 */
export function advanceCursor(
  previous: CursorPosition | null,
  items: ReadonlyArray<{ readonly id: string; readonly lastUpdateTime?: string | null }>,
  timeOf: (item: { readonly id: string; readonly lastUpdateTime?: string | null }) => string | null | undefined = (i) => i.lastUpdateTime,
): CursorPosition {
  let value = previous?.value ?? null;
  let key = value === null ? "" : (toTimeKey(value) ?? "");
  let seen = new Set(previous?.seenIds ?? []);
  for (const item of items) {
    const time = timeOf(item);
    if (typeof time !== "string") continue;
    const k = toTimeKey(time);
    if (k === null || k < key) continue;
    if (k > key) {
      key = k;
      value = time;
      seen = new Set();
    }
    seen.add(item.id);
  }
  return { value, seenIds: [...seen] };
}

/**
 * Where a pass's cursor may be moved by its pages (the reasoning is told in the engine's
 * alert-cursor.ts): a page before the last writes the cursor the pass started from, unchanged;
 * the page that ends the pass writes the newest version read, capped at the pass's start.
 */
export function unchangedPosition(previous: CursorPosition | null): CursorPosition {
  return { value: previous?.value ?? null, seenIds: [...(previous?.seenIds ?? [])] };
}

/** The position the page that ends a pass writes: `newest`, or the pass's start when `newest` is later. See {@link unchangedPosition}. */
export function finalPosition(newest: CursorPosition, runStartMs: number): CursorPosition {
  if (newest.value === null) return newest;
  if ((toTimeKey(newest.value) ?? "") <= (toTimeKey(new Date(runStartMs)) as string)) return newest;
  return { value: new Date(runStartMs).toISOString(), seenIds: [] };
}

/** True when `cursor` already covers the item: older than its time, or at its time with a seen id. */
export function cursorCovers(
  cursor: CursorPosition | null,
  item: { readonly id: string; readonly lastUpdateTime?: string | null },
): boolean {
  if (!cursor || cursor.value === null || typeof item.lastUpdateTime !== "string") return false;
  const at = toTimeKey(cursor.value);
  const k = toTimeKey(item.lastUpdateTime);
  if (at === null || k === null) return false;
  return k < at || (k === at && cursor.seenIds.includes(item.id));
}

/** Incremental-sync cursors per tenant and stream. */
export function createCursorRepository(ctx: StoreContext) {
  return {
    async getCursor(tenantId: string, stream: string): Promise<SyncCursor | null> {
      const row = await ctx.db
        .selectFrom("sync_cursors")
        .selectAll()
        .where("tenant_id", "=", tenantKey(tenantId))
        .where("stream", "=", checkStream(stream))
        .executeTakeFirst();
      return row ? toCursor(row) : null;
    },

    /** Sets a stream's cursor on its own (streams without page rows, e.g. after a full machine refresh). */
    async setCursor(tenantId: string, stream: string, position: CursorPosition): Promise<SyncCursor> {
      const id = tenantKey(tenantId);
      return ctx.dialect.writeTransaction((trx) => writeCursor(trx, id, stream, position, ctx.now()));
    },
  };
}
