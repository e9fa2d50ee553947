import type { LiveModeOptions } from "../core/options.js";
import type { EmulatorState } from "../core/state.js";
import { addAlerts, updateAlerts } from "./alert-changes.js";

/**
 * Live mode: every `intervalMs`, each tenant that has machines gets
 * `newAlerts` new alerts and `updatedAlerts` changed ones, as a busy customer
 * would. Returns `stop()` (safe to call twice). The timer does not keep the
 * process alive.
 */
export function startLiveMode(state: EmulatorState, options: LiveModeOptions): () => void {
  if (!(options.intervalMs > 0)) throw new TypeError("intervalMs must be positive");
  const tick = () => {
    if (!state.db.open) return;
    const tenants = state.db.prepare("SELECT DISTINCT tenant_id AS id FROM machines").all() as Array<{ id: string }>;
    for (const { id } of tenants) {
      if (!state.tenants.has(id)) continue;
      if (options.newAlerts > 0) addAlerts(state, id, options.newAlerts);
      if (options.updatedAlerts > 0) updateAlerts(state, id, options.updatedAlerts);
    }
  };
  let timer: ReturnType<typeof setInterval> | undefined = setInterval(tick, options.intervalMs);
  timer.unref();
  return () => {
    if (timer) clearInterval(timer);
    timer = undefined;
  };
}
