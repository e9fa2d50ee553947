import type { Insertable, Kysely, Selectable } from "kysely";
import { chunks, rowsPerStatement, type StoreContext, stringOrNull, tenantKey } from "./context.js";
import { writeCursor } from "./cursors.js";
import type { CursorPosition, MachineInput, StoredMachine } from "./records.js";
import type { MachinesTable, StoreDatabase } from "./schema-types.js";
import { findTenantRow, fromExcluded, requireId } from "./tenant-rows.js";
import { timeKeyOrEmpty } from "./time.js";

const MACHINE_COLUMNS = 11;

function toRow(tenantId: string, m: MachineInput, index: number, now: string): Insertable<MachinesTable> {
  requireId(m, "machine", index);
  const dns = stringOrNull(m.computerDnsName);
  const lastSeen = stringOrNull(m.lastSeen);
  return {
    tenant_id: tenantId,
    id: m.id,
    payload: JSON.stringify(m),
    computer_dns_name: dns,
    dns_name_lc: (dns ?? "").toLowerCase(),
    health_status: stringOrNull(m.healthStatus),
    risk_score: stringOrNull(m.riskScore),
    os_platform: stringOrNull(m.osPlatform),
    last_seen: lastSeen,
    last_seen_key: timeKeyOrEmpty(lastSeen),
    updated_at: now,
  };
}

function toStored(row: Selectable<MachinesTable>): StoredMachine {
  return {
    tenantId: row.tenant_id,
    id: row.id,
    computerDnsName: row.computer_dns_name,
    healthStatus: row.health_status,
    riskScore: row.risk_score,
    osPlatform: row.os_platform,
    lastSeen: row.last_seen,
    updatedAt: row.updated_at,
    payload: JSON.parse(row.payload) as StoredMachine["payload"],
  };
}

/** Filter of {@link createMachineRepository}'s `listMachines`. */
export interface MachineFilter {
  readonly healthStatus?: string;
  readonly riskScore?: string;
  readonly osPlatform?: string;
  /** Exact computer DNS name, case-insensitive. */
  readonly computerDnsName?: string;
  readonly limit?: number;
  readonly offset?: number;
}

/**
 * Machines (mde-api.md §6.2). The machines list has no documented change
 * time to page by, so a sync either upserts what it saw or replaces a
 * tenant's whole inventory at once.
 */
export function createMachineRepository(ctx: StoreContext) {
  const { db, dialect } = ctx;
  const perStatement = rowsPerStatement(dialect, MACHINE_COLUMNS);

  async function upsert(trx: Kysely<StoreDatabase>, tenantId: string, machines: readonly MachineInput[], now: string) {
    let offset = 0;
    for (const part of chunks(machines, perStatement)) {
      const byId = new Map(part.map((m, i) => [m?.id, toRow(tenantId, m, offset + i, now)] as const));
      offset += part.length;
      await trx
        .insertInto("machines")
        .values([...byId.values()])
        .onConflict((oc) =>
          oc.columns(["tenant_id", "id"]).doUpdateSet(fromExcluded("machines", ["payload", "computer_dns_name", "dns_name_lc", "health_status", "risk_score", "os_platform", "last_seen", "last_seen_key", "updated_at"])),
        )
        .execute();
    }
  }

  return {
    /** Inserts or replaces the given machines of a tenant; with `cursor`, writes the `machines` cursor in the same transaction. */
    async upsertMachines(tenantId: string, machines: readonly MachineInput[], cursor?: CursorPosition): Promise<number> {
      const tenant = tenantKey(tenantId);
      return dialect.writeTransaction(async (trx) => {
        const now = ctx.now();
        await upsert(trx, tenant, machines, now);
        if (cursor) await writeCursor(trx, tenant, "machines", cursor, now);
        return machines.length;
      });
    },

    /** Makes `machines` the tenant's whole inventory (others are deleted), atomically. */
    async replaceMachines(tenantId: string, machines: readonly MachineInput[], cursor?: CursorPosition): Promise<number> {
      const tenant = tenantKey(tenantId);
      return dialect.writeTransaction(async (trx) => {
        const now = ctx.now();
        await trx.deleteFrom("machines").where("tenant_id", "=", tenant).execute();
        await upsert(trx, tenant, machines, now);
        if (cursor) await writeCursor(trx, tenant, "machines", cursor, now);
        return machines.length;
      });
    },

    async getMachine(tenantId: string, id: string): Promise<StoredMachine | null> {
      return findTenantRow(db, "machines", tenantId, id, toStored);
    },

    /** A tenant's machines, by DNS name then id. */
    async listMachines(tenantId: string, filter: MachineFilter = {}): Promise<StoredMachine[]> {
      let q = db.selectFrom("machines").selectAll().where("tenant_id", "=", tenantKey(tenantId));
      if (filter.healthStatus !== undefined) q = q.where("health_status", "=", filter.healthStatus);
      if (filter.riskScore !== undefined) q = q.where("risk_score", "=", filter.riskScore);
      if (filter.osPlatform !== undefined) q = q.where("os_platform", "=", filter.osPlatform);
      if (filter.computerDnsName !== undefined) q = q.where("dns_name_lc", "=", filter.computerDnsName.toLowerCase());
      q = q
        .orderBy("dns_name_lc")
        .orderBy("id")
        .limit(filter.limit ?? 1000);
      if (filter.offset !== undefined) q = q.offset(filter.offset);
      return (await q.execute()).map(toStored);
    },
  };
}
