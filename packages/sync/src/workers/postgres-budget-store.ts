/**
 * The rate-budget store in PostgreSQL: every worker of one partner app counts
 * its sends here, so N workers together stay within each app+tenant budget
 * (mde-api.md §3.4: limits are per application + tenant). Fixed windows with a
 * guard band, as the client's `RateBudgetStore` contract says
 * (`@mde-partner/client/budget-store`).
 *
 * A take is one transaction of conditional upserts, one per window slot:
 * `INSERT … ON CONFLICT … DO UPDATE SET count = count + 1 WHERE count < limit
 * RETURNING count`. The upsert locks the row, so concurrent takers of one key
 * queue on it and each sees the count the previous one committed; a slot that
 * is full returns no row and the whole take is rolled back (all windows or none).
 */
import { type BudgetDecision, type BudgetWindow, type RateBudgetStore, slotsFor } from "@mde-partner/client/budget-store";
import { loadPg } from "../store/pg-modules.js";
import { inTransaction } from "./boss-transaction.js";

/** Options of {@link createPostgresBudgetStore}. */
export interface PostgresBudgetStoreOptions {
  /** `postgres://…` of the shared database. */
  readonly connectionString: string;
  /** Schema of the budget tables (created when missing); default: the server's search_path. */
  readonly schema?: string;
  /** Pool size (default 4). */
  readonly maxConnections?: number;
}

/** A {@link RateBudgetStore} in PostgreSQL, plus `close()`. */
export interface PostgresBudgetStore extends RateBudgetStore {
  /** Releases the pool; safe to call twice. */
  close(): Promise<void>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/** Advisory-lock class of the table set-up ("MDB"), apart from the store's migrations lock. */
const SETUP_LOCK = 0x4d4442;

/**
 * Opens the store; the tables are created on first use.
 *
 * @example
 * const budgetStore = createPostgresBudgetStore({ connectionString: "postgres://…/mssp" });
 * const partner = createPartnerClient({ clientId, credential, budgetStore });
 */
export function createPostgresBudgetStore(options: PostgresBudgetStoreOptions): PostgresBudgetStore {
  const { schema } = options;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) throw new TypeError(`invalid PostgreSQL schema name ${JSON.stringify(schema)}`);
  const prefix = schema ? `"${schema}".` : "";
  const windows = `${prefix}mde_rate_budget_windows`;
  const pauses = `${prefix}mde_rate_budget_pauses`;
  const pool = new (loadPg().Pool)({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 4,
    application_name: "mde-partner-budgets",
  });
  // A connection broken by a server restart must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  pool.on("connect", (client) => client.on("error", () => {}));
  let ready: Promise<void> | undefined;
  let closed: Promise<void> | undefined;
  let lastSweep = 0;

  const setup = async () => {
    const client = await pool.connect();
    try {
      await client.query("begin");
      // Concurrent CREATE … IF NOT EXISTS can still collide in the catalog: serialize them.
      await client.query("select pg_advisory_xact_lock($1::int, 0)", [SETUP_LOCK]);
      if (schema) await client.query(`create schema if not exists "${schema}"`);
      await client.query(
        `create table if not exists ${windows} (key text not null, window_ms integer not null, window_start bigint not null,
         count integer not null, primary key (key, window_ms, window_start))`,
      );
      await client.query(`create table if not exists ${pauses} (key text primary key, until_ms bigint not null)`);
      await client.query("commit");
    } catch (error) {
      await client.query("rollback").catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  };
  const ensure = () => {
    ready ??= setup().catch((error) => {
      ready = undefined;
      throw error;
    });
    return ready;
  };

  const sweep = (now: number) => {
    if (now - lastSweep < 60_000) return;
    lastSweep = now;
    // Windows that ended over an hour ago are never read again.
    pool.query(`delete from ${windows} where window_start + window_ms < $1`, [now - 3_600_000]).catch(() => {});
    pool.query(`delete from ${pauses} where until_ms < $1`, [now]).catch(() => {});
  };

  return {
    async take(key: string, list: readonly BudgetWindow[], now: number): Promise<BudgetDecision> {
      await ensure();
      sweep(now);
      const paused = await pool.query<{ until_ms: string }>(`select until_ms from ${pauses} where key = $1`, [key]);
      const until = Number(paused.rows[0]?.until_ms ?? 0);
      if (until > now) return { ok: false, waitMs: until - now };
      const slots = slotsFor(list, now);
      // All windows or none: a full slot rolls back the counts already taken.
      return inTransaction(
        pool,
        async (db): Promise<BudgetDecision> => {
          for (const s of slots) {
            const r = await db.executeSql(
              `insert into ${windows} as w (key, window_ms, window_start, count) values ($1, $2, $3, 1)
               on conflict (key, window_ms, window_start) do update set count = w.count + 1 where w.count < $4
               returning count`,
              [key, s.ms, s.start, s.limit],
            );
            if (r.rowCount === 0) return { ok: false, waitMs: Math.max(1, s.start + s.ms - now) };
          }
          return { ok: true };
        },
        (decision) => decision.ok,
      );
    },

    async pause(key: string, untilMs: number): Promise<void> {
      await ensure();
      await pool.query(
        `insert into ${pauses} as p (key, until_ms) values ($1, $2)
         on conflict (key) do update set until_ms = greatest(p.until_ms, excluded.until_ms)`,
        [key, untilMs],
      );
    },

    close() {
      closed ??= pool.end();
      return closed;
    },
  };
}
