/**
 * One tenant's sync: incremental alerts from the tenant's alert source — the
 * MDE API (see alert-cursor.ts for why the cursor moves the way it does) or
 * Microsoft Graph alerts_v2 plus incidents (graph-sync.ts) — then a full
 * refresh of its machines (the MDE API either way: Graph has no device
 * inventory, graph-security.md §1). Every
 * outcome is a result, never a throw: one tenant's trouble is reported beside
 * the others (sync-all.ts).
 */

import type { Clock, PartnerClient, PartnerTenant } from "@mde-partner/client";
import { alertFilter, type Machine, MdeInvalidResponseError } from "@mde-partner/client";
import { finalPosition, type Store, StoreError, type TenantRecord, unchangedPosition } from "../store/index.js";
import { emptyPass, type PassTotals, runPass } from "./cursor-pass.js";
import { GRAPH_ALERTS_STREAM, GRAPH_INCIDENTS_STREAM, syncGraphAlerts, syncGraphIncidents } from "./graph-sync.js";
import { emitProgress, Stopped } from "./run-control.js";
import { tenantOf } from "./tenant-of.js";
import { isAbort, problemForTenant, type TenantProblem, tenantProblem } from "./tenant-problem.js";
import { DEFAULT_TVM_INTERVAL_MS, syncTenantTvm } from "./tvm-sync.js";
import type { SyncOptions, SyncProgressEvent, TenantSyncResult, TvmSyncResult } from "./types.js";

/** Resolved options of one run, shared by its tenants. */
export interface TenantSyncSettings {
  readonly store: Store;
  readonly partner: PartnerClient<PartnerTenant>;
  readonly clock: Clock;
  readonly overlapMs: number;
  readonly since: string | undefined;
  readonly pageSize: number;
  readonly machines: boolean;
  /** Take TVM snapshots when due (tvm-sync.ts). */
  readonly tvm: boolean;
  readonly tvmIntervalMs: number;
  readonly onProgress: ((event: SyncProgressEvent) => void) | undefined;
  readonly signal: AbortSignal | undefined;
}

export function resolveSyncSettings(options: SyncOptions): TenantSyncSettings {
  if (!options || typeof options !== "object") throw new TypeError("sync needs an options object");
  if (!options.store || !options.partner) throw new TypeError("sync needs a store and a partner client");
  const overlapMs = options.overlapMs ?? 5 * 60_000;
  if (!Number.isFinite(overlapMs) || overlapMs < 0) throw new TypeError("overlapMs must be a non-negative number");
  const pageSize = options.pageSize ?? 10_000;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 10_000) throw new TypeError("pageSize must be an integer from 1 to 10000");
  if (options.since !== undefined && Number.isNaN(Date.parse(options.since))) throw new TypeError("since must be an ISO-8601 time");
  const tvmIntervalMs = options.tvmIntervalMs ?? DEFAULT_TVM_INTERVAL_MS;
  if (!Number.isFinite(tvmIntervalMs) || tvmIntervalMs < 0) throw new TypeError("tvmIntervalMs must be a non-negative number");
  return Object.freeze({
    store: options.store,
    partner: options.partner,
    clock: options.clock ?? { now: () => Date.now() },
    overlapMs,
    since: options.since,
    pageSize,
    machines: options.machines ?? true,
    tvm: options.tvm ?? true,
    tvmIntervalMs,
    onProgress: options.onProgress,
    signal: options.signal,
  });
}

function emit(settings: TenantSyncSettings, event: SyncProgressEvent) {
  emitProgress(settings.onProgress, event);
}

/**
 * The MDE alert pass: each page's body goes to the store as it arrived and is parsed where it is
 * written (on the store's own threads for an SQLite file), so this thread only reads the network.
 * The store decides each page's place in the pass (alert-cursor.ts) from what the pass hands it
 * with the body; the pass is counted like every other (cursor-pass.ts).
 */
