import { toMdeTime } from "../core/clock.js";
import type { EmulatorState } from "../core/state.js";
import { bumpedUpdateTime } from "./alert-changes.js";
import { getCounter, reserve, setCounter } from "./identifiers.js";

/**
 * Investigation states that are still moving (investigation.md; mde-api.md
 * §6.5); every other state is final and has an `endTime`.
 */
const OPEN_STATES: ReadonlySet<string> = new Set(["Running", "Queued", "PendingApproval", "PendingResource"]);

/** First id of investigations started through the API; generated ones stay below it (alert-factory.ts). */
const FIRST_STARTED_ID = 20_000_000;
const MIN = 60_000;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS investigations (
    seq INTEGER PRIMARY KEY, tenant_id TEXT NOT NULL, id TEXT NOT NULL,
    start_time TEXT, state TEXT NOT NULL, machine_id TEXT, triggering_alert_id TEXT,
    created_ms INTEGER, json TEXT NOT NULL);
  CREATE UNIQUE INDEX IF NOT EXISTS investigations_id ON investigations (tenant_id, id);
  CREATE INDEX IF NOT EXISTS investigations_alert ON investigations (tenant_id, triggering_alert_id);
  CREATE INDEX IF NOT EXISTS investigations_open ON investigations (tenant_id, state) WHERE created_ms IS NOT NULL;`;

// The table is created on first use, so tenant generation does not pay for it.
const ready = new WeakSet<EmulatorState>();

function ensureTable(state: EmulatorState): void {
  if (ready.has(state)) return;
  state.db.exec(SCHEMA);
  ready.add(state);
}

export interface Investigation {
  id: string;
  startTime: string | null;
  endTime: string | null;
  state: string;
  cancelledBy: string | null;
  statusDetails: string | null;
  machineId: string | null;
  computerDnsName: string | null;
  triggeringAlertId: string | null;
}

const INSERT = `INSERT OR IGNORE INTO investigations (tenant_id, id, start_time, state, machine_id, triggering_alert_id, created_ms, json)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;

function insert(state: EmulatorState, tenantId: string, inv: Investigation, createdMs: number | null): void {
  state.db
    .prepare(INSERT)
    .run(tenantId, inv.id, inv.startTime, inv.state, inv.machineId, inv.triggeringAlertId, createdMs, JSON.stringify(inv));
}

/** A stable number in [0, n) from an id, for the offsets of generated history. */
function spread(id: string, n: number): number {
  let h = 0;
  for (const ch of id) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h % n;
}

/**
 * Brings the table up to date with the alerts inserted since the last call
 * (by `seq`): every alert with an `investigationId` names its investigation,
 * whose state is the alert's `investigationState`, which started a few minutes
 * after the alert and, when final, ended within hours (never after now).
 */
function syncFromAlerts(state: EmulatorState, tenantId: string): void {
  const last = getCounter(state.db, tenantId, "investigationsSeq", 0);
  const top = (state.db.prepare("SELECT max(seq) AS seq FROM alerts WHERE tenant_id = ?").get(tenantId) as { seq: number | null }).seq ?? 0;
  if (top <= last) return;
  // Only the investigated alerts, and only the properties needed: no JSON parsing of every alert.
  const rows = state.db
    .prepare(
      `SELECT id, investigation_id AS inv, alert_creation_time AS created, machine_id AS machineId,
         json_extract(json, '$.investigationState') AS invState, json_extract(json, '$.computerDnsName') AS dnsName
       FROM alerts WHERE tenant_id = ? AND seq > ? AND seq <= ? AND investigation_id IS NOT NULL ORDER BY seq`,
    )
    .all(tenantId, last, top) as Array<{ id: string; inv: number; created: string; machineId: string | null; invState: string | null; dnsName: string | null }>;
  const now = state.clock.now();
  state.db.transaction(() => {
    for (const row of rows) {
      const id = String(row.inv);
      const startMs = Math.min(Date.parse(row.created) + (1 + spread(id, 9)) * MIN, now);
      const invState = row.invState ?? "Running";
      const endMs = Math.min(startMs + (10 + spread(`${id}/end`, 230)) * MIN, now);
      insert(
        state,
        tenantId,
        {
          id,
          startTime: toMdeTime(startMs),
          endTime: OPEN_STATES.has(invState) ? null : toMdeTime(endMs),
          state: invState,
          cancelledBy: null,
          statusDetails: null,
          machineId: row.machineId,
          computerDnsName: row.dnsName,
          triggeringAlertId: row.id,
        },
        null,
      );
    }
    setCounter(state.db, tenantId, "investigationsSeq", top);
  })();
}

