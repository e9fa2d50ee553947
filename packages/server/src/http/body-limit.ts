/**
 * Request body limits, checked before any route reads a body (and before the
 * CSRF check, which parses forms). A declared `Content-Length` over the limit
 * is answered 413 without reading a byte; a chunked body is counted while it
 * streams in and cut off at the limit (Hono's `bodyLimit`), so no request can
 * make the console buffer more than its route allows. What was not read is
 * drained briefly by the Node adapter, then the connection is closed.
 *
 * Every form, every JSON call and every unauthenticated route (sign-in, the
 * consent callback) gets the small limit. Only a hunting query, which carries
 * up to 10,000 characters of KQL and the tenants to run it on, gets more —
 * and only from a signed-in session.
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { errorPage } from "../views/pages/error-page.js";
import type { ConsoleContext, ConsoleEnv } from "./env.js";

/** Bytes allowed in any request body unless a larger limit below applies. */
export const DEFAULT_BODY_LIMIT = 16 * 1024;

/** Routes that need more, after authentication: method, path and limit. */
const LARGER: ReadonlyArray<{ method: string; path: RegExp; maxSize: number }> = [
  { method: "POST", path: /^\/(?:api\/v1\/)?hunting$/, maxSize: 256 * 1024 },
];

/** The body limit of a request, in bytes. */
export function bodyLimitFor(c: ConsoleContext): number {
  if (!c.get("session")) return DEFAULT_BODY_LIMIT;
  const larger = LARGER.find((r) => r.method === c.req.method && r.path.test(c.req.path));
  return larger?.maxSize ?? DEFAULT_BODY_LIMIT;
}

function tooLarge(c: ConsoleContext, maxSize: number): Response {
  // No `Connection: close` here: Node would close the socket the moment the
  // answer is written, and a client still sending its body then gets a TCP
  // reset that can discard the 413 before it reads it. The Node adapter instead
  // reads and drops what is still coming for a moment (at most 500 ms, never
  // buffering it), then closes the connection.
  const message = `The request body is larger than this page accepts (${Math.round(maxSize / 1024)} KiB).`;
  if (c.req.path.startsWith("/api/")) return c.json({ error: { code: "payload_too_large", message } }, 413);
  return c.html(errorPage(c.get("session"), 413, message), 413);
}

/** Answers 413 as soon as a body is known to be over its route's limit. Needs the session loaded first. */
export function bodyLimits(): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const maxSize = bodyLimitFor(c);
    return bodyLimit({ maxSize, onError: (ctx) => tooLarge(ctx as ConsoleContext, maxSize) })(c, next);
  };
}