function syncAlerts(settings: TenantSyncSettings, tenant: TenantRecord, pass: PassTotals): Promise<void> {
  const { store, signal } = settings;
  const api = tenantOf(settings.partner, tenant).mde;
  return runPass(settings, tenant.id, pass, { cursor: "alerts", progress: "alerts" }, ({ previous, runStartMs, from }) => {
    let newest = unchangedPosition(previous);
    // The store's slot for the page being read (store.alertPageSlot): released when the page is
    // answered, and in every case when the pass ends.
    let release: (() => void) | undefined;
    const releaseSlot = () => {
      const r = release;
      release = undefined;
      r?.();
    };
    const pages = api.alerts
      .list({
        ...(from !== undefined ? { filter: alertFilter.ge("lastUpdateTime", new Date(Math.max(0, from))) } : {}),
        pageSize: settings.pageSize,
        ...(signal ? { signal } : {}),
      })
      .decodedPages(
        async (body) => {
          const r = await store
            .applyAlertPageBody({ tenantId: tenant.id, body, pageSize: settings.pageSize, previous, newest, runStartMs })
            .catch((error: unknown) => {
              // The tenant's answer was not a page: the client's error for it, as on every other list.
              if (error instanceof StoreError && error.code === "ERR_STORE_PAGE_BODY") {
                throw new MdeInvalidResponseError(`ListAlerts: ${error.message}`, { tenantId: tenant.id, operation: "ListAlerts" });
              }
              throw error;
            })
            .finally(releaseSlot);
          newest = r.newest;
          return { items: r.items, nextLink: r.nextLink, result: r };
        },
        {
          bodyBuffer: async (n) => {
            releaseSlot();
            release = await store.alertPageSlot();
            return store.alertPageBuffer(n);
          },
        },
      );
    async function* committed() {
      try {
        for await (const page of pages) yield page.result;
      } finally {
        releaseSlot();
      }
    }
    return { pages: committed(), final: () => finalPosition(newest, runStartMs) };
  });
}

async function syncMachines(settings: TenantSyncSettings, tenant: TenantRecord): Promise<{ fetched: number; pages: number }> {
  const api = tenantOf(settings.partner, tenant).mde;
  emit(settings, { type: "tenant-start", tenantId: tenant.id, stream: "machines" });
  // Machines have no change time to page by (machine.md): read them all, then
  // replace the tenant's inventory in one transaction.
  const all: Machine[] = [];
  let pages = 0;
  const signal = settings.signal;
  for await (const page of api.machines.list({ pageSize: settings.pageSize, ...(signal ? { signal } : {}) }).pages()) {
    pages++;
    all.push(...page.value);
    emit(settings, { type: "page", tenantId: tenant.id, stream: "machines", page: pages, items: page.value.length, total: all.length });
  }
  await settings.store.replaceMachines(tenant.id, all);
  return { fetched: all.length, pages };
}

/** Moves the tenant to its new state (only on a change of state or reason) and records the run on the tenant. */
async function recordOutcome(store: Store, tenant: TenantRecord, problem: TenantProblem | undefined, at: string): Promise<TenantRecord> {
  const lastError = problem ? `${problem.reason}: ${problem.message}` : null;
  const target = problem ? problem.state : "verified";
  let current = tenant;
  if (target !== undefined && (target !== tenant.state || (problem && tenant.lastError !== lastError))) {
    current = await store.setTenantState(tenant.id, target, problem ? problem.reason : "sync succeeded");
  }
  return store
    .upsertTenant({ id: tenant.id, name: tenant.name, lastError, ...(problem ? {} : { lastSyncAt: at }) })
    .then((r) => ({ ...r, state: current.state }));
}

