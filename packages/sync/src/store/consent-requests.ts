import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { StoreContext } from "./context.js";
import type { ConsentRequestInput, ConsentRequestRecord, CreatedConsentRequest } from "./records.js";
import type { ConsentRequestsTable } from "./schema-types.js";

const DEFAULT_TTL_MS = 15 * 60_000;

/** Only the hash of a state token is stored: a copy of the database cannot be replayed against the callback. */
function hashState(state: string): string {
  return createHash("sha256").update(state, "utf8").digest("hex");
}

function toRecord(row: ConsentRequestsTable): ConsentRequestRecord {
  return {
    id: row.id,
    tenantHint: row.tenant_hint,
    redirectUri: row.redirect_uri,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    usedAt: row.used_at,
  };
}

/**
 * Admin-consent requests (mde-api.md §1.2): the `state` sent with the consent
 * link comes back to the callback, which must accept it once and only before
 * it expires.
 */
export function createConsentRequestRepository(ctx: StoreContext) {
  const { db } = ctx;
  return {
    /** Creates a request with a fresh random state token (returned once, stored hashed). */
    async createConsentRequest(input: ConsentRequestInput): Promise<CreatedConsentRequest> {
      if (typeof input.redirectUri !== "string" || input.redirectUri === "") throw new TypeError("redirectUri is required");
      const ttl = input.ttlMs ?? DEFAULT_TTL_MS;
      if (!Number.isFinite(ttl) || ttl <= 0) throw new TypeError(`ttlMs must be a positive number, got ${ttl}`);
      const state = randomBytes(32).toString("base64url");
      const nowMs = ctx.clock.now();
      const row: ConsentRequestsTable = {
        id: randomUUID(),
        state_hash: hashState(state),
        tenant_hint: input.tenantHint ?? null,
        redirect_uri: input.redirectUri,
        created_at: new Date(nowMs).toISOString(),
        expires_at: new Date(nowMs + ttl).toISOString(),
        used_at: null,
      };
      await db.insertInto("consent_requests").values(row).execute();
      return { ...toRecord(row), state };
    },

    /**
     * The request of `state` if it is still waiting (known, unexpired, unused), without using it
     * up: the callback checks which tenant answered before it consumes the state, so a callback
     * from the wrong tenant leaves the link usable by the right one.
     */
    async findConsentState(state: string): Promise<ConsentRequestRecord | null> {
      if (typeof state !== "string" || state === "") return null;
      const now = ctx.now();
      const row = await db
        .selectFrom("consent_requests")
        .selectAll()
        .where("state_hash", "=", hashState(state))
        .where("used_at", "is", null)
        .where("expires_at", ">", now)
        .executeTakeFirst();
      return row ? toRecord(row) : null;
    },

    /**
     * Marks the request of `state` used and returns it, in one statement (so
     * two callbacks racing with the same state cannot both succeed); null when
     * the state is unknown, expired or already used.
     */
    async consumeConsentState(state: string): Promise<ConsentRequestRecord | null> {
      if (typeof state !== "string" || state === "") return null;
      const now = ctx.now();
      const row = await db
        .updateTable("consent_requests")
        .set({ used_at: now })
        .where("state_hash", "=", hashState(state))
        .where("used_at", "is", null)
        .where("expires_at", ">", now)
        .returningAll()
        .executeTakeFirst();
      return row ? toRecord(row) : null;
    },

    /** Deletes requests that expired before `olderThan` (default: now); returns how many. */
    async pruneConsentRequests(olderThan?: Date): Promise<number> {
      const cutoff = olderThan ? olderThan.toISOString() : ctx.now();
      const result = await db.deleteFrom("consent_requests").where("expires_at", "<=", cutoff).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
