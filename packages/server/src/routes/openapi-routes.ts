/**
 * The JSON API's OpenAPI document, for signed-in operators and API tokens
 * (any role). Not public: it only describes routes, but an anonymous caller
 * has no use for it (every route it lists needs a session or a token) and it
 * would tell a scanner the console's whole surface and version.
 */
import { Hono } from "hono";
import { requireRole } from "../http/auth.js";
import type { ConsoleEnv } from "../http/env.js";
import { openApiDocument } from "../openapi.js";

export function createOpenApiRoutes(): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const document = openApiDocument();
  app.get("/api/v1/openapi.json", requireRole("viewer"), (c) => c.json(document));
  return app;
}
