/**
 * API tokens on the JSON API (RFC 6750): `Authorization: Bearer mdep_…` on a
 * /api/ route names an API token the store keeps only as a SHA-256 hash. The
 * token stands for an operator `token:<name>` with its role on its group (or
 * every tenant); cookies are ignored on such a request, and it needs no CSRF
 * token (a browser never attaches the header by itself, so no other site can
 * make it send one).
 *
 * An unknown, expired or revoked token is refused with 401 `invalid_token`;
 * a client that keeps presenting bad tokens is slowed down like the sign-in
 * form (429 for the rest of the window), while valid tokens from the same
 * address still pass. The token's text never goes into a
 * log, an error or the audit log: only its name does.
 */
import { grantsOf, highestRole, type Identity } from "../access.js";
import type { Clock } from "../options.js";
import type { Session } from "../sessions.js";
import { type ConsoleContext, type ConsoleDeps, clientAddress } from "./env.js";

/** The text every API token starts with. */
export const API_TOKEN_PREFIX = "mdep_";

/** A token's last use is written at most this often (it is read on every request). */
export const TOUCH_INTERVAL_MS = 60_000;

export interface BearerGuardOptions {
  /** Refused tokens per client address per window before it is answered 429 (default 20 per minute). */
  readonly failuresPerWindow?: number;
  readonly windowMs?: number;
}

/**
 * The credential of an `Authorization: Bearer …` header, `""` for a bearer
 * header without one, or undefined when the request has no bearer header.
 */
export function bearerCredential(c: ConsoleContext): string | undefined {
  const header = c.req.header("authorization");
  if (header === undefined) return undefined;
  const match = /^bearer(?:\s+(.*))?$/is.exec(header.trim());
  return match ? (match[1] ?? "").trim() : undefined;
}

/** Failed bearer attempts per client address, per console instance. */
function createBearerGuard(clock: Clock, options: BearerGuardOptions = {}) {
  const limit = options.failuresPerWindow ?? 20;
  const windowMs = options.windowMs ?? 60_000;
  const failures = new Map<string, { start: number; count: number }>();
  return {
    /** When the client is blocked: the time its window ends; else undefined. */
    blockedUntil(client: string): number | undefined {
      const now = clock.now();
      const bucket = failures.get(client);
      if (!bucket || now - bucket.start >= windowMs) return undefined;
      return bucket.count >= limit ? bucket.start + windowMs : undefined;
    },
    fail(client: string) {
      const now = clock.now();
      if (failures.size >= 10_000) for (const [k, v] of failures) if (now - v.start >= windowMs) failures.delete(k);
      const bucket = failures.get(client);
      if (!bucket || now - bucket.start >= windowMs) failures.set(client, { start: now, count: 1 });
      else bucket.count++;
    },
  };
}

/**
 * The middleware for a request that carries a bearer header on the JSON API:
 * sets `c.var.session` to the token's identity, or answers 401/429.
 */
export function createBearerAuth(deps: ConsoleDeps, options: BearerGuardOptions = {}) {
  const { clock } = deps.options;
  const { store } = deps.options;
  const guard = createBearerGuard(clock, options);

  // A valid token always passes: behind a reverse proxy every client shares one address, and a
  // stranger sending junk must not lock the partner's automation out. Only refusals wait.
  const refuse = (c: ConsoleContext, message: string) => {
    const blocked = guard.blockedUntil(clientAddress(c));
    if (blocked !== undefined) {
      c.header("retry-after", String(Math.max(1, Math.ceil((blocked - clock.now()) / 1000))));
      return c.json({ error: { code: "rate_limited", message: "too many refused tokens from this address; wait and try again" } }, 429);
    }
    guard.fail(clientAddress(c));
    c.header("www-authenticate", `Bearer error="invalid_token", error_description="${message}"`);
    return c.json({ error: { code: "invalid_token", message } }, 401);
  };

  return async (c: ConsoleContext, token: string, next: () => Promise<void>) => {
    // The shape is checked before the store is asked: anything else is not one of ours.
    if (!token.startsWith(API_TOKEN_PREFIX) || token.length > 200) return refuse(c, "not an API token of this console");
    const record = await store.findApiToken(token);
    const now = clock.now();
    if (!record) return refuse(c, "unknown API token");
    if (record.revokedAt) return refuse(c, "this API token was revoked");
    if (record.expiresAt !== null && Date.parse(record.expiresAt) <= now) return refuse(c, "this API token has expired");
    if (record.group !== null && !(await store.getGroup(record.group))) return refuse(c, "this API token's customer group no longer exists");
    const identity: Identity = { user: `token:${record.name}`, via: "token", baseRole: record.role, tokenGroup: record.group, entraGroups: [] };
    const grants = await grantsOf(store, identity);
    const role = highestRole(grants);
    if (!role) return refuse(c, "this API token gives no access");
    if (record.lastUsedAt === null || now - Date.parse(record.lastUsedAt) >= TOUCH_INTERVAL_MS) {
      await store.touchApiToken(record.id, new Date(now).toISOString());
    }
    const session: Session = { ...identity, csrfToken: "", createdAt: now, lastSeenAt: now, role, grants };
    c.set("session", session);
    c.set("sessionId", undefined);
    await next();
    return undefined;
  };
}

/** True when the request's operator came with a bearer token (not a cookie session). */
export const viaBearer = (c: ConsoleContext) => c.get("session")?.via === "token" && c.get("sessionId") === undefined;
