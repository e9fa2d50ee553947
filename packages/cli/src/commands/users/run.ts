/**
 * `mde-partner users add|list|remove`: the console's operator accounts, in
 * their own file in MDE_PARTNER_HOME (console-users.json, mode 0600, scrypt
 * hashes; @mde-partner/server users-file.ts). A password never comes from argv.
 */
import { join } from "node:path";
import { addUser, passwordProblem, ROLES, type Role, readUsers, removeUser } from "@mde-partner/server";
import { CONSOLE_USERS_FILE, checkUserName } from "../../console-files.js";
import type { CommandContext } from "../../context.js";
import { actorName, auditedOutsideStore, auditedWrite } from "../../cli-audit.js";
import { loadConfig } from "../../config.js";
import { withStore } from "../../partner.js";
import { parseGroupName, tenantIdsOfGroups } from "../../tenant-selection.js";
import { CliError, EXIT, usageError } from "../../errors.js";
import { createOutput, type OutputFlags, type OutputOptions } from "../../output/output.js";
import { readPassword } from "../../password-input.js";

export interface UsersAddOptions extends OutputOptions {
  role?: string;
  /** Customer groups the role is limited to (access grants for the user on each). */
  group?: string[];
}

export function usersFile(ctx: CommandContext): string {
  return join(ctx.home, CONSOLE_USERS_FILE);
}

async function users(ctx: CommandContext) {
  try {
    return await readUsers(usersFile(ctx));
  } catch (error) {
    throw new CliError(
      `cannot read ${usersFile(ctx)}: ${(error as Error).message}`,
      EXIT.failed,
      "restore it, or remove it and add the operators again",
    );
  }
}

/** Adds an operator (or sets an existing one's password and role). */
export async function runUsersAdd(name: string, options: UsersAddOptions, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  checkUserName(name);
  const role = options.role;
  if (role === undefined || !ROLES.includes(role as Role)) throw usageError(`--role must be one of ${ROLES.join(", ")}`);
  const groups = [...new Set((options.group ?? []).map((g) => parseGroupName(g)))];
  // The groups are checked before the password is asked for or anything is written.
  const storeUrl = groups.length > 0 ? loadConfig(ctx.home).storeUrl : undefined;
  if (storeUrl !== undefined) await withStore(storeUrl, (store) => tenantIdsOfGroups(store, groups));
  const existing = (await users(ctx)).find((u) => u.name === name);
  const password = await readPassword(ctx.io, { confirm: true });
  // A password the rule refuses is a refused write: on record like the console's operator form.
  await auditedOutsideStore(
    ctx,
    { action: "operator.save", target: name, request: { role } },
    async () => {
      const problem = passwordProblem(password);
      if (problem) throw usageError(problem);
      await addUser(usersFile(ctx), { name, password, role: role as Role });
    },
    () => role,
  );
  if (storeUrl !== undefined)
    await withStore(storeUrl, async (store) => {
      for (const group of groups) {
        const grant = { principalKind: "user" as const, principal: name, role: role as Role, group };
        await auditedWrite(ctx, store, { action: "access.grant", target: `user:${name}`, request: grant }, () =>
          store.putGrant(grant, actorName(ctx.io.env)),
        );
      }
    });
  if (out.mode !== "table")
    out.json({ name, role, updated: existing !== undefined, usersFile: usersFile(ctx), ...(groups.length > 0 ? { groups } : {}) });
  else out.line(`${existing ? "updated" : "added"} ${name} (${role}${groups.length > 0 ? ` on group ${groups.join(", ")}` : ""}) in ${usersFile(ctx)}`);
  return EXIT.ok;
}

/** Lists operators: name, role, created (never a hash). */
export async function runUsersList(options: OutputFlags, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const list = (await users(ctx)).map((u) => ({ name: u.name, role: u.role, createdAt: u.createdAt }));
  if (out.mode === "json") out.json(list);
  else if (out.mode === "ndjson") for (const u of list) out.record(u);
  else if (list.length === 0) out.note("no operators yet: mde-partner users add <name> --role admin");
  else
    out.table(
      [
        { header: "NAME", value: (u: (typeof list)[number]) => u.name },
        { header: "ROLE", value: (u: (typeof list)[number]) => u.role },
        { header: "CREATED", value: (u: (typeof list)[number]) => u.createdAt },
      ],
      list,
    );
  return EXIT.ok;
}

/** Removes an operator. A running console ends their sessions at their next request. */
export async function runUsersRemove(name: string, options: OutputOptions, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  checkUserName(name);
  const before = await users(ctx);
  await auditedOutsideStore(ctx, { action: "operator.remove", target: name }, async () => {
    if (!before.some((u) => u.name === name)) throw usageError(`there is no operator named ${name}`, "mde-partner users list shows them");
    await removeUser(usersFile(ctx), name);
  });
  // Their grants go too, so a later account of the same name starts with none.
  let storeUrl: string | undefined;
  try {
    storeUrl = loadConfig(ctx.home).storeUrl;
  } catch {
    storeUrl = undefined; // no configuration, no store: no grants to remove
  }
  const grants =
    storeUrl === undefined
      ? []
      : await withStore(storeUrl, (store) =>
          auditedWrite(ctx, store, { action: "access.revoke", target: `user:${name}`, request: { principalKind: "user", principal: name } }, () =>
            store.removeGrantsOf("user", name),
          ),
        );
  if (out.mode !== "table") out.json({ name, removed: true, grantsRemoved: grants });
  else out.line(`removed ${name}${grants.length > 0 ? ` and their ${grants.length === 1 ? "grant" : `${grants.length} grants`} (${grants.map((g) => `${g.role} on ${g.group ?? "every tenant"}`).join(", ")})` : ""}`);
  out.note("a console that is running signs them out at their next request");
  const wasAdmin = before.some((u) => u.name === name && u.role === "admin");
  if (wasAdmin && !before.some((u) => u.name !== name && u.role === "admin"))
    out.warn("no admin is left: mde-partner users add <name> --role admin");
  return EXIT.ok;
}
