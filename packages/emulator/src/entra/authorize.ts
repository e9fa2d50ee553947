import { randomUUID, timingSafeEqual } from "node:crypto";
import { Hono } from "hono";
import { type AppContext, type AppEnv, applyFaults } from "../core/http.js";
import { type PendingSignIn, type ResponseMode, type SsoSession, sweepSignIn } from "../core/sign-in-state.js";
import type { EmulatorState, PartnerApp, Tenant } from "../core/state.js";
import { findUser } from "../core/users.js";
import { parseFormBody } from "./form-body.js";
import { redirectUriMatches } from "./redirect-uri.js";
import {
  CONTEXT_COOKIE,
  cookie,
  opaqueToken,
  pageHeaders,
  readCookies,
  type ReplyTarget,
  reply,
  replyError,
  SSO_COOKIE,
  signInErrorPage,
} from "./sign-in-http.js";
import { renderSignInPage } from "./sign-in-page.js";
import { sts } from "./sts-codes.js";
import type { StsErrorSpec } from "./sts-error.js";
import { resolveTenantSegment } from "./tenant-segment.js";

const PAGE_TTL_MS = 15 * 60_000;
/** "Authorization codes are short lived. Typically, they expire after about 10 minutes." (v2-oauth2-auth-code-flow.md) */
const CODE_TTL_MS = 10 * 60_000;
const SESSION_TTL_MS = 24 * 60 * 60_000;
const PROMPTS = new Set(["none", "login", "select_account", "consent"]);
const MODES = new Set<ResponseMode>(["query", "fragment", "form_post"]);
const VERIFIER_CHARS = /^[A-Za-z0-9._~-]{43,128}$/;
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
// Graph scopes by short name (`User.Read`) or under the Graph URI; other resources are not emulated here.
const GRAPH_SCOPE = /^(?:https:\/\/graph\.microsoft\.com\/)?[A-Za-z][A-Za-z0-9.]*$/i;
const OIDC = new Set(["openid", "profile", "email", "offline_access"]);

function findApp(state: EmulatorState, clientId: string): PartnerApp | undefined {
  return state.apps.get(clientId.toLowerCase()) ?? [...state.apps.values()].find((a) => a.clientId.toLowerCase() === clientId.toLowerCase());
}

