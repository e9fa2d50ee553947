/**
 * One tenant's sync: incremental alerts from the tenant's alert source — the
 * MDE API (see alert-cursor.ts for why the cursor moves the way it does) or
 * Microsoft Graph alerts_v2 plus incidents (graph-sync.ts) — and, at the same
 * time, a full refresh of its machines (the MDE API either way: Graph has no
 * device inventory, graph-security.md §1) and the TVM snapshot when due
 * (tvm-sync.ts). Every outcome is a result, never a throw: one tenant's
 * trouble is reported beside the others (sync-all.ts).
 */

import type { Clock, PartnerClient, PartnerTenant } from "@mde-partner/client";
import { type Alert, alertFilter, type Machine } from "@mde-partner/client";
import type { Store, TenantRecord } from "../store/index.js";
import { emptyPass, type PassTotals, runCursorPass } from "./cursor-pass.js";
import { GRAPH_ALERTS_STREAM, GRAPH_INCIDENTS_STREAM, syncGraphAlerts, syncGraphIncidents } from "./graph-sync.js";
import { emitProgress, Stopped } from "./run-control.js";
import { tenantOf } from "./tenant-of.js";
import { firstLine, isAbort, problemForTenant, type TenantProblem, tenantProblem } from "./tenant-problem.js";
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

