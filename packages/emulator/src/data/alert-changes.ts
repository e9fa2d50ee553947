import { toMdeTime } from "../core/clock.js";
import type { EmulatorState } from "../core/state.js";
import { ANALYST_COMMENTS, DETERMINATIONS } from "./alert-catalog.js";
import { generateAlert } from "./alert-factory.js";
import { hostilePrefix } from "./hostile.js";
import { seedHostileIncidents } from "./hostile-incidents.js";
import { ALERT_BATCH, alertContextFor, alertInserter } from "./alert-store.js";
import { getCounter, reserve, setCounter } from "./identifiers.js";
import { tenantRandom } from "./tenant-profile.js";

/** A change to one alert, as PATCH /api/alerts/{id} accepts it (update-alert.md). */
export interface AlertPatch {
  status?: string;
  assignedTo?: string | null;
  classification?: string | null;
  determination?: string | null;
  comment?: string;
  /** Who wrote the comment (the calling app's id for API calls). */
  commentBy?: string;
}

/**
 * The next `lastUpdateTime` of an alert: now, but always after the previous
 * value, so an update is never invisible to a `lastUpdateTime gt <previous>`
 * cursor even when the clock has not moved.
 */
export function bumpedUpdateTime(now: number, previous: string): string {
  let candidate = toMdeTime(now);
  if (candidate > previous) return candidate;
  // previous + 1 tick (100 ns): works on the fixed-width form.
  const ms = Date.parse(`${previous.slice(0, 23)}Z`);
  const ticks = Number(previous.slice(23, 27)) + 1;
  candidate = ticks > 9999 ? toMdeTime(ms + 1, 0) : toMdeTime(ms, ticks);
  return candidate;
}

/**
 * Applies a patch to one stored alert, keeping the indexed columns and the JSON
 * in step; returns the new JSON (without evidence) or undefined when the alert
 * does not exist. `Resolved` sets `resolvedTime`; any other status clears it.
 */
export function patchAlert(
  state: EmulatorState,
  tenantId: string,
  id: string,
  patch: AlertPatch,
  lastUpdateTime?: string,
): string | undefined {
  const row = state.db.prepare("SELECT seq, json FROM alerts WHERE tenant_id = ? AND id = ?").get(tenantId, id) as
    | { seq: number; json: string }
    | undefined;
  if (!row) return undefined;
  const alert = JSON.parse(row.json) as Record<string, unknown>;
  const updated = lastUpdateTime ?? bumpedUpdateTime(state.clock.now(), String(alert.lastUpdateTime));
  if (patch.status !== undefined) {
    alert.status = patch.status;
    alert.resolvedTime = patch.status === "Resolved" ? updated : null;
  }
  if (patch.assignedTo !== undefined) alert.assignedTo = patch.assignedTo;
  if (patch.classification !== undefined) alert.classification = patch.classification;
  if (patch.determination !== undefined) alert.determination = patch.determination;
  if (patch.comment !== undefined) {
    const comments = Array.isArray(alert.comments) ? alert.comments : [];
    comments.push({ comment: patch.comment, createdBy: patch.commentBy ?? null, createdTime: updated });
    alert.comments = comments;
  }
  alert.lastUpdateTime = updated;
  const json = JSON.stringify(alert);
  state.db
    .prepare("UPDATE alerts SET status = ?, assigned_to = ?, last_update_time = ?, json = ? WHERE seq = ?")
    .run(alert.status, alert.assignedTo ?? null, updated, json, row.seq);
  return json;
}

export interface AddAlertsOptions {
  /** Put every new alert on this machine. */
  machineId?: string;
  severity?: "Informational" | "Low" | "Medium" | "High";
}

/**
 * Adds `count` new alerts to a tenant, created just now (status New), as a
 * customer's devices would raise them. Returns the new ids.
 */
