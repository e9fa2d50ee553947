/**
 * Who may see and do what, where: every route asks these functions, nothing
 * else decides. An operator's access is a list of grants, each a role on one
 * customer group or on every tenant (`group: null`):
 *
 * - a local account: its users-file role on every tenant, unless the store
 *   holds grants for it (principal `user`), which then replace that role;
 * - an Entra ID (SSO) account: the console app roles of its ID token on every
 *   tenant, plus the store's grants for its user name and for its Entra groups;
 * - an API token: its role on its group (or every tenant).
 *
 * Grants are read from the store on every request, so a revoked grant or a
 * tenant taken out of a group counts at once, not at the next sign-in.
 */
import { type Role, roleAtLeast } from "./users-file.js";

/** A role on one customer group, or on every tenant when `group` is null. */
export interface AccessGrant {
  readonly role: Role;
  readonly group: string | null;
}

/** The tenants a role reaches: every tenant, or these (possibly none). */
export type TenantScope = { readonly all: true } | { readonly all: false; readonly tenantIds: readonly string[] };

/** The store records access is resolved from (a `Store` has them). */
export interface AccessStore {
  listGrants(filter?: { principalKind?: "user" | "entra-group"; principal?: string; principals?: string[] }): Promise<
    ReadonlyArray<{ principalKind: "user" | "entra-group"; principal: string; role: Role; group: string | null }>
  >;
  tenantIdsOfGroups(names: string[]): Promise<string[]>;
}

/** How an operator signed in. */
export type SignInMethod = "password" | "one-time" | "sso" | "token";

/** Who an operator is, as a session (or an API token) remembers it. */
export interface Identity {
  readonly user: string;
  readonly via: SignInMethod;
  /** The role on every tenant from the users file, the ID token's app roles or the token; undefined when only grants give access. */
  readonly baseRole: Role | undefined;
  /** Entra group object ids from the ID token (SSO), matched against `entra-group` grants. */
  readonly entraGroups: readonly string[];
  /** An API token's group (its role reaches that group only). */
  readonly tokenGroup?: string | null;
}

/** The console's app roles (an Entra app registration's `value`s) and the console role each gives. */
export const APP_ROLES: Readonly<Record<string, Role>> = Object.freeze({
  "Console.Viewer": "viewer",
  "Console.Responder": "responder",
  "Console.Admin": "admin",
});

/** The highest console role among an ID token's `roles` claim, or undefined. */
export function roleOfAppRoles(roles: readonly unknown[] | undefined): Role | undefined {
  let best: Role | undefined;
  for (const value of roles ?? []) {
    const role = typeof value === "string" ? APP_ROLES[value] : undefined;
    if (role && (!best || roleAtLeast(role, best))) best = role;
  }
  return best;
}

/** The grants an identity holds now. Empty: the operator may do nothing (a session is then ended). */
export async function grantsOf(store: AccessStore, identity: Identity): Promise<AccessGrant[]> {
  if (identity.via === "token") return identity.baseRole ? [{ role: identity.baseRole, group: identity.tokenGroup ?? null }] : [];
  const principals = identity.via === "sso" ? [identity.user, ...identity.entraGroups] : [identity.user];
  const stored = (await store.listGrants({ principals })).filter((g) =>
    g.principalKind === "user" ? g.principal === identity.user : identity.via === "sso" && identity.entraGroups.includes(g.principal),
  );
  const grants: AccessGrant[] = stored.map((g) => ({ role: g.role, group: g.group }));
  // A local account's own grants replace its users-file role; an SSO account's app roles add to its grants.
  if (identity.baseRole && (identity.via === "sso" || grants.length === 0)) grants.push({ role: identity.baseRole, group: null });
  return grants;
}

/** The highest role of any grant (what the navigation offers), or undefined. */
export function highestRole(grants: readonly AccessGrant[]): Role | undefined {
  let best: Role | undefined;
  for (const g of grants) if (!best || roleAtLeast(g.role, best)) best = g.role;
  return best;
}

/** True when some grant gives at least `role` on every tenant. */
export function hasEverywhere(grants: readonly AccessGrant[], role: Role): boolean {
  return grants.some((g) => g.group === null && roleAtLeast(g.role, role));
}

/** The tenants on which the grants give at least `minRole`. */
export async function scopeOf(store: AccessStore, grants: readonly AccessGrant[], minRole: Role): Promise<TenantScope> {
  const enough = grants.filter((g) => roleAtLeast(g.role, minRole));
  if (enough.some((g) => g.group === null)) return { all: true };
  const groups = [...new Set(enough.map((g) => g.group as string))];
  if (groups.length === 0) return { all: false, tenantIds: [] };
  return { all: false, tenantIds: [...new Set(await store.tenantIdsOfGroups(groups))].sort() };
}

/** True when `scope` includes `tenantId` (a GUID, compared lower-cased). */
export function inScope(scope: TenantScope, tenantId: string): boolean {
  return scope.all || scope.tenantIds.includes(tenantId.toLowerCase());
}

/** The highest role the grants give on one tenant, or undefined. */
export async function roleOn(store: AccessStore, grants: readonly AccessGrant[], tenantId: string): Promise<Role | undefined> {
  const id = tenantId.toLowerCase();
  let best: Role | undefined;
  for (const g of grants) {
    if (best && roleAtLeast(best, g.role)) continue;
    if (g.group === null || (await store.tenantIdsOfGroups([g.group])).includes(id)) best = g.role;
  }
  return best;
}