function syncAlerts(settings: TenantSyncSettings, tenant: TenantRecord, pass: PassTotals): Promise<void> {
  const api = tenantOf(settings.partner, tenant).mde;
  return runCursorPass(settings, tenant.id, pass, {
    cursor: "alerts",
    progress: "alerts",
    pages: (from) =>
      api.alerts
        .list({
          ...(from !== undefined ? { filter: alertFilter.ge("lastUpdateTime", new Date(Math.max(0, from))) } : {}),
          pageSize: settings.pageSize,
          ...(settings.signal ? { signal: settings.signal } : {}),
        })
        .pages(),
    rows: (items: Alert[]) => items,
    versions: (rows) => rows,
    // A short page without a next link ends the pass (paging.ts: `$top`/`$skip` until a short page).
    isLast: (page) => page.value.length < settings.pageSize && page.nextLink === undefined,
    apply: (rows, position) => settings.store.applyAlertPage(tenant.id, rows, position),
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
  // Stopped, or cancelled by a sibling stream's failure, while the last page was read: nothing is written.
  signal?.throwIfAborted();
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

/** How one stream of a tenant's run ended: fine, with the tenant's problem, stopped, or cancelled for a sibling's failure. */
interface StreamEnd {
  readonly problem?: TenantProblem;
  readonly aborted?: boolean;
  readonly cancelled?: boolean;
}

/**
 * Resolves `true` once each of `count` streams has read its first page (the tenant answers), or
 * `false` as soon as one of them ends without having read one.
 */
function firstPagesGate(count: number) {
  let resolve!: (ok: boolean) => void;
  const opened = new Promise<boolean>((r) => {
    resolve = r;
  });
  const reached = new Set<string>();
  if (count === 0) resolve(true);
  return {
    opened,
    reached(stream: string) {
      reached.add(stream);
      if (reached.size >= count) resolve(true);
    },
    ended(stream: string) {
      if (!reached.has(stream)) resolve(false);
    },
  };
}

/** The settings with `signal` for a stream, and `onFirstPage` called on its first page event. */
function streamSettings(settings: TenantSyncSettings, signal: AbortSignal | undefined, onFirstPage: () => void): TenantSyncSettings {
  const onProgress = settings.onProgress;
  return {
    ...settings,
    signal,
    onProgress: (event) => {
      if (event.type === "page") onFirstPage();
      onProgress?.(event);
    },
  };
}

/** Why a stream threw: the run's stop (`stop`), a sibling's failure (`cancel`), or the tenant's problem. */
function streamEnd(error: unknown, stop: AbortSignal | undefined, cancel: AbortSignal | undefined, tenant: TenantRecord): StreamEnd {
  const stopped = error instanceof Stopped || isAbort(error, stop);
  if (stopped && !stop?.aborted && cancel?.aborted) return { cancelled: true };
  if (stopped) return { aborted: true };
  return { problem: problemForTenant(tenantProblem(error), tenant) };
}

/** The alert source's passes (MDE alerts, or Graph alerts then incidents), each with its own sync run. */
async function alertStreams(settings: TenantSyncSettings, tenant: TenantRecord, pass: PassTotals, incidents: PassTotals): Promise<StreamEnd> {
  const { store, signal } = settings;
  const graph = tenant.alertSource === "graph";
  // The run being written when a failure ends the stream.
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
    return {};
  } catch (error) {
    const end = streamEnd(error, signal, undefined, tenant);
    await store
      .finishSyncRun(current.id, {
        status: end.aborted || currentPass.pages > 0 ? "partial" : "failed",
        pages: currentPass.pages,
        items: currentPass.fetched,
        error: end.aborted ? "stopped" : (end.problem?.message ?? null),
      })
      .catch(() => {});
    return end;
  }
}

/** The machines refresh in its own sync run; `stop` is the run's stop, `cancel` is aborted when the alert passes failed. */
async function machineStream(
  settings: TenantSyncSettings,
  tenant: TenantRecord,
  stop: AbortSignal | undefined,
  cancel: AbortSignal,
  out: { fetched: number; pages: number },
): Promise<StreamEnd> {
  const { store } = settings;
  const run = await store.startSyncRun(tenant.id, "machines");
  try {
    const machines = await syncMachines(settings, tenant);
    out.fetched = machines.fetched;
    out.pages = machines.pages;
    await store.finishSyncRun(run.id, { status: "succeeded", pages: machines.pages, items: machines.fetched });
    return {};
  } catch (error) {
    const end = streamEnd(error, stop, cancel, tenant);
    const message = end.aborted ? "stopped" : end.cancelled ? "not finished: the tenant's alert pass failed" : firstLine(error);
    await store.finishSyncRun(run.id, { status: end.aborted ? "partial" : "failed", error: message }).catch(() => {});
    return end;
  }
}

/**
 * Syncs one tenant; never throws for the tenant's own failures.
 *
 * The tenant's streams run side by side, each with its own sync run and transactions: the alert
 * passes, the machines refresh, and the TVM snapshot when due. The snapshot starts once the alert
 * passes and the machines refresh have each read a first page (the tenant answers), so a tenant
 * that cannot be reached records no TVM failure. A failure of the alert passes cancels the
 * machines refresh and the snapshot (as if they had waited for the alerts); a failure of the
 * machines refresh cancels the snapshot. The tenant's outcome is recorded once, after all of them.
 */
export async function syncTenant(settings: TenantSyncSettings, tenant: TenantRecord): Promise<TenantSyncResult> {
  const { store, clock, signal } = settings;
  const started = clock.now();
  const pass: PassTotals = emptyPass();
  const incidents = emptyPass();
  const graph = tenant.alertSource === "graph";
  const machines = { fetched: 0, pages: 0 };
  // Cancels the machines refresh and the snapshot (the alert passes failed), and the snapshot alone (the machines refresh failed).
  const alertsFailed = new AbortController();
  const machinesFailed = new AbortController();
  const withStop = (...signals: AbortSignal[]) => AbortSignal.any(signal ? [signal, ...signals] : signals);
  const gate = firstPagesGate(settings.machines ? 2 : 1);

  const alertsDone = alertStreams(
    streamSettings(settings, signal, () => gate.reached("alerts")),
    tenant,
    pass,
    incidents,
  ).then((end) => {
    gate.ended("alerts");
    if (end.problem) alertsFailed.abort();
    return end;
  });
  const machinesDone: Promise<StreamEnd> = settings.machines
    ? machineStream(
        streamSettings(settings, withStop(alertsFailed.signal), () => gate.reached("machines")),
        tenant,
        signal,
        alertsFailed.signal,
        machines,
      ).then((end) => {
        gate.ended("machines");
        if (end.problem) machinesFailed.abort();
        return end;
      })
    : Promise.resolve({});
  // TVM on its own interval, once the tenant answered; its trouble is reported, not the tenant's state.
  const tvmDone: Promise<TvmSyncResult | undefined> = settings.tvm
    ? gate.opened.then(async (answered) => {
        const tvmSignal = withStop(alertsFailed.signal, machinesFailed.signal);
        if (!answered || tvmSignal.aborted) return undefined;
        try {
          return await syncTenantTvm({ ...settings, signal: tvmSignal }, tenant);
        } catch (error) {
          return { status: "failed", error: { code: "ERR_UNEXPECTED", message: firstLine(error) } } satisfies TvmSyncResult;
        }
      })
    : Promise.resolve(undefined);
  const [alertsEnd, machinesEnd, tvmResult] = await Promise.all([alertsDone, machinesDone, tvmDone]);
  // The alert passes' failure is the tenant's first; the machines' is reported when the alerts went well.
  const aborted = Boolean(alertsEnd.aborted || machinesEnd.aborted);
  const problem = aborted ? undefined : (alertsEnd.problem ?? machinesEnd.problem);
  // A snapshot cut short by a failure or a stop is not reported (it was never the tenant's trouble).
  const tvm = tvmResult?.status === "failed" && tvmResult.error?.code === "ERR_SYNC_STOPPED" && (aborted || problem) ? undefined : tvmResult;
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
