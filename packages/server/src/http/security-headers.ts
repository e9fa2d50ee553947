import type { MiddlewareHandler } from "hono";
import type { ConsoleEnv } from "./env.js";

/**
 * Headers on every response. The CSP allows only the console's own static
 * files: no inline script or style, no framing (`frame-ancestors 'none'`),
 * forms post only to the console. `Referrer-Policy: no-referrer` keeps the
 * consent callback's `state` out of Referer headers.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export function securityHeaders(https: boolean): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    h.set("content-security-policy", CONTENT_SECURITY_POLICY);
    h.set("x-content-type-options", "nosniff");
    h.set("x-frame-options", "DENY");
    h.set("referrer-policy", "no-referrer");
    h.set("cross-origin-opener-policy", "same-origin");
    h.set("cross-origin-resource-policy", "same-origin");
    h.set("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=()");
    if (https) h.set("strict-transport-security", "max-age=31536000");
    if (!h.has("cache-control")) h.set("cache-control", "no-store");
  };
}
