import { createRandom } from "../../core/random.js";
import type { EmulatorState } from "../../core/state.js";
import { type Table, TICKS_PER_MS, type Value } from "../kql/values.js";
import { buildAlertActivity } from "./alert-activity.js";
import { buildAlertEvidence, buildAlertInfo } from "./alert-tables.js";
import { type BuildContext, createBuildContext, toRows } from "./context.js";
import { buildBackgroundEvents } from "./device-events.js";
import { buildDeviceInfo } from "./device-info.js";
import { deviceTableBuilders } from "./device-tables.js";
import { HUNTING_TABLES, type HuntingTableName, TABLE_COLUMNS } from "./schemas.js";
import { loadTenantSource, sourceSignature } from "./source.js";
import { type TvmTableName, tvmTableBuilders } from "./tvm-tables.js";

/** One tenant's hunting tables, each built on first use. */
export interface TenantTables {
  /** The fingerprint of the data the tables were derived from. */
  readonly signature: string;
  /** Build time in ticks. */
  readonly builtAt: bigint;
  table(name: HuntingTableName): Table;
}

type Builders = Record<Exclude<HuntingTableName, TvmTableName>, () => Array<Record<string, Value>>>;

function builders(ctx: BuildContext): Builders {
  let activity: ReturnType<typeof buildAlertActivity> | undefined;
  const alertActivity = () => (activity ??= buildAlertActivity(ctx));
  return {
    DeviceInfo: () => buildDeviceInfo(ctx),
    DeviceProcessEvents: () => [...buildBackgroundEvents(ctx, "process"), ...alertActivity().process],
    DeviceNetworkEvents: () => [...buildBackgroundEvents(ctx, "network"), ...alertActivity().network],
    DeviceLogonEvents: () => [...buildBackgroundEvents(ctx, "logon"), ...alertActivity().logon],
    AlertInfo: () => buildAlertInfo(ctx),
    AlertEvidence: () => buildAlertEvidence(ctx),
    ...deviceTableBuilders(ctx),
  };
}

function createTenantTables(state: EmulatorState, tenantId: string, signature: string): TenantTables {
  const builtAt = BigInt(state.clock.now()) * TICKS_PER_MS;
  const source = loadTenantSource(state, tenantId);
  // Seeded by the emulator's seed and the tenant id: same seed, same telemetry.
  const ctx = createBuildContext(source, createRandom(`${state.options.seed}/hunting/${tenantId}`), builtAt);
  const build = { ...builders(ctx), ...tvmTableBuilders(state, tenantId) };
  const tables = new Map<HuntingTableName, Table>();
  return {
    signature,
    builtAt,
    table(name) {
      let table = tables.get(name);
      if (!table) {
        const columns = TABLE_COLUMNS[name];
        const rows = toRows(columns, build[name]());
        // Newest first, as the portal shows them; also makes `take` deterministic.
        rows.sort((a, b) => ((a[0] as bigint) < (b[0] as bigint) ? 1 : (a[0] as bigint) > (b[0] as bigint) ? -1 : 0));
        table = { columns: [...columns], rows };
        tables.set(name, table);
      }
      return table;
    },
  };
}

const REBUILD_AFTER_TICKS = 3_600_000n * TICKS_PER_MS;

// Per emulator instance: keyed by its state, so two emulators never share tables
// and a stopped emulator's tables go away with it.
const cacheByState = new WeakMap<EmulatorState, Map<string, TenantTables>>();

/**
 * The hunting tables of one tenant, derived from its machines and alerts.
 * Built lazily and cached per emulator; rebuilt when the tenant's data changes
 * (a cheap fingerprint query per call).
 */
export function tenantTables(state: EmulatorState, tenantId: string): TenantTables {
  let cache = cacheByState.get(state);
  if (!cache) {
    cache = new Map();
    cacheByState.set(state, cache);
  }
  const signature = sourceSignature(state, tenantId);
  let tables = cache.get(tenantId);
  // Telemetry keeps flowing: tables older than an hour of emulator time are rebuilt with the newer events.
  const stale = tables !== undefined && BigInt(state.clock.now()) * TICKS_PER_MS - tables.builtAt > REBUILD_AFTER_TICKS;
  if (!tables || tables.signature !== signature || stale) {
    tables = createTenantTables(state, tenantId, signature);
    cache.set(tenantId, tables);
  }
  return tables;
}

export { HUNTING_TABLES };
export type { HuntingTableName };
