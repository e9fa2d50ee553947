/**
 * `mde-partner groups add|list|remove`: named sets of customer tenants. Every multi-tenant
 * command takes `--group NAME`; access grants and API tokens can be limited to a group.
 * Every change is in the audit log.
 */
import type { CustomerGroup } from "@mde-partner/sync";
import { actorName, auditedWrite } from "../../cli-audit.js";
import { loadConfig } from "../../config.js";
import type { CommandContext } from "../../context.js";
import { EXIT, toCliError, usageError } from "../../errors.js";
import { createOutput, type OutputFlags, type OutputOptions } from "../../output/output.js";
import { withStore } from "../../partner.js";
import { parseGroupName, parseTenantId } from "../../tenant-selection.js";

type Db = { db?: string };

const noSuchGroup = (name: string) => usageError(`there is no customer group ${JSON.stringify(name)}`, "mde-partner groups list");

/** Creates the group or adds tenants to it; every id must be an added tenant. */
export async function runGroupsAdd(name: string, tenantIds: string[], options: OutputOptions & Db, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  const group = parseGroupName(name, "group name");
  const ids = tenantIds.map(parseTenantId);
  if (ids.length === 0) throw usageError("name at least one tenant id", `mde-partner groups add ${group} <tenant-id>…`);
  return withStore(options.db ?? config.storeUrl, async (store) => {
    const before = await store.getGroup(group);
    let after: CustomerGroup;
    try {
      after = await auditedWrite(
        ctx,
        store,
        { action: "group.add", target: group, request: { tenantIds: ids } },
        () => store.addToGroup(group, ids, actorName(ctx.io.env)),
        (g) => `${g.tenantIds.length} tenant(s)`,
      );
    } catch (error) {
      throw toCliError(error);
    }
    const added = after.tenantIds.length - (before?.tenantIds.length ?? 0);
    if (out.mode !== "table") out.json(after);
    else out.line(`${before ? "updated" : "created"} group ${group}: ${after.tenantIds.length} tenant(s), ${added} added`);
    return EXIT.ok;
  });
}

/** The groups with their tenants (names from the store). */
export async function runGroupsList(options: OutputFlags & Db, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  return withStore(options.db ?? config.storeUrl, async (store) => {
    const groups = await store.listGroups();
    if (out.mode === "json") out.json(groups);
    else if (out.mode === "ndjson") for (const g of groups) out.record(g);
    else if (groups.length === 0) out.line("no customer groups yet: mde-partner groups add <name> <tenant-id>…");
    else {
      const names = new Map((await store.listTenants()).map((t) => [t.id, t.name]));
      out.table(
        [
          { header: "GROUP", value: (g: CustomerGroup) => g.name },
          { header: "TENANTS", value: (g: CustomerGroup) => g.tenantIds.length, align: "right" as const },
          { header: "MEMBERS", value: (g: CustomerGroup) => g.tenantIds.map((id) => names.get(id) ?? id).join(", "), max: 80 },
          { header: "CREATED", value: (g: CustomerGroup) => g.createdAt },
        ],
        groups,
      );
    }
    return EXIT.ok;
  });
}

/** Takes tenants out of a group, or (no ids) removes the group. */
export async function runGroupsRemove(name: string, tenantIds: string[], options: OutputOptions & Db, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  const group = parseGroupName(name, "group name");
  const ids = tenantIds.map(parseTenantId);
  return withStore(options.db ?? config.storeUrl, async (store) => {
    const before = await store.getGroup(group);
    if (!before) throw noSuchGroup(group);
    if (ids.length === 0) {
      await auditedWrite(ctx, store, { action: "group.remove", target: group }, async () => {
        if (!(await store.removeGroup(group, actorName(ctx.io.env)))) throw noSuchGroup(group);
      });
      if (out.mode !== "table") out.json({ name: group, removed: true });
      else out.line(`removed group ${group} (its tenants stay; its access grants are gone and its API tokens revoked)`);
      return EXIT.ok;
    }
    const outside = ids.filter((id) => !before.tenantIds.includes(id));
    if (outside.length > 0) throw usageError(`tenant ${outside[0]} is not in group ${group}`, `mde-partner groups list`);
    const after = await auditedWrite(
      ctx,
      store,
      { action: "group.remove-tenants", target: group, request: { tenantIds: ids } },
      async () => {
        const g = await store.removeFromGroup(group, ids);
        if (!g) throw noSuchGroup(group);
        return g;
      },
      (g) => `${g.tenantIds.length} tenant(s) left`,
    );
    if (out.mode !== "table") out.json(after);
    else out.line(`group ${group}: ${ids.length} tenant(s) taken out, ${after.tenantIds.length} left`);
    return EXIT.ok;
  });
}
