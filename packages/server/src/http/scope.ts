/**
 * The one place a route asks which tenants the signed-in operator may see or
 * act on (access.ts resolves it from the grants). Every list narrows its store
 * query to `tenantScope`; every URL naming a tenant goes through
 * `requireTenantRole`. A tenant outside the operator's scope answers exactly
 * like an unknown one (404), so its existence is not revealed; a tenant the
 * operator may see but not act on answers 403.
 */
import type { MiddlewareHandler } from "hono";
import { hasEverywhere, inScope, roleOn, scopeOf, type TenantScope } from "../access.js";
import { ForbiddenError, InputError, NotFoundError } from "../services/errors.js";
import type { Session } from "../sessions.js";
import type { Role } from "../users-file.js";
import { errorPage } from "../views/pages/error-page.js";
import { accessStore } from "./auth.js";
import type { ConsoleContext, ConsoleDeps } from "./env.js";

const NONE: TenantScope = Object.freeze({ all: false, tenantIds: Object.freeze([]) as readonly string[] });

const sessionOf = (c: ConsoleContext): Session | undefined => c.get("session");

/**
 * The tenants on which the operator holds at least `minRole`, resolved once
 * per request and role (grants and group members are read from the store).
 * No session: no tenant.
 *
 * @example
 * const tenantIds = narrowed(await tenantScope(c, deps), query.tenantIds);
 * const page = await store.queryAlerts({ ...query, ...(tenantIds ? { tenantIds } : {}) });
 */
export function tenantScope(c: ConsoleContext, deps: ConsoleDeps, minRole: Role = "viewer"): Promise<TenantScope> {
  const session = sessionOf(c);
  if (!session) return Promise.resolve(NONE);
  let cache = c.get("scopes");
  if (!cache) {
    cache = new Map();
    c.set("scopes", cache);
  }
  let scope = cache.get(minRole);
  if (!scope) {
    scope = scopeOf(accessStore(deps), session.grants, minRole);
    cache.set(minRole, scope);
  }
  return scope;
}

/**
 * Checks that the operator holds `role` on `tenantId`: 404 (NotFoundError,
 * the same as an unknown tenant) when they may not even see it, 403
 * (ForbiddenError) when they see it with a lower role. Returns the id
 * lower-cased.
 *
 * @example
 * const id = await requireTenantRole(c, deps, tenantId(c), "responder");
 */
export async function requireTenantRole(c: ConsoleContext, deps: ConsoleDeps, tenantId: string, role: Role): Promise<string> {
  const id = tenantId.toLowerCase();
  if (!inScope(await tenantScope(c, deps, "viewer"), id)) throw new NotFoundError(`tenant ${id} is not in the console`);
  if (role !== "viewer" && !inScope(await tenantScope(c, deps, role), id)) {
    const session = sessionOf(c) as Session;
    throw new ForbiddenError(`This needs the ${role} role on this tenant; you are signed in as ${session.user} (${(await roleOn(accessStore(deps), session.grants, id)) ?? "no role"} there).`);
  }
  return id;
}

/** The session as a page about one tenant renders it: `role` is the operator's role on that tenant (which buttons show). */
export async function sessionOn(c: ConsoleContext, deps: ConsoleDeps, tenantId: string): Promise<Session> {
  const session = sessionOf(c) as Session;
  const role = await roleOn(accessStore(deps), session.grants, tenantId);
  return role && role !== session.role ? { ...session, role } : session;
}

/**
 * The tenant ids a list query may read: `wanted` (the page's filter; undefined
 * = every tenant) narrowed to the scope. Undefined means "no narrowing" (every
 * tenant in the store); an empty list means none.
 */
export function narrowed(scope: TenantScope, wanted?: readonly string[]): string[] | undefined {
  if (scope.all) return wanted ? [...wanted] : undefined;
  if (!wanted) return [...scope.tenantIds];
  return wanted.map((t) => t.toLowerCase()).filter((t) => scope.tenantIds.includes(t));
}

/** `items` of the tenants in scope only. */
export function withinScope<T>(scope: TenantScope, items: readonly T[], tenantOf: (item: T) => string): T[] {
  return scope.all ? [...items] : items.filter((item) => scope.tenantIds.includes(tenantOf(item).toLowerCase()));
}

/** A page's `?group=` filter: the groups the operator may pick from, the chosen one and its tenants (in scope). */
export interface GroupFilter {
  readonly groups: readonly string[];
  /** The chosen group ("" = none). */
  readonly group: string;
  /** The chosen group's tenants within the scope; undefined without a group. */
  readonly tenantIds: readonly string[] | undefined;
}

/**
 * The customer groups the operator may filter by (every group for an
 * operator who sees every tenant, else the groups of their grants) and the
 * `group` query parameter checked against them: a group they may not see is
 * refused like an unknown one (400).
 */
export async function groupFilter(c: ConsoleContext, deps: ConsoleDeps): Promise<GroupFilter> {
  const session = sessionOf(c) as Session;
  const scope = await tenantScope(c, deps, "viewer");
  const all = await deps.options.store.listGroups();
  const own = new Set(session.grants.filter((g) => g.group !== null).map((g) => g.group as string));
  const groups = all.filter((g) => scope.all || own.has(g.name));
  const wanted = c.req.query("group")?.trim() ?? "";
  if (wanted === "") return { groups: groups.map((g) => g.name), group: "", tenantIds: undefined };
  const chosen = groups.find((g) => g.name === wanted);
  if (!chosen) throw new InputError(`no customer group ${JSON.stringify(wanted.slice(0, 64))}`);
  return { groups: groups.map((g) => g.name), group: chosen.name, tenantIds: narrowed(scope, chosen.tenantIds) ?? [...chosen.tenantIds] };
}

/**
 * For console-wide things (operator accounts, groups, tokens, adding a
 * customer): the role on every tenant, not only on some. Put after
 * `requireRole` (which answers a missing session).
 */
export function requireEverywhere(role: Role): MiddlewareHandler {
  return async (c, next) => {
    const session = (c as ConsoleContext).get("session");
    if (session && !hasEverywhere(session.grants, role)) {
      const message = `This needs the ${role} role on every tenant; you are signed in as ${session.user} (${session.role} on some).`;
      if (c.req.path.startsWith("/api/")) return c.json({ error: { code: "forbidden", message } }, 403);
      return c.html(errorPage(session, 403, message), 403);
    }
    await next();
  };
}

/** True when the operator's role reaches every tenant (what console-wide views such as /metrics ask). */
export const seesEverything = (session: Session | undefined, role: Role = "viewer"): boolean =>
  session !== undefined && hasEverywhere(session.grants, role);
