import { Hono } from "hono";
import type { AppEnv } from "../core/http.js";
import type { EmulatorState } from "../core/state.js";

/** The MDE API under /api and /api/v1.0. (Stub: filled in by the MDE module.) */
export function createMdeRoutes(_state: EmulatorState): Hono<AppEnv> {
  return new Hono<AppEnv>();
}
