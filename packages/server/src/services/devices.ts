/**
 * Devices and response actions: the list across tenants from the store, the
 * action request through the engine (which audits it), and the live status of
 * an action (re-read from the API while it is not final, at most every
 * `refreshMs`, and stored).
 */
import { FINAL_MACHINE_ACTION_STATUSES } from "@mde-partner/client";
import { type ResponseActionKind, type ResponseActionOutcome, type StoredMachine, type StoredMachineAction, tenantOf } from "@mde-partner/sync";
import type { ResolvedConsoleOptions } from "../options.js";
import type { ConsoleEngine } from "./engine.js";
import { InputError, NotFoundError } from "./errors.js";

/** Actions the console offers, with what the confirmation page says and asks, and the MDE operation each calls. */
export const DEVICE_ACTIONS: ReadonlyArray<{ kind: ResponseActionKind; label: string; warning: string; operation: string }> = [
  {
    kind: "isolate",
    label: "Isolate device",
    warning: "The device loses network access except to Defender for Endpoint until it is released.",
    operation: "IsolateMachine",
  },
  { kind: "unisolate", label: "Release from isolation", warning: "The device gets its network access back.", operation: "UnisolateMachine" },
  {
    kind: "restrict",
    label: "Restrict app execution",
    warning: "Only Microsoft-signed applications may run on the device.",
    operation: "RestrictCodeExecution",
  },
  {
    kind: "unrestrict",
    label: "Remove app restriction",
    warning: "Applications may run again without restriction.",
    operation: "UnrestrictCodeExecution",
  },
  { kind: "scan", label: "Run antivirus scan", warning: "Starts a Defender Antivirus scan on the device.", operation: "RunAntiVirusScan" },
  { kind: "collect", label: "Collect investigation package", warning: "Collects forensic data from the device.", operation: "CollectInvestigationPackage" },
];

export const ISOLATION_TYPES = ["Full", "Selective"] as const;
export const SCAN_TYPES = ["Quick", "Full"] as const;

export interface DeviceFilter {
  readonly tenantIds?: readonly string[];
  /** Substring of the DNS name (case-insensitive). */
  readonly q?: string;
  readonly healthStatus?: string;
  readonly limit?: number;
}

/** Machines of the given (undefined: every; empty: no) tenants, by tenant then name. */
export async function listDevices(options: ResolvedConsoleOptions, filter: DeviceFilter = {}): Promise<StoredMachine[]> {
  const { store } = options;
  const limit = filter.limit ?? 500;
  const tenants = filter.tenantIds ?? (await store.listTenants()).map((t) => t.id);
  const needle = filter.q?.trim().toLowerCase();
  const out: StoredMachine[] = [];
  for (const tenantId of tenants) {
    const machines = await store.listMachines(tenantId, {
      ...(filter.healthStatus ? { healthStatus: filter.healthStatus } : {}),
      limit: needle ? 10_000 : limit,
    });
    for (const m of machines) {
      if (needle && !(m.computerDnsName ?? m.id).toLowerCase().includes(needle)) continue;
      out.push(m);
      if (out.length >= limit) return out;
    }
  }
  return out;
}

export interface ActionInput {
  readonly tenantId: string;
  readonly machineId: string;
  readonly action: string;
  readonly comment: string | undefined;
  readonly isolationType?: string | undefined;
  readonly scanType?: string | undefined;
}

/** Checks the request (a comment is required), then runs it through the engine without waiting. */
export async function requestAction(
  options: ResolvedConsoleOptions,
  engine: ConsoleEngine,
  actor: string,
  input: ActionInput,
): Promise<ResponseActionOutcome> {
  const spec = DEVICE_ACTIONS.find((a) => a.kind === input.action);
  if (!spec)
    throw new InputError(`unknown action ${JSON.stringify(input.action)}; use one of ${DEVICE_ACTIONS.map((a) => a.kind).join(", ")}`);
  const comment = input.comment?.trim() ?? "";
  if (comment === "") throw new InputError("a comment is required: say why (it is recorded with the action and in the audit log)");
  if (comment.length > 1000) throw new InputError("the comment must be at most 1000 characters");
  const machine = await options.store.getMachine(input.tenantId, input.machineId);
  if (!machine) throw new NotFoundError(`device ${input.machineId} of tenant ${input.tenantId} is not in the console`);
  const isolationType = spec.kind === "isolate" ? input.isolationType || "Full" : undefined;
  if (isolationType !== undefined && !ISOLATION_TYPES.includes(isolationType as "Full"))
    throw new InputError("isolation type must be Full or Selective");
  const scanType = spec.kind === "scan" ? input.scanType || "Quick" : undefined;
  if (scanType !== undefined && !SCAN_TYPES.includes(scanType as "Quick")) throw new InputError("scan type must be Quick or Full");
  return engine.runAction({
    actor,
    tenantId: machine.tenantId,
    machineId: machine.id,
    action: spec.kind,
    comment,
    ...(isolationType !== undefined ? { isolationType } : {}),
    ...(scanType !== undefined ? { scanType } : {}),
  });
}

export const isFinalStatus = (status: string | null | undefined) =>
  typeof status === "string" && (FINAL_MACHINE_ACTION_STATUSES as readonly string[]).includes(status);

/** The action as stored, refreshed from the API first while it is not final. */
export async function refreshAction(
  options: ResolvedConsoleOptions,
  tenantId: string,
  actionId: string,
  refreshMs = 1000,
): Promise<StoredMachineAction> {
  const { store, partner, clock } = options;
  const stored = await store.getMachineAction(tenantId, actionId);
  const fresh = stored && (isFinalStatus(stored.status) || clock.now() - Date.parse(stored.updatedAt) < refreshMs);
  if (stored && fresh) return stored;
  const tenant = await store.getTenant(tenantId);
  if (!tenant) throw new NotFoundError(`tenant ${tenantId} is not in the console`);
  const action = await tenantOf(partner, tenant).mde.machineActions.get(actionId);
  await store.upsertMachineActions(tenantId, [action]);
  const after = await store.getMachineAction(tenantId, actionId);
  if (!after) throw new NotFoundError(`machine action ${actionId} is unknown`);
  return after;
}

/** The JSON shape of an action. */
export function actionSummary(a: StoredMachineAction) {
  return {
    tenantId: a.tenantId,
    id: a.id,
    machineId: a.machineId,
    type: a.type,
    status: a.status,
    requestor: a.requestor,
    operator: a.operator,
    comment: a.comment,
    creationTime: a.creationTime,
    lastUpdateTime: a.lastUpdateTime,
  };
}
