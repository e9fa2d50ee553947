import { Hono } from "hono";
import { bearerToken } from "../core/bearer.js";
import type { AppContext, AppEnv } from "../core/http.js";
import type { EmulatorState } from "../core/state.js";
import { pairwiseSubject } from "./user-tokens.js";

/**
 * The OpenID Connect UserInfo endpoint the v2.0 discovery document names
 * (entra-docs userinfo.md: Microsoft Graph's `/oidc/userinfo`, here on the
 * emulator's host as Graph is). Takes the Graph access token of a user sign-in
 * and answers `sub` (the same pairwise value as the ID token's), `name`,
 * `family_name`, `given_name`, `picture` and `email`; anything else is 401.
 */
export function createUserInfoRoutes(state: EmulatorState): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const handle = async (c: AppContext): Promise<Response> => {
    const journal = c.get("journal");
    journal.kind = "signin";
    journal.operation = "userinfo";
    const refuse = (reason: string) => {
      journal.error = "InvalidAuthenticationToken";
      return new Response(JSON.stringify({ error: { code: "InvalidAuthenticationToken", message: reason } }), {
        status: 401,
        headers: { "content-type": "application/json", "www-authenticate": `Bearer error="invalid_token", error_description="${reason.replace(/"/g, "'")}"` },
      });
    };
    const bearer = await bearerToken(state, c, "graph");
    if (!bearer.ok) return refuse(bearer.reason ?? "Access token is empty.");
    const verified = bearer.token;
    const claims = verified.claims;
    const user = [...state.signIn.users.values()].find((u) => u.oid === claims.oid);
    if (claims.idtyp !== "user" || !user) return refuse("The token is not a user's token.");
    const [given = "", ...rest] = user.displayName.split(" ");
    return c.json({
      sub: pairwiseSubject(verified.tenantId, verified.clientId, user.oid),
      name: user.displayName,
      family_name: rest.join(" "),
      given_name: given,
      picture: `${state.baseUrl}/v1.0/me/photo/$value`,
      email: user.username,
    });
  };
  app.get("/oidc/userinfo", handle);
  app.post("/oidc/userinfo", handle);
  return app;
}
