import { randomBytes } from "node:crypto";
import type { Selectable } from "kysely";
import { type StoreContext, tenantKey } from "./context.js";
import { StoreError } from "./errors.js";
import type { ApprovalRequestsTable } from "./schema-types.js";
import type { ApprovalDecision, ApprovalFinish, ApprovalInput, ApprovalRequest, ApprovalStatus } from "./team-records.js";

const STATUSES: ReadonlySet<string> = new Set<ApprovalStatus>(["pending", "approved", "rejected", "expired", "executed", "failed"]);

function iso(value: unknown, name: string): string {
  const ms = typeof value === "string" ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new TypeError(`${name} must be an ISO-8601 time, got ${JSON.stringify(value)}`);
  return new Date(ms).toISOString();
}

function required(value: unknown, name: string): string {
  if (typeof value !== "string" || value === "") throw new TypeError(`${name} is required`);
  return value;
}

/** A row as the caller sees it at `now`: a pending request past its expiry reads as expired. */
function toRequest(row: Selectable<ApprovalRequestsTable>, now: string): ApprovalRequest {
  const expired = row.status === "pending" && row.expires_at <= now;
  return {
    id: row.id,
    action: row.action,
    tenantIds: JSON.parse(row.tenant_ids) as string[],
    params: JSON.parse(row.params) as unknown,
    summary: row.summary,
    requestedBy: row.requested_by,
    requestedAt: row.requested_at,
    expiresAt: row.expires_at,
    status: (expired ? "expired" : row.status) as ApprovalStatus,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    result: row.result === null ? null : (JSON.parse(row.result) as unknown),
  };
}

/**
 * Four-eyes approval: a destructive or wide action is stored as a request,
 * a different person approves (or rejects) it before it expires, then the
 * executor runs it and records the outcome. A decision is one conditional
 * UPDATE, so of two approvers racing exactly one wins.
 */
export function createApprovalRepository(ctx: StoreContext) {
  const { db } = ctx;
  const read = (id: string) => db.selectFrom("approval_requests").selectAll().where("id", "=", id).executeTakeFirst();
  return {
    async createApproval(input: ApprovalInput): Promise<ApprovalRequest> {
      const action = required(input.action, "action");
      const summary = required(input.summary, "summary");
      const requestedBy = required(input.requestedBy, "requestedBy");
      if (!Array.isArray(input.tenantIds)) throw new TypeError("tenantIds must be an array of tenant ids");
      const tenantIds = [...new Set(input.tenantIds.map(tenantKey))];
      const params = JSON.stringify(input.params ?? null);
      const row: Selectable<ApprovalRequestsTable> = {
        id: randomBytes(8).toString("hex"),
        action,
        tenant_ids: JSON.stringify(tenantIds),
        params,
        summary,
        requested_by: requestedBy,
        requested_at: ctx.now(),
        expires_at: iso(input.expiresAt, "expiresAt"),
        status: "pending",
        decided_by: null,
        decided_at: null,
        result: null,
      };
      await db.insertInto("approval_requests").values(row).execute();
      return toRequest(row, row.requested_at);
    },

    async getApproval(id: string): Promise<ApprovalRequest | undefined> {
      if (typeof id !== "string" || id === "") return undefined;
      const row = await read(id);
      return row ? toRequest(row, ctx.now()) : undefined;
    },

    /** Requests (of one status, if given), newest first; `pending` and `expired` go by the time now. */
    async listApprovals(filter: { readonly status?: ApprovalStatus } = {}): Promise<ApprovalRequest[]> {
      const now = ctx.now();
      let q = db.selectFrom("approval_requests").selectAll();
      if (filter.status !== undefined) {
        if (!STATUSES.has(filter.status)) throw new TypeError(`unknown approval status ${JSON.stringify(filter.status)}`);
        if (filter.status === "pending") q = q.where("status", "=", "pending").where("expires_at", ">", now);
        else if (filter.status === "expired")
          q = q.where((eb) => eb.or([eb("status", "=", "expired"), eb.and([eb("status", "=", "pending"), eb("expires_at", "<=", now)])]));
        else q = q.where("status", "=", filter.status);
      }
      const rows = await q.orderBy("requested_at", "desc").orderBy("id").execute();
      return rows.map((r) => toRequest(r, now));
    },

    /**
     * Approves or rejects a pending request. Refuses with `approval.self` when `by` asked for it,
     * `approval.expired` when it expired by `at` (and marks it expired), `approval.not-pending`
     * when it was decided already, `approval.unknown` when there is no such request.
     */
    async decideApproval(id: string, decision: ApprovalDecision): Promise<ApprovalRequest> {
      const by = required(decision.by, "by");
      if (decision.decision !== "approve" && decision.decision !== "reject")
        throw new TypeError(`decision must be "approve" or "reject", got ${JSON.stringify(decision.decision)}`);
      const at = iso(decision.at, "at");
      const status = decision.decision === "approve" ? "approved" : "rejected";
      const row = await db
        .updateTable("approval_requests")
        .set({ status, decided_by: by, decided_at: at })
        .where("id", "=", id)
        .where("status", "=", "pending")
        .where("expires_at", ">", at)
        .where("requested_by", "<>", by)
        .returningAll()
        .executeTakeFirst();
      if (row) return toRequest(row, at);
      const current = await read(id);
      if (!current) throw new StoreError("approval.unknown", `there is no approval request ${JSON.stringify(id)}`);
      if (current.status === "pending" && current.requested_by === by)
        throw new StoreError("approval.self", "a request cannot be approved or rejected by the person who made it: another responder or admin must decide");
      if (current.status === "pending" && current.expires_at <= at) {
        await db.updateTable("approval_requests").set({ status: "expired" }).where("id", "=", id).where("status", "=", "pending").execute();
        throw new StoreError("approval.expired", `approval request ${id} expired at ${current.expires_at}`);
      }
      throw new StoreError("approval.not-pending", `approval request ${id} is ${current.status}, no longer waiting for a decision`);
    },

    /** Records the outcome of running an approved request; refuses (`approval.not-approved`) any other. */
    async finishApproval(id: string, finish: ApprovalFinish): Promise<ApprovalRequest> {
      if (finish.status !== "executed" && finish.status !== "failed")
        throw new TypeError(`status must be "executed" or "failed", got ${JSON.stringify(finish.status)}`);
      const row = await db
        .updateTable("approval_requests")
        .set({ status: finish.status, result: JSON.stringify(finish.result ?? null) })
        .where("id", "=", id)
        .where("status", "=", "approved")
        .returningAll()
        .executeTakeFirst();
      if (row) return toRequest(row, ctx.now());
      const current = await read(id);
      if (!current) throw new StoreError("approval.unknown", `there is no approval request ${JSON.stringify(id)}`);
      throw new StoreError("approval.not-approved", `approval request ${id} is ${current.status}, not approved`);
    },
  };
}
