/**
 * `mde-partner tokens create|list|revoke`: API tokens for the console's JSON API
 * (`Authorization: Bearer …`). A token is printed once, by `create`; the store keeps
 * its SHA-256 only, so a lost token is revoked and replaced, never shown again.
 */
import { type ApiTokenRecord, checkRole, type Role } from "@mde-partner/sync";
import { actorName, auditedWrite } from "../../cli-audit.js";
import { loadConfig } from "../../config.js";
import type { CommandContext } from "../../context.js";
import { parseDuration } from "../../duration.js";
import { EXIT, usageError } from "../../errors.js";
import { createOutput, type OutputFlags, type OutputOptions } from "../../output/output.js";
import { withStore } from "../../partner.js";
import { parseGroupName, tenantIdsOfGroups } from "../../tenant-selection.js";

type Db = { db?: string };

export interface TokensCreateOptions extends OutputOptions {
  name?: string;
  role?: string;
  group?: string;
  expires?: string;
  db?: string;
}

const DEFAULT_LIFETIME = "90d";
const MAX_LIFETIME_MS = 3650 * 86_400_000;

/** `active`, `expired` or `revoked`, as the console would treat the token at `nowMs`. */
export function tokenStatus(t: ApiTokenRecord, nowMs: number): "active" | "expired" | "revoked" {
  if (t.revokedAt !== null) return "revoked";
  if (t.expiresAt !== null && Date.parse(t.expiresAt) <= nowMs) return "expired";
  return "active";
}

export async function runTokensCreate(options: TokensCreateOptions, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  const name = options.name?.trim() ?? "";
  if (name === "" || name.length > 64 || /\p{Cc}/u.test(name)) throw usageError("--name must be 1-64 characters without control characters");
  let role: Role;
  try {
    role = checkRole(options.role);
  } catch {
    throw usageError("--role must be one of viewer, responder, admin");
  }
  const group = options.group !== undefined ? parseGroupName(options.group) : null;
  const lifetime = options.expires ?? DEFAULT_LIFETIME;
  const expiresAt =
    lifetime.trim().toLowerCase() === "never" ? null : new Date(Date.now() + parseDuration("--expires", lifetime, { minMs: 60_000, maxMs: MAX_LIFETIME_MS })).toISOString();
  return withStore(options.db ?? config.storeUrl, async (store) => {
    if (group !== null) await tenantIdsOfGroups(store, [group]); // an unknown group: bad input with a hint
    const actor = actorName(ctx.io.env);
    // The audit entry names the token, never its text.
    const { token, record } = await auditedWrite(
      ctx,
      store,
      { action: "token.create", target: name, request: { name, role, group, expiresAt } },
      () => store.createApiToken({ name, role, group, expiresAt, createdBy: actor }),
      (created) => `token ${created.record.id}`,
    );
    if (out.mode !== "table") out.json({ token, id: record.id, name: record.name, role: record.role, group: record.group, expiresAt: record.expiresAt });
    else {
      out.data(token);
      out.warn("this token will not be shown again: store it now (a secret manager, your SOAR's credential store)");
      out.note(
        `token ${record.id} (${record.name}): ${record.role} on ${record.group === null ? "every tenant" : `group ${record.group}`}, ${
          record.expiresAt === null ? "never expires" : `expires ${record.expiresAt}`
        }; send it as Authorization: Bearer <token>`,
      );
    }
    return EXIT.ok;
  });
}

export async function runTokensList(options: OutputFlags & Db, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  return withStore(options.db ?? config.storeUrl, async (store) => {
    const now = Date.now();
    const list = (await store.listApiTokens()).map((t) => ({ ...t, status: tokenStatus(t, now) }));
    type Row = (typeof list)[number];
    if (out.mode === "json") out.json(list);
    else if (out.mode === "ndjson") for (const t of list) out.record(t);
    else if (list.length === 0) out.line("no API tokens yet: mde-partner tokens create --name <name> --role viewer");
    else
      out.table(
        [
          { header: "ID", value: (t: Row) => t.id },
          { header: "NAME", value: (t: Row) => t.name, max: 32 },
          { header: "ROLE", value: (t: Row) => t.role },
          { header: "GROUP", value: (t: Row) => t.group ?? "(all tenants)" },
          { header: "STATUS", value: (t: Row) => t.status },
          { header: "EXPIRES", value: (t: Row) => t.expiresAt ?? "never" },
          { header: "LAST USED", value: (t: Row) => t.lastUsedAt ?? "never" },
          { header: "REVOKED", value: (t: Row) => t.revokedAt ?? "" },
          { header: "CREATED BY", value: (t: Row) => t.createdBy, max: 24 },
        ],
        list,
      );
    return EXIT.ok;
  });
}

export async function runTokensRevoke(nameOrId: string, options: OutputOptions & Db, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  const key = String(nameOrId ?? "").trim();
  if (key === "" || key.length > 64) throw usageError("name the token to revoke by its name or id", "mde-partner tokens list");
  return withStore(options.db ?? config.storeUrl, async (store) => {
    const known = (await store.listApiTokens()).find((t) => t.id === key || t.name === key);
    if (!known) throw usageError(`there is no API token ${JSON.stringify(key)}`, "mde-partner tokens list");
    const revoked = await auditedWrite(
      ctx,
      store,
      { action: "token.revoke", target: key },
      async () => {
        const r = await store.revokeApiToken(key, actorName(ctx.io.env));
        if (!r) throw usageError(`there is no API token ${JSON.stringify(key)}`, "mde-partner tokens list");
        return r;
      },
      (r) => `token ${r.id}`,
    );
    if (out.mode !== "table") out.json({ id: revoked.id, name: revoked.name, revokedAt: revoked.revokedAt });
    else out.line(`revoked token ${revoked.id} (${revoked.name}) at ${revoked.revokedAt}`);
    return EXIT.ok;
  });
}
