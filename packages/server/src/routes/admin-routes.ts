/** The audit log (every role) and operator accounts (admin). */

import { isTenantGuid } from "@mde-partner/client";
import type { AuditQuery } from "@mde-partner/sync";
import { Hono } from "hono";
import { auditRefused, refusalAudited } from "./audit-refusal.js";
import { requireRole } from "../http/auth.js";
import { requireEverywhere, tenantScope, withinScope } from "../http/scope.js";
import type { ConsoleContext, ConsoleDeps, ConsoleEnv } from "../http/env.js";
import { InputError } from "../services/errors.js";
import type { Session } from "../sessions.js";
import { passwordProblem } from "../password.js";
import { addUser, type Role, readUsers, removeUser } from "../users-file.js";
import { auditPage } from "../views/pages/audit-page.js";
import { usersPage } from "../views/pages/users-page.js";

/** `actor`, `action`, `tenant`, `before`, `limit` → an audit query. */
export function parseAuditQuery(params: URLSearchParams, maxLimit = 500): AuditQuery {
  const tenant = params.get("tenant")?.trim();
  if (tenant && !isTenantGuid(tenant)) throw new InputError("tenant must be a tenant id (GUID)");
  const before = params.get("before");
  const beforeId = before ? Number(before) : undefined;
  if (beforeId !== undefined && !(Number.isInteger(beforeId) && beforeId > 0)) throw new InputError("before must be an entry id");
  const limit = Number(params.get("limit") ?? 100);
  if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) throw new InputError(`limit must be 1-${maxLimit}`);
  const actor = params.get("actor")?.trim();
  const action = params.get("action")?.trim();
  return {
    ...(tenant ? { tenantId: tenant } : {}),
    ...(actor ? { actor } : {}),
    ...(action ? { action } : {}),
    ...(beforeId ? { beforeId } : {}),
    limit,
  };
}

/**
 * What of the audit log the operator may read: all of it when they see every
 * tenant; otherwise the entries of their tenants and their own entries that
 * name no tenant (an attempt of theirs on another tenant stays for the admins).
 */
export async function auditScope(c: ConsoleContext, deps: ConsoleDeps): Promise<Pick<AuditQuery, "visibleTo">> {
  const scope = await tenantScope(c, deps);
  if (scope.all) return {};
  return { visibleTo: { tenantIds: scope.tenantIds, actor: (c.get("session") as Session).user } };
}

export function createAdminRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const { options, sessions } = deps;
  const session = (c: ConsoleContext) => c.get("session") as Session;

  app.get("/audit", requireRole("viewer"), async (c) => {
    const params = new URL(c.req.url).searchParams;
    const query = parseAuditQuery(params);
    const entries = await options.store.queryAudit({ ...query, ...(await auditScope(c, deps)) });
    const filters: Record<string, string> = {};
    for (const k of ["actor", "action", "tenant"]) {
      const v = params.get(k);
      if (v) filters[k] = v;
    }
    const last = entries.at(-1);
    // Names beside the GUIDs: tenants from the store, devices for the machine.* entries' targets.
    const scope = await tenantScope(c, deps);
    const tenantNames = new Map(withinScope(scope, await options.store.listTenants(), (t) => t.id).map((t) => [t.id, t.name]));
    const deviceNames = new Map<string, string>();
    for (const e of entries) {
      if (!e.tenantId || !e.target || !e.action.startsWith("machine.")) continue;
      const key = `${e.tenantId}/${e.target}`;
      if (deviceNames.has(key)) continue;
      const machine = /^[0-9a-f]{40}$/i.test(e.target) ? await options.store.getMachine(e.tenantId, e.target) : null;
      deviceNames.set(key, machine?.computerDnsName ?? "");
    }
    return c.html(
      auditPage(session(c), {
        entries,
        filters,
        nextBeforeId: entries.length === query.limit && last ? last.id : undefined,
        tenantNames,
        deviceNames,
      }),
    );
  });

  // Operator accounts are console-wide: admins of every tenant only.
  app.get("/users", requireRole("admin"), requireEverywhere("admin"), async (c) => c.html(usersPage(session(c), await readUsers(options.usersFile))));

  app.post("/users", requireRole("admin"), requireEverywhere("admin"), async (c) => {
    const body = await c.req.parseBody();
    const name = typeof body.name === "string" ? body.name.trim() : "";
    const password = typeof body.password === "string" ? body.password : "";
    const role = (typeof body.role === "string" ? body.role : "") as Role;
    try {
      const problem = passwordProblem(password);
      if (problem) throw new InputError(problem);
      await addUser(options.usersFile, { name, password, role });
    } catch (error) {
      await auditRefused(options.store, { actor: session(c).user, action: "operator.save", target: name, request: { role } }, error, true);
      if (!(error instanceof InputError || error instanceof TypeError)) throw error;
      return c.html(usersPage(session(c), await readUsers(options.usersFile), { kind: "error", text: error.message }), 400);
    }
    // A changed password or role takes effect at once: the user's sessions end.
    sessions.destroyUser(name);
    await options.store.appendAudit({ actor: session(c).user, action: "operator.save", phase: "completed", target: name, result: role });
    return c.html(usersPage(session(c), await readUsers(options.usersFile), { kind: "ok", text: `Saved ${name} (${role}).` }));
  });

  app.post("/users/:name/delete", requireRole("admin"), requireEverywhere("admin"), async (c) => {
    const name = c.req.param("name");
    const entry = { actor: session(c).user, action: "operator.remove", target: name };
    const removed = await refusalAudited(
      options.store,
      entry,
      async () => {
        if (name === session(c).user) throw new InputError("you cannot remove yourself");
        return removeUser(options.usersFile, name);
      },
      true,
    );
    sessions.destroyUser(name);
    // Their grants go too, so a later account of the same name starts with none.
    if (removed) {
      const grants = await options.store.removeGrantsOf("user", name);
      if (grants.length > 0)
        await options.store.appendAudit({ actor: session(c).user, action: "access.revoke", phase: "completed", target: `user:${name}`, result: `${grants.length} grant(s)` });
    }
    if (removed) await options.store.appendAudit({ ...entry, phase: "completed" });
    else await options.store.appendAudit({ ...entry, phase: "failed", result: `no user ${name}` });
    return c.html(
      usersPage(session(c), await readUsers(options.usersFile), {
        kind: removed ? "ok" : "error",
        text: removed ? `Removed ${name}.` : `No user ${name}.`,
      }),
    );
  });

  return app;
}
