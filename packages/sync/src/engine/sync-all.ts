/**
 * Every tenant at once: `syncOnce` runs each selected tenant's sync with a
 * concurrency limit (each tenant's requests wait only on its own app+tenant
 * rate budget, which the client enforces; the next tenants' tokens are asked
 * for while the running ones sync, token-prefetch.ts), and `syncWatch` repeats it on an
 * interval, backing off tenants that are throttled or failing without
 * holding up the others.
 */
import { mapWithConcurrency } from "@mde-partner/client";
import type { Store, TenantRecord, TenantState } from "../store/index.js";
import { resolveSyncSettings, syncTenant } from "./sync-tenant.js";
import { createTokenPrefetch } from "./token-prefetch.js";
import type { SkippedTenant, SyncOptions, SyncReport, TenantSyncResult, WatchOptions } from "./types.js";

/**
 * How many tenants' tokens, per concurrent slot, are asked for ahead of their sync: two keeps
 * a token ready for each slot's next tenant and the one after, without asking far ahead.
 */
const PREFETCH_WINDOW_PER_SLOT = 2;

/** States whose tenants a sync takes by default. */
export const SYNCABLE_STATES: readonly TenantState[] = Object.freeze(["consented", "verified", "degraded"]);

/**
 * Why a default sync (and every other "all tenants" read) leaves `tenant` out,
 * or `undefined` when it takes it. Nothing is skipped silently: callers show these.
 *
 * @example
 * const reason = skipReason(tenant); // "consent not given yet" for a pending tenant
 */
export function skipReason(tenant: TenantRecord): string | undefined {
  if (SYNCABLE_STATES.includes(tenant.state)) return undefined;
  if (tenant.state === "pending_consent") return "consent not given yet";
  const last = tenant.lastError ? `: ${tenant.lastError.length > 200 ? `${tenant.lastError.slice(0, 200)}…` : tenant.lastError}` : "";
  if (tenant.state === "failed") return `the tenant cannot be reached${last}`;
  return `state ${tenant.state}${last}`;
}

/** Splits `tenants` into those a default sync takes and those it skips (with the reason). */
export function partitionSyncable(tenants: readonly TenantRecord[]): { syncable: TenantRecord[]; skipped: SkippedTenant[] } {
  const syncable: TenantRecord[] = [];
  const skipped: SkippedTenant[] = [];
  for (const t of tenants) {
    const reason = skipReason(t);
    if (reason === undefined) syncable.push(t);
    else skipped.push({ tenantId: t.id, name: t.name, state: t.state, reason });
  }
  return { syncable, skipped };
}

/** Which tenants a multi-tenant operation runs on. */
export interface TenantSelection {
  /** Named tenants (ids as stored), each taken whatever its state; ids not in the store come back in `unknown`. */
  readonly tenantIds?: readonly string[] | undefined;
  /** Without named tenants: `syncable` (default) takes those a sync takes and lists the rest in `skipped`; `all` takes every tenant. */
  readonly include?: "syncable" | "all";
  /**
   * Only tenants of these customer groups (any of them). Named tenants outside them come back in
   * `unknown`, as if they were not in the store, and a skipped tenant is named only when it is in
   * them: a selection scoped to groups says nothing of the tenants outside. An unknown group
   * rejects with `ERR_STORE_GROUP_UNKNOWN`; an empty list selects nothing.
   */
  readonly groups?: readonly string[] | undefined;
}

/**
 * The tenants a sync, hunt or CLI command runs on: the named ones (without repeats, in the order
 * given), or every stored tenant a sync takes, naming each one it leaves out and why; either way
 * limited to the tenants of `groups` when given.
 *
 * @example
 * const { tenants, skipped } = await selectTenants(store); // every consented/verified/degraded tenant
 * const eu = await selectTenants(store, { groups: ["eu-retail"] }); // those of one customer group
 */
export async function selectTenants(
  store: Store,
  selection: TenantSelection = {},
): Promise<{ tenants: TenantRecord[]; unknown: string[]; skipped: SkippedTenant[] }> {
  const inGroups = selection.groups === undefined ? undefined : new Set(await store.tenantIdsOfGroups(selection.groups));
  if (selection.tenantIds === undefined) {
    let all = await store.listTenants();
    if (inGroups) all = all.filter((t) => inGroups.has(t.id));
    if (selection.include === "all") return { tenants: all, unknown: [], skipped: [] };
    const { syncable, skipped } = partitionSyncable(all);
    return { tenants: syncable, unknown: [], skipped };
  }
  const tenants: TenantRecord[] = [];
  const unknown: string[] = [];
  for (const id of new Set(selection.tenantIds)) {
    const t = await store.getTenant(id);
    if (!t || (inGroups && !inGroups.has(t.id))) unknown.push(id);
    else if (!tenants.some((o) => o.id === t.id)) tenants.push(t);
  }
  return { tenants, unknown, skipped: [] };
}

/**
 * Tenants synced at once by default. A tenant's turn is mostly a round trip to the API and then
 * its page's store work on the store's threads; with 8 turns at 300 ms round trips the threads
 * waited for the network (bench/sync-script.bench.ts, 100 tenants: 7.0–7.9× the sequential script
 * at 8, 8.9× at 16), and on loopback 16 cost no more CPU or memory than 8. At most this many
 * alert pages (up to 10,000 alerts, some 13 MiB each) are in memory at once.
 */
