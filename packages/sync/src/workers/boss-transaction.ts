/**
 * Runs pg-boss commands inside one of our transactions: pg-boss takes a `db`
 * (`{ executeSql }`) per call, so completing a tenant's job and queuing its
 * next run commit together — a tenant never has two live jobs, and never none.
 */
import type pg from "pg";

/** pg-boss's `Db` bound to one connection inside a transaction. */
export interface BossDb {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>>; rowCount?: number | null }>;
}

/**
 * Runs `fn` in a transaction on a pooled connection: commits its work, or rolls
 * back when it throws — or when `commitIf` says its result must not be kept.
 */
export async function inTransaction<T>(pool: pg.Pool, fn: (db: BossDb) => Promise<T>, commitIf: (value: T) => boolean = () => true): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query("begin");
    const db: BossDb = { executeSql: (text, values) => client.query(text, values as unknown[]) };
    const value = await fn(db);
    await client.query(commitIf(value) ? "commit" : "rollback");
    return value;
  } catch (error) {
    broken = true;
    await client.query("rollback").catch(() => {});
    throw error;
  } finally {
    client.release(broken);
  }
}
