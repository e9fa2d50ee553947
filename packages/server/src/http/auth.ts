/**
 * Who is asking and may they: the session cookie (or, on the JSON API, an API
 * token: bearer.ts), role checks for pages (redirect to sign-in) and the JSON
 * API (401/403 JSON), and CSRF on every state change of a cookie session.
 */
import { stat } from "node:fs/promises";
import type { MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { type AccessStore, grantsOf, highestRole } from "../access.js";
import { bearerCredential, createBearerAuth, viaBearer } from "./bearer.js";
import { accountStamp, csrfMatches } from "../sessions.js";
import { type Role, readUsers, roleAtLeast, type UserRecord } from "../users-file.js";
import { errorPage } from "../views/pages/error-page.js";
import type { Session } from "../sessions.js";
import type { ConsoleContext, ConsoleDeps, ConsoleEnv } from "./env.js";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The store as the access functions read it. */
export const accessStore = (deps: ConsoleDeps): AccessStore => deps.options.store;

const isApi = (c: ConsoleContext) => c.req.path.startsWith("/api/");

/**
 * The users file as it is now, read again only when it changed (another
 * process, such as `mde-partner users`, may have written it).
 */
function createUsersReader(usersFile: string) {
  let cached: { key: string; users: Promise<UserRecord[]> } | undefined;
  return async (): Promise<UserRecord[]> => {
    const key = await stat(usersFile).then(
      (s) => `${s.ino}:${s.size}:${s.mtimeMs}`,
      (error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return "missing";
        throw error;
      },
    );
    if (cached?.key !== key) cached = { key, users: readUsers(usersFile) };
    return cached.users.catch((error: unknown) => {
      cached = undefined;
      throw error;
    });
  };
}

/**
 * Loads the session named by the cookie (if any) into `c.var.session`, with the
 * grants its operator holds now. A session whose operator has no grant left
 * (a revoked or emptied access) is ended, and so is a password session whose
 * users-file record was removed or changed (role or password) since sign-in.
 * On the JSON API a bearer header decides alone: its API token, or 401 (the
 * cookie is not looked at).
 */
export function loadSession(deps: ConsoleDeps): MiddlewareHandler<ConsoleEnv> {
  const bearer = createBearerAuth(deps);
  const users = createUsersReader(deps.options.usersFile);
  /** Whether a password session's account is still as it was at sign-in. */
  const accountHolds = async (stamp: string | undefined, user: string) => {
    const record = (await users()).find((u) => u.name === user);
    return record !== undefined && stamp === accountStamp(record);
  };
  return async (c, next) => {
    const token = isApi(c) ? bearerCredential(c) : undefined;
    if (token !== undefined) return bearer(c, token, next);
    const id = getCookie(c, deps.cookieName);
    let stored = deps.sessions.get(id);
    if (stored?.via === "password" && !(await accountHolds(stored.account, stored.user))) {
      deps.sessions.destroy(id);
      stored = undefined;
    }
    let session: Session | undefined;
    if (stored) {
      const grants = await grantsOf(accessStore(deps), stored);
      const role = highestRole(grants);
      if (role) session = { ...stored, role, grants };
      else deps.sessions.destroy(id);
    }
    c.set("session", session);
    c.set("sessionId", session ? id : undefined);
    await next();
  };
}

/**
 * Pages: no session → sign-in page (with `next`); no grant of at least `role`
 * anywhere → 403. API: 401/403 JSON. Which tenants the role reaches is the
 * route's question (`scopeOf`, `roleOn` in access.ts).
 */
export function requireRole(role: Role): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const session = c.get("session");
    if (!session) {
      if (isApi(c)) {
        c.header("www-authenticate", 'Bearer realm="mde-partner"');
        return c.json({ error: { code: "unauthenticated", message: "sign in first" } }, 401);
      }
      if (c.req.method !== "GET") return c.html(errorPage(undefined, 401, "Your session has ended. Sign in again."), 401);
      const nextUrl = new URL(c.req.url);
      return c.redirect(`/login?next=${encodeURIComponent(nextUrl.pathname + nextUrl.search)}`, 302);
    }
    if (!roleAtLeast(session.role, role)) {
      const message = `This needs the ${role} role; you are signed in as ${session.user} (${session.role}).`;
      if (isApi(c)) return c.json({ error: { code: "forbidden", message } }, 403);
      return c.html(errorPage(session, 403, message), 403);
    }
    await next();
  };
}

/** The submitted CSRF token: the `x-csrf-token` header, or the `_csrf` field of a form. */
async function submittedToken(c: ConsoleContext): Promise<string | undefined> {
  const header = c.req.header("x-csrf-token");
  if (header) return header;
  const type = c.req.header("content-type") ?? "";
  if (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data")) {
    const body = await c.req.parseBody();
    const value = body._csrf;
    return typeof value === "string" ? value : undefined;
  }
  return undefined;
}

/**
 * Every state change (any method but GET/HEAD/OPTIONS) of a signed-in
 * session needs the session's CSRF token; a cross-origin `Origin` is refused
 * outright (unless it is the console's public origin). Routes without a session are left to `requireRole` (401) and the
 * sign-in form's own token. A request authenticated by an API token (bearer
 * header) needs none; a cookie session needs it whatever other headers come along.
 */
export function csrfProtection(publicOrigin: string): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    // The sign-in form carries its own token (there is no session to hold one yet).
    if (SAFE_METHODS.has(c.req.method) || c.req.path === "/login") return next();
    const origin = c.req.header("origin");
    // The console's public origin (that of its consent callback) also counts: behind a
    // TLS-terminating proxy the request URL the app sees is not what the browser used.
    if (origin && origin !== "null" && origin !== new URL(c.req.url).origin && origin !== publicOrigin) {
      return refuse(c, "cross-origin request refused");
    }
    const session = c.get("session");
    if (!session || viaBearer(c)) return next();
    if (!csrfMatches(await submittedToken(c), session.csrfToken)) {
      return refuse(c, "missing or wrong CSRF token: reload the page and try again");
    }
    return next();
  };
}

function refuse(c: ConsoleContext, message: string) {
  if (isApi(c)) return c.json({ error: { code: "csrf", message } }, 403);
  return c.html(errorPage(c.get("session"), 403, message), 403);
}