export const DEFAULT_SYNC_CONCURRENCY = 16;

/**
 * Syncs alerts (incrementally) and machines (fully) of every selected tenant.
 * Resolves with one result per tenant; it rejects only for caller mistakes.
 *
 * @example
 * const report = await syncOnce({ store, partner, concurrency: 8, onProgress: (e) => render(e) });
 * if (!report.ok) process.exitCode = 3;
 */
export async function syncOnce(options: SyncOptions): Promise<SyncReport> {
  const settings = resolveSyncSettings(options);
  const concurrency = options.concurrency ?? DEFAULT_SYNC_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new TypeError("concurrency must be a positive integer");
  const startedAt = new Date(settings.clock.now()).toISOString();
  const { tenants, unknown, skipped } = await selectTenants(options.store, { tenantIds: options.tenantIds, groups: options.groups });
  // Tokens of the next tenants are asked for while the running ones sync (token-prefetch.ts).
  const prefetch = createTokenPrefetch({ partner: settings.partner, tenants, window: PREFETCH_WINDOW_PER_SLOT * concurrency, signal: settings.signal });
  const results = await mapWithConcurrency(tenants, concurrency, async (tenant, index): Promise<TenantSyncResult> => {
    if (settings.signal?.aborted) {
      return {
        tenantId: tenant.id,
        status: "partial",
        state: tenant.state,
        alerts: { fetched: 0, inserted: 0, updated: 0, unchanged: 0 },
        machines: { fetched: 0 },
        pages: 0,
        durationMs: 0,
        error: { code: "ERR_SYNC_STOPPED", message: "stopped before the tenant started" },
      };
    }
    prefetch.started(index);
    return syncTenant(settings, tenant);
  }).finally(() => prefetch.close());
  for (const id of unknown) {
    results.push({
      tenantId: id,
      status: "failed",
      state: "failed",
      alerts: { fetched: 0, inserted: 0, updated: 0, unchanged: 0 },
      machines: { fetched: 0 },
      pages: 0,
      durationMs: 0,
      error: { code: "ERR_STORE_TENANT_UNKNOWN", message: `tenant ${id} is not in the store: add it first` },
    });
  }
  return {
    startedAt,
    finishedAt: new Date(settings.clock.now()).toISOString(),
    tenants: results,
    // Skipped is not failed: `ok` speaks of the tenants that ran.
    skipped,
    ok: results.every((r) => r.status === "ok"),
  };
}

/** Backoff bookkeeping of `syncWatch` (one instance per watch). */
function createBackoff(baseMs: number, maxMs: number) {
  const entries = new Map<string, { failures: number; retryAt: number }>();
  return {
    due(tenantId: string, now: number): boolean {
      const e = entries.get(tenantId);
      return !e || e.retryAt <= now;
    },
    record(result: TenantSyncResult, now: number): { retryAt: number } | undefined {
      const transientOrBroken = result.status !== "ok" && result.error?.code !== "ERR_SYNC_STOPPED";
      if (!transientOrBroken) {
        entries.delete(result.tenantId);
        return undefined;
      }
      const failures = (entries.get(result.tenantId)?.failures ?? 0) + 1;
      const wait = Math.min(maxMs, Math.max(result.error?.retryAfterMs ?? 0, baseMs * 2 ** (failures - 1)));
      const retryAt = now + wait;
      entries.set(result.tenantId, { failures, retryAt });
      return { retryAt };
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/**
 * Syncs every `intervalMs` until stopped. A tenant whose run failed waits
 * max(Retry-After, backoff doubling per consecutive failure) before it is
 * tried again; the others keep their interval. `stop()` lets the current
 * pages' transactions finish, then resolves (safe to call twice).
 *
 * @example
 * const watch = syncWatch({ store, partner, intervalMs: 60_000 });
 * process.once("SIGTERM", () => watch.stop());
 * await watch.done;
 */
export function syncWatch(options: WatchOptions): { stop(): Promise<void>; done: Promise<void> } {
  if (!Number.isFinite(options.intervalMs) || options.intervalMs <= 0) throw new TypeError("intervalMs must be a positive number");
  const settings = resolveSyncSettings(options);
  const controller = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
  const backoff = createBackoff(options.backoffBaseMs ?? options.intervalMs, options.maxBackoffMs ?? 30 * 60_000);
  const done = (async () => {
    while (!signal.aborted) {
      const started = settings.clock.now();
      // Selected again every pass, so a tenant added to (or taken out of) a group is followed.
      const { tenants, skipped } = await selectTenants(options.store, { tenantIds: options.tenantIds, groups: options.groups });
      const due = tenants.filter((t) => backoff.due(t.id, started)).map((t) => t.id);
      if (due.length > 0) {
        const report = { ...(await syncOnce({ ...options, tenantIds: due, groups: undefined, signal })), skipped };
        const now = settings.clock.now();
        for (const r of report.tenants) {
          const b = backoff.record(r, now);
          if (b) options.onProgress?.({ type: "backoff", tenantId: r.tenantId, retryAt: b.retryAt, reason: r.error?.message ?? r.status });
        }
        options.onReport?.(report);
      }
      await sleep(Math.max(0, options.intervalMs - (settings.clock.now() - started)), signal);
    }
  })();
  return {
    async stop() {
      controller.abort();
      await done.catch(() => {});
    },
    done,
  };
}
