import type { Insertable, Selectable } from "kysely";
import { chunks, rowsPerStatement, type StoreContext, stringOrNull, tenantKey } from "./context.js";
import type { MachineActionInput, StoredMachineAction } from "./records.js";
import type { MachineActionsTable } from "./schema-types.js";
import { findTenantRow, fromExcluded, newestById, requireId } from "./tenant-rows.js";
import { timeKeyOrEmpty } from "./time.js";

const ACTION_COLUMNS = 13;

/**
 * Where the product keeps the operator who asked for an action (MDE records
 * only the app as `requestor`): a key of its own in the stored JSON, taken out
 * again when read, so `payload` stays what the API returned.
 */
const OPERATOR_KEY = "mdePartnerOperator";

/** Options of `upsertMachineActions`. */
export interface MachineActionWriteOptions {
  /** The operator who asked for these actions (kept across later writes of the same action). */
  readonly operator?: string;
}

/**
 * The isolation state of a machine as its Isolate/Unisolate actions tell it
 * (the machine entity has no such field, mde-api.md §6): the newest action that
 * succeeded decides; a newer one still open is `pending`.
 */
export interface IsolationState {
  /** `Isolated`, `NotIsolated`, or null when no isolation action succeeded. */
  readonly state: "Isolated" | "NotIsolated" | null;
  /** An open (Pending/InProgress) action that will change it: `Isolate` or `Unisolate`. */
  readonly pending: "Isolate" | "Unisolate" | null;
  /** `Full`/`Selective` of the isolation in force (the action's `scope`), when known. */
  readonly scope: string | null;
  /** When the deciding action was created. */
  readonly since: string | null;
}

type ActionLike = { readonly type?: unknown; readonly status?: unknown; readonly scope?: unknown; readonly creationDateTimeUtc?: unknown };

/** Derives the isolation state from a machine's actions (any order; other types are ignored). */
export function isolationStateOf(actions: Iterable<ActionLike>): IsolationState {
  const relevant = [...actions]
    .filter((a) => a.type === "Isolate" || a.type === "Unisolate")
    .sort((x, y) => String(y.creationDateTimeUtc ?? "").localeCompare(String(x.creationDateTimeUtc ?? "")));
  let pending: IsolationState["pending"] = null;
  for (const a of relevant) {
    if (a.status === "Pending" || a.status === "InProgress") {
      pending ??= a.type as "Isolate" | "Unisolate";
      continue;
    }
    if (a.status !== "Succeeded") continue;
    const isolated = a.type === "Isolate";
    const creation = typeof a.creationDateTimeUtc === "string" ? a.creationDateTimeUtc : null;
    return {
      state: isolated ? "Isolated" : "NotIsolated",
      pending: pending === (isolated ? "Isolate" : "Unisolate") ? null : pending,
      scope: isolated && typeof a.scope === "string" ? a.scope.slice(0, 40) : null,
      since: creation,
    };
  }
  return { state: null, pending, scope: null, since: null };
}

function toRow(tenantId: string, a: MachineActionInput, index: number, now: string): Insertable<MachineActionsTable> {
  requireId(a, "machine action", index);
  // mde-api.md §6.3: `lastUpdateDateTimeUtc` in the entity table, `lastUpdateTimeUtc` in list examples (DOC-CONFLICT).
  const lastUpdate = stringOrNull(a.lastUpdateDateTimeUtc) ?? stringOrNull(a.lastUpdateTimeUtc);
  const created = stringOrNull(a.creationDateTimeUtc);
  return {
    tenant_id: tenantId,
    id: a.id,
    machine_id: stringOrNull(a.machineId),
    type: stringOrNull(a.type),
    status: stringOrNull(a.status),
    requestor: stringOrNull(a.requestor),
    comment: stringOrNull(a.requestorComment),
    payload: JSON.stringify(a),
    creation_time: created,
    creation_key: timeKeyOrEmpty(created),
    last_update_time: lastUpdate,
    last_update_key: timeKeyOrEmpty(lastUpdate),
    updated_at: now,
  };
}

