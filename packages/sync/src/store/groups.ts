import type { Kysely } from "kysely";
import { type StoreContext, tenantKey } from "./context.js";
import { StoreError } from "./errors.js";
import type { StoreDatabase } from "./schema-types.js";
import type { CustomerGroup } from "./team-records.js";

/** What a customer group may be called: it appears in CLI flags, URLs and metric labels. */
export const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Throws a `TypeError` (a caller mistake) unless `name` is a valid group name. */
export function checkGroupName(name: unknown): string {
  if (typeof name !== "string" || !GROUP_NAME.test(name))
    throw new TypeError(
      `group name must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit; got ${JSON.stringify(name)}`,
    );
  return name;
}

function unknownGroups(names: readonly string[]): StoreError {
  const list = names.map((n) => JSON.stringify(n)).join(", ");
  return new StoreError(
    "ERR_STORE_GROUP_UNKNOWN",
    `${names.length === 1 ? "customer group" : "customer groups"} ${list} ${names.length === 1 ? "does" : "do"} not exist`,
  );
}

/** Throws `ERR_STORE_GROUP_UNKNOWN` unless the group exists (inside a transaction or not). */
export async function requireGroup(db: Kysely<StoreDatabase>, name: string): Promise<void> {
  const row = await db.selectFrom("customer_groups").select("name").where("name", "=", name).executeTakeFirst();
  if (!row) throw unknownGroups([name]);
}

async function readGroup(db: Kysely<StoreDatabase>, name: string): Promise<CustomerGroup | undefined> {
  const row = await db.selectFrom("customer_groups").selectAll().where("name", "=", name).executeTakeFirst();
  if (!row) return undefined;
  const members = await db.selectFrom("customer_group_members").select("tenant_id").where("group_name", "=", name).orderBy("tenant_id").execute();
  return { name: row.name, tenantIds: members.map((m) => m.tenant_id), createdAt: row.created_at };
}

function distinctTenantIds(tenantIds: readonly string[]): string[] {
  if (!Array.isArray(tenantIds)) throw new TypeError("tenantIds must be an array of tenant ids");
  return [...new Set(tenantIds.map(tenantKey))];
}

/**
 * Customer groups: named sets of tenants that commands select with `--group`
 * and that access grants and API tokens are scoped to. Group names are
 * case-sensitive; a tenant may be in any number of groups.
 */
