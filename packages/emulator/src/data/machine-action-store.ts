import { toMdeTime } from "../core/clock.js";
import type { EmulatorState } from "../core/state.js";
import { type LiveResponseCommandEntry, replaySession } from "./live-response-sim.js";

/** Machine action types (machineaction.md; mde-api.md §6.3). */
export type MachineActionType = "Isolate" | "Unisolate" | "RestrictCodeExecution" | "UnrestrictCodeExecution" | "RunAntiVirusScan" | "CollectInvestigationPackage" | "StopAndQuarantineFile" | "Offboard" | "LiveResponse";

export const FINAL_STATUSES: ReadonlySet<string> = new Set(["Succeeded", "Failed", "TimeOut", "Cancelled"]);

export interface NewMachineAction {
  tenantId: string;
  id: string;
  type: MachineActionType;
  scope: string | null;
  requestor: string;
  requestSource: string;
  comment: string;
  machineId: string;
  computerDnsName: string;
  createdMs: number;
  /** Status to store; generated history is already final. */
  status?: string;
  lastUpdateMs?: number;
  relatedFileInfo?: { fileIdentifier: string; fileIdentifierType: string } | null;
  externalId?: string | null;
  /** Live response commands (`LiveResponse` actions only). */
  commands?: LiveResponseCommandEntry[];
}

const TITLES: Record<MachineActionType, string> = {
  RunAntiVirusScan: "Run antivirus scan",
  Offboard: "Offboard device",
  LiveResponse: "Live response",
  CollectInvestigationPackage: "Collect investigation package",
  Isolate: "Isolate device",
  Unisolate: "Release device from isolation",
  StopAndQuarantineFile: "Stop and quarantine file",
  RestrictCodeExecution: "Restrict app execution",
  UnrestrictCodeExecution: "Remove app execution restriction",
};

/**
 * Stores a machine action with every property of machineaction.md's table and
 * examples (mde-api.md §6.3). The timestamp property is `lastUpdateDateTimeUtc`
 * as in the entity table and get example (list examples print
 * `lastUpdateTimeUtc` — DOC-CONFLICT §8.6).
 */
export function insertMachineAction(state: EmulatorState, a: NewMachineAction): Record<string, unknown> {
  const creation = toMdeTime(a.createdMs);
  const status = a.status ?? "Pending";
  const json = {
    id: a.id,
    type: a.type,
    title: `${TITLES[a.type]} on ${a.computerDnsName}`,
    scope: a.scope,
    requestor: a.requestor,
    requestorComment: a.comment,
    requestSource: a.requestSource,
    status,
    machineId: a.machineId,
    computerDnsName: a.computerDnsName,
    creationDateTimeUtc: creation,
    lastUpdateDateTimeUtc: toMdeTime(a.lastUpdateMs ?? a.createdMs),
    cancellationRequestor: null,
    cancellationComment: null,
    cancellationDateTimeUtc: null,
    errorHResult: 0,
    externalId: a.externalId ?? null,
    commands: a.commands ?? [],
    relatedFileInfo: a.relatedFileInfo ?? null,
  };
  state.db
    .prepare(
      `INSERT INTO machine_actions (tenant_id, id, machine_id, type, status, requestor, creation_time, created_ms, json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(a.tenantId, a.id, a.machineId, a.type, status, a.requestor, creation, a.createdMs, JSON.stringify(json));
  return json;
}

/**
 * Moves the tenant's open actions along Pending → InProgress → Succeeded
 * according to the clock and `actionPendingMs`/`actionInProgressMs` (the real
 * timing is DOC-SILENT, mde-api.md §6.3), and applies the effect of each action
 * that succeeds to its machine (isolation, restriction, offboarding).
 */
export function advanceMachineActions(state: EmulatorState, tenantId: string): void {
  const now = state.clock.now();
  const { actionPendingMs: pending, actionInProgressMs: inProgress } = state.options;
  const open = state.db
    .prepare(
      "SELECT seq, machine_id, type, status, created_ms, json FROM machine_actions WHERE tenant_id = ? AND status IN ('Pending', 'InProgress')",
    )
    .all(tenantId) as Array<{ seq: number; machine_id: string; type: MachineActionType; status: string; created_ms: number; json: string }>;
  if (open.length === 0) return;
  const update = state.db.prepare("UPDATE machine_actions SET status = ?, json = ? WHERE seq = ?");
  const apply = state.db.transaction(() => {
    for (const row of open) {
      if (row.type === "LiveResponse") {
        advanceLiveResponse(state, tenantId, row, now, update);
        continue;
      }
      const startedAt = row.created_ms + pending;
      const doneAt = startedAt + inProgress;
      const [status, changedAt] =
        now >= doneAt ? ["Succeeded", doneAt] : now >= startedAt ? ["InProgress", startedAt] : ["Pending", row.created_ms];
      if (status === row.status) continue;
      const json = JSON.parse(row.json) as Record<string, unknown>;
      json.status = status;
      json.lastUpdateDateTimeUtc = toMdeTime(changedAt);
      update.run(status, JSON.stringify(json), row.seq);
      if (status === "Succeeded") applyEffect(state, tenantId, row.machine_id, row.type);
    }
  });
  apply();
}

/** A live response session moves command by command (data/live-response-sim.ts). */
function advanceLiveResponse(
  state: EmulatorState,
  tenantId: string,
  row: { seq: number; machine_id: string; status: string; created_ms: number; json: string },
  now: number,
  update: { run(...params: unknown[]): unknown },
): void {
  const json = JSON.parse(row.json) as Record<string, unknown> & { commands: LiveResponseCommandEntry[] };
  const next = replaySession(state, tenantId, { machineId: row.machine_id, createdMs: row.created_ms, commands: json.commands }, now);
  const before = JSON.stringify(json.commands);
  const after = JSON.stringify(next.commands);
  if (next.status === row.status && before === after) return;
  json.status = next.status;
  json.commands = next.commands;
  json.errorHResult = next.errorHResult;
  json.lastUpdateDateTimeUtc = toMdeTime(next.changedAt);
  update.run(next.status, JSON.stringify(json), row.seq);
}

function applyEffect(state: EmulatorState, tenantId: string, machineId: string, type: MachineActionType): void {
  const set = (sql: string) => state.db.prepare(`UPDATE machines SET ${sql} WHERE tenant_id = ? AND id = ?`).run(tenantId, machineId);
  if (type === "Isolate") set("isolated = 1");
  else if (type === "Unisolate") set("isolated = 0");
  else if (type === "RestrictCodeExecution") set("code_restricted = 1");
  else if (type === "UnrestrictCodeExecution") set("code_restricted = 0");
  else if (type === "Offboard") {
    // An offboarded device stops reporting: it turns Inactive.
    set(`health_status = 'Inactive', json = json_set(json, '$.healthStatus', 'Inactive')`);
  }
}