function toStored(row: Selectable<MachineActionsTable>): StoredMachineAction {
  const { [OPERATOR_KEY]: operator, ...payload } = JSON.parse(row.payload) as StoredMachineAction["payload"] & { [OPERATOR_KEY]?: unknown };
  return {
    tenantId: row.tenant_id,
    id: row.id,
    machineId: row.machine_id,
    type: row.type,
    status: row.status,
    requestor: row.requestor,
    comment: row.comment,
    creationTime: row.creation_time,
    lastUpdateTime: row.last_update_time,
    updatedAt: row.updated_at,
    operator: typeof operator === "string" ? operator : null,
    payload: payload as StoredMachineAction["payload"],
  };
}

/** Response actions (mde-api.md §5.3, §6.3) as last seen from the API. */
export function createMachineActionRepository(ctx: StoreContext) {
  const { db, dialect } = ctx;
  const perStatement = rowsPerStatement(dialect, ACTION_COLUMNS);
  return {
    /**
     * Inserts or updates actions; a version with an older last-update time never replaces a newer one.
     * The operator (given now, or recorded by an earlier write) is kept with each action.
     */
    async upsertMachineActions(tenantId: string, actions: readonly MachineActionInput[], options: MachineActionWriteOptions = {}): Promise<number> {
      const tenant = tenantKey(tenantId);
      const operator = typeof options.operator === "string" && options.operator !== "" ? options.operator.slice(0, 200) : undefined;
      return dialect.writeTransaction(async (trx) => {
        const now = ctx.now();
        let offset = 0;
        for (const part of chunks(actions, perStatement)) {
          const byId = newestById(part.map((a, i) => toRow(tenant, a, offset + i, now)));
          offset += part.length;
          // Later writes (a status refresh) do not know the operator: carry over the recorded one.
          const recorded = await trx
            .selectFrom("machine_actions")
            .select(["id", "payload"])
            .where("tenant_id", "=", tenant)
            .where("id", "in", [...byId.keys()])
            .where("payload", "like", `%"${OPERATOR_KEY}"%`)
            .execute();
          const operators = new Map(recorded.map((r) => [r.id, (JSON.parse(r.payload) as Record<string, unknown>)[OPERATOR_KEY]]));
          for (const row of byId.values()) {
            const keep = operator ?? operators.get(row.id as string);
            if (typeof keep === "string") row.payload = JSON.stringify({ ...(JSON.parse(row.payload as string) as object), [OPERATOR_KEY]: keep });
          }
          await trx
            .insertInto("machine_actions")
            .values([...byId.values()])
            .onConflict((oc) =>
              oc
                .columns(["tenant_id", "id"])
                .doUpdateSet(fromExcluded("machine_actions", ["machine_id", "type", "status", "requestor", "comment", "payload", "creation_time", "creation_key", "last_update_time", "last_update_key", "updated_at"]))
                .where((eb) => eb("machine_actions.last_update_key", "<=", eb.ref("excluded.last_update_key"))),
            )
            .execute();
        }
        return actions.length;
      });
    },

    async getMachineAction(tenantId: string, id: string): Promise<StoredMachineAction | null> {
      return findTenantRow(db, "machine_actions", tenantId, id, toStored);
    },

    /** The isolation state of a machine from its stored Isolate/Unisolate actions (see `isolationStateOf`). */
    async machineIsolation(tenantId: string, machineId: string): Promise<IsolationState> {
      const rows = await db
        .selectFrom("machine_actions")
        .selectAll()
        .where("tenant_id", "=", tenantKey(tenantId))
        .where("machine_id", "=", machineId)
        .where("type", "in", ["Isolate", "Unisolate"])
        .orderBy("creation_key", "desc")
        .limit(50)
        .execute();
      return isolationStateOf(rows.map((r) => toStored(r).payload as ActionLike));
    },

    /** A tenant's actions, newest first, optionally for one machine or status. */
    async listMachineActions(
      tenantId: string,
      filter: { readonly machineId?: string; readonly status?: string; readonly limit?: number } = {},
    ): Promise<StoredMachineAction[]> {
      let q = db.selectFrom("machine_actions").selectAll().where("tenant_id", "=", tenantKey(tenantId));
      if (filter.machineId !== undefined) q = q.where("machine_id", "=", filter.machineId);
      if (filter.status !== undefined) q = q.where("status", "=", filter.status);
      const rows = await q
        .orderBy("creation_key", "desc")
        .orderBy("id", "desc")
        .limit(filter.limit ?? 1000)
        .execute();
      return rows.map(toStored);
    },
  };
}