export function createGroupRepository(ctx: StoreContext) {
  const { db, dialect } = ctx;
  return {
    /**
     * Adds tenants to the group, creating it when missing. Refuses, changing nothing,
     * when any id is not a tenant in the store (`ERR_STORE_TENANT_UNKNOWN`, naming them).
     *
     * @example await store.addToGroup("eu-retail", [contosoId, fabrikamId], "alice")
     */
    async addToGroup(name: string, tenantIds: readonly string[], actor?: string): Promise<CustomerGroup> {
      checkGroupName(name);
      const ids = distinctTenantIds(tenantIds);
      return dialect.writeTransaction(async (trx) => {
        if (ids.length > 0) {
          const known = new Set((await trx.selectFrom("tenants").select("id").where("id", "in", ids).execute()).map((r) => r.id));
          const missing = ids.filter((id) => !known.has(id));
          if (missing.length > 0)
            throw new StoreError(
              "ERR_STORE_TENANT_UNKNOWN",
              `${missing.length === 1 ? "tenant" : "tenants"} ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not in the store: add ${missing.length === 1 ? "it" : "them"} first`,
            );
        }
        const now = ctx.now();
        // Two first adds at once (PostgreSQL runs them side by side): one creates the group, both add.
        await trx
          .insertInto("customer_groups")
          .values({ name, created_at: now, created_by: actor ?? null })
          .onConflict((oc) => oc.column("name").doNothing())
          .execute();
        if (ids.length > 0) {
          await trx
            .insertInto("customer_group_members")
            .values(ids.map((tenant_id) => ({ group_name: name, tenant_id, added_at: now })))
            .onConflict((oc) => oc.columns(["group_name", "tenant_id"]).doNothing())
            .execute();
        }
        return (await readGroup(trx, name))!;
      });
    },

    /** Every group with its members, by name. */
    async listGroups(): Promise<CustomerGroup[]> {
      const groups = await db.selectFrom("customer_groups").selectAll().orderBy("name").execute();
      const members = await db.selectFrom("customer_group_members").select(["group_name", "tenant_id"]).orderBy("group_name").orderBy("tenant_id").execute();
      const byGroup = new Map<string, string[]>();
      for (const m of members) {
        const list = byGroup.get(m.group_name) ?? [];
        list.push(m.tenant_id);
        byGroup.set(m.group_name, list);
      }
      return groups.map((g) => ({ name: g.name, tenantIds: byGroup.get(g.name) ?? [], createdAt: g.created_at }));
    },

    async getGroup(name: string): Promise<CustomerGroup | undefined> {
      if (typeof name !== "string" || !GROUP_NAME.test(name)) return undefined;
      return readGroup(db, name);
    },

    /**
     * Removes the group, its memberships and the grants on it, and revokes the API tokens
     * limited to it (so a group created again later under the same name gives them nothing).
     * The tenants stay. False when there was no such group.
     */
    async removeGroup(name: string, actor?: string): Promise<boolean> {
      if (typeof name !== "string" || !GROUP_NAME.test(name)) return false;
      return dialect.writeTransaction(async (trx) => {
        const removed = await trx.deleteFrom("customer_groups").where("name", "=", name).executeTakeFirst();
        if (Number(removed.numDeletedRows) === 0) return false;
        await trx.deleteFrom("customer_group_members").where("group_name", "=", name).execute();
        await trx.deleteFrom("access_grants").where("group_name", "=", name).execute();
        await trx
          .updateTable("api_tokens")
          .set({ revoked_at: ctx.now(), revoked_by: actor ?? null })
          .where("group_name", "=", name)
          .where("revoked_at", "is", null)
          .execute();
        return true;
      });
    },

    /** Takes tenants out of the group (the group stays, possibly empty); undefined when there is no such group. */
    async removeFromGroup(name: string, tenantIds: readonly string[]): Promise<CustomerGroup | undefined> {
      if (typeof name !== "string" || !GROUP_NAME.test(name)) return undefined;
      const ids = distinctTenantIds(tenantIds);
      return dialect.writeTransaction(async (trx) => {
        const group = await trx.selectFrom("customer_groups").select("name").where("name", "=", name).executeTakeFirst();
        if (!group) return undefined;
        if (ids.length > 0) await trx.deleteFrom("customer_group_members").where("group_name", "=", name).where("tenant_id", "in", ids).execute();
        return readGroup(trx, name);
      });
    },

    /**
     * The tenants of any of the groups, sorted and without duplicates. Throws
     * `ERR_STORE_GROUP_UNKNOWN`, naming them, when a group does not exist.
     */
    async tenantIdsOfGroups(names: readonly string[]): Promise<string[]> {
      if (!Array.isArray(names)) throw new TypeError("names must be an array of group names");
      const wanted = [...new Set(names)];
      if (wanted.length === 0) return [];
      const valid = wanted.filter((n) => typeof n === "string" && GROUP_NAME.test(n));
      const found = new Set(
        valid.length === 0 ? [] : (await db.selectFrom("customer_groups").select("name").where("name", "in", valid).execute()).map((r) => r.name),
      );
      const missing = wanted.filter((n) => !found.has(n));
      if (missing.length > 0) throw unknownGroups(missing);
      const rows = await db
        .selectFrom("customer_group_members")
        .select("tenant_id")
        .distinct()
        .where("group_name", "in", wanted)
        .orderBy("tenant_id")
        .execute();
      return rows.map((r) => r.tenant_id);
    },
  };
}
