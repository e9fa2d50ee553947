import { createHash, randomBytes } from "node:crypto";
import type { Selectable } from "kysely";
import type { StoreContext } from "./context.js";
import { StoreError } from "./errors.js";
import { checkRole } from "./grants.js";
import { checkGroupName, requireGroup } from "./groups.js";
import type { ApiTokensTable } from "./schema-types.js";
import type { ApiTokenInput, ApiTokenRecord, CreatedApiToken, Role } from "./team-records.js";

/** `mdep_` then 32 random bytes as base64url: recognisable by secret scanners, and never guessable. */
const TOKEN = /^mdep_[A-Za-z0-9_-]{43}$/;

/** Only the hash is stored: a copy of the database gives no usable token. A fast hash suffices for 256 random bits. */
function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

function checkName(name: unknown): string {
  if (typeof name !== "string" || name.trim() === "" || name.length > 64 || /\p{Cc}/u.test(name))
    throw new TypeError("token name must be 1-64 characters without control characters");
  return name.trim();
}

/** Our ISO text of an ISO time, or a `TypeError`. */
function isoOrNull(value: string | null, name: string): string | null {
  if (value === null) return null;
  const ms = typeof value === "string" ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new TypeError(`${name} must be an ISO-8601 time or null, got ${JSON.stringify(value)}`);
  return new Date(ms).toISOString();
}

function toRecord(row: Selectable<ApiTokensTable>): ApiTokenRecord {
  return {
    id: row.id,
    name: row.name,
    role: row.role as Role,
    group: row.group_name,
    createdAt: row.created_at,
    createdBy: row.created_by,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

/**
 * API tokens for the JSON API: a role, optionally limited to one customer
 * group, an optional expiry, last use and revocation. The token text is
 * returned once by `createApiToken`; the store keeps its SHA-256 only.
 */
export function createApiTokenRepository(ctx: StoreContext) {
  const { db, dialect } = ctx;
  return {
    /**
     * Creates a token. Throws `ERR_STORE_NAME_TAKEN` when a token that is not revoked has the
     * name, `ERR_STORE_GROUP_UNKNOWN` for an unknown group.
     *
     * @example const { token, record } = await store.createApiToken({ name: "soar", role: "responder", group: null, expiresAt: null, createdBy: "alice" })
     */
    async createApiToken(input: ApiTokenInput): Promise<CreatedApiToken> {
      const name = checkName(input.name);
      const role = checkRole(input.role);
      const group = input.group === null || input.group === undefined ? null : checkGroupName(input.group);
      const expiresAt = isoOrNull(input.expiresAt ?? null, "expiresAt");
      if (typeof input.createdBy !== "string" || input.createdBy === "") throw new TypeError("createdBy is required");
      const token = `mdep_${randomBytes(32).toString("base64url")}`;
      return dialect.writeTransaction(async (trx) => {
        if (group !== null) await requireGroup(trx, group);
        const taken = await trx.selectFrom("api_tokens").select("id").where("name", "=", name).where("revoked_at", "is", null).executeTakeFirst();
        if (taken) throw new StoreError("ERR_STORE_NAME_TAKEN", `an API token named ${JSON.stringify(name)} exists: revoke it first or choose another name`);
        const row: Selectable<ApiTokensTable> = {
          id: randomBytes(6).toString("hex"),
          name,
          token_hash: hashToken(token),
          role,
          group_name: group,
          created_at: ctx.now(),
          created_by: input.createdBy,
          expires_at: expiresAt,
          last_used_at: null,
          revoked_at: null,
          revoked_by: null,
        };
        await trx.insertInto("api_tokens").values(row).execute();
        return { record: toRecord(row), token };
      }).catch(async (error: unknown) => {
        // A create of the same name that committed in between (PostgreSQL): the unique index refused this one.
        if (!(error instanceof StoreError) && (await db.selectFrom("api_tokens").select("id").where("name", "=", name).where("revoked_at", "is", null).executeTakeFirst()))
          throw new StoreError("ERR_STORE_NAME_TAKEN", `an API token named ${JSON.stringify(name)} exists: revoke it first or choose another name`, { cause: error });
        throw error;
      });
    },

    /** The record of `token` (by its hash), revoked and expired ones included: the caller decides. */
    async findApiToken(token: string): Promise<ApiTokenRecord | undefined> {
      if (typeof token !== "string" || !TOKEN.test(token)) return undefined;
      const row = await db.selectFrom("api_tokens").selectAll().where("token_hash", "=", hashToken(token)).executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },

    /** Records a use of the token at `atIso`. */
    async touchApiToken(id: string, atIso: string): Promise<void> {
      const at = isoOrNull(atIso, "atIso")!;
      await db.updateTable("api_tokens").set({ last_used_at: at }).where("id", "=", id).execute();
    },

    /** Every token (never its text or hash), newest first. */
    async listApiTokens(): Promise<ApiTokenRecord[]> {
      const rows = await db.selectFrom("api_tokens").selectAll().orderBy("created_at", "desc").orderBy("id").execute();
      return rows.map(toRecord);
    },

    /**
     * Revokes the token with id `nameOrId`, else the one not yet revoked named `nameOrId`.
     * Returns its record (also when it was revoked before); undefined when there is none.
     */
    async revokeApiToken(nameOrId: string, actor?: string): Promise<ApiTokenRecord | undefined> {
      if (typeof nameOrId !== "string" || nameOrId === "") return undefined;
      return dialect.writeTransaction(async (trx) => {
        const row =
          (await trx.selectFrom("api_tokens").selectAll().where("id", "=", nameOrId).executeTakeFirst()) ??
          (await trx.selectFrom("api_tokens").selectAll().where("name", "=", nameOrId.trim()).where("revoked_at", "is", null).executeTakeFirst()) ??
          (await trx.selectFrom("api_tokens").selectAll().where("name", "=", nameOrId.trim()).orderBy("revoked_at", "desc").executeTakeFirst());
        if (!row) return undefined;
        if (row.revoked_at !== null) return toRecord(row);
        const revoked = { ...row, revoked_at: ctx.now(), revoked_by: actor ?? null };
        await trx.updateTable("api_tokens").set({ revoked_at: revoked.revoked_at, revoked_by: revoked.revoked_by }).where("id", "=", row.id).execute();
        return toRecord(revoked);
      });
    },
  };
}
