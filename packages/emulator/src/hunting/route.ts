import type { AppContext } from "../core/http.js";
import type { EmulatorState } from "../core/state.js";
import { notImplemented } from "../mde/errors.js";

/** Handler for POST /api/advancedqueries/run (and the GET ?key= form). (Stub: filled in by the hunting module.) */
export function createHuntingHandler(_state: EmulatorState): (c: AppContext) => Promise<Response> {
  return async () => notImplemented("RunAdvancedQuery");
}