function samePassword(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Sign-in with the OpenID Connect authorization code flow on the v2.0 authorize
 * endpoint (v2-oauth2-auth-code-flow.md, v2-protocols-oidc.md): a sign-in page
 * for the home tenant's users, an SSO cookie that signs the browser in for later
 * requests (`prompt=none` answers from it alone, `prompt=login` asks again,
 * `prompt=select_account` offers it), PKCE (`S256` or `plain`), and the answer
 * to the redirect URI by `query`, `fragment` or `form_post`. Requests whose client
 * or redirect URI is wrong get an error page, never a redirect (AADSTS700016, 50011).
 */
export function createAuthorizeRoutes(state: EmulatorState): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const signIn = state.signIn;

  /** The browser's SSO session for this tenant, if it is still good (user there, password unchanged). */
  const currentSession = (c: AppContext, tenantId: string): { id: string; session: SsoSession } | undefined => {
    const id = readCookies(c.req.header("cookie")).get(SSO_COOKIE);
    const session = id ? signIn.sessions.get(id) : undefined;
    if (!id || !session || session.tenantId !== tenantId || session.expiresAt <= state.clock.now()) return undefined;
    const user = findUser(signIn.users, session.username);
    if (!user || user.passwordVersion !== session.passwordVersion) return undefined;
    return { id, session };
  };

  /** Issues the code for a signed-in user, or refuses an unassigned user (AADSTS50105). */
  const complete = (c: AppContext, pending: PendingSignIn, session: SsoSession, cookies: string[] = []): Response => {
    const target: ReplyTarget = { redirectUri: pending.redirectUri, responseMode: pending.responseMode, ...(pending.state !== undefined ? { state: pending.state } : {}) };
    const journal = c.get("journal");
    const partner = findApp(state, pending.clientId);
    const user = findUser(signIn.users, session.username);
    if (!partner || !user) return replyError(state, target, sts.loginRequired(), cookies);
    if (partner.appRoleAssignmentRequired && user.roles.length === 0) {
      journal.error = "AADSTS50105";
      return replyError(state, target, sts.notAssigned(partner.displayName, partner.clientId, user.username), cookies);
    }
    const code = opaqueToken(48);
    signIn.codes.set(code, {
      tenantId: pending.tenantId,
      clientId: partner.clientId,
      username: user.username.toLowerCase(),
      scopes: [...pending.scopes],
      authTime: session.authTime,
      amr: [...session.amr],
      sid: session.sid,
      redirectUri: pending.redirectUri,
      ...(pending.nonce !== undefined ? { nonce: pending.nonce } : {}),
      ...(pending.codeChallenge !== undefined ? { codeChallenge: pending.codeChallenge } : {}),
      ...(pending.codeChallengeMethod !== undefined ? { codeChallengeMethod: pending.codeChallengeMethod } : {}),
      expiresAt: state.clock.now() + CODE_TTL_MS,
      redeemed: false,
    });
    journal.operation = "authorize-code";
    return reply(target, [["code", code]], cookies);
  };

  const showPage = (c: AppContext, pending: PendingSignIn, flowToken: string, extra: { error?: StsErrorSpec; username?: string; cookies?: string[] } = {}) => {
    const partner = findApp(state, pending.clientId);
    const session = c.req.query("prompt") === "select_account" ? currentSession(c, pending.tenantId) : undefined;
    const sessionUser = session ? findUser(signIn.users, session.session.username) : undefined;
    const username = extra.username ?? pending.loginHint;
    const html = renderSignInPage({
      appName: partner?.displayName ?? pending.clientId,
      flowToken,
      action: new URL(c.req.url).pathname,
      ...(username !== undefined ? { username } : {}),
      ...(extra.error ? { error: { code: extra.error.code, message: extra.error.message } } : {}),
      ...(sessionUser ? { continueAs: { username: sessionUser.username, displayName: sessionUser.displayName } } : {}),
    });
    const headers = pageHeaders();
    for (const value of extra.cookies ?? []) headers.append("set-cookie", value);
    return new Response(html, { status: 200, headers });
  };

  app.get("/:tenant/oauth2/v2.0/authorize", async (c) => {
    const journal = c.get("journal");
    journal.kind = "signin";
    journal.operation = "authorize";
    const page = (spec: StsErrorSpec) => {
      journal.error = `AADSTS${spec.code}`;
      return signInErrorPage(state, spec);
    };
    sweepSignIn(signIn, state.clock.now());
    const raw = c.req.param("tenant") ?? "";
    const segment = resolveTenantSegment(state, raw);
    const faulted = await applyFaults(state, c, "consent", segment.kind === "tenant" ? segment.tenant.id : undefined, (status) =>
      signInErrorPage(state, sts.temporarilyUnavailable(status), status),
    );
    if (faulted) return faulted;
    if (segment.kind === "malformed") return page(sts.malformedTenant(raw));
    if (segment.kind === "unknown") return page(sts.tenantNotFound(raw));
    if (segment.kind === "alias" && segment.alias === "consumers") return page(sts.aliasNotSupported());

    const q = (name: string) => c.req.query(name);
    const clientId = q("client_id");
    if (!clientId) return page(sts.missingParameter("client_id"));
    journal.clientId = clientId;
    const partner = findApp(state, clientId);
    if (!partner) return page(sts.appNotFound(clientId, segment.kind === "tenant" ? segment.tenant.name : raw));
    if (!partner.enabled) return page(sts.appDisabled(partner.clientId, partner.displayName));
    // Users of the partner's own tenant sign in; `common`/`organizations` find them there.
    const tenant: Tenant | undefined = segment.kind === "tenant" ? segment.tenant : state.tenants.get(partner.homeTenantId);
    if (!tenant) return page(sts.tenantNotFound(raw));
    journal.tenantId = tenant.id;

    const redirectUri = q("redirect_uri") ?? partner.redirectUris[0];
    if (!redirectUri) return page({ error: "invalid_request", code: 900971, message: "No reply address provided." });
    if (!redirectUriMatches(partner.redirectUris, redirectUri)) return page(sts.redirectMismatch(redirectUri, partner.clientId));

    // From here on the redirect URI is trusted: errors go back to the app.
    const stateParam = q("state");
    const modeParam = q("response_mode") ?? "query";
    const responseMode: ResponseMode = MODES.has(modeParam as ResponseMode) ? (modeParam as ResponseMode) : "query";
    const target: ReplyTarget = { redirectUri, responseMode, ...(stateParam !== undefined ? { state: stateParam } : {}) };
    const refuse = (spec: StsErrorSpec) => {
      journal.error = `AADSTS${spec.code}`;
      return replyError(state, target, spec);
    };
    if (!MODES.has(modeParam as ResponseMode)) return refuse(sts.unsupportedResponseMode(modeParam));
    const responseType = q("response_type");
    if (!responseType) return refuse(sts.missingParameter("response_type"));
    if (responseType.trim() !== "code") return refuse(sts.unsupportedResponseType(responseType));
    const scope = q("scope");
    if (!scope) return refuse(sts.missingParameter("scope"));
    const scopes = scope.split(/\s+/).filter(Boolean);
    const badScope = scopes.find((s) => !OIDC.has(s.toLowerCase()) && !GRAPH_SCOPE.test(s));
    if (badScope !== undefined) return refuse(sts.invalidScope(badScope));
    const prompt = q("prompt");
    if (prompt !== undefined && !PROMPTS.has(prompt)) return refuse(sts.invalidRequest(`unsupported prompt value '${prompt}'.`));

    // PKCE: "If excluded, code_challenge is assumed to be plaintext … supports both plain and S256."
    const challenge = q("code_challenge");
    const method = q("code_challenge_method");
    if (method !== undefined && challenge === undefined) return refuse(sts.missingParameter("code_challenge"));
    if (method !== undefined && method !== "S256" && method !== "plain") {
      return refuse(sts.invalidRequest(`code_challenge_method '${method}' is not supported; use 'S256' or 'plain'.`));
    }
    const challengeMethod = challenge === undefined ? undefined : method === "S256" ? "S256" : "plain";
    if (challenge !== undefined && !(challengeMethod === "S256" ? S256_CHALLENGE : VERIFIER_CHARS).test(challenge)) return refuse(sts.codeChallengeSize());

    const nonce = q("nonce");
    const loginHint = q("login_hint");
    const binding = opaqueToken(24);
    const pending: PendingSignIn = {
      tenantId: tenant.id,
      clientId: partner.clientId,
      redirectUri,
      responseMode,
      scopes,
      ...(stateParam !== undefined ? { state: stateParam } : {}),
      ...(nonce !== undefined ? { nonce } : {}),
      ...(challenge !== undefined && challengeMethod ? { codeChallenge: challenge, codeChallengeMethod: challengeMethod } : {}),
      ...(loginHint !== undefined ? { loginHint } : {}),
      browserBinding: binding,
      expiresAt: state.clock.now() + PAGE_TTL_MS,
    };

    const current = currentSession(c, tenant.id);
    const hintMatches = (s: SsoSession) => loginHint === undefined || loginHint.trim().toLowerCase() === s.username;
    if (prompt === "none") {
      if (!current || !hintMatches(current.session)) return refuse(sts.loginRequired());
      return complete(c, pending, current.session);
    }
    if (current && prompt !== "login" && prompt !== "select_account" && hintMatches(current.session)) return complete(c, pending, current.session);

    const flowToken = opaqueToken(32);
    signIn.pending.set(flowToken, pending);
    journal.operation = "authorize-page";
    return showPage(c, pending, flowToken, { cookies: [cookie(state, CONTEXT_COOKIE, binding)] });
  });

  app.post("/:tenant/oauth2/v2.0/authorize", async (c) => {
    const journal = c.get("journal");
    journal.kind = "signin";
    journal.operation = "authorize-credentials";
    const { params } = parseFormBody(await c.req.text());
    const flowToken = params.get("flowToken") ?? "";
    const pending = signIn.pending.get(flowToken);
    const binding = readCookies(c.req.header("cookie")).get(CONTEXT_COOKIE) ?? "";
    if (!pending || pending.expiresAt <= state.clock.now() || !samePassword(binding, pending.browserBinding)) {
      journal.error = "AADSTS90007";
      return signInErrorPage(state, {
        error: "invalid_request",
        code: 90007,
        message: "The sign-in session is not valid: it has expired, was already used, or was started in another browser. Start the sign-in again from the application.",
      });
    }
    journal.clientId = pending.clientId;
    journal.tenantId = pending.tenantId;

    if (params.get("continue") === "1") {
      const current = currentSession(c, pending.tenantId);
      if (current) {
        signIn.pending.delete(flowToken);
        return complete(c, pending, current.session);
      }
      return showPage(c, pending, flowToken);
    }

    const username = (params.get("login") ?? "").trim();
    const password = params.get("passwd") ?? "";
    const tenant = state.tenants.get(pending.tenantId);
    const user = tenant?.id === findApp(state, pending.clientId)?.homeTenantId ? findUser(signIn.users, username) : undefined;
    if (!user) {
      journal.error = "AADSTS50034";
      return showPage(c, pending, flowToken, { username, error: sts.userNotFound(username, tenant?.name ?? pending.tenantId) });
    }
    if (!samePassword(password, user.password)) {
      journal.error = "AADSTS50126";
      return showPage(c, pending, flowToken, { username, error: sts.badCredentials() });
    }

    signIn.pending.delete(flowToken);
    const now = state.clock.now();
    const sessionId = opaqueToken(32);
    const session: SsoSession = {
      tenantId: pending.tenantId,
      username: user.username.toLowerCase(),
      passwordVersion: user.passwordVersion,
      authTime: Math.floor(now / 1000),
      amr: user.mfa ? ["pwd", "mfa"] : ["pwd"],
      sid: randomUUID(),
      expiresAt: now + SESSION_TTL_MS,
    };
    // A new sign-in replaces the browser's previous session.
    const previous = readCookies(c.req.header("cookie")).get(SSO_COOKIE);
    if (previous) signIn.sessions.delete(previous);
    signIn.sessions.set(sessionId, session);
    return complete(c, pending, session, [cookie(state, SSO_COOKIE, sessionId), cookie(state, CONTEXT_COOKIE, "", 0)]);
  });

  // Sign-out (the discovery document's end_session_endpoint): ends the SSO session and goes back
  // to `post_logout_redirect_uri` when an app registered it, else shows a signed-out page.
  app.get("/:tenant/oauth2/v2.0/logout", (c) => {
    const journal = c.get("journal");
    journal.kind = "signin";
    journal.operation = "logout";
    const id = readCookies(c.req.header("cookie")).get(SSO_COOKIE);
    if (id) signIn.sessions.delete(id);
    const clear = cookie(state, SSO_COOKIE, "", 0);
    const back = c.req.query("post_logout_redirect_uri");
    if (back && [...state.apps.values()].some((a) => redirectUriMatches(a.redirectUris, back))) {
      const url = new URL(back);
      const stateParam = c.req.query("state");
      if (stateParam !== undefined) url.searchParams.append("state", stateParam);
      return new Response(null, { status: 302, headers: [["location", url.toString()], ["cache-control", "no-store, no-cache"], ["set-cookie", clear]] });
    }
    const headers = pageHeaders();
    headers.append("set-cookie", clear);
    return new Response(
      "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Signed out</title></head><body><main><h1>You signed out of your account</h1><p>It's a good idea to close all browser windows.</p></main></body></html>",
      { status: 200, headers },
    );
  });
  return app;
}
