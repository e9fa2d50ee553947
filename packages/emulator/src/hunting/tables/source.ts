import type { EmulatorState } from "../../core/state.js";
import { parseDateTime } from "../kql/values.js";
import type { Family } from "./catalog.js";

/** A machine as the hunting tables need it, read from the stored Machine JSON (mde-api.md §6.2). */
export interface SourceMachine {
  id: string;
  dnsName: string;
  osPlatform: string;
  family: Family;
  server: boolean;
  version: string;
  osBuild: number | null;
  osArchitecture: string;
  lastIp: string;
  publicIp: string;
  group: string;
  aadJoined: boolean;
  aadDeviceId: string;
  onboardingStatus: string;
  healthStatus: string;
  exposureLevel: string;
  deviceValue: string;
  tags: string[];
  /** The Machine's `ipAddresses` (address, MAC, status), when it lists them. */
  ipAddresses?: ReadonlyArray<{ ipAddress: string; macAddress: string; operationalStatus: string }>;
  /** Ticks, or null when the JSON does not say. */
  firstSeen: bigint | null;
  lastSeen: bigint | null;
}

/** An alert (documented Alert JSON, mde-api.md §6.1) with its evidence items (§6.1.1). */
export interface SourceAlert {
  id: string;
  json: Record<string, unknown>;
  evidence: Array<Record<string, unknown>>;
  created: bigint;
}

/** Everything the hunting tables are derived from, for one tenant. */
export interface TenantSource {
  machines: SourceMachine[];
  alerts: SourceAlert[];
}

/** Newest alerts that feed AlertInfo/AlertEvidence; keeps a tenant's tables in the tens of thousands of rows. */
export const MAX_HUNTING_ALERTS = 10_000;

const str = (v: unknown): string => (typeof v === "string" ? v : v === null || v === undefined ? "" : String(v));
const time = (v: unknown): bigint | null => (typeof v === "string" ? (parseDateTime(v) ?? null) : null);

export function familyOf(osPlatform: string): Family {
  const p = osPlatform.toLowerCase();
  if (p.startsWith("windows")) return "windows";
  if (p.startsWith("mac")) return "macos";
  return p === "" ? "windows" : "linux";
}

function toMachine(id: string, json: Record<string, unknown>): SourceMachine {
  const osPlatform = str(json.osPlatform) || "Windows10";
  const family = familyOf(osPlatform);
  return {
    id,
    dnsName: str(json.computerDnsName) || id,
    osPlatform,
    family,
    server: /server/i.test(osPlatform) || family === "linux",
    version: str(json.version),
    osBuild: typeof json.osBuild === "number" ? json.osBuild : null,
    osArchitecture: str(json.osArchitecture) || "64-bit",
    lastIp: str(json.lastIpAddress),
    publicIp: str(json.lastExternalIpAddress),
    group: str(json.rbacGroupName),
    aadJoined: json.isAadJoined === true,
    aadDeviceId: str(json.aadDeviceId),
    onboardingStatus: str(json.onboardingStatus) || "Onboarded",
    healthStatus: str(json.healthStatus) || "Active",
    exposureLevel: str(json.exposureLevel),
    deviceValue: str(json.deviceValue) || "Normal",
    tags: Array.isArray(json.machineTags) ? json.machineTags.map(str) : [],
    ipAddresses: Array.isArray(json.ipAddresses)
      ? (json.ipAddresses as Array<Record<string, unknown>>).map((a) => ({ ipAddress: str(a?.ipAddress), macAddress: str(a?.macAddress), operationalStatus: str(a?.operationalStatus) }))
      : [],
    firstSeen: time(json.firstSeen),
    lastSeen: time(json.lastSeen),
  };
}

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/**
 * Reads a tenant's machines and its newest alerts from the store. Only the
 * columns every version of the store keeps are read: `id`, `seq`, `json`,
 * `evidence`, `last_update_time`.
 */
export function loadTenantSource(state: EmulatorState, tenantId: string): TenantSource {
  const machineRows = state.db.prepare("SELECT id, json FROM machines WHERE tenant_id = ? ORDER BY seq").all(tenantId) as Array<{ id: string; json: string }>;
  const machines = machineRows.flatMap((r) => {
    const json = parse(r.json);
    return json && typeof json === "object" ? [toMachine(r.id, json as Record<string, unknown>)] : [];
  });
  const alertRows = state.db
    .prepare("SELECT id, json, evidence FROM alerts WHERE tenant_id = ? ORDER BY seq DESC LIMIT ?")
    .all(tenantId, MAX_HUNTING_ALERTS) as Array<{ id: string; json: string; evidence: string | null }>;
  const alerts: SourceAlert[] = [];
  for (const r of alertRows.reverse()) {
    const json = parse(r.json) as Record<string, unknown> | undefined;
    if (!json || typeof json !== "object") continue;
    const created = time(json.alertCreationTime) ?? time(json.lastUpdateTime);
    if (created === null) continue;
    const evidence = parse(r.evidence ?? "[]");
    alerts.push({ id: r.id, json, evidence: Array.isArray(evidence) ? (evidence as Array<Record<string, unknown>>) : [], created });
  }
  return { machines, alerts };
}

/**
 * A cheap fingerprint of what the tables derive from: alert count, newest
 * update and insert, machine count and size. When it changes (new alerts, a
 * status change, a tag on a machine) the tables are rebuilt.
 */
export function sourceSignature(state: EmulatorState, tenantId: string): string {
  const a = state.db.prepare("SELECT count(*) AS n, max(last_update_time) AS lu, max(seq) AS s FROM alerts WHERE tenant_id = ?").get(tenantId) as {
    n: number;
    lu: string | null;
    s: number | null;
  };
  const m = state.db.prepare("SELECT count(*) AS n, max(seq) AS s, total(length(json)) AS size FROM machines WHERE tenant_id = ?").get(tenantId) as {
    n: number;
    s: number | null;
    size: number;
  };
  return `${a.n}|${a.lu ?? ""}|${a.s ?? ""}|${m.n}|${m.s ?? ""}|${m.size}`;
}
