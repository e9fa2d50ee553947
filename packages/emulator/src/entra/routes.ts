import { Hono } from "hono";
import type { AppEnv } from "../core/http.js";
import type { EmulatorState } from "../core/state.js";
import { createAdminConsentRoutes } from "./admin-consent.js";
import { createAuthorizeRoutes } from "./authorize.js";
import { createDiscoveryRoutes } from "./discovery.js";
import { createTokenHandler, createTokenMethodHandler } from "./token-endpoint.js";
import { createUserInfoRoutes } from "./userinfo.js";

/**
 * Entra ID, tenant from the first path segment (a GUID, a verified domain, or
 * `common`/`organizations`/`consumers` where the real service accepts them):
 * OpenID discovery and JWKS, the v1 and v2 token endpoints (client credentials;
 * v2 also authorization code and refresh token), the v2 authorize and logout
 * endpoints (user sign-in), and the admin-consent pages.
 */
export function createEntraRoutes(state: EmulatorState): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.route("/", createDiscoveryRoutes(state));
  app.route("/", createUserInfoRoutes(state));
  app.post("/:tenant/oauth2/token", createTokenHandler(state, "v1"));
  app.post("/:tenant/oauth2/v2.0/token", createTokenHandler(state, "v2"));
  app.on(["GET", "PUT", "PATCH", "DELETE"], ["/:tenant/oauth2/token", "/:tenant/oauth2/v2.0/token"], createTokenMethodHandler(state));
  app.route("/", createAuthorizeRoutes(state));
  app.route("/", createAdminConsentRoutes(state));
  return app;
}
