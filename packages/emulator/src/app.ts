import { Hono } from "hono";
import type { EmulatorControl } from "./control/control.js";
import { createControlRoutes } from "./control/routes.js";
import { type AppEnv, journalMiddleware } from "./core/http.js";
import { serveDownload } from "./core/signed-links.js";
import type { EmulatorState } from "./core/state.js";
import { createEntraRoutes } from "./entra/routes.js";
import { createGraphRoutes } from "./graph/routes.js";
import { mdeError } from "./mde/errors.js";
import { createMdeRoutes } from "./mde/routes.js";

/**
 * One Hono app serves the whole emulator: the control API (`/_control`), the MDE
 * API (`/api/…`), its download links (`/_downloads/…`), and Entra ID (tenant from the first path segment). Because
 * `app.request()` has fetch's signature, tests can drive it in-process.
 */
export function createApp(state: EmulatorState, control: EmulatorControl, info: () => unknown): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(journalMiddleware(state));
  // Time-limited download links (core/signed-links.ts): no bearer token, the link is the credential.
  app.get("/_downloads/*", (c) => serveDownload(state, new URL(c.req.url)));
  app.route("/", createControlRoutes(state, control, info));
  app.route("/", createMdeRoutes(state));
  app.route("/", createGraphRoutes(state));
  app.route("/", createEntraRoutes(state));
  app.notFound((c) => {
    const path = new URL(c.req.url).pathname.toLowerCase();
    if (path === "/api" || path.startsWith("/api/")) return mdeError(404, "NotFound", `Resource ${path} was not found.`);
    return c.json({ error: "not_found", error_description: `No route for ${c.req.method} ${path}` }, 404);
  });
  app.onError((error, c) => {
    const path = new URL(c.req.url).pathname.toLowerCase();
    c.get("journal").error = "InternalServerError";
    process.emitWarning(`emulator: ${c.req.method} ${path} failed: ${error instanceof Error ? error.stack : String(error)}`);
    if (path.startsWith("/api/")) return mdeError(500, "InternalServerError", "");
    return c.json({ error: "server_error", error_description: "Internal error in the emulator." }, 500);
  });
  return app;
}