/** Writes an investigation's new state into its triggering alert (`investigationState`), bumping `lastUpdateTime` so syncs see it. */
function reflectOnAlert(state: EmulatorState, tenantId: string, alertId: string, invState: string): void {
  const row = state.db.prepare("SELECT seq, json FROM alerts WHERE tenant_id = ? AND id = ?").get(tenantId, alertId) as
    | { seq: number; json: string }
    | undefined;
  if (!row) return;
  const alert = JSON.parse(row.json) as Record<string, unknown>;
  alert.investigationState = invState;
  alert.lastUpdateTime = bumpedUpdateTime(state.clock.now(), String(alert.lastUpdateTime));
  state.db.prepare("UPDATE alerts SET last_update_time = ?, json = ? WHERE seq = ?").run(alert.lastUpdateTime, JSON.stringify(alert), row.seq);
}

/**
 * Moves investigations started through the API along Queued → Running →
 * final state on the emulator's clock, with the machine actions' timing
 * (`actionPendingMs`, `actionInProgressMs`; the real timing is DOC-SILENT).
 * The final state is SuccessfullyRemediated when the device has unresolved
 * alerts, Benign otherwise.
 */
function advance(state: EmulatorState, tenantId: string): void {
  const open = state.db
    .prepare(
      `SELECT seq, state, machine_id, triggering_alert_id AS alert, created_ms, json FROM investigations
       WHERE tenant_id = ? AND created_ms IS NOT NULL AND state IN ('Queued', 'Running')`,
    )
    .all(tenantId) as Array<{ seq: number; state: string; machine_id: string; alert: string | null; created_ms: number; json: string }>;
  if (open.length === 0) return;
  const now = state.clock.now();
  const { actionPendingMs: pending, actionInProgressMs: running } = state.options;
  const update = state.db.prepare("UPDATE investigations SET state = ?, json = ? WHERE seq = ?");
  state.db.transaction(() => {
    for (const row of open) {
      const doneAt = row.created_ms + pending + running;
      let next = now >= doneAt ? "final" : now >= row.created_ms + pending ? "Running" : "Queued";
      if (next === row.state) continue;
      const inv = JSON.parse(row.json) as Investigation;
      if (next === "final") {
        const unresolved = state.db
          .prepare("SELECT 1 FROM alerts WHERE tenant_id = ? AND machine_id = ? AND status != 'Resolved' LIMIT 1")
          .get(tenantId, row.machine_id);
        next = unresolved ? "SuccessfullyRemediated" : "Benign";
        inv.endTime = toMdeTime(doneAt);
      }
      inv.state = next;
      update.run(next, JSON.stringify(inv), row.seq);
      if (row.alert) reflectOnAlert(state, tenantId, row.alert, next);
    }
  })();
}

/** Makes the tenant's investigations current: new alerts' investigations added, started ones advanced. */
export function refreshInvestigations(state: EmulatorState, tenantId: string): void {
  ensureTable(state);
  syncFromAlerts(state, tenantId);
  advance(state, tenantId);
}

/** One investigation by its id or by the id of the alert that triggered it (get-investigation-object.md). */
export function findInvestigation(state: EmulatorState, tenantId: string, idOrAlertId: string): string | undefined {
  refreshInvestigations(state, tenantId);
  const row = state.db
    .prepare("SELECT json FROM investigations WHERE tenant_id = ? AND (id = ? OR triggering_alert_id = ?) ORDER BY seq LIMIT 1")
    .get(tenantId, idOrAlertId, idOrAlertId) as { json: string } | undefined;
  return row?.json;
}

/**
 * Starts an investigation on a machine, Queued at `now`, optionally triggered
 * by an alert (CreateAlertByReference starts one for the alert it creates).
 * Returns the investigation as stored.
 */
export function startInvestigation(
  state: EmulatorState,
  tenantId: string,
  machine: { id: string; computerDnsName: string },
  triggeringAlertId: string | null,
): Investigation {
  refreshInvestigations(state, tenantId);
  const now = state.clock.now();
  const id = String(reserve(state.db, tenantId, "investigationId", 1, FIRST_STARTED_ID));
  const inv: Investigation = {
    id,
    startTime: toMdeTime(now),
    endTime: null,
    state: "Queued",
    cancelledBy: null,
    statusDetails: null,
    machineId: machine.id,
    computerDnsName: machine.computerDnsName,
    triggeringAlertId,
  };
  insert(state, tenantId, inv, now);
  return inv;
}
