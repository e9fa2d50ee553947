import type { EmulatorState } from "../core/state.js";
import { initIncidentStore } from "../graph/incident-store.js";
import { ALL_SHORT_MARKERS, HOSTILE_LONG_LENGTH, HOSTILE_STRINGS, hostileMarker, hostilePrefix } from "./hostile.js";

/**
 * Gives a hostile tenant's incidents that have none yet the properties only an
 * incident has (graph-security.md §5: displayName, description, summary,
 * customTags, comments), with the hostile markers in them (data/hostile.ts). The
 * incident that holds the long-titled alert gets the long name. Status, severity
 * and last update stay derived from the alerts.
 */
export function seedHostileIncidents(state: EmulatorState, tenantId: string, analysts: readonly string[]): void {
  initIncidentStore(state.db);
  const rows = state.db
    .prepare(
      `SELECT incident_id AS iid, min(alert_creation_time) AS created, max(length(json_extract(json, '$.title'))) AS titleLength
       FROM alerts a WHERE tenant_id = ? AND incident_id IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM graph_incidents g WHERE g.tenant_id = a.tenant_id AND g.id = a.incident_id)
       GROUP BY incident_id ORDER BY incident_id`,
    )
    .all(tenantId) as Array<{ iid: number; created: string; titleLength: number }>;
  const insert = state.db.prepare(
    "INSERT INTO graph_incidents (tenant_id, id, display_name, description, summary, custom_tags, comments) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  state.db.transaction(() => {
    for (const row of rows) {
      const n = row.iid;
      const displayName = row.titleLength >= HOSTILE_LONG_LENGTH ? HOSTILE_STRINGS.long : hostilePrefix(` Multi-stage incident ${n}`, n);
      const comment = {
        comment: hostilePrefix(" Escalated by the customer's SOC.", n + 1),
        createdByDisplayName: analysts[n % Math.max(1, analysts.length)] ?? null,
        createdDateTime: row.created,
      };
      insert.run(
        tenantId,
        n,
        displayName,
        ALL_SHORT_MARKERS,
        `Summary: ${ALL_SHORT_MARKERS}`,
        JSON.stringify([hostileMarker(n + 2), HOSTILE_STRINGS.html]),
        JSON.stringify([comment]),
      );
    }
  })();
}
