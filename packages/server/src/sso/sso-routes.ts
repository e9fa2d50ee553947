/**
 * Sign-in with Entra ID: `GET /login/sso` starts it (to Entra ID's authorize
 * endpoint, PKCE S256, `state` and `nonce` kept server-side), and
 * `/login/sso/callback` finishes it: openid-client exchanges the code and
 * checks the ID token, then the ID token's app roles (`roles`) and Entra
 * groups (`groups`) decide the operator's access (access.ts). No role and no
 * grant: refused, with a page that says why and an audit entry.
 *
 * The cookie that finds a started sign-in again is SameSite=Lax, not Strict:
 * the callback arrives as a top-level navigation from Entra ID's site, and a
 * Strict cookie is not sent with it. It holds only a random id, is single-use
 * and lives 10 minutes.
 */
import { Hono } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { type Identity, grantsOf, roleOfAppRoles } from "../access.js";
import { accessStore } from "../http/auth.js";
import { clearCookie, cookieName } from "../http/cookies.js";
import type { ConsoleContext, ConsoleDeps, ConsoleEnv } from "../http/env.js";
import type { Role } from "../users-file.js";
import { signedInPage } from "../views/pages/login-page.js";
import { createOidcClient, type OidcClient, SsoError } from "./oidc-client.js";
import { createPendingSignIns, PENDING_SIGN_IN_TTL_MS } from "./pending-sign-ins.js";
import type { ResolvedSsoOptions } from "./sso-options.js";

/** What the sign-in routes share with the rest of sign-in (auth-routes.ts). */
export interface SsoRouteHelpers {
  /** Starts the operator's session (a fresh session id, the session cookie). */
  startSession(c: ConsoleContext, identity: Identity): void;
  /** The sign-in page with a message, in `status`. */
  loginPage(c: ConsoleContext, status: 400 | 401 | 403 | 502, message: string, next?: string): Response | Promise<Response>;
  /** A same-site path to go to after sign-in (`/overview`, the home page, otherwise). */
  safeNext(value: unknown): string;
}

/** The console's Entra ID sign-in: its routes, and `close()` for the console's `stop()`. */
export interface SsoSignIn {
  routes(helpers: SsoRouteHelpers): Hono<ConsoleEnv>;
  close(): Promise<void>;
}

/** A user name from the ID token: the UPN (`preferred_username`, with the `profile` scope), else the e-mail, else the object id. */
function userOf(claims: Record<string, unknown>): string | undefined {
  for (const key of ["preferred_username", "upn", "email", "oid", "sub"]) {
    const value = claims[key];
    // Printable, bounded: it is shown on every page and written to the audit log.
    if (typeof value === "string" && /^[^\p{Cc}\s][^\p{Cc}]{0,254}$/u.test(value)) return value;
  }
  return undefined;
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []);

/** Entra ID's "groups overage": too many groups for a token, so `groups` is left out (and a Graph link given instead). */
const groupsOverage = (claims: Record<string, unknown>) =>
  claims.hasgroups === true || (typeof claims._claim_names === "object" && claims._claim_names !== null && "groups" in claims._claim_names);

