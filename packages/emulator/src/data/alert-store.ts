import type Database from "better-sqlite3";
import type { EmulatorState, Tenant } from "../core/state.js";
import { type AlertContext, type AlertRow, buildAlertContext } from "./alert-factory.js";
import { salt32 } from "./identifiers.js";
import { type MachineRef, osFamily } from "./machine-factory.js";
import { tenantProfile } from "./tenant-profile.js";

/** Rows per transaction when inserting generated alerts. */
export const ALERT_BATCH = 5000;

const INSERT_ALERT = `INSERT INTO alerts (tenant_id, id, alert_creation_time, last_update_time, last_event_time, first_event_time,
  status, severity, category, detection_source, incident_id, investigation_id, assigned_to, machine_id, json, evidence)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** A prepared insert for alert rows (prepare once per batch run, reuse per row; positional binding is the fastest). */
export function alertInserter(db: Database.Database): (row: AlertRow) => void {
  const stmt = db.prepare(INSERT_ALERT);
  return (r) => {
    stmt.run(
      r.tenant_id,
      r.id,
      r.alert_creation_time,
      r.last_update_time,
      r.last_event_time,
      r.first_event_time,
      r.status,
      r.severity,
      r.category,
      r.detection_source,
      r.incident_id,
      r.investigation_id,
      r.assigned_to,
      r.machine_id,
      r.json,
      r.evidence,
    );
  };
}

/** The tenant's machines as alert generation needs them, read from the store. */
export function loadMachineRefs(db: Database.Database, tenantId: string): MachineRef[] {
  const rows = db
    .prepare(
      "SELECT id, computer_dns_name AS dns, rbac_group_name AS rbac, os_platform AS os FROM machines WHERE tenant_id = ? ORDER BY seq",
    )
    .all(tenantId) as Array<{ id: string; dns: string; rbac: string | null; os: string }>;
  return rows.map((r) => ({ id: r.id, computerDnsName: r.dns, rbacGroupName: r.rbac ?? "", osPlatform: r.os, family: osFamily(r.os) }));
}

/** Alert-generation context for a tenant whose machines are already stored. */
export function alertContextFor(
  state: EmulatorState,
  tenant: Pick<Tenant, "id" | "domains" | "name" | "hostile">,
  now: number,
  machines?: MachineRef[],
): AlertContext {
  const refs = machines ?? loadMachineRefs(state.db, tenant.id);
  return buildAlertContext(tenantProfile(state, tenant), refs, salt32(`${state.options.seed}/${tenant.id}`), now);
}

/** The stored JSON of one alert with `evidence` spliced in (or `[]`). */
export function alertJson(json: string, evidence: string | undefined): string {
  return `${json.slice(0, -1)},"evidence":${evidence ?? "[]"}}`;
}
