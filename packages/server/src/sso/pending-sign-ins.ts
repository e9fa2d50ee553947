/**
 * Sign-ins started but not yet finished: the `state`, `nonce` and PKCE code
 * verifier of each, kept server-side (never in the browser) and found again by
 * a random id in a short-lived cookie. That cookie binds the callback to the
 * browser that started the sign-in, so a callback link handed to someone else
 * (login CSRF) signs nobody in. In memory, keyed by the id's SHA-256, single
 * use, expiring after 10 minutes, and bounded (oldest dropped first).
 */
import { createHash, randomBytes } from "node:crypto";
import type { Clock } from "../options.js";
import type { AuthorizationChecks } from "./oidc-client.js";

export interface PendingSignIn {
  readonly checks: AuthorizationChecks;
  /** Where to go once signed in (a same-site path). */
  readonly next: string;
  readonly expiresAt: number;
}

export interface PendingSignIns {
  /** Remembers a started sign-in; returns the cookie value that finds it again. */
  add(checks: AuthorizationChecks, next: string): string;
  /** The sign-in of a cookie value, removing it (single use); undefined when unknown or expired. */
  take(id: string | undefined): PendingSignIn | undefined;
  readonly size: number;
}

/** How long a started sign-in may take (the cookie's Max-Age too). */
export const PENDING_SIGN_IN_TTL_MS = 10 * 60_000;

const hash = (id: string) => createHash("sha256").update(id).digest("base64url");

export function createPendingSignIns(clock: Clock, options: { ttlMs?: number; max?: number } = {}): PendingSignIns {
  const ttlMs = options.ttlMs ?? PENDING_SIGN_IN_TTL_MS;
  const max = options.max ?? 10_000;
  // A Map iterates in insertion order: the first entries are the oldest.
  const pending = new Map<string, PendingSignIn>();
  const sweep = (now: number) => {
    for (const [k, v] of pending) if (v.expiresAt <= now) pending.delete(k);
    while (pending.size >= max) pending.delete(pending.keys().next().value as string);
  };
  return {
    add(checks, next) {
      const now = clock.now();
      sweep(now);
      const id = randomBytes(32).toString("base64url");
      pending.set(hash(id), { checks, next, expiresAt: now + ttlMs });
      return id;
    },
    take(id) {
      if (typeof id !== "string" || !/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined;
      const key = hash(id);
      const entry = pending.get(key);
      pending.delete(key);
      return entry && entry.expiresAt > clock.now() ? entry : undefined;
    },
    get size() {
      return pending.size;
    },
  };
}
