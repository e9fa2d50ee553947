import type { Selectable } from "kysely";
import { type StoreContext, tenantKey } from "./context.js";
import type { AuditEntry, AuditInput, AuditPhase, AuditQuery } from "./records.js";
import type { AuditLogTable } from "./schema-types.js";
import { toTimeKey } from "./time.js";

const PHASES: ReadonlySet<string> = new Set<AuditPhase>(["requested", "completed", "failed"]);

function toEntry(row: Selectable<AuditLogTable>): AuditEntry {
  return {
    id: Number(row.id),
    at: row.at,
    actor: row.actor,
    action: row.action,
    phase: row.phase as AuditPhase,
    tenantId: row.tenant_id,
    target: row.target,
    comment: row.comment,
    request: row.request === null ? null : JSON.parse(row.request),
    result: row.result,
    correlationId: row.correlation_id,
  };
}

/** ISO bound for `at` (our own millisecond ISO text); the 7-digit key is cut back to it. */
function atBound(value: string | Date, name: string): string {
  const key = toTimeKey(value);
  if (key === null) throw new TypeError(`${name} is not an ISO-8601 time`);
  return `${key.slice(0, 23)}Z`;
}

/**
 * Append-only audit of what operators and the engine did (response actions,
 * consent, tenant changes). A response action is written twice, as
 * `requested` before the call and `completed`/`failed` after, tied by
 * `correlationId`, so a crash between the two still leaves a trace.
 */
export function createAuditLog(ctx: StoreContext) {
  const { db } = ctx;
  return {
    async appendAudit(input: AuditInput): Promise<AuditEntry> {
      if (!PHASES.has(input.phase))
        throw new TypeError(`audit phase must be requested, completed or failed, got ${JSON.stringify(input.phase)}`);
      if (typeof input.actor !== "string" || input.actor === "") throw new TypeError("audit actor is required");
      if (typeof input.action !== "string" || input.action === "") throw new TypeError("audit action is required");
      const row = {
        at: ctx.now(),
        actor: input.actor,
        action: input.action,
        phase: input.phase,
        tenant_id: input.tenantId == null ? null : tenantKey(input.tenantId),
        target: input.target ?? null,
        comment: input.comment ?? null,
        request: input.request === undefined ? null : JSON.stringify(input.request),
        result: input.result ?? null,
        correlation_id: input.correlationId ?? null,
      };
      const { id } = await db.insertInto("audit_log").values(row).returning("id").executeTakeFirstOrThrow();
      return toEntry({ ...row, id });
    },

    /** Entries matching `query`, newest first (default limit 100; page with `beforeId`). */
    async queryAudit(query: AuditQuery = {}): Promise<AuditEntry[]> {
      let q = db.selectFrom("audit_log").selectAll();
      if (query.tenantId !== undefined) q = q.where("tenant_id", "=", tenantKey(query.tenantId));
      if (query.visibleTo !== undefined) {
        const { tenantIds, actor } = query.visibleTo;
        const keys = tenantIds.map(tenantKey);
        q = q.where((eb) =>
          eb.or([
            ...(keys.length ? [eb("tenant_id", "in", keys)] : []),
            eb.and([eb("tenant_id", "is", null), eb("actor", "=", actor)]),
          ]),
        );
      }
      if (query.actor !== undefined) q = q.where("actor", "=", query.actor);
      if (query.action !== undefined) q = q.where("action", "=", query.action);
      if (query.correlationId !== undefined) q = q.where("correlation_id", "=", query.correlationId);
      if (query.phases !== undefined) {
        if (query.phases.length === 0) return [];
        for (const phase of query.phases) if (!PHASES.has(phase)) throw new TypeError(`unknown audit phase ${JSON.stringify(phase)}`);
        q = q.where("phase", "in", [...query.phases]);
      }
      if (query.since !== undefined) q = q.where("at", ">=", atBound(query.since, "since"));
      if (query.until !== undefined) q = q.where("at", "<", atBound(query.until, "until"));
      if (query.beforeId !== undefined) q = q.where("id", "<", query.beforeId);
      const rows = await q
        .orderBy("id", "desc")
        .limit(query.limit ?? 100)
        .execute();
      return rows.map(toEntry);
    },
  };
}
