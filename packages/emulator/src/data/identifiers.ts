import type Database from "better-sqlite3";

/** .NET ticks (100 ns since 0001-01-01) of an epoch-ms time: 18 digits for any recent date. */
export function dotNetTicks(ms: number, extraTicks = 0): string {
  return (BigInt(Math.trunc(ms)) * 10_000n + 621_355_968_000_000_000n + BigInt(extraTicks)).toString();
}

/**
 * A bijective scramble of 32-bit integers (a "lowbias32" mix). Applied to a
 * per-tenant alert index it gives distinct, random-looking signed int32 values,
 * so alert ids never collide within a tenant.
 */
export function mix32(x: number, salt: number): number {
  let h = (x ^ salt) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h | 0;
}

/** 32-bit salt from a string (FNV-1a). */
export function salt32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Alert id in the documented form `da<18 digits>_<signed int32>`
 * (e.g. `da637472900382838869_1364969609`; mde-api.md §3.7). The digits are the
 * creation time in .NET ticks, as the examples suggest.
 */
export function alertId(creationMs: number, extraTicks: number, index: number, tenantSalt: number): string {
  return `da${dotNetTicks(creationMs, extraTicks)}_${mix32(index, tenantSalt)}`;
}

/**
 * Reserves `count` values of a per-tenant counter (alert index, incident id,
 * indicator id, …) and returns the first. Kept in the database so that the
 * counters belong to the emulator instance.
 */
export function reserve(db: Database.Database, tenantId: string, key: string, count: number, initial = 0): number {
  const start = getCounter(db, tenantId, key, initial);
  setCounter(db, tenantId, key, start + count);
  return start;
}

/** Current value of a per-tenant counter, or `initial` when never set. */
export function getCounter(db: Database.Database, tenantId: string, key: string, initial: number): number {
  const row = db.prepare("SELECT value FROM meta WHERE tenant_id = ? AND key = ?").get(tenantId, key) as { value: number } | undefined;
  return row?.value ?? initial;
}

export function setCounter(db: Database.Database, tenantId: string, key: string, value: number): void {
  db.prepare(
    "INSERT INTO meta (tenant_id, key, value) VALUES (?, ?, ?) ON CONFLICT (tenant_id, key) DO UPDATE SET value = excluded.value",
  ).run(tenantId, key, value);
}
