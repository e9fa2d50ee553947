/**
 * The Microsoft Graph side of a tenant's sync (alert source `graph`):
 * alerts_v2, then incidents, each with its own cursor (`graph-alerts`,
 * `graph-incidents`) over `lastUpdateDateTime`.
 *
 * Why the cursors are as crash-safe as the MDE one (alert-cursor.ts, whose
 * argument this follows step by step):
 *
 * - A pass reads the open-ended set `lastUpdateDateTime ge X`, paging only by
 *   `@odata.nextLink` (graph-security.md §6: `$skip` inside the link). Changes
 *   during the pass only add to that set: an update raises the time, a new
 *   alert or incident gets a new one, nothing leaves.
 * - The list is "most recent at the top" (§4.1) with no `$orderby`. Either
 *   reading of "recent" — by creation or by last update — puts a new or changed
 *   item at or before its old position, never after it, so a change shifts
 *   unread items to later pages (read twice: harmless, upserts are idempotent
 *   and never replace a newer version) and never past the reader. What a pass
 *   may miss is only a change made during it, whose time is at or after the
 *   pass's start. (An order that moved changed items backwards would break
 *   this; none is documented, so the bound below is what we rely on.)
 * - Until the last page the order is not by time, so mid-pass pages commit
 *   their rows with the previous cursor; the page without a next link commits
 *   min(newest time read, pass start by our clock) — `createRunCursor` — and
 *   the next pass reads from it minus the overlap window. Rows and cursor of a
 *   page commit in one transaction, so a crash leaves the old cursor (the pass
 *   is re-read) or the new one with every row it covers.
 *
 * Only alerts Defender for Endpoint created are read (`serviceSource eq
 * 'microsoftDefenderForEndpoint'`, §8.3): those carry an MDE id
 * (`providerAlertId`), which keys the store, so switching a tenant between the
 * MDE API and Graph neither duplicates nor loses an alert.
 */
import { type GraphAlert, type GraphIncident, graphAlertFilter, graphIncidentFilter, MAX_GRAPH_ALERTS_TOP, MAX_GRAPH_INCIDENTS_TOP } from "@mde-partner/client";
import type { TenantRecord } from "../store/index.js";
import { type PassTotals, runCursorPass } from "./cursor-pass.js";
import { MDE_SERVICE_SOURCE, toGraphAlertInput, toIncidentInput } from "@mde-partner/client";
import type { TenantSyncSettings } from "./sync-tenant.js";
import { tenantOf } from "./tenant-of.js";

/** Cursor (and sync-run) stream names of the Graph source. */
export const GRAPH_ALERTS_STREAM = "graph-alerts";
export const GRAPH_INCIDENTS_STREAM = "graph-incidents";

/** alerts_v2 of one tenant into the store, normalised to the MDE alert model. */
export async function syncGraphAlerts(settings: TenantSyncSettings, tenant: TenantRecord, pass: PassTotals): Promise<void> {
  const graph = tenantOf(settings.partner, tenant).graph;
  const f = graphAlertFilter;
  const mde = f.eq("serviceSource", MDE_SERVICE_SOURCE);
  await runCursorPass(settings, tenant.id, pass, {
    cursor: GRAPH_ALERTS_STREAM,
    progress: "alerts",
    pages: (from) =>
      graph.alerts
        .list({
          filter: from !== undefined ? f.and(mde, f.ge("lastUpdateDateTime", new Date(Math.max(0, from)))) : mde,
          pageSize: Math.min(settings.pageSize, MAX_GRAPH_ALERTS_TOP),
          ...(settings.signal ? { signal: settings.signal } : {}),
        })
        .pages(),
    rows: (items: GraphAlert[]) => items.map(toGraphAlertInput),
    versions: (rows) => rows.map((i) => i.alert),
    // Graph pages only by @odata.nextLink: the page without one ends the pass.
    isLast: (page) => page.nextLink === undefined,
    apply: (rows, position) => settings.store.applyGraphAlertPage(tenant.id, rows, position, GRAPH_ALERTS_STREAM),
  });
}

/**
 * Incidents of one tenant with their alerts' ids (`$expand=alerts`, mapped to
 * MDE ids). `$top` stays at 50, the observed cap (§5).
 */
export async function syncGraphIncidents(settings: TenantSyncSettings, tenant: TenantRecord, pass: PassTotals): Promise<void> {
  const graph = tenantOf(settings.partner, tenant).graph;
  await runCursorPass(settings, tenant.id, pass, {
    cursor: GRAPH_INCIDENTS_STREAM,
    progress: "incidents",
    pages: (from) =>
      graph.incidents
        .list({
          ...(from !== undefined ? { filter: graphIncidentFilter.ge("lastUpdateDateTime", new Date(Math.max(0, from))) } : {}),
          expand: ["alerts"],
          pageSize: MAX_GRAPH_INCIDENTS_TOP,
          ...(settings.signal ? { signal: settings.signal } : {}),
        })
        .pages(),
    rows: (items: GraphIncident[]) => items.map((i) => toIncidentInput(i)),
    versions: (rows) => rows.map((i) => ({ id: i.id, lastUpdateTime: i.lastUpdateDateTime ?? null })),
    isLast: (page) => page.nextLink === undefined,
    apply: (rows, position) => settings.store.applyIncidentPage(tenant.id, rows, position, GRAPH_INCIDENTS_STREAM),
  });
}
