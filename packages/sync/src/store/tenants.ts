import type { Selectable } from "kysely";
import { type StoreContext, tenantKey } from "./context.js";
import { StoreError } from "./errors.js";
import type { AlertSource, TenantInput, TenantRecord, TenantState, TenantTransition } from "./records.js";
import type { TenantsTable } from "./schema-types.js";

const STATES: ReadonlySet<string> = new Set<TenantState>(["pending_consent", "consented", "verified", "degraded", "failed"]);

function checkState(state: string): TenantState {
  if (!STATES.has(state)) throw new TypeError(`unknown tenant state ${JSON.stringify(state)}: use one of ${[...STATES].join(", ")}`);
  return state as TenantState;
}

const SOURCES: ReadonlySet<string> = new Set<AlertSource>(["mde", "graph"]);

function checkSource(source: string): AlertSource {
  if (!SOURCES.has(source)) throw new TypeError(`alert source must be "mde" or "graph", got ${JSON.stringify(source)}`);
  return source as AlertSource;
}

function rolesJson(roles: readonly string[] | null | undefined): string | null {
  if (roles === null || roles === undefined) return null;
  if (!Array.isArray(roles) || roles.some((r) => typeof r !== "string")) throw new TypeError("roles must be an array of strings");
  return JSON.stringify(roles);
}

