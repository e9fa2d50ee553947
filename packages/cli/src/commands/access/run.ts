/**
 * `mde-partner access grant|list|revoke`: roles for console users and Entra groups on customer
 * groups or on every tenant. A local account with grants gets those instead of its users-file
 * role; single sign-on users pick up grants by UPN and by the Entra groups in their ID token.
 * Every change is in the audit log.
 */
import type { Grant, PrincipalKind, Role } from "@mde-partner/sync";
import { actorName, auditedWrite } from "../../cli-audit.js";
import { loadConfig } from "../../config.js";
import type { CommandContext } from "../../context.js";
import { EXIT, usageError } from "../../errors.js";
import { createOutput, type OutputFlags, type OutputOptions } from "../../output/output.js";
import { withStore } from "../../partner.js";
import { parseGroupName, tenantIdsOfGroups } from "../../tenant-selection.js";

interface Who {
  user?: string;
  entraGroup?: string;
}

export interface AccessGrantOptions extends Who, OutputOptions {
  role?: string;
  group?: string;
  db?: string;
}

export interface AccessRevokeOptions extends Who, OutputOptions {
  group?: string;
  db?: string;
}

const ROLES: readonly Role[] = ["viewer", "responder", "admin"];
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A local name or a UPN: no spaces or control characters. */
const USER = /^[^\s\p{Cc}]{1,256}$/u;

/** Exactly one of `--user` and `--entra-group`, checked. */
export function principalOf(options: Who): { principalKind: PrincipalKind; principal: string } {
  if ((options.user === undefined) === (options.entraGroup === undefined))
    throw usageError("name exactly one of --user or --entra-group", "mde-partner access grant --user alice --role viewer --group eu");
  if (options.user !== undefined) {
    const user = options.user.trim();
    if (!USER.test(user)) throw usageError(`${JSON.stringify(user.slice(0, 60))} is not a user name (--user)`);
    return { principalKind: "user", principal: user };
  }
  const id = options.entraGroup!.trim();
  if (!GUID.test(id))
    throw usageError(`${JSON.stringify(id.slice(0, 60))} is not an Entra group object id (--entra-group)`, "Entra admin center > Groups > the group > Object ID");
  return { principalKind: "entra-group", principal: id.toLowerCase() };
}

const scope = (group: string | null) => (group === null ? "every tenant" : `group ${group}`);

export async function runAccessGrant(options: AccessGrantOptions, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  const who = principalOf(options);
  if (!ROLES.includes(options.role as Role)) throw usageError(`--role must be one of ${ROLES.join(", ")}`);
  const role = options.role as Role;
  const group = options.group !== undefined ? parseGroupName(options.group) : null;
  return withStore(options.db ?? config.storeUrl, async (store) => {
    if (group !== null) await tenantIdsOfGroups(store, [group]);
    const grant: Grant = { ...who, role, group };
    await auditedWrite(ctx, store, { action: "access.grant", target: `${who.principalKind}:${who.principal}`, request: grant }, () =>
      store.putGrant(grant, actorName(ctx.io.env)),
    );
    if (out.mode !== "table") out.json(grant);
    else out.line(`${who.principalKind} ${who.principal}: ${role} on ${scope(group)}`);
    return EXIT.ok;
  });
}

export async function runAccessList(options: OutputFlags & { db?: string }, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  return withStore(options.db ?? config.storeUrl, async (store) => {
    const grants = await store.listGrants();
    if (out.mode === "json") out.json(grants);
    else if (out.mode === "ndjson") for (const g of grants) out.record(g);
    else if (grants.length === 0)
      out.line("no grants: every console user has the role of the users file on every tenant (mde-partner access grant … to scope them)");
    else
      out.table(
        [
          { header: "KIND", value: (g: Grant) => g.principalKind },
          { header: "PRINCIPAL", value: (g: Grant) => g.principal, max: 48 },
          { header: "ROLE", value: (g: Grant) => g.role },
          { header: "GROUP", value: (g: Grant) => g.group ?? "(all tenants)" },
        ],
        grants,
      );
    return EXIT.ok;
  });
}

export async function runAccessRevoke(options: AccessRevokeOptions, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  const who = principalOf(options);
  const group = options.group !== undefined ? parseGroupName(options.group) : null;
  return withStore(options.db ?? config.storeUrl, async (store) => {
    const key = { ...who, group };
    await auditedWrite(ctx, store, { action: "access.revoke", target: `${who.principalKind}:${who.principal}`, request: key }, async () => {
      if (!(await store.removeGrant(key)))
        throw usageError(`${who.principalKind} ${who.principal} has no grant on ${scope(group)}`, "mde-partner access list");
    });
    if (out.mode !== "table") out.json({ ...key, revoked: true });
    else out.line(`${who.principalKind} ${who.principal}: no longer has a role on ${scope(group)}`);
    return EXIT.ok;
  });
}
