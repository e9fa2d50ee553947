import type { Context } from "hono";
import type { TenantScope } from "../access.js";
import type { LoginGuard } from "../login-guard.js";
import type { OneTimeLogins } from "../one-time-login.js";
import type { ResolvedConsoleOptions } from "../options.js";
import type { ConsoleEngine } from "../services/engine.js";
import type { HuntCache } from "../services/hunting.js";
import type { Session, SessionStore } from "../sessions.js";
import type { Role } from "../users-file.js";

/** Per-request values set by the middleware. */
export interface ConsoleEnv {
  Variables: {
    session: Session | undefined;
    sessionId: string | undefined;
    /** The operator's tenant scope per role, resolved once per request (http/scope.ts). */
    scopes: Map<Role, Promise<TenantScope>> | undefined;
  };
}

export type ConsoleContext = Context<ConsoleEnv>;

/** What every route module of one console instance shares. */
export interface ConsoleDeps {
  readonly options: ResolvedConsoleOptions;
  readonly sessions: SessionStore;
  readonly guard: LoginGuard;
  readonly engine: ConsoleEngine;
  readonly hunts: HuntCache;
  readonly oneTime: OneTimeLogins;
  readonly startedAt: number;
  /** Name of the session cookie (`__Host-` prefixed when cookies are Secure). */
  readonly cookieName: string;
}

/** The client address (the socket's peer; in-process requests have none). */
export function clientAddress(c: ConsoleContext): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? "in-process";
}
