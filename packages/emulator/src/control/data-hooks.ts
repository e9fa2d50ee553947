import type { TenantSpec } from "../core/options.js";
import type { EmulatorState } from "../core/state.js";
import { addAlerts, updateAlerts } from "../data/alert-changes.js";
import { groundTruth } from "../data/ground-truth.js";
import { startLiveMode } from "../data/live-mode.js";
import type { DataHooks } from "./control.js";

/** Connects the control API to the data module. */
export function createDataHooks(state: EmulatorState, addTenant: (spec: TenantSpec) => unknown): DataHooks {
  let stopLive: (() => void) | undefined;
  return {
    addTenant,
    addAlerts: (tenantId, count) => addAlerts(state, tenantId, count),
    updateAlerts: (tenantId, count, options) => updateAlerts(state, tenantId, count, options),
    groundTruth: (tenantId) => {
      const truth = groundTruth(state, tenantId);
      return { alerts: truth.alerts, checksum: truth.checksum };
    },
    startLive: (options) => {
      stopLive?.();
      stopLive = startLiveMode(state, options);
    },
    stopLive: () => {
      stopLive?.();
      stopLive = undefined;
    },
  };
}
