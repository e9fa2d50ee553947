import type { EmulatorState, Tenant } from "../core/state.js";
import { generateAlert } from "./alert-factory.js";
import { ALERT_BATCH, alertContextFor, alertInserter } from "./alert-store.js";
import { seedHostileIncidents } from "./hostile-incidents.js";
import { getCounter, reserve, setCounter } from "./identifiers.js";
import { insertIndicatorRow, seedIndicator } from "./indicator-store.js";
import { insertMachineAction, type MachineActionType } from "./machine-action-store.js";
import { type GeneratedMachine, generateMachine } from "./machine-factory.js";
import { tenantProfile, tenantRandom } from "./tenant-profile.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Generated alerts spread over the last 30 days (the alert retention the docs imply). */
const ALERT_WINDOW_MS = 30 * DAY;

/**
 * The instant generated data is anchored to: the clock rounded down to the
 * hour, so two emulators with the same seed started within the same hour hold
 * identical data (same ground truth), and every timestamp is ≤ now.
 */
export function dataAnchor(state: EmulatorState): number {
  const now = state.clock.now();
  return now - (now % HOUR);
}

/**
 * Generates a tenant's machines, alerts, a few indicators and a short history
 * of machine actions, deterministically from `options.seed` and the tenant id.
 * Alerts are generated and inserted in batches inside transactions with one
 * prepared statement, never held together in memory, so a million alerts fit.
 */
export function generateTenantData(state: EmulatorState, tenant: Tenant, counts: { alerts: number; machines: number }): void {
  if (!Number.isInteger(counts.alerts) || counts.alerts < 0)
    throw new TypeError(`alerts must be a non-negative integer, got ${counts.alerts}`);
  if (!Number.isInteger(counts.machines) || counts.machines < 0)
    throw new TypeError(`machines must be a non-negative integer, got ${counts.machines}`);
  const db = state.db;
  const now = dataAnchor(state);
  const profile = tenantProfile(state, tenant);
  const machineCount = counts.alerts > 0 ? Math.max(1, counts.machines) : counts.machines;

  const machineRandom = tenantRandom(state, tenant.id, "machines");
  const usedNames = new Set<string>();
  const machines: GeneratedMachine[] = [];
  const insertMachine = db.prepare(
    `INSERT INTO machines (tenant_id, id, computer_dns_name, last_seen, first_seen, os_platform, version, health_status, onboarding_status,
      risk_score, exposure_level, device_value, aad_device_id, last_ip_address, rbac_group_id, rbac_group_name, machine_tags, json)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    for (let i = 0; i < machineCount; i++) {
      const m = generateMachine(machineRandom, profile, now, usedNames);
      const j = m.json;
      insertMachine.run(
        tenant.id,
        m.id,
        m.computerDnsName,
        j.lastSeen,
        j.firstSeen,
        m.osPlatform,
        j.version,
        j.healthStatus,
        j.onboardingStatus,
        j.riskScore,
        j.exposureLevel,
        j.deviceValue,
        j.aadDeviceId,
        j.lastIpAddress,
        j.rbacGroupId,
        j.rbacGroupName,
        JSON.stringify(j.machineTags),
        JSON.stringify(j),
      );
      machines.push(m);
    }
  })();

  if (counts.alerts > 0) {
    const alertRandom = tenantRandom(state, tenant.id, "alerts");
    const ctx = alertContextFor(state, tenant, now, machines);
    const firstIndex = reserve(db, tenant.id, "alertIndex", counts.alerts);
    let incident = getCounter(db, tenant.id, "incidentId", 1000 + alertRandom.int(0, 500_000));
    const insert = alertInserter(db);
    const start = now - ALERT_WINDOW_MS;
    const step = ALERT_WINDOW_MS / counts.alerts;
    for (let from = 0; from < counts.alerts; from += ALERT_BATCH) {
      const to = Math.min(counts.alerts, from + ALERT_BATCH);
      db.transaction(() => {
        for (let i = from; i < to; i++) {
          if (i === 0 || alertRandom.bool(0.65)) incident++;
          const creationMs = Math.floor(start + i * step + alertRandom.next() * step);
          insert(generateAlert(alertRandom, ctx, { index: firstIndex + i, creationMs, incidentId: incident }));
        }
      })();
    }
    setCounter(db, tenant.id, "incidentId", incident);
  }
  if (tenant.hostile) seedHostileIncidents(state, tenant.id, profile.analysts);

  seedHistory(state, tenant, machines, now);
}

/** A few indicators and finished machine actions, so those lists are not empty. */
function seedHistory(state: EmulatorState, tenant: Tenant, machines: readonly GeneratedMachine[], now: number): void {
  const random = tenantRandom(state, tenant.id, "history");
  const profile = tenantProfile(state, tenant);
  const indicatorCount = Math.min(6, machines.length + 2);
  for (let i = 0; i < indicatorCount; i++)
    insertIndicatorRow(state, tenant.id, seedIndicator(state, random, profile, tenant.id, now - random.int(HOUR, 20 * DAY)));
  const types: MachineActionType[] = ["RunAntiVirusScan", "CollectInvestigationPackage", "Isolate", "Unisolate", "StopAndQuarantineFile"];
  const actionCount = Math.min(8, machines.length);
  for (let i = 0; i < actionCount; i++) {
    const machine = random.pick(machines);
    const type = random.pick(types);
    const createdMs = now - random.int(2 * HOUR, 25 * DAY);
    insertMachineAction(state, {
      tenantId: tenant.id,
      id: random.guid(),
      type,
      scope: type === "Isolate" ? random.pick(["Full", "Selective"]) : type === "RunAntiVirusScan" ? random.pick(["Quick", "Full"]) : null,
      requestor: random.pick(profile.analysts),
      requestSource: "Portal",
      comment: random.pick(["Containment while investigating", "Scan after alert", "Routine check", "Collect forensics for case"]),
      machineId: machine.id,
      computerDnsName: machine.computerDnsName,
      createdMs,
      status: "Succeeded",
      lastUpdateMs: createdMs + random.int(30_000, HOUR),
      relatedFileInfo: type === "StopAndQuarantineFile" ? { fileIdentifier: random.hex(40), fileIdentifierType: "Sha1" } : null,
    });
  }
}

/** How many alerts and machines a tenant holds. */
export function tenantCounts(state: EmulatorState, tenantId: string): { alerts: number; machines: number } {
  const a = state.db.prepare("SELECT count(*) AS n FROM alerts WHERE tenant_id = ?").get(tenantId) as { n: number };
  const m = state.db.prepare("SELECT count(*) AS n FROM machines WHERE tenant_id = ?").get(tenantId) as { n: number };
  return { alerts: a.n, machines: m.n };
}