export function createSsoSignIn(deps: ConsoleDeps, sso: ResolvedSsoOptions): SsoSignIn {
  const { options } = deps;
  const client: OidcClient = createOidcClient(sso, options.clock);
  const pending = createPendingSignIns(options.clock);
  const secure = options.secureCookies;
  const pendingCookie = cookieName("mdep-sso", secure);

  const audit = (actor: string, phase: "completed" | "failed", result: string, request: Record<string, unknown>) =>
    options.store.appendAudit({ actor, action: "operator.sign-in", phase, result, request: { method: "sso", ...request } });

  return {
    close: () => client.close(),
    routes(helpers) {
      const app = new Hono<ConsoleEnv>();

      app.get("/login/sso", async (c) => {
        const next = helpers.safeNext(c.req.query("next"));
        if (c.get("session")) return c.redirect(next, 302);
        let request: Awaited<ReturnType<OidcClient["authorizationRequest"]>>;
        try {
          request = await client.authorizationRequest();
        } catch (error) {
          const e = error instanceof SsoError ? error : new SsoError("sso.unavailable", "Entra ID cannot be reached. Try again later.");
          process.stderr.write(`mde-partner console: sign-in with Entra ID: ${e.code} ${e.detail}\n`);
          return helpers.loginPage(c, 502, e.message, next);
        }
        const id = pending.add(request.checks, next);
        setCookie(c, pendingCookie, id, {
          httpOnly: true,
          secure,
          sameSite: "Lax",
          path: "/",
          maxAge: Math.floor(PENDING_SIGN_IN_TTL_MS / 1000),
        });
        return c.redirect(request.url.toString(), 302);
      });

      const callback = async (c: ConsoleContext, params: URLSearchParams) => {
        const started = pending.take(getCookie(c, pendingCookie));
        clearCookie(c, pendingCookie, secure);
        if (!started) {
          return helpers.loginPage(c, 400, "This sign-in was not started in this browser, has expired (10 minutes) or was already used. Start again.");
        }
        let claims: Record<string, unknown>;
        try {
          claims = await client.callback(params, started.checks);
        } catch (error) {
          const e = error instanceof SsoError ? error : new SsoError("sso.unavailable", "The sign-in could not be completed.");
          // An ID token that fails its checks is worth an audit entry; a stale or foreign callback is not.
          if (e.code === "sso.id-token" || e.code === "sso.id-token-expired") await audit("(unverified sign-in)", "failed", `${e.code}: ${e.detail}`, {});
          return helpers.loginPage(c, e.code === "sso.unavailable" ? 502 : 401, e.message, started.next);
        }
        const user = userOf(claims);
        if (!user) {
          await audit("(unverified sign-in)", "failed", "sso.id-token: the ID token names no user", {});
          return helpers.loginPage(c, 401, "The ID token names no user. You were not signed in.", started.next);
        }
        const amr = strings(claims.amr);
        if (sso.requireMfa && !amr.includes("mfa")) {
          await audit(user, "failed", "sso.mfa-required: refused, the sign-in did not use multi-factor authentication", { amr });
          return helpers.loginPage(
            c,
            403,
            "This console requires multi-factor authentication, and your sign-in did not use it. Sign in again with MFA.",
            started.next,
          );
        }
        const baseRole: Role | undefined = roleOfAppRoles(strings(claims.roles));
        const identity: Identity = { user, via: "sso", baseRole, entraGroups: strings(claims.groups) };
        const overage = groupsOverage(claims);
        const grants = await grantsOf(accessStore(deps), identity);
        if (grants.length === 0) {
          await audit(user, "failed", "sso.no-access: refused, no console app role and no grant", { amr, overage });
          return helpers.loginPage(
            c,
            403,
            `You signed in as ${user}, but you have no access to this console: ask its administrator to assign you an app role (Console.Viewer, Console.Responder or Console.Admin) or a grant.`,
            started.next,
          );
        }
        helpers.startSession(c, identity);
        await audit(user, "completed", baseRole ?? "grants only", {
          amr,
          groups: identity.entraGroups.length,
          ...(overage ? { groupsOverage: true } : {}),
        });
        // A page that moves on by itself rather than a redirect: see signedInPage.
        c.header("refresh", `0;url=${started.next}`);
        return c.html(signedInPage(started.next), 200);
      };

      // Only GET: the console asks for response_mode=query. A form_post answer is a cross-site POST, with
      // which browsers send no SameSite=Lax cookie, so it could never be matched to its browser's sign-in.
      app.get("/login/sso/callback", (c) => callback(c, new URL(c.req.url).searchParams));
      return app;
    },
  };
}
