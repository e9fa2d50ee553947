/**
 * Single-use sign-in links (for the demo: open the console already signed in
 * as an admin once). Tokens are random, kept hashed in memory, expire quickly
 * and work exactly once.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Clock } from "./options.js";
import type { Role } from "./users-file.js";

export interface OneTimeLogins {
  issue(user: string, role: Role, ttlMs?: number): string;
  /** The identity of a valid token, consuming it; undefined otherwise. */
  consume(token: string | undefined): { user: string; role: Role } | undefined;
}

const hash = (t: string) => createHash("sha256").update(t).digest("hex");

export function createOneTimeLogins(clock: Clock): OneTimeLogins {
  const tokens = new Map<string, { user: string; role: Role; expiresAt: number }>();
  return {
    issue(user, role, ttlMs = 10 * 60_000) {
      const now = clock.now();
      for (const [k, v] of tokens) if (v.expiresAt <= now) tokens.delete(k);
      const token = randomBytes(32).toString("base64url");
      tokens.set(hash(token), { user, role, expiresAt: now + ttlMs });
      return token;
    },
    consume(token) {
      if (typeof token !== "string" || token.length > 100) return undefined;
      const key = hash(token);
      const entry = tokens.get(key);
      tokens.delete(key);
      if (!entry || entry.expiresAt <= clock.now()) return undefined;
      return { user: entry.user, role: entry.role };
    },
  };
}