export function addAlerts(state: EmulatorState, tenantId: string, count: number, opts: AddAlertsOptions = {}): string[] {
  if (!Number.isInteger(count) || count < 0) throw new TypeError(`count must be a non-negative integer, got ${count}`);
  const tenant = state.tenants.get(tenantId);
  if (!tenant) throw new TypeError(`unknown tenant ${tenantId}`);
  const now = state.clock.now();
  const ctx = alertContextFor(state, tenant, now);
  if (ctx.machines.length === 0) throw new TypeError(`tenant ${tenantId} has no machines to raise alerts on`);
  if (opts.machineId && !ctx.machines.some((m) => m.id === opts.machineId)) throw new TypeError(`unknown machine ${opts.machineId}`);
  const firstIndex = reserve(state.db, tenantId, "alertIndex", count);
  const random = tenantRandom(state, tenantId, `added-${firstIndex}`);
  let incident = getCounter(state.db, tenantId, "incidentId", 1000);
  const insert = alertInserter(state.db);
  const ids: string[] = [];
  for (let from = 0; from < count; from += ALERT_BATCH) {
    state.db.transaction(() => {
      for (let i = from; i < Math.min(count, from + ALERT_BATCH); i++) {
        incident++;
        const row = generateAlert(random, ctx, {
          index: firstIndex + i,
          creationMs: now - random.int(0, 2000),
          incidentId: incident,
          status: "New",
          ...(opts.severity ? { severity: opts.severity } : {}),
          ...(opts.machineId ? { machineId: opts.machineId } : {}),
        });
        insert(row);
        ids.push(row.id);
      }
    })();
  }
  setCounter(state.db, tenantId, "incidentId", incident);
  if (tenant.hostile) seedHostileIncidents(state, tenantId, ctx.profile.analysts);
  return ids;
}

export interface UpdateAlertsOptions {
  /** Give every updated alert the same `lastUpdateTime` (a cursor edge case). */
  sameTimestamp?: boolean;
}

/**
 * Changes `count` existing alerts of a tenant the way analysts do (status,
 * assignee, a comment) and bumps their `lastUpdateTime`. Returns the ids.
 */
export function updateAlerts(state: EmulatorState, tenantId: string, count: number, opts: UpdateAlertsOptions = {}): string[] {
  if (!Number.isInteger(count) || count < 0) throw new TypeError(`count must be a non-negative integer, got ${count}`);
  const round = reserve(state.db, tenantId, "updateRound", 1);
  const random = tenantRandom(state, tenantId, `update-${round}`);
  const total = (state.db.prepare("SELECT count(*) AS n FROM alerts WHERE tenant_id = ?").get(tenantId) as { n: number }).n;
  if (total === 0 || count === 0) return [];
  const picked = new Set<string>();
  const byOffset = state.db.prepare("SELECT id FROM alerts WHERE tenant_id = ? ORDER BY seq LIMIT 1 OFFSET ?");
  while (picked.size < Math.min(count, total)) {
    const row = byOffset.get(tenantId, random.int(0, total - 1)) as { id: string };
    picked.add(row.id);
  }
  const now = state.clock.now();
  const tenant = state.tenants.get(tenantId);
  const analysts = [`soc.analyst@${tenant?.domains[0] ?? "contoso.onmicrosoft.com"}`];
  let shared: string | undefined;
  if (opts.sameTimestamp) {
    // One timestamp after every picked alert's current one.
    const max = state.db
      .prepare(`SELECT max(last_update_time) AS m FROM alerts WHERE tenant_id = ? AND id IN (${[...picked].map(() => "?").join(",")})`)
      .get(tenantId, ...picked) as { m: string };
    shared = bumpedUpdateTime(now, max.m);
  }
  state.db.transaction(() => {
    for (const id of picked) {
      const status = random.weighted([
        ["InProgress", 5],
        ["Resolved", 4],
        ["New", 1],
      ] as const);
      const classification = status === "Resolved" ? random.pick(Object.keys(DETERMINATIONS)) : undefined;
      const patch: AlertPatch = {
        status,
        assignedTo: status === "New" ? null : (analysts[0] ?? null),
        comment: tenant?.hostile ? hostilePrefix(random.pick(ANALYST_COMMENTS), round) : random.pick(ANALYST_COMMENTS),
        commentBy: analysts[0] ?? "soc.analyst",
      };
      if (classification) {
        patch.classification = classification;
        patch.determination = random.pick(DETERMINATIONS[classification] ?? ["Other"]);
      }
      patchAlert(state, tenantId, id, patch, shared);
    }
  })();
  return [...picked];
}
