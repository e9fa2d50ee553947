/**
 * "At most one sync of a tenant at a time", held by PostgreSQL itself: a
 * session advisory lock per tenant on a connection kept for the job's
 * duration. pg-boss already runs at most one job per tenant (stately queue,
 * singleton key), but a job whose lease expired is handed to another worker
 * while its first runner may still be alive (a long sync, a paused VM); the
 * lock makes that second runner step back. A killed worker's connection dies
 * with it, and PostgreSQL releases its locks at once.
 */
import type pg from "pg";
import { advisoryLockKey } from "../store/advisory-lock.js";

/** Advisory-lock class of tenant syncs ("MDT"). */
const TENANT_LOCK = 0x4d4454;

/** A held tenant lock. */
export interface TenantLock {
  /** Releases the lock and its connection; safe to call twice. */
  release(): Promise<void>;
}

/** Takes tenant locks from `pool` (one connection per held lock). */
export function createTenantLocks(pool: pg.Pool) {
  return {
    /** The tenant's lock, or undefined when another session holds it. */
    async tryLock(tenantId: string): Promise<TenantLock | undefined> {
      const client = await pool.connect();
      let lost = false;
      const onError = () => {
        lost = true;
      };
      client.on("error", onError);
      try {
        const r = await client.query<{ ok: boolean }>("select pg_try_advisory_lock($1::int, $2::int) as ok", [TENANT_LOCK, advisoryLockKey(tenantId)]);
        if (!r.rows[0]?.ok) {
          client.off("error", onError);
          client.release();
          return undefined;
        }
      } catch (error) {
        client.off("error", onError);
        client.release(true);
        throw error;
      }
      let released: Promise<void> | undefined;
      return {
        release() {
          released ??= (async () => {
            try {
              if (!lost) await client.query("select pg_advisory_unlock($1::int, $2::int)", [TENANT_LOCK, advisoryLockKey(tenantId)]);
              client.off("error", onError);
              client.release();
            } catch {
              // The connection is gone (server restart): so is the lock. Drop the connection.
              client.off("error", onError);
              client.release(true);
            }
          })();
          return released;
        },
      };
    },
  };
}
