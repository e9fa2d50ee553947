import type { Clock } from "@mde-partner/client";
import { join } from "node:path";
import { createAlertHistoryReader } from "./alert-history.js";
import { AlertWriterThread } from "./alert-writer-client.js";
import { createAlertReader } from "./alerts-query.js";
import { createAlertWriter } from "./alerts-write.js";
import { createApiTokenRepository } from "./api-tokens.js";
import { createApprovalRepository } from "./approvals.js";
import { createAuditLog } from "./audit-log.js";
import { createBaselineRepository } from "./baselines.js";
import { createBatchRepository } from "./batches.js";
import { createConsentRequestRepository } from "./consent-requests.js";
import { createStoreContext } from "./context.js";
import { createCursorRepository } from "./cursors.js";
import { createGrantRepository } from "./grants.js";
import { createGroupRepository } from "./groups.js";
import type { DialectName, Migration, MigrationOutcome, StoreDialect } from "./dialect.js";
import { createIncidentRepository } from "./incidents.js";
import { createMachineActionRepository } from "./machine-actions.js";
import { createMachineRepository } from "./machines.js";
import { migrations as knownMigrations } from "./migrations.js";
import { createOverviewReader } from "./overview-query.js";
import { assertMigrations, latestVersion } from "./migrator.js";
import { createPostgresDialect } from "./postgres-dialect.js";
import { WAL_AUTOCHECKPOINT_PAGES } from "./sqlite-connection.js";
import { createSqliteDialect } from "./sqlite-dialect.js";
import { parseStoreUrl } from "./store-url.js";
import { createSyncRunRepository } from "./sync-runs.js";
import { createTenantRepository } from "./tenants.js";
import { isoNow } from "./time.js";
import { createTvmReader } from "./tvm-query.js";
import { createTvmWriter } from "./tvm-write.js";
import { createWebhookDeliveryRepository } from "./webhook-deliveries.js";
import { createNotifyRepository } from "./notify.js";

/** Options of {@link openStore}. */
export interface StoreOptions {
  /** `sqlite:<path>`, a file path, `:memory:`, or `postgres://…` (optionally `?schema=name`). */
  readonly url: string;
  /** PostgreSQL schema for the store's tables (created when missing); overrides `?schema=`. */
  readonly schema?: string;
  /** Injectable time (consent expiry, created/updated stamps). Default: the system clock. */
  readonly clock?: Clock;
  /** SQLite: how long to wait for another process's write lock (default 15,000 ms). */
  readonly busyTimeoutMs?: number;
  /** SQLite: told when an existing store file was readable by other users (it is tightened to 0600 when ours). */
  readonly onWarning?: (message: string) => void;
  /** PostgreSQL pool size (default 10). */
  readonly maxConnections?: number;
  /**
   * SQLite file stores: write alert pages on a thread of their own (alert-writer-thread.ts),
   * started at the first page, so a sync parses the next pages while the last ones are written.
   * Default true; false writes them in the caller's thread.
   */
  readonly alertWriterThread?: boolean;
  /** Schema versions to apply; only tests pass their own. */
  readonly migrations?: readonly Migration[];
}

type Repositories = ReturnType<typeof createTenantRepository> &
  ReturnType<typeof createConsentRequestRepository> &
  ReturnType<typeof createAlertWriter> &
  ReturnType<typeof createAlertReader> &
  ReturnType<typeof createAlertHistoryReader> &
  ReturnType<typeof createCursorRepository> &
  ReturnType<typeof createMachineRepository> &
  ReturnType<typeof createMachineActionRepository> &
  ReturnType<typeof createAuditLog> &
  ReturnType<typeof createSyncRunRepository> &
  ReturnType<typeof createWebhookDeliveryRepository> &
  ReturnType<typeof createIncidentRepository> &
  ReturnType<typeof createBatchRepository> &
  ReturnType<typeof createTvmWriter> &
  ReturnType<typeof createTvmReader> &
  ReturnType<typeof createGroupRepository> &
  ReturnType<typeof createGrantRepository> &
  ReturnType<typeof createApiTokenRepository> &
  ReturnType<typeof createApprovalRepository> &
  ReturnType<typeof createOverviewReader> &
  ReturnType<typeof createNotifyRepository> &
  ReturnType<typeof createBaselineRepository>;

