/**
 * Server-side sessions, in memory (a restart signs everyone out, which is the
 * safe direction). The cookie carries only a random id; the map is keyed by its
 * SHA-256 so a heap dump does not hand out live cookies. Each session has its
 * own CSRF token for forms and the `x-csrf-token` header.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { AccessGrant, Identity } from "./access.js";
import type { Clock } from "./options.js";
import type { Role } from "./users-file.js";

/** What the session store keeps: who signed in and how, never their grants (read per request). */
export interface StoredSession extends Identity {
  /** A password sign-in's users-file record as it was then ({@link accountStamp}): a changed or removed record ends the session. */
  readonly account?: string;
  readonly csrfToken: string;
  readonly createdAt: number;
  lastSeenAt: number;
}

/** A session as one request sees it: the stored one with the grants it holds now and their highest role. */
export interface Session extends StoredSession {
  readonly role: Role;
  readonly grants: readonly AccessGrant[];
}

export interface SessionStoreOptions {
  /** Signed out after this long without a request (default 1 hour). */
  readonly idleMs?: number;
  /** Signed out this long after sign-in whatever happens (default 12 hours). */
  readonly absoluteMs?: number;
}

export interface SessionStore {
  /** Starts a session (of a password sign-in: with its {@link accountStamp}); returns the cookie value. */
  create(identity: Identity, account?: string): { id: string; session: StoredSession };
  /** The live session of a cookie value (touching it), or undefined. */
  get(id: string | undefined): StoredSession | undefined;
  destroy(id: string | undefined): void;
  /** Ends every session of a user (removed or demoted account). */
  destroyUser(user: string): void;
  readonly size: number;
}

const hash = (id: string) => createHash("sha256").update(id).digest("base64url");

export function createSessionStore(clock: Clock, options: SessionStoreOptions = {}): SessionStore {
  const idleMs = options.idleMs ?? 60 * 60_000;
  const absoluteMs = options.absoluteMs ?? 12 * 60 * 60_000;
  const sessions = new Map<string, StoredSession>();

  const expired = (s: StoredSession, now: number) => now - s.lastSeenAt >= idleMs || now - s.createdAt >= absoluteMs;
  const sweep = () => {
    const now = clock.now();
    for (const [k, s] of sessions) if (expired(s, now)) sessions.delete(k);
  };

  return {
    create(identity, account) {
      sweep();
      const id = randomBytes(32).toString("base64url");
      const now = clock.now();
      const session: StoredSession = {
        user: identity.user,
        via: identity.via,
        baseRole: identity.baseRole,
        entraGroups: Object.freeze([...identity.entraGroups]),
        ...(account !== undefined ? { account } : {}),
        csrfToken: randomBytes(32).toString("base64url"),
        createdAt: now,
        lastSeenAt: now,
      };
      sessions.set(hash(id), session);
      return { id, session };
    },
    get(id) {
      if (typeof id !== "string" || id.length < 20 || id.length > 100) return undefined;
      const key = hash(id);
      const session = sessions.get(key);
      if (!session) return undefined;
      const now = clock.now();
      if (expired(session, now)) {
        sessions.delete(key);
        return undefined;
      }
      session.lastSeenAt = now;
      return session;
    },
    destroy(id) {
      if (typeof id === "string") sessions.delete(hash(id));
    },
    destroyUser(user) {
      for (const [k, s] of sessions) if (s.user === user) sessions.delete(k);
    },
    get size() {
      sweep();
      return sessions.size;
    },
  };
}

/**
 * What a password session remembers of its users-file record: a digest of its role and password
 * hash. Another role or password (`mde-partner users add`), or no record (`users remove`), even
 * written by another process, then ends the session at its next request.
 */
export function accountStamp(user: { readonly role: Role; readonly passwordHash: string }): string {
  return createHash("sha256").update(`${user.role}\n${user.passwordHash}`).digest("base64url");
}

/** Constant-time comparison of a submitted CSRF token with the session's. */
export function csrfMatches(submitted: string | undefined | null, expected: string): boolean {
  if (typeof submitted !== "string") return false;
  const a = Buffer.from(submitted);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
