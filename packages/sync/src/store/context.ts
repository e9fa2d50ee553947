import { type Clock, isTenantGuid } from "@mde-partner/client";
import type { Kysely } from "kysely";
import type { StoreDialect } from "./dialect.js";
import type { StoreDatabase } from "./schema-types.js";
import { isoNow } from "./time.js";

/** What every repository of one store shares. Instance state only. */
export interface StoreContext {
  readonly dialect: StoreDialect;
  readonly db: Kysely<StoreDatabase>;
  readonly clock: Clock;
  /** The clock's time as our ISO text. */
  now(): string;
}

export function createStoreContext(dialect: StoreDialect, clock: Clock): StoreContext {
  return Object.freeze({ dialect, db: dialect.db, clock, now: () => isoNow(clock) });
}

/**
 * Tenant ids are GUIDs (DESIGN.md / STYLE.md habit 4); stored lower-case so
 * the same tenant never appears twice under different spellings.
 */
export function tenantKey(tenantId: string): string {
  const id = typeof tenantId === "string" ? tenantId.trim().toLowerCase() : "";
  if (!isTenantGuid(id)) throw new TypeError(`tenant id must be a GUID, got ${JSON.stringify(tenantId)}`);
  return id;
}

/** Splits `items` into slices of at most `size`. */
export function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/** Rows per multi-row INSERT so a statement stays under the engine's parameter limit. */
export function rowsPerStatement(dialect: StoreDialect, columnsPerRow: number): number {
  return Math.max(1, Math.floor(dialect.maxParameters / columnsPerRow));
}

export function parseJson<T>(text: string | null, fallback: T): T {
  if (text === null) return fallback;
  return JSON.parse(text) as T;
}

/** `value` when it is a string, else null (payload fields the API may omit or null). */
export function stringOrNull(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}