function toRecord(row: Selectable<TenantsTable>): TenantRecord {
  return {
    id: row.id,
    name: row.name,
    cloud: row.cloud,
    region: row.region,
    state: row.state as TenantState,
    grantedRoles: JSON.parse(row.granted_roles) as string[],
    graphRoles: row.graph_roles === null ? null : (JSON.parse(row.graph_roles) as string[]),
    alertSource: (SOURCES.has(row.alert_source) ? row.alert_source : "mde") as AlertSource,
    lastError: row.last_error,
    lastSyncAt: row.last_sync_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Tenants and their onboarding state machine; every state change leaves a transition row. */
export function createTenantRepository(ctx: StoreContext) {
  const { db, dialect } = ctx;

  return {
    /** Creates the tenant, or updates the given fields of an existing one. A new tenant's first state is recorded as a transition. */
    async upsertTenant(input: TenantInput): Promise<TenantRecord> {
      const id = tenantKey(input.id);
      if (typeof input.name !== "string") throw new TypeError("tenant name must be a string");
      const initial = checkState(input.initialState ?? "pending_consent");
      return dialect.writeTransaction(async (trx) => {
        const now = ctx.now();
        const existing = await trx.selectFrom("tenants").selectAll().where("id", "=", id).executeTakeFirst();
        if (!existing) {
          const row: Selectable<TenantsTable> = {
            id,
            name: input.name,
            cloud: input.cloud ?? "commercial",
            region: input.region ?? null,
            state: initial,
            granted_roles: JSON.stringify(input.grantedRoles ?? []),
            last_error: input.lastError ?? null,
            last_sync_at: input.lastSyncAt ?? null,
            created_at: now,
            updated_at: now,
            alert_source: "mde",
            graph_roles: rolesJson(input.graphRoles),
          };
          await trx.insertInto("tenants").values(row).execute();
          await trx
            .insertInto("tenant_state_transitions")
            .values({ tenant_id: id, from_state: null, to_state: initial, reason: "created", at: now })
            .execute();
          return toRecord(row);
        }
        const row: Selectable<TenantsTable> = {
          ...existing,
          name: input.name,
          updated_at: now,
          ...(input.cloud !== undefined ? { cloud: input.cloud } : {}),
          ...(input.region !== undefined ? { region: input.region } : {}),
          ...(input.grantedRoles !== undefined ? { granted_roles: JSON.stringify(input.grantedRoles) } : {}),
          ...(input.lastError !== undefined ? { last_error: input.lastError } : {}),
          ...(input.lastSyncAt !== undefined ? { last_sync_at: input.lastSyncAt } : {}),
          ...(input.graphRoles !== undefined ? { graph_roles: rolesJson(input.graphRoles) } : {}),
        };
        const { id: _id, created_at: _created, state: _state, ...changes } = row;
        await trx.updateTable("tenants").set(changes).where("id", "=", id).execute();
        return toRecord(row);
      });
    },

    async getTenant(tenantId: string): Promise<TenantRecord | null> {
      const row = await db.selectFrom("tenants").selectAll().where("id", "=", tenantKey(tenantId)).executeTakeFirst();
      return row ? toRecord(row) : null;
    },

    /** All tenants (optionally only those in `states`), by name then id. */
    async listTenants(filter: { readonly states?: readonly TenantState[] } = {}): Promise<TenantRecord[]> {
      let q = db.selectFrom("tenants").selectAll();
      if (filter.states) {
        if (filter.states.length === 0) return [];
        q = q.where("state", "in", filter.states.map(checkState));
      }
      const rows = await q.orderBy("name").orderBy("id").execute();
      return rows.map(toRecord);
    },

    /**
     * Moves a tenant to `state` and records the transition (also when the
     * state does not change: a repeated failure is worth its own row).
     * Throws `ERR_STORE_TENANT_UNKNOWN` for an unknown tenant.
     */
    async setTenantState(tenantId: string, state: TenantState, reason: string | null = null): Promise<TenantRecord> {
      const id = tenantKey(tenantId);
      const to = checkState(state);
      return dialect.writeTransaction(async (trx) => {
        const existing = await trx.selectFrom("tenants").selectAll().where("id", "=", id).executeTakeFirst();
        if (!existing) throw new StoreError("ERR_STORE_TENANT_UNKNOWN", `tenant ${id} is not in the store: add it first`);
        const now = ctx.now();
        await trx.updateTable("tenants").set({ state: to, updated_at: now }).where("id", "=", id).execute();
        await trx
          .insertInto("tenant_state_transitions")
          .values({ tenant_id: id, from_state: existing.state, to_state: to, reason, at: now })
          .execute();
        return toRecord({ ...existing, state: to, updated_at: now });
      });
    },

    /**
     * Chooses where the tenant's alerts are synced from. Nothing stored is
     * touched: alerts stay keyed by their MDE id whichever API delivered them,
     * and each source keeps its own cursor, so switching (either way, any
     * number of times) neither loses nor duplicates an alert; the first run
     * on a source without a cursor reads that source in full.
     * Throws `ERR_STORE_TENANT_UNKNOWN` for an unknown tenant.
     */
    async setTenantSource(tenantId: string, source: AlertSource): Promise<TenantRecord> {
      const id = tenantKey(tenantId);
      const to = checkSource(source);
      return dialect.writeTransaction(async (trx) => {
        const existing = await trx.selectFrom("tenants").selectAll().where("id", "=", id).executeTakeFirst();
        if (!existing) throw new StoreError("ERR_STORE_TENANT_UNKNOWN", `tenant ${id} is not in the store: add it first`);
        if (existing.alert_source === to) return toRecord(existing);
        const now = ctx.now();
        await trx.updateTable("tenants").set({ alert_source: to, updated_at: now }).where("id", "=", id).execute();
        return toRecord({ ...existing, alert_source: to, updated_at: now });
      });
    },

    /** The tenant's state transitions, oldest first. */
    async listTenantTransitions(tenantId: string): Promise<TenantTransition[]> {
      const rows = await db
        .selectFrom("tenant_state_transitions")
        .selectAll()
        .where("tenant_id", "=", tenantKey(tenantId))
        .orderBy("id")
        .execute();
      return rows.map((r) => ({
        tenantId: r.tenant_id,
        from: r.from_state as TenantState | null,
        to: r.to_state as TenantState,
        reason: r.reason,
        at: r.at,
      }));
    },

    /**
     * Removes the tenant and everything synced for it (alerts, machines,
     * actions, cursors, runs, transitions, group memberships, vulnerability snapshots and score
     * history). The audit log is kept: it records
     * what was done, also for tenants that are gone. Returns false when unknown.
     */
    async removeTenant(tenantId: string): Promise<boolean> {
      const id = tenantKey(tenantId);
      return dialect.writeTransaction(async (trx) => {
        await trx
          .deleteFrom("alerts")
          .where("tenant_key", "in", (eb) => eb.selectFrom("tenant_keys").select("key").where("tenant_id", "=", id))
          .execute();
        for (const table of [
          "alert_history",
          "incidents",
          "machines",
          "machine_actions",
          "sync_cursors",
          "sync_runs",
          "tenant_state_transitions",
          "customer_group_members",
          "tvm_snapshots",
          "tvm_machine_vulnerabilities",
          "tvm_vulnerabilities",
          "tvm_software",
          "tvm_recommendations",
          "tvm_score_history",
        ] as const) {
          await trx.deleteFrom(table).where("tenant_id", "=", id).execute();
        }
        const result = await trx.deleteFrom("tenants").where("id", "=", id).executeTakeFirst();
        return Number(result.numDeletedRows) > 0;
      });
    },
  };
}
