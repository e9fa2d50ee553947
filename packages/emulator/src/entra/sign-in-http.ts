import { randomBytes, randomUUID } from "node:crypto";
import { toStsTimestamp } from "../core/clock.js";
import type { ResponseMode } from "../core/sign-in-state.js";
import type { EmulatorState } from "../core/state.js";
import { renderErrorPage } from "./consent-page.js";
import { renderFormPost } from "./sign-in-page.js";
import type { StsErrorSpec } from "./sts-error.js";

/** The SSO cookie (the real service's name for its session cookie). */
export const SSO_COOKIE = "ESTSAUTH";
/** Binds a sign-in page to the browser it was shown to (the real service also sets an `esctx` cookie). */
export const CONTEXT_COOKIE = "esctx";

/** A random opaque value for codes, flow tokens, sessions and cookies. */
export const opaqueToken = (bytes = 32): string => randomBytes(bytes).toString("base64url");

/** Cookies of a request, first value per name. */
export function readCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!out.has(name)) out.set(name, part.slice(eq + 1).trim());
  }
  return out;
}

/**
 * A `Set-Cookie` value for the emulated STS: HttpOnly, for the whole host,
 * `Secure; SameSite=None` over HTTPS (what the real service sends), `SameSite=Lax`
 * on the plain-HTTP opt-in where browsers refuse `None` without `Secure`.
 * `maxAgeSec` 0 deletes the cookie; undefined makes it a browser-session cookie.
 */
export function cookie(state: EmulatorState, name: string, value: string, maxAgeSec?: number): string {
  const secure = state.baseUrl.startsWith("https:");
  const parts = [`${name}=${value}`, "Path=/", "HttpOnly", secure ? "Secure; SameSite=None" : "SameSite=Lax"];
  if (maxAgeSec !== undefined) parts.push(`Max-Age=${maxAgeSec}`);
  return parts.join("; ");
}

// A fresh object per response: the Node adapter writes Content-Length into the object it is given.
export function pageHeaders(scriptNonce?: string): Headers {
  const script = scriptNonce ? `; script-src 'nonce-${scriptNonce}'; form-action *` : "";
  return new Headers({
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store, no-cache",
    "x-frame-options": "DENY",
    "content-security-policy": `default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'${script}`,
  });
}

/** The error page shown instead of a redirect when the redirect target itself is in doubt. */
export function signInErrorPage(state: EmulatorState, spec: StsErrorSpec, status = 400): Response {
  const html = renderErrorPage({
    code: spec.code,
    message: spec.message,
    traceId: randomUUID(),
    correlationId: randomUUID(),
    timestamp: toStsTimestamp(state.clock.now()),
  });
  return new Response(html, { status, headers: pageHeaders() });
}

/** Where and how an authorize request's answer goes. */
export interface ReplyTarget {
  redirectUri: string;
  responseMode: ResponseMode;
  state?: string;
}

/**
 * Sends the authorize answer to the redirect URI the way `response_mode` asks
 * (v2-oauth2-auth-code-flow.md): `query` and `fragment` as a 302, `form_post` as
 * a page that posts itself. `state` is always last, as in the documented examples.
 */
export function reply(target: ReplyTarget, fields: Array<[string, string]>, extraHeaders: string[] = []): Response {
  const all: Array<[string, string]> = [...fields, ...(target.state !== undefined ? [["state", target.state] as [string, string]] : [])];
  let response: Response;
  if (target.responseMode === "form_post") {
    const nonce = opaqueToken(16);
    response = new Response(renderFormPost(target.redirectUri, all, nonce), { status: 200, headers: pageHeaders(nonce) });
  } else {
    const url = new URL(target.redirectUri);
    if (target.responseMode === "query") {
      for (const [k, v] of all) url.searchParams.append(k, v);
    } else {
      url.hash = new URLSearchParams(all).toString();
    }
    response = new Response(null, { status: 302, headers: { location: url.toString(), "cache-control": "no-store, no-cache" } });
  }
  for (const value of extraHeaders) response.headers.append("set-cookie", value);
  return response;
}

/** An error answer to the redirect URI: `error`, `error_description` with the AADSTS lines, `error_uri`, `state`. */
export function replyError(state: EmulatorState, target: ReplyTarget, spec: StsErrorSpec, extraHeaders: string[] = []): Response {
  const description = `AADSTS${spec.code}: ${spec.message}\r\nTrace ID: ${randomUUID()}\r\nCorrelation ID: ${randomUUID()}\r\nTimestamp: ${toStsTimestamp(state.clock.now())}`;
  return reply(
    target,
    [
      ["error", spec.error],
      ["error_description", description],
      ["error_uri", `${state.baseUrl}/error?code=${spec.code}`],
    ],
    extraHeaders,
  );
}