/** Syncs one tenant; never throws for the tenant's own failures. */
export async function syncTenant(settings: TenantSyncSettings, tenant: TenantRecord): Promise<TenantSyncResult> {
  const { store, clock, signal } = settings;
  const started = clock.now();
  const pass: PassTotals = emptyPass();
  const incidents = emptyPass();
  const graph = tenant.alertSource === "graph";
  let machines = { fetched: 0, pages: 0 };
  let problem: TenantProblem | undefined;
  let aborted = false;
  // The run being written when a failure ends the tenant's sync.
  let current = await store.startSyncRun(tenant.id, graph ? GRAPH_ALERTS_STREAM : "alerts");
  let currentPass = pass;
  try {
    if (graph) await syncGraphAlerts(settings, tenant, pass);
    else await syncAlerts(settings, tenant, pass);
    await store.finishSyncRun(current.id, { status: "succeeded", pages: pass.pages, items: pass.fetched });
    if (graph && !signal?.aborted) {
      current = await store.startSyncRun(tenant.id, GRAPH_INCIDENTS_STREAM);
      currentPass = incidents;
      await syncGraphIncidents(settings, tenant, incidents);
      await store.finishSyncRun(current.id, { status: "succeeded", pages: incidents.pages, items: incidents.fetched });
    }
    if (settings.machines && !signal?.aborted) {
      const machineRun = await store.startSyncRun(tenant.id, "machines");
      try {
        machines = await syncMachines(settings, tenant);
        await store.finishSyncRun(machineRun.id, { status: "succeeded", pages: machines.pages, items: machines.fetched });
      } catch (error) {
        await store.finishSyncRun(machineRun.id, { status: "failed", error: String((error as Error)?.message ?? error) }).catch(() => {});
        throw error;
      }
    }
  } catch (error) {
    aborted = error instanceof Stopped || isAbort(error, signal);
    if (!aborted) problem = problemForTenant(tenantProblem(error), tenant);
    const status = aborted || currentPass.pages > 0 ? "partial" : "failed";
    await store
      .finishSyncRun(current.id, {
        status,
        pages: currentPass.pages,
        items: currentPass.fetched,
        error: aborted ? "stopped" : (problem?.message ?? null),
      })
      .catch(() => {});
  }
  // TVM on its own interval, after the rest went well; its trouble is reported, not the tenant's state.
  let tvm: TvmSyncResult | undefined;
  if (settings.tvm && !aborted && !problem && !signal?.aborted) {
    try {
      tvm = await syncTenantTvm(settings, tenant);
    } catch (error) {
      tvm = { status: "failed", error: { code: "ERR_UNEXPECTED", message: String((error as Error)?.message ?? error).split("\n")[0]! } };
    }
  }
  const finished = clock.now();
  let state = tenant.state;
  if (!aborted) {
    try {
      state = (await recordOutcome(store, tenant, problem, new Date(finished).toISOString())).state;
    } catch {
      // The run's data is committed; a failure to note the state is not the tenant's.
    }
  }
  const result: TenantSyncResult = {
    tenantId: tenant.id,
    status: aborted ? "partial" : problem ? (pass.pages > 0 ? "partial" : "failed") : "ok",
    state,
    alerts: { fetched: pass.fetched, inserted: pass.inserted, updated: pass.updated, unchanged: pass.unchanged },
    machines: { fetched: machines.fetched },
    ...(graph ? { source: "graph" as const, incidents: { fetched: incidents.fetched, inserted: incidents.inserted, updated: incidents.updated, unchanged: incidents.unchanged } } : {}),
    pages: pass.pages + incidents.pages + machines.pages,
    durationMs: finished - started,
    cursor: pass.cursor,
    ...(tvm ? { tvm } : {}),
  };
  if (aborted)
    result.error = { code: "ERR_SYNC_STOPPED", message: "stopped before the tenant finished; the next run continues from the cursor" };
  else if (problem) {
    result.error = {
      code: problem.code,
      message: `${problem.reason}: ${problem.message}`,
      ...(problem.consentUrl ? { consentUrl: problem.consentUrl } : {}),
      ...(problem.missingPermissions ? { missingPermissions: problem.missingPermissions } : {}),
      ...(problem.retryAfterMs !== undefined ? { retryAfterMs: problem.retryAfterMs } : {}),
    };
  }
  emit(settings, { type: "tenant-done", tenantId: tenant.id, result });
  return result;
}
