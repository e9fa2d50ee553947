import { Hono } from "hono";
import type { AppEnv } from "../core/http.js";
import type { EmulatorState } from "../core/state.js";

/** The control API under /_control. */
export function createControlRoutes(_state: EmulatorState): Hono<AppEnv> {
  return new Hono<AppEnv>();
}
