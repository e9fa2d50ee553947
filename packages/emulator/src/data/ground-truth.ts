import { createHash } from "node:crypto";
import type { EmulatorState } from "../core/state.js";

/** What a complete, correct sync of one tenant's alerts must end up with. */
export interface GroundTruth {
  alerts: number;
  /** sha256 hex over `${id}\t${lastUpdateTime}\n` lines sorted by id in binary (code-unit) order. */
  checksum: string;
}

/**
 * The tenant's alert ground truth, streamed from the store. Ids are ASCII, so
 * SQLite's BINARY collation (UTF-8 bytes) and JavaScript's code-unit order agree.
 */
export function groundTruth(state: EmulatorState, tenantId: string): GroundTruth {
  const hash = createHash("sha256");
  let alerts = 0;
  const rows = state.db
    .prepare("SELECT id, last_update_time AS t FROM alerts WHERE tenant_id = ? ORDER BY id COLLATE BINARY")
    .raw()
    .iterate(tenantId) as Iterable<[string, string]>;
  // Hashed a thousand lines at a time: one native call per line cost more than the hashing.
  let lines = "";
  for (const [id, t] of rows) {
    lines += `${id}\t${t}\n`;
    if (++alerts % 1000 === 0) {
      hash.update(lines);
      lines = "";
    }
  }
  hash.update(lines);
  return { alerts, checksum: hash.digest("hex") };
}
