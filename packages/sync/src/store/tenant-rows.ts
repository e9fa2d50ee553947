import { type Kysely, type RawBuilder, type Selectable, type SelectType, sql } from "kysely";
import { tenantKey } from "./context.js";
import { StoreError } from "./errors.js";
import type { StoreDatabase } from "./schema-types.js";

/** Tables of API objects keyed by (tenant, id). */
export type TenantRowTable = "alerts" | "incidents" | "machines" | "machine_actions";

/**
 * The ON CONFLICT update that takes `columns` from the row being inserted
 * (`excluded.<column>`), for a `doUpdateSet`.
 *
 * @example .onConflict((oc) => oc.columns(["tenant_id", "id"]).doUpdateSet(fromExcluded("machines", ["payload", "updated_at"])))
 */
export function fromExcluded<T extends keyof StoreDatabase, C extends keyof StoreDatabase[T] & string>(
  _table: T,
  columns: readonly C[],
): { [K in C]: RawBuilder<SelectType<StoreDatabase[T][K]>> } {
  return Object.fromEntries(columns.map((c) => [c, sql.ref(`excluded.${c}`)])) as { [K in C]: RawBuilder<SelectType<StoreDatabase[T][K]>> };
}

/** One stored API object of a tenant by id, mapped by `toStored`, or null. */
export async function findTenantRow<T extends TenantRowTable, R>(
  db: Kysely<StoreDatabase>,
  table: T,
  tenantId: string,
  id: string,
  toStored: (row: Selectable<StoreDatabase[T]>) => R,
): Promise<R | null> {
  // Every such table has the same key columns; Kysely cannot see them through a generic table name.
  const keyed = db as unknown as Kysely<Record<TenantRowTable, { tenant_id: string; id: string }>>;
  const row = await keyed
    .selectFrom(table as TenantRowTable)
    .selectAll()
    .where("tenant_id", "=", tenantKey(tenantId))
    .where("id", "=", id)
    .executeTakeFirst();
  return row ? toStored(row as Selectable<StoreDatabase[T]>) : null;
}

/** Rejects an API object without an id before it becomes a row (`kind` and `index` name it in the error). */
export function requireId(input: { readonly id?: unknown } | null, kind: string, index: number): void {
  if (input === null || typeof input !== "object" || typeof input.id !== "string" || input.id === "") {
    throw new StoreError("ERR_STORE_INVALID_ROW", `${kind} at index ${index} has no id`);
  }
}

/**
 * The rows by id, keeping the newest version (by `last_update_key`; the later
 * one on a tie) of an id that appears twice: PostgreSQL refuses to touch the
 * same row twice in one INSERT … ON CONFLICT.
 */
export function newestById<R extends { readonly id: string; readonly last_update_key?: string | null }>(rows: Iterable<R>): Map<string, R> {
  const byId = new Map<string, R>();
  for (const row of rows) {
    const prior = byId.get(row.id);
    if (!prior || (prior.last_update_key ?? "") <= (row.last_update_key ?? "")) byId.set(row.id, row);
  }
  return byId;
}
