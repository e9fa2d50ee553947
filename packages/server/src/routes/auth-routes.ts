/**
 * Sign-in, sign-out and single-use sign-in links. The sign-in form has its
 * own CSRF token (a Strict cookie matched against a form field) because there
 * is no session yet to hold one. With Entra ID sign-in configured, its routes
 * (sso/sso-routes.ts) are mounted here too, and the local accounts' form is
 * shown and accepted only while `localAccounts` is on (the break-glass path).
 */
import { randomBytes } from "node:crypto";
import type { Identity } from "../access.js";
import { Hono } from "hono";
import { getCookie } from "hono/cookie";
import { requireRole } from "../http/auth.js";
import { clearCookie, cookieName, setStrictCookie } from "../http/cookies.js";
import { type ConsoleContext, type ConsoleDeps, type ConsoleEnv, clientAddress } from "../http/env.js";
import { DECOY_HASH, verifyPassword } from "../password.js";
import { accountStamp, csrfMatches } from "../sessions.js";
import type { SsoSignIn } from "../sso/sso-routes.js";
import { readUsers } from "../users-file.js";
import { loginPage } from "../views/pages/login-page.js";

/** Beyond ASCII as a browser sends it in a URL: UTF-8, percent-encoded. */
const percentEncoded = (text: string) =>
  text.replace(/[^\x00-\x7f]+/g, (run) => [...Buffer.from(run, "utf8")].map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join(""));

/**
 * Only same-site paths, never `//host` or a scheme. Printable ASCII only, anything beyond
 * percent-encoded: the path goes into a `Location` or `Refresh` header, which takes no other.
 */
function safeNext(value: unknown): string {
  if (typeof value !== "string") return "/overview";
  const path = percentEncoded(value);
  return /^\/(?![/\\])[\x21-\x7e]*$/.test(path) && !path.startsWith("/login") ? path : "/overview";
}

export function createAuthRoutes(deps: ConsoleDeps, sso?: SsoSignIn): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const { options, sessions, guard } = deps;
  const secure = options.secureCookies;
  const loginCookie = cookieName("mdep-login", secure);

  const startSession = (c: ConsoleContext, identity: Identity, account?: string) => {
    sessions.destroy(c.get("sessionId"));
    const { id } = sessions.create(identity, account);
    setStrictCookie(c, deps.cookieName, id, secure);
    clearCookie(c, loginCookie, secure);
  };

  const form = (
    c: ConsoleContext,
    status: 200 | 400 | 401 | 403 | 429 | 502,
    extra: { message?: string; name?: string; next?: string; info?: string; help?: boolean } = {},
  ) => {
    // Reuse a token already handed out, so a second sign-in page (another tab, a prefetch) does not void the first.
    const existing = getCookie(c, loginCookie);
    const token = existing && /^[A-Za-z0-9_-]{32}$/.test(existing) ? existing : randomBytes(24).toString("base64url");
    setStrictCookie(c, loginCookie, token, secure, 3600);
    return c.html(
      loginPage({
        csrf: token,
        next: safeNext(extra.next ?? c.req.query("next")),
        message: extra.message,
        name: extra.name,
        info: extra.info,
        help: extra.help,
        sso: sso !== undefined,
        localAccounts: options.localAccounts,
      }),
      status,
    );
  };

  app.get("/login", (c) => {
    if (c.get("session")) return c.redirect(safeNext(c.req.query("next")), 302);
    return form(c, 200, c.req.query("signedout") ? { info: "You are signed out.", help: true } : {});
  });

  app.post("/login", async (c) => {
    if (!options.localAccounts) {
      return form(c, 403, { message: "Local accounts are switched off on this console: sign in with Microsoft." });
    }
    const body = await c.req.parseBody();
    const name = typeof body.name === "string" ? body.name.trim().slice(0, 64) : "";
    const password = typeof body.password === "string" ? body.password : "";
    const next = safeNext(body.next);
    if (!csrfMatches(typeof body._login === "string" ? body._login : undefined, getCookie(c, loginCookie) ?? "\0")) {
      return form(c, 403, { message: "The sign-in form expired. Try again.", name, next });
    }
    const admitted = guard.admit(clientAddress(c), name);
    if (!admitted.ok) {
      c.header("retry-after", String(Math.max(1, Math.ceil((admitted.retryAt - options.clock.now()) / 1000))));
      const message =
        admitted.reason === "locked"
          ? `Too many failed sign-ins: this account is locked until ${new Date(admitted.retryAt).toISOString().slice(11, 16)} UTC.`
          : "Too many sign-in attempts from your address. Wait a minute and try again.";
      return form(c, 429, { message, name, next });
    }
    const user = (await readUsers(options.usersFile)).find((u) => u.name === name);
    // The decoy keeps the time of an unknown name equal to a wrong password.
    const ok = (await verifyPassword(password, user?.passwordHash ?? DECOY_HASH)) && user !== undefined;
    const lockedUntil = guard.record(name, ok);
    if (!ok || !user) {
      if (lockedUntil !== undefined) {
        await options.store.appendAudit({
          actor: name || "(empty)",
          action: "operator.lockout",
          phase: "failed",
          result: `locked until ${new Date(lockedUntil).toISOString()}`,
        });
        return form(c, 429, {
          message: `Too many failed sign-ins: this account is locked until ${new Date(lockedUntil).toISOString().slice(11, 16)} UTC.`,
          name,
          next,
        });
      }
      return form(c, 401, { message: "Wrong user name or password.", name, next });
    }
    startSession(c, { user: user.name, via: "password", baseRole: user.role, entraGroups: [] }, accountStamp(user));
    await options.store.appendAudit({ actor: user.name, action: "operator.sign-in", phase: "completed", result: user.role });
    return c.redirect(next, 303);
  });

  app.post("/logout", requireRole("viewer"), (c) => {
    sessions.destroy(c.get("sessionId"));
    clearCookie(c, deps.cookieName, secure);
    return c.redirect("/login?signedout=1", 303);
  });

  app.get("/login/one-time", async (c) => {
    const identity = deps.oneTime.consume(c.req.query("token"));
    if (!identity) return form(c, 401, { message: "This sign-in link is invalid, expired or already used.", help: true });
    startSession(c, { user: identity.user, via: "one-time", baseRole: identity.role, entraGroups: [] });
    await options.store.appendAudit({
      actor: identity.user,
      action: "operator.sign-in",
      phase: "completed",
      result: `${identity.role} (one-time link)`,
    });
    return c.redirect("/overview", 302);
  });

  if (sso) {
    app.route(
      "/",
      sso.routes({
        startSession,
        safeNext,
        loginPage: (c, status, message, next) => form(c, status, { message, ...(next ? { next } : {}) }),
      }),
    );
  }

  return app;
}
