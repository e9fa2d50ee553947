import { toMdeTime } from "../core/clock.js";
import type { Random } from "../core/random.js";
import type { EmulatorState } from "../core/state.js";
import { reserve } from "./identifiers.js";
import type { TenantProfile } from "./tenant-profile.js";

/**
 * An indicator as the API returns it (ti-indicator.md and the examples
 * indicator-entity.json / list-indicators.response.json; mde-api.md §6.4). The
 * examples name the creator's display name `source` where the table says
 * `createdBySource` (DOC-CONFLICT §8.14): the examples' name is used.
 */
export interface IndicatorRecord {
  id: string;
  indicatorValue: string;
  indicatorType: string;
  action: string;
  application: string | null;
  source: string;
  sourceType: "User" | "AadApp";
  createdBy: string;
  severity: string | null;
  title: string;
  description: string;
  recommendedActions: string | null;
  creationTimeDateTimeUtc: string;
  expirationTime: string | null;
  lastUpdateTime: string;
  lastUpdatedBy: string | null;
  rbacGroupNames: string[];
  rbacGroupIds: string[];
  generateAlert: boolean;
}

/** Next indicator id for a tenant (numeric strings, e.g. "994"). */
export function nextIndicatorId(state: EmulatorState, tenantId: string): string {
  return String(reserve(state.db, tenantId, "indicatorId", 1, 1000));
}

/** Inserts or replaces (by tenant + id) an indicator row, keeping columns and JSON in step. */
export function insertIndicatorRow(state: EmulatorState, tid: string, r: IndicatorRecord): void {
  const json = JSON.stringify(r);
  const existing = state.db.prepare("SELECT seq FROM indicators WHERE tenant_id = ? AND id = ?").get(tid, r.id) as
    | { seq: number }
    | undefined;
  const values = [
    r.indicatorValue,
    r.indicatorType,
    r.action,
    r.severity,
    r.title,
    r.application,
    r.createdBy,
    r.source,
    r.creationTimeDateTimeUtc,
    r.expirationTime,
    r.generateAlert ? 1 : 0,
    JSON.stringify(r.rbacGroupNames),
    JSON.stringify(r.rbacGroupIds),
    json,
  ];
  if (existing) {
    state.db
      .prepare(
        `UPDATE indicators SET indicator_value = ?, indicator_type = ?, action = ?, severity = ?, title = ?, application = ?, created_by = ?,
          created_by_display_name = ?, creation_time = ?, expiration_time = ?, generate_alert = ?, rbac_group_names = ?, rbac_group_ids = ?, json = ?
         WHERE seq = ?`,
      )
      .run(...values, existing.seq);
  } else {
    state.db
      .prepare(
        `INSERT INTO indicators (indicator_value, indicator_type, action, severity, title, application, created_by, created_by_display_name,
          creation_time, expiration_time, generate_alert, rbac_group_names, rbac_group_ids, json, tenant_id, id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(...values, tid, r.id);
  }
}

const SEEDS: ReadonlyArray<readonly [string, (r: Random) => string, string]> = [
  ["FileSha256", (r) => r.hex(64), "Known ransomware loader"],
  ["FileSha1", (r) => r.hex(40), "Credential stealer sample"],
  ["IpAddress", (r) => `${r.pick([45, 91, 185, 194])}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`, "C2 server"],
  ["DomainName", (r) => `${r.pick(["update", "cdn", "login", "secure"])}-${r.hex(6)}.example.net`, "Phishing domain"],
  ["Url", (r) => `https://files-${r.hex(4)}.example.org/payload/${r.hex(8)}`, "Malware download URL"],
];

/** A generated indicator created by an analyst of the tenant. */
export function seedIndicator(
  state: EmulatorState,
  random: Random,
  profile: TenantProfile,
  tenantId: string,
  createdMs: number,
): IndicatorRecord {
  const [indicatorType, value, title] = random.pick(SEEDS);
  const analyst = random.pick(profile.analysts);
  const action = random.pick(["Block", "Audit", "BlockAndRemediate", "Warn", "Allowed"]);
  const created = toMdeTime(createdMs, random.int(0, 9999));
  const groups = random.bool(0.6) ? [] : [random.pick(profile.rbacGroups)];
  return {
    id: nextIndicatorId(state, tenantId),
    indicatorValue: value(random),
    indicatorType,
    action,
    application: null,
    source: analyst,
    sourceType: "User",
    createdBy: analyst,
    severity: random.pick(["Informational", "Low", "Medium", "High"]),
    title,
    description: `${title} reported by threat intelligence.`,
    recommendedActions: random.bool(0.5) ? "Isolate affected devices and collect an investigation package." : null,
    creationTimeDateTimeUtc: created,
    expirationTime: random.bool(0.5) ? toMdeTime(createdMs + random.int(30, 365) * 86_400_000) : null,
    lastUpdateTime: created,
    lastUpdatedBy: null,
    rbacGroupNames: groups.map((g) => g?.name ?? ""),
    rbacGroupIds: groups.map((g) => String(g?.id ?? "")),
    generateAlert: action === "Audit",
  };
}
