import { isMdeError } from "@mde-partner/client";
import type { ErrorHandler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ForbiddenError, InputError, NotFoundError } from "../services/errors.js";
import { errorPage } from "../views/pages/error-page.js";
import type { ConsoleEnv } from "./env.js";

/** HTTP status and stable code of an error thrown by a route. */
export function classify(error: unknown): { status: ContentfulStatusCode; code: string; message: string } {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof InputError || error instanceof TypeError) return { status: 400, code: "bad_request", message };
  if (error instanceof NotFoundError) return { status: 404, code: "not_found", message };
  if (error instanceof ForbiddenError) return { status: 403, code: "forbidden", message };
  if (isMdeError(error)) {
    // The customer's API refused or failed: not the console's fault, so 502 with the client's stable code.
    return { status: error.code === "ERR_MDE_NOT_FOUND" ? 404 : 502, code: error.code, message };
  }
  return { status: 500, code: "internal", message: "internal error; see the console's log" };
}

/** Pages get an error page, the JSON API `{error:{code,message}}`. */
export function onError(log: (error: unknown) => void): ErrorHandler<ConsoleEnv> {
  return (error, c) => {
    const { status, code, message } = classify(error);
    if (status === 500) log(error);
    if (c.req.path.startsWith("/api/")) return c.json({ error: { code, message } }, status);
    return c.html(errorPage(c.get("session"), status, message), status);
  };
}
