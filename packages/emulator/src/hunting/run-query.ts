import type { EmulatorState } from "../core/state.js";
import { runKql } from "./kql/engine.js";
import { type Table, TICKS_PER_MS } from "./kql/values.js";
import { RETENTION_TICKS } from "./tables/context.js";
import { HUNTING_TABLES, type HuntingTableName, tenantTables } from "./tables/tenant-tables.js";

/** Advanced hunting returns at most 100,000 rows (mde-api.md §5.4 and §7; graph-security.md §3.3). */
export const MAX_RESULT_ROWS = 100_000;

export interface HuntingQueryOptions {
  /** Row cap of the result; default 100,000. */
  maxRows?: number;
  /**
   * A narrower time window (epoch ms), such as Graph's `Timespan`
   * (graph-security.md §3.1: the shorter of it and the query's own filter
   * applies). Never widens the 30 days.
   */
  from?: number;
  to?: number;
}

/**
 * Runs a KQL query over one tenant's hunting tables and returns the result
 * table. Only rows of the last 30 days are visible (mde-api.md §5.4: "data
 * from the last 30 days only"). Throws `KqlError` for queries it refuses.
 * Shared by the MDE endpoint (`/api/advancedqueries/run`) and the Graph
 * `runHuntingQuery`; each shapes the response its own way.
 */
export function runHuntingQuery(state: EmulatorState, tenantId: string, query: string, options: HuntingQueryOptions = {}): Table {
  const tables = tenantTables(state, tenantId);
  const now = BigInt(state.clock.now()) * TICKS_PER_MS;
  const retention = now - RETENTION_TICKS;
  const from = options.from === undefined ? retention : BigInt(Math.trunc(options.from)) * TICKS_PER_MS;
  const oldest = from > retention ? from : retention;
  const newest = options.to === undefined ? undefined : BigInt(Math.trunc(options.to)) * TICKS_PER_MS;
  return runKql(query, {
    now,
    maxRows: options.maxRows ?? MAX_RESULT_ROWS,
    tableNames: () => HUNTING_TABLES,
    resolveTable: (name) => {
      if (!(HUNTING_TABLES as readonly string[]).includes(name)) return undefined;
      const table = tables.table(name as HuntingTableName);
      // Column 0 of every event table is Timestamp; state tables (DeviceTvm…) have none and are not time-filtered.
      if (table.columns[0]?.name !== "Timestamp") return table;
      return {
        columns: table.columns,
        rows: table.rows.filter((row) => (row[0] as bigint) >= oldest && (newest === undefined || (row[0] as bigint) <= newest)),
      };
    },
  });
}
