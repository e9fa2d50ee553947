import { Hono } from "hono";
import type { AppEnv } from "../core/http.js";
import type { EmulatorState } from "../core/state.js";

/** Entra ID: discovery, JWKS, token endpoints, admin consent. (Stub: filled in by the Entra module.) */
export function createEntraRoutes(_state: EmulatorState): Hono<AppEnv> {
  return new Hono<AppEnv>();
}
