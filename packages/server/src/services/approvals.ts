/**
 * Four-eyes approval of destructive or wide actions. Offboarding a tenant, and
 * isolating or restricting more machines at once than the console's
 * `approvals.wideActionThreshold`, do not run when asked: they become a
 * request (store `createApproval`) that another person — a responder or admin
 * with the action's role on every tenant of the request, signed in as a
 * person, not an API token, and not the creator of the API token that asked —
 * approves before it expires. Then the action runs
 * through the same function the direct action uses, as the approver, and its
 * outcome is recorded on the request (`finishApproval`).
 *
 * The audit log tells the whole story under one correlation id
 * (`approval:<id>`): `approval.request`, `approval.approve` or
 * `approval.reject`, then the action's own entries, whose comment names the
 * requester and the approver.
 */
import { isTenantGuid, mapWithConcurrency } from "@mde-partner/client";
import { type ApprovalRequest, type ApprovalStatus, type ResponseActionKind, StoreError } from "@mde-partner/sync";
import { type AccessGrant, type AccessStore, inScope, roleOn, scopeOf, type SignInMethod, type TenantScope } from "../access.js";
import type { ResolvedConsoleOptions } from "../options.js";
import { type Role, roleAtLeast } from "../users-file.js";
import { DEVICE_ACTIONS, requestAction } from "./devices.js";
import type { ConsoleEngine } from "./engine.js";
import { ForbiddenError, InputError, NotFoundError } from "./errors.js";

/** The actions that can wait for approval, and the role requester and approver need on each of their tenants. */
export const APPROVAL_ACTIONS: Readonly<Record<string, Role>> = Object.freeze({
  "tenant.offboard": "admin",
  "machines.action": "responder",
});

/** How an API token acts: `token:<name>` (bearer.ts), as requester of an approval too. */
const TOKEN_ACTOR = "token:";

/** Response actions that need approval when they reach more machines at once than the threshold. */
export const WIDE_ACTION_KINDS: readonly ResponseActionKind[] = ["isolate", "restrict"];

/** At most this many machines in one bulk request. */
export const MAX_BULK_MACHINES = 500;

/** Machines asked at the same time in a bulk action. */
const BULK_CONCURRENCY = 8;