/** The multi-tenant store: typed repository methods over SQLite or PostgreSQL. */
export type Store = Repositories & {
  /** Which engine this store runs on. */
  readonly dialect: DialectName;
  /** What opening did to the schema. */
  readonly migration: MigrationOutcome;
  /** Closes connections; safe to call more than once. */
  close(): Promise<void>;
};

/** The default embedded database file under the state directory (`MDE_PARTNER_HOME`). */
export function defaultStoreUrl(home: string): string {
  return `sqlite:${join(home, "mde-partner.db")}`;
}

function createDialect(options: StoreOptions): StoreDialect {
  const location = parseStoreUrl(options.url);
  if (location.dialect === "postgres") {
    const schema = options.schema ?? location.schema;
    return createPostgresDialect({
      connectionString: location.connectionString,
      ...(schema !== undefined ? { schema } : {}),
      ...(options.maxConnections !== undefined ? { maxConnections: options.maxConnections } : {}),
    });
  }
  if (options.schema !== undefined) throw new TypeError("schema applies to PostgreSQL stores only");
  return createSqliteDialect({
    path: location.path,
    ...(options.busyTimeoutMs !== undefined ? { busyTimeoutMs: options.busyTimeoutMs } : {}),
    ...(options.onWarning !== undefined ? { onWarning: options.onWarning } : {}),
  });
}

/**
 * Opens the store and brings its schema up to date (under a lock, so two
 * processes may open it at once). Rejects with `ERR_STORE_SCHEMA_NEWER` when
 * the database was migrated by a newer mde-partner.
 *
 * @example
 * const store = await openStore({ url: defaultStoreUrl(home) });
 * try { await store.upsertTenant({ id, name: "Contoso" }) } finally { await store.close() }
 */
export async function openStore(options: StoreOptions): Promise<Store> {
  const list = options.migrations ?? knownMigrations;
  assertMigrations(list);
  const clock = options.clock ?? { now: () => Date.now() };
  const dialect = createDialect(options);
  let migration: MigrationOutcome;
  try {
    migration = await dialect.migrate(list, isoNow(clock));
  } catch (error) {
    await dialect.close().catch(() => {});
    throw error;
  }
  const ctx = createStoreContext(dialect, clock);
  const path = options.alertWriterThread !== false ? dialect.sqlitePath : undefined;
  let thread: AlertWriterThread | undefined;
  let started = path === undefined;
  const writerThread = () => {
    if (!started) {
      started = true;
      // While the alert threads write, the writer's commits copy the WAL back into the file, and
      // this connection's do not: a checkpoint at one of its commits (measured: up to ~190 ms with
      // a sync's WAL) would stop this thread's event loop, and with it the network reads.
      const raw = dialect.sqliteHandle!;
      const checkpoints = (busy: boolean) => {
        if (raw.open) raw.pragma(`wal_autocheckpoint = ${busy ? 0 : WAL_AUTOCHECKPOINT_PAGES}`);
      };
      thread = AlertWriterThread.start({ path: path!, ...(options.busyTimeoutMs !== undefined ? { busyTimeoutMs: options.busyTimeoutMs } : {}) }, checkpoints);
      // From now on the store's own writes go in between the writer's transactions (dialect.ts WriteRoute).
      if (thread) dialect.routeWrites?.(thread.route);
    }
    return thread;
  };
  return Object.freeze({
    ...createTenantRepository(ctx),
    ...createConsentRequestRepository(ctx),
    ...createAlertWriter(ctx, writerThread),
    ...createAlertReader(ctx),
    ...createAlertHistoryReader(ctx),
    ...createCursorRepository(ctx),
    ...createMachineRepository(ctx),
    ...createMachineActionRepository(ctx),
    ...createAuditLog(ctx),
    ...createSyncRunRepository(ctx),
    ...createWebhookDeliveryRepository(ctx),
    ...createIncidentRepository(ctx),
    ...createBatchRepository(ctx),
    ...createTvmWriter(ctx),
    ...createTvmReader(ctx),
    ...createGroupRepository(ctx),
    ...createGrantRepository(ctx),
    ...createApiTokenRepository(ctx),
    ...createApprovalRepository(ctx),
    ...createOverviewReader(ctx),
    ...createNotifyRepository(ctx),
    ...createBaselineRepository(ctx),
    dialect: dialect.name,
    migration,
    close: async () => {
      started = true;
      dialect.routeWrites?.(undefined);
      try {
        await thread?.close();
      } finally {
        await dialect.close();
      }
    },
  });
}

/** Highest schema version this code knows. */
export const STORE_SCHEMA_VERSION = latestVersion(knownMigrations);
