import { createHash } from "node:crypto";
import type { TenantSpec } from "../core/options.js";
import type { EmulatorState } from "../core/state.js";
import { ControlError, type DataHooks } from "./control.js";

/**
 * Ground truth of one tenant: the alert count and a checksum over the lines
 * `${id}\t${lastUpdateTime}\n`, sorted by id in code-unit order, hashed with
 * SHA-256. A store that holds exactly the emulator's alerts computes the same.
 */
export function groundTruth(state: EmulatorState, tenantId: string): { alerts: number; checksum: string } {
  const rows = state.db
    .prepare("SELECT id, last_update_time AS t FROM alerts WHERE tenant_id = ?")
    .raw()
    .iterate(tenantId) as IterableIterator<[string, string]>;
  const all: Array<[string, string]> = [...rows];
  all.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const hash = createHash("sha256");
  for (const [id, t] of all) hash.update(`${id}\t${t}\n`);
  return { alerts: all.length, checksum: hash.digest("hex") };
}

/** Connects the control API to the data module. */
export function createDataHooks(state: EmulatorState, addTenant: (spec: TenantSpec) => unknown): DataHooks {
  const unavailable = (what: string) => () => {
    throw new ControlError(400, `${what} is not available in this build`);
  };
  return {
    addTenant,
    addAlerts: unavailable("adding alerts"),
    updateAlerts: unavailable("updating alerts"),
    groundTruth: (tenantId) => groundTruth(state, tenantId),
    startLive: unavailable("live mode"),
    stopLive: () => {},
  };
}