/** A refusal with the HTTP status and stable code the routes answer with. */
export class ApprovalError extends Error {
  override name = "ApprovalError";
  constructor(
    readonly status: 403 | 409,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Who asks or decides: a request's operator. */
export interface Actor {
  readonly user: string;
  readonly via: SignInMethod;
  readonly grants: readonly AccessGrant[];
}

/** One machine of a bulk action. */
export interface MachineRef {
  readonly tenantId: string;
  readonly machineId: string;
}

/** A response action on many machines (the JSON body of `POST /api/v1/devices/actions`). */
export interface MachineActionsInput {
  readonly action: ResponseActionKind;
  readonly machines: readonly MachineRef[];
  readonly comment: string;
  readonly isolationType?: string;
}

/** What a bulk action did, machine by machine. */
export interface MachineActionsResult {
  readonly created: number;
  readonly failed: number;
  readonly machines: ReadonlyArray<{
    tenantId: string;
    machineId: string;
    result: string;
    actionId: string | null;
    error: string | null;
  }>;
}

const MACHINE_ID = /^[0-9a-f]{40}$/i;

/** The JSON body of a bulk action, checked. */
export function parseMachineActions(body: Record<string, unknown>): MachineActionsInput {
  const action = typeof body.action === "string" ? body.action : "";
  if (!DEVICE_ACTIONS.some((a) => a.kind === action))
    throw new InputError(`unknown action ${JSON.stringify(action.slice(0, 40))}; use one of ${DEVICE_ACTIONS.map((a) => a.kind).join(", ")}`);
  const comment = typeof body.comment === "string" ? body.comment.trim() : "";
  if (comment === "") throw new InputError("a comment is required: say why (it is recorded with the actions and in the audit log)");
  // Room for the note naming requester and approver, within the action comment's 1000 characters.
  if (comment.length > 800) throw new InputError("the comment must be at most 800 characters");
  if (!Array.isArray(body.machines) || body.machines.length === 0) throw new InputError("machines must be a non-empty array of {tenantId, machineId}");
  if (body.machines.length > MAX_BULK_MACHINES) throw new InputError(`at most ${MAX_BULK_MACHINES} machines at once`);
  const seen = new Map<string, MachineRef>();
  for (const m of body.machines as unknown[]) {
    const ref = m as { tenantId?: unknown; machineId?: unknown } | null;
    const tenantId = typeof ref?.tenantId === "string" ? ref.tenantId : "";
    const machineId = typeof ref?.machineId === "string" ? ref.machineId : "";
    if (!isTenantGuid(tenantId) || !MACHINE_ID.test(machineId)) throw new InputError("each machine must be {tenantId: GUID, machineId: 40 hex characters}");
    const key = `${tenantId.toLowerCase()}/${machineId.toLowerCase()}`;
    seen.set(key, { tenantId: tenantId.toLowerCase(), machineId: machineId.toLowerCase() });
  }
  const isolationType = typeof body.isolationType === "string" ? body.isolationType : undefined;
  return { action: action as ResponseActionKind, machines: [...seen.values()], comment, ...(isolationType !== undefined ? { isolationType } : {}) };
}

/** `error`, marked with the tenant it is about (see {@link refusedTenant}). */
function refusedOn<E extends Error>(error: E, tenantId: string): E {
  return Object.assign(error, { refusedTenant: tenantId });
}

/**
 * The tenant a refusal is about, if any: its audit entry is filed under that tenant, so an
 * operator of other tenants never reads it (the message names the tenant).
 */
export const refusedTenant = (error: unknown): string | null => {
  const id = (error as { refusedTenant?: unknown } | null)?.refusedTenant;
  return typeof id === "string" ? id : null;
};

/** The audit correlation id of a request's entries. */
export const approvalCorrelation = (id: string) => `approval:${id}`;

export interface Approvals {
  /** Offboarding always waits for approval: the request. */
  requestOffboard(actor: Actor, tenantId: string): Promise<ApprovalRequest>;
  /** A bulk action: run now when it is not wide, else the request it became. */
  machineActions(actor: Actor, input: MachineActionsInput): Promise<{ approval: ApprovalRequest } | { result: MachineActionsResult }>;
  /**
   * A one-machine action of the single-device routes: the request it became when one machine is
   * already wide (`wideActionThreshold: 0`), else undefined (the route runs it as before).
   */
  holdSingle(
    actor: Actor,
    input: { tenantId: string; machineId: string; action: string; comment: string | undefined; isolationType?: string | undefined },
  ): Promise<ApprovalRequest | undefined>;
  /** Approves (then runs) or rejects a request. */
  decide(actor: Actor, id: string, decision: "approve" | "reject"): Promise<ApprovalRequest>;
  /** Requests whose every tenant the actor can see, newest first; `status` as of the console's clock. */
  list(actor: Actor, status?: ApprovalStatus): Promise<ApprovalRequest[]>;
  /** One request the actor can see, or NotFoundError. */
  get(actor: Actor, id: string): Promise<ApprovalRequest>;
  /** The request as of the console's clock (a pending one past its expiry reads `expired`). */
  current(request: ApprovalRequest): ApprovalRequest;
}

export function createApprovals(options: ResolvedConsoleOptions, engine: ConsoleEngine): Approvals {
  const { store, clock } = options;
  const access = store as unknown as AccessStore;
  const { wideActionThreshold, ttlMs } = options.approvals;
  const nowIso = () => new Date(clock.now()).toISOString();

  const current = (r: ApprovalRequest): ApprovalRequest =>
    r.status === "pending" && Date.parse(r.expiresAt) <= clock.now() ? { ...r, status: "expired" } : r;

  /**
   * Refuses unless the actor holds `role` on every tenant; a tenant it cannot even see reads as
   * unknown. The error carries the tenant (`refusedTenant`) so its audit entry is filed under it.
   */
  const requireRoleOn = async (actor: Actor, role: Role, tenantIds: readonly string[]) => {
    for (const id of new Set(tenantIds)) {
      const held = await roleOn(access, actor.grants, id);
      if (!held) throw refusedOn(new NotFoundError(`tenant ${id} is not in the console`), id);
      if (!roleAtLeast(held, role)) throw refusedOn(new ForbiddenError(`This needs the ${role} role on tenant ${id}; you have ${held}.`), id);
    }
  };

  /** Whether the actor sees every tenant of the request (else it does not see the request at all). */
  const visibleTo = async (actor: Actor, r: ApprovalRequest, scope?: TenantScope) => {
    const seen = scope ?? (await scopeOf(access, actor.grants, "viewer"));
    return r.tenantIds.every((id) => inScope(seen, id));
  };

  const request = async (actor: Actor, input: { action: string; tenantIds: string[]; params: unknown; summary: string }) => {
    const created = await store.createApproval({ ...input, requestedBy: actor.user, expiresAt: new Date(clock.now() + ttlMs).toISOString() });
    await store.appendAudit({
      actor: actor.user,
      action: "approval.request",
      phase: "requested",
      tenantId: created.tenantIds.length === 1 ? (created.tenantIds[0] ?? null) : null,
      target: created.id,
      request: { action: created.action, tenantIds: created.tenantIds, params: created.params, expiresAt: created.expiresAt },
      result: created.summary,
      correlationId: approvalCorrelation(created.id),
    });
    return created;
  };

  /** The bulk action itself: the direct path and the approved one both run this. */
  const runMachineActions = async (actor: string, input: MachineActionsInput, note = ""): Promise<MachineActionsResult> => {
    // A few at a time: the partner client keeps each tenant within its rate budget.
    const machines = await mapWithConcurrency(input.machines, BULK_CONCURRENCY, async (m): Promise<MachineActionsResult["machines"][number]> => {
      try {
        const outcome = await requestAction(options, engine, actor, {
          tenantId: m.tenantId,
          machineId: m.machineId,
          action: input.action,
          comment: `${input.comment}${note}`,
          isolationType: input.isolationType,
        });
        if (outcome.machineAction && !(await store.getMachineAction(outcome.tenantId, outcome.machineAction.id))) {
          await store.upsertMachineActions(outcome.tenantId, [outcome.machineAction], { operator: actor });
        }
        return {
          ...m,
          result: outcome.result,
          actionId: outcome.machineAction?.id ?? null,
          error: outcome.error ? `${outcome.error.code}: ${outcome.error.message}` : null,
        };
      } catch (error) {
        return { ...m, result: "failed", actionId: null, error: (error as Error).message.split("\n")[0] ?? "failed" };
      }
    });
    const created = machines.filter((m) => m.actionId !== null).length;
    return { created, failed: machines.length - created, machines };
  };

  /** Offboarding itself: the tenant and everything synced for it go; the audit log stays. */
  const offboard = async (actor: string, tenantId: string, correlationId: string, note: string) => {
    const removed = await store.removeTenant(tenantId);
    await store.appendAudit({
      actor,
      action: "tenant.offboard",
      phase: removed ? "completed" : "failed",
      tenantId,
      target: tenantId,
      comment: note,
      result: removed ? "removed with its alerts, machines and group memberships" : "the tenant was no longer in the console",
      correlationId,
    });
    return { removed };
  };

  const execute = async (r: ApprovalRequest, approver: string) => {
    const note = ` [four-eyes: requested by ${r.requestedBy}, approved by ${approver}, request ${r.id}]`;
    const correlationId = approvalCorrelation(r.id);
    try {
      if (r.action === "tenant.offboard") {
        const { tenantId } = r.params as { tenantId: string };
        const result = await offboard(approver, tenantId, correlationId, note.trim());
        return store.finishApproval(r.id, { status: result.removed ? "executed" : "failed", result });
      }
      if (r.action === "machines.action") {
        const result = await runMachineActions(approver, r.params as MachineActionsInput, note);
        return store.finishApproval(r.id, { status: result.created > 0 ? "executed" : "failed", result });
      }
      return store.finishApproval(r.id, { status: "failed", result: { error: `unknown action ${r.action}` } });
    } catch (error) {
      return store.finishApproval(r.id, { status: "failed", result: { error: (error as Error).message.split("\n")[0] ?? "failed" } });
    }
  };

  /**
   * Whether the request came from an API token the actor created: a token is its creator's
   * script, so approving its request would be the same person's second pair of eyes. A
   * token's requests name it only (`token:<name>`), and a name can be reused once revoked:
   * any token of that name the actor created counts.
   */
  const createdTheRequester = async (actor: Actor, r: ApprovalRequest) => {
    if (!r.requestedBy.startsWith(TOKEN_ACTOR)) return false;
    const name = r.requestedBy.slice(TOKEN_ACTOR.length);
    return (await store.listApiTokens()).some((t) => t.name === name && t.createdBy === actor.user);
  };

  const load = async (actor: Actor, id: string) => {
    const found = /^[0-9a-z]{1,64}$/i.test(id) ? await store.getApproval(id) : undefined;
    if (!found || !(await visibleTo(actor, found))) throw new NotFoundError(`no approval request ${id.slice(0, 64)}`);
    return current(found);
  };

  const approvals: Approvals = {
    current,

    async requestOffboard(actor, tenantId) {
      const id = tenantId.toLowerCase();
      await requireRoleOn(actor, APPROVAL_ACTIONS["tenant.offboard"] as Role, [id]);
      const tenant = await store.getTenant(id);
      if (!tenant) throw new NotFoundError(`tenant ${id} is not in the console`);
      const waiting = (await store.listApprovals({ status: "pending" })).map(current).find(
        (r) => r.status === "pending" && r.action === "tenant.offboard" && r.tenantIds.includes(id),
      );
      if (waiting) throw new ApprovalError(409, "approval.exists", `offboarding ${tenant.name} already waits for approval (request ${waiting.id})`);
      return request(actor, {
        action: "tenant.offboard",
        tenantIds: [id],
        params: { tenantId: id },
        summary: `Offboard ${tenant.name} (${id}): remove the tenant with its alerts, machines and actions`,
      });
    },

    async machineActions(actor, input) {
      const tenantIds = [...new Set(input.machines.map((m) => m.tenantId))];
      await requireRoleOn(actor, "responder", tenantIds);
      for (const m of input.machines) {
        if (!(await store.getMachine(m.tenantId, m.machineId)))
          throw refusedOn(new NotFoundError(`device ${m.machineId} of tenant ${m.tenantId} is not in the console`), m.tenantId);
      }
      const wide = WIDE_ACTION_KINDS.includes(input.action) && input.machines.length > wideActionThreshold;
      if (!wide) return { result: await runMachineActions(actor.user, input) };
      const approval = await request(actor, {
        action: "machines.action",
        tenantIds,
        params: input,
        summary: `${input.action} ${input.machines.length} machines in ${tenantIds.length} tenant(s): ${input.comment.slice(0, 200)}`,
      });
      return { approval };
    },

    async holdSingle(actor, input) {
      if (!(WIDE_ACTION_KINDS as readonly string[]).includes(input.action) || 1 <= wideActionThreshold) return undefined;
      const parsed = parseMachineActions({ ...input, machines: [{ tenantId: input.tenantId, machineId: input.machineId }] });
      const outcome = await approvals.machineActions(actor, parsed);
      return "approval" in outcome ? outcome.approval : undefined;
    },

    async decide(actor, id, decision) {
      const found = await load(actor, id);
      // Four eyes means two people: an API token (a script) cannot be the second pair.
      if (actor.via === "token") throw new ApprovalError(403, "approval.person", "approvals are decided by a signed-in person, not an API token");
      await requireRoleOn(actor, APPROVAL_ACTIONS[found.action] ?? "admin", found.tenantIds);
      let decided: ApprovalRequest;
      try {
        if (await createdTheRequester(actor, found))
          throw new StoreError("approval.self", `a request made with an API token cannot be approved or rejected by the person who created the token (${found.requestedBy}): another responder or admin must decide`);
        decided = await store.decideApproval(found.id, { by: actor.user, decision, at: nowIso() });
      } catch (error) {
        if (!(error instanceof StoreError)) throw error;
        const status = error.code === "approval.self" ? 403 : 409;
        await store.appendAudit({
          actor: actor.user,
          action: `approval.${decision}`,
          phase: "failed",
          target: found.id,
          result: `${error.code}: ${error.message}`,
          correlationId: approvalCorrelation(found.id),
        });
        throw new ApprovalError(status, error.code, error.message);
      }
      await store.appendAudit({
        actor: actor.user,
        action: `approval.${decision}`,
        phase: "completed",
        tenantId: decided.tenantIds.length === 1 ? (decided.tenantIds[0] ?? null) : null,
        target: decided.id,
        request: { action: decided.action, requestedBy: decided.requestedBy },
        result: decided.summary,
        correlationId: approvalCorrelation(decided.id),
      });
      return decision === "approve" ? execute(decided, actor.user) : decided;
    },

    async list(actor, status) {
      const scope = await scopeOf(access, actor.grants, "viewer");
      const all = (await store.listApprovals()).map(current);
      const out: ApprovalRequest[] = [];
      for (const r of all) if ((status === undefined || r.status === status) && (await visibleTo(actor, r, scope))) out.push(r);
      return out;
    },

    get: load,
  };
  return approvals;
}
