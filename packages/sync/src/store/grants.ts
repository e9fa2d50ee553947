import type { Selectable } from "kysely";
import type { StoreContext } from "./context.js";
import { checkGroupName, requireGroup } from "./groups.js";
import type { AccessGrantsTable } from "./schema-types.js";
import type { Grant, GrantFilter, GrantKey, PrincipalKind, Role } from "./team-records.js";

/** The roles, weakest first. */
export const ROLES: readonly Role[] = Object.freeze(["viewer", "responder", "admin"]);
const KINDS: ReadonlySet<string> = new Set<PrincipalKind>(["user", "entra-group"]);
/** `group_name` of a grant on every tenant (a group name cannot be empty). */
const EVERY_TENANT = "";

/** Throws a `TypeError` unless `role` is one of {@link ROLES}. */
export function checkRole(role: unknown): Role {
  if (typeof role !== "string" || !(ROLES as readonly string[]).includes(role))
    throw new TypeError(`role must be one of ${ROLES.join(", ")}; got ${JSON.stringify(role)}`);
  return role as Role;
}

function checkKind(kind: unknown): PrincipalKind {
  if (typeof kind !== "string" || !KINDS.has(kind)) throw new TypeError(`principalKind must be "user" or "entra-group", got ${JSON.stringify(kind)}`);
  return kind as PrincipalKind;
}

function checkPrincipal(principal: unknown): string {
  // Control characters would let a name forge lines in logs and tables.
  if (typeof principal !== "string" || principal.trim() === "" || principal.length > 256 || /\p{Cc}/u.test(principal))
    throw new TypeError("principal must be a non-empty name of at most 256 characters without control characters");
  return principal.trim();
}

function toGrant(row: Selectable<AccessGrantsTable>): Grant {
  return {
    principalKind: row.principal_kind as PrincipalKind,
    principal: row.principal,
    role: row.role as Role,
    group: row.group_name === EVERY_TENANT ? null : row.group_name,
  };
}

/**
 * Access grants: who has which role where. A grant gives a user (local
 * account name or SSO UPN) or an Entra group (object id) a role on one
 * customer group, or on every tenant (`group: null`). One grant per
 * principal and group; putting it again changes its role.
 */
export function createGrantRepository(ctx: StoreContext) {
  const { db, dialect } = ctx;
  return {
    /**
     * Creates or replaces the grant of (principalKind, principal, group).
     * Throws `ERR_STORE_GROUP_UNKNOWN` when the group does not exist.
     *
     * @example await store.putGrant({ principalKind: "user", principal: "bob", role: "viewer", group: "eu-retail" }, "alice")
     */
    async putGrant(grant: Grant, actor?: string): Promise<Grant> {
      const kind = checkKind(grant.principalKind);
      const principal = checkPrincipal(grant.principal);
      const role = checkRole(grant.role);
      const group = grant.group === null ? null : checkGroupName(grant.group);
      return dialect.writeTransaction(async (trx) => {
        if (group !== null) await requireGroup(trx, group);
        const row = {
          principal_kind: kind,
          principal,
          group_name: group ?? EVERY_TENANT,
          role,
          granted_at: ctx.now(),
          granted_by: actor ?? null,
        };
        await trx
          .insertInto("access_grants")
          .values(row)
          .onConflict((oc) =>
            oc.columns(["principal_kind", "principal", "group_name"]).doUpdateSet({ role, granted_at: row.granted_at, granted_by: row.granted_by }),
          )
          .execute();
        return toGrant(row);
      });
    },

    /** Grants matching `filter`, by principal kind, principal, then group (every-tenant grants first). */
    async listGrants(filter: GrantFilter = {}): Promise<Grant[]> {
      let q = db.selectFrom("access_grants").selectAll();
      if (filter.principalKind !== undefined) q = q.where("principal_kind", "=", checkKind(filter.principalKind));
      if (filter.principal !== undefined) q = q.where("principal", "=", filter.principal);
      if (filter.principals !== undefined) {
        if (filter.principals.length === 0) return [];
        q = q.where("principal", "in", [...filter.principals]);
      }
      const rows = await q.orderBy("principal_kind").orderBy("principal").orderBy("group_name").execute();
      return rows.map(toGrant);
    },

    /** Removes the grant of (principalKind, principal, group); false when there was none. */
    async removeGrant(key: GrantKey): Promise<boolean> {
      const kind = checkKind(key.principalKind);
      if (typeof key.principal !== "string") return false;
      const result = await db
        .deleteFrom("access_grants")
        .where("principal_kind", "=", kind)
        .where("principal", "=", key.principal.trim())
        .where("group_name", "=", key.group ?? EVERY_TENANT)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    /**
     * Removes every grant of one principal (an operator account being removed), so a
     * later account of the same name does not inherit them; the grants removed.
     */
    async removeGrantsOf(principalKind: PrincipalKind, principal: string): Promise<Grant[]> {
      const kind = checkKind(principalKind);
      if (typeof principal !== "string" || principal.trim() === "") return [];
      return dialect.writeTransaction(async (trx) => {
        const rows = await trx.selectFrom("access_grants").selectAll().where("principal_kind", "=", kind).where("principal", "=", principal.trim()).execute();
        if (rows.length > 0) await trx.deleteFrom("access_grants").where("principal_kind", "=", kind).where("principal", "=", principal.trim()).execute();
        return rows.map(toGrant);
      });
    },
  };
}
