import type { Insertable, Selectable } from "kysely";
import { chunks, rowsPerStatement, type StoreContext, stringOrNull, tenantKey } from "./context.js";
import { StoreError } from "./errors.js";
import type { MachineActionInput, StoredMachineAction } from "./records.js";
import type { MachineActionsTable } from "./schema-types.js";
import { timeKeyOrEmpty } from "./time.js";

const ACTION_COLUMNS = 13;

function toRow(tenantId: string, a: MachineActionInput, index: number, now: string): Insertable<MachineActionsTable> {
  if (a === null || typeof a !== "object" || typeof a.id !== "string" || a.id === "") {
    throw new StoreError("ERR_STORE_INVALID_ROW", `machine action at index ${index} has no id`);
  }
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
    payload: JSON.parse(row.payload) as StoredMachineAction["payload"],
  };
}

/** Response actions (mde-api.md §5.3, §6.3) as last seen from the API. */
export function createMachineActionRepository(ctx: StoreContext) {
  const { db, dialect } = ctx;
  const perStatement = rowsPerStatement(dialect, ACTION_COLUMNS);
  return {
    /** Inserts or updates actions; a version with an older last-update time never replaces a newer one. */
    async upsertMachineActions(tenantId: string, actions: readonly MachineActionInput[]): Promise<number> {
      const tenant = tenantKey(tenantId);
      return dialect.writeTransaction(async (trx) => {
        const now = ctx.now();
        let offset = 0;
        for (const part of chunks(actions, perStatement)) {
          const byId = new Map<string, Insertable<MachineActionsTable>>();
          for (const [i, a] of part.entries()) {
            const row = toRow(tenant, a, offset + i, now);
            const prior = byId.get(row.id);
            if (!prior || (prior.last_update_key ?? "") <= (row.last_update_key ?? "")) byId.set(row.id, row);
          }
          offset += part.length;
          await trx
            .insertInto("machine_actions")
            .values([...byId.values()])
            .onConflict((oc) =>
              oc
                .columns(["tenant_id", "id"])
                .doUpdateSet((eb) => ({
                  machine_id: eb.ref("excluded.machine_id"),
                  type: eb.ref("excluded.type"),
                  status: eb.ref("excluded.status"),
                  requestor: eb.ref("excluded.requestor"),
                  comment: eb.ref("excluded.comment"),
                  payload: eb.ref("excluded.payload"),
                  creation_time: eb.ref("excluded.creation_time"),
                  creation_key: eb.ref("excluded.creation_key"),
                  last_update_time: eb.ref("excluded.last_update_time"),
                  last_update_key: eb.ref("excluded.last_update_key"),
                  updated_at: eb.ref("excluded.updated_at"),
                }))
                .where((eb) => eb("machine_actions.last_update_key", "<=", eb.ref("excluded.last_update_key"))),
            )
            .execute();
        }
        return actions.length;
      });
    },

    async getMachineAction(tenantId: string, id: string): Promise<StoredMachineAction | null> {
      const row = await db
        .selectFrom("machine_actions")
        .selectAll()
        .where("tenant_id", "=", tenantKey(tenantId))
        .where("id", "=", id)
        .executeTakeFirst();
      return row ? toStored(row) : null;
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
