import { randomUUID } from "node:crypto";
import { toMdeTime } from "../core/clock.js";
import { createRandom } from "../core/random.js";
import type { EmulatorState, Tenant } from "../core/state.js";
import { type IndicatorRecord, insertIndicatorRow, nextIndicatorId } from "../data/indicator-store.js";
import { checkRule, type DetectionRuleRecord, newRule, patchedRule, readRuleInput } from "../graph/detection-rule-model.js";
import { countRules, deleteRule, getRule, nextRuleId, queryRules, saveRule } from "../graph/detection-rule-store.js";
import { GraphApiError } from "../graph/graph-error.js";
import { DEFAULT_MAX_QUERY_LENGTH } from "../graph/detection-rule-model.js";
import { MAX_ACTIVE_INDICATORS } from "../mde/indicators.js";
import { ControlError } from "./control-error.js";

/**
 * Changes "by hand" to what a fleet baseline manages — custom detection rules,
 * custom indicators, device tags — as a customer's analyst would make them in the
 * Defender portal: no partner app involved, recorded as the tenant's admin, and
 * journaled as `kind: "control"` only, so the API and Graph write counts of a
 * client stay its own. Drift tests use them to move one tenant away from its
 * baseline.
 */
export interface BaselineControl {
  listRules(tenantId: string): DetectionRuleRecord[];
  /** Creates a rule from a Graph create body (same validation and per-tenant cap). */
  createRule(tenantId: string, body: Record<string, unknown>): DetectionRuleRecord;
  /** Applies a Graph PATCH body to a rule. */
  updateRule(tenantId: string, ruleId: string, body: Record<string, unknown>): DetectionRuleRecord;
  deleteRule(tenantId: string, ruleId: string): void;
  /** Active (unexpired) and total indicators of a tenant. */
  indicatorCounts(tenantId: string): { active: number; total: number };
  /** Adds `count` generated active Block indicators (FileSha256), up to the 15,000 cap; returns their ids. */
  fillIndicators(tenantId: string, count: number): string[];
  /** Adds or changes one indicator, matched by type + value as the API's submit does. */
  putIndicator(tenantId: string, input: Record<string, unknown>): IndicatorRecord;
  /** Changes fields of an indicator by id (`action`, `severity`, `title`, `description`, `expirationTime`, …). */
  updateIndicator(tenantId: string, indicatorId: string, change: Record<string, unknown>): IndicatorRecord;
  deleteIndicator(tenantId: string, indicatorId: string): void;
  /** Replaces a machine's tags. */
  setMachineTags(tenantId: string, machineId: string, tags: string[]): string[];
}

const INDICATOR_EDITABLE = ["action", "severity", "title", "description", "expirationTime", "recommendedActions", "rbacGroupNames", "generateAlert"];
const INDICATOR_REQUIRED = ["indicatorType", "indicatorValue", "action", "title"];

export function createBaselineControl(state: EmulatorState, tenantOf: (idOrDomain: string) => Tenant): BaselineControl {
  const { db } = state;
  const now = () => toMdeTime(state.clock.now());
  /** The portal user a hand-made change is recorded as. */
  const admin = (t: Tenant) => `admin@${t.domains[0] ?? "contoso.onmicrosoft.com"}`;
  /** A new indicator as the customer's admin makes it in the portal, with the fields that differ by case. */
  const portalIndicator = (
    t: Tenant,
    indicatorValue: string,
    indicatorType: string,
    at: string,
    fields: Pick<IndicatorRecord, "action" | "severity" | "title" | "description">,
  ): IndicatorRecord => ({
    id: nextIndicatorId(state, t.id),
    indicatorValue,
    indicatorType,
    action: fields.action,
    application: null,
    source: admin(t),
    sourceType: "User",
    createdBy: admin(t),
    severity: fields.severity,
    title: fields.title,
    description: fields.description,
    recommendedActions: null,
    creationTimeDateTimeUtc: at,
    expirationTime: null,
    lastUpdateTime: at,
    lastUpdatedBy: null,
    rbacGroupNames: [],
    rbacGroupIds: [],
    generateAlert: false,
  });
  const limits = { maxQueryLength: DEFAULT_MAX_QUERY_LENGTH };
  const asControl = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (error) {
      if (error instanceof GraphApiError) throw new ControlError(error.status === 404 ? 404 : 400, error.message);
      throw error;
    }
  };
  const activeCount = (tenantId: string): number =>
    (db.prepare("SELECT count(*) AS n FROM indicators WHERE tenant_id = ? AND (expiration_time IS NULL OR expiration_time > ?)").get(tenantId, now()) as { n: number }).n;
  const loadIndicator = (tenantId: string, id: string): IndicatorRecord => {
    const row = db.prepare("SELECT json FROM indicators WHERE tenant_id = ? AND id = ?").get(tenantId, id) as { json: string } | undefined;
    if (!row) throw new ControlError(404, `indicator ${id} does not exist in tenant ${tenantId}`);
    return JSON.parse(row.json) as IndicatorRecord;
  };
  const applyIndicatorChange = (record: IndicatorRecord, change: Record<string, unknown>, by: string): IndicatorRecord => {
    const next = { ...record };
    for (const [key, value] of Object.entries(change)) {
      if (key === "indicatorType" || key === "indicatorValue") continue;
      if (!INDICATOR_EDITABLE.includes(key)) throw new ControlError(400, `indicator property ${key} cannot be changed here (one of ${INDICATOR_EDITABLE.join(", ")})`);
      if (key === "generateAlert") {
        if (typeof value !== "boolean") throw new ControlError(400, "generateAlert must be true or false");
        next.generateAlert = value;
      } else if (key === "rbacGroupNames") {
        if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) throw new ControlError(400, "rbacGroupNames must be an array of strings");
        next.rbacGroupNames = value as string[];
      } else {
        if (value !== null && typeof value !== "string") throw new ControlError(400, `${key} must be a string or null`);
        (next as unknown as Record<string, unknown>)[key] = value;
      }
    }
    next.lastUpdateTime = now();
    next.lastUpdatedBy = by;
    return next;
  };

  return {
    listRules(tenantId) {
      const t = tenantOf(tenantId);
      return queryRules(db, t.id, undefined, 1_000_000, 0).map((json) => JSON.parse(json) as DetectionRuleRecord);
    },
    createRule(tenantId, body) {
      const t = tenantOf(tenantId);
      return asControl(() =>
        db.transaction(() => {
          const cap = state.options.detectionRulesPerTenant;
          if (countRules(db, t.id) >= cap) throw new ControlError(409, `tenant ${t.id} already has the maximum of ${cap} custom detection rules`);
          const rule = newRule(readRuleInput(body), { id: "0", detectorId: randomUUID(), by: admin(t), now: now() });
          checkRule(rule, limits);
          rule.id = nextRuleId(db, t.id);
          saveRule(db, t.id, rule);
          return rule;
        })(),
      );
    },
    updateRule(tenantId, ruleId, body) {
      const t = tenantOf(tenantId);
      return asControl(() => {
        const rule = getRule(db, t.id, ruleId);
        if (!rule) throw new ControlError(404, `detection rule ${ruleId} does not exist in tenant ${t.id}`);
        const next = patchedRule(rule, readRuleInput(body), { by: admin(t), now: now() });
        checkRule(next, limits);
        saveRule(db, t.id, next);
        return next;
      });
    },
    deleteRule(tenantId, ruleId) {
      const t = tenantOf(tenantId);
      if (!deleteRule(db, t.id, ruleId)) throw new ControlError(404, `detection rule ${ruleId} does not exist in tenant ${t.id}`);
    },
    indicatorCounts(tenantId) {
      const t = tenantOf(tenantId);
      const total = (db.prepare("SELECT count(*) AS n FROM indicators WHERE tenant_id = ?").get(t.id) as { n: number }).n;
      return { active: activeCount(t.id), total };
    },
    fillIndicators(tenantId, count) {
      const t = tenantOf(tenantId);
      if (!Number.isInteger(count) || count < 1) throw new ControlError(400, "count must be a positive integer");
      return db.transaction(() => {
        const room = MAX_ACTIVE_INDICATORS - activeCount(t.id);
        if (count > room) throw new ControlError(409, `tenant ${t.id} has room for ${Math.max(0, room)} more active indicators (the limit is ${MAX_ACTIVE_INDICATORS})`);
        const random = createRandom(`${state.options.seed}/fill/${t.id}/${randomUUID()}`);
        const at = now();
        const ids: string[] = [];
        for (let i = 0; i < count; i++) {
          const record = portalIndicator(t, random.hex(64), "FileSha256", at, {
            action: "Block",
            severity: "High",
            title: "Blocked by the customer's analyst",
            description: "Added in the portal.",
          });
          insertIndicatorRow(state, t.id, record);
          ids.push(record.id);
        }
        return ids;
      })();
    },
    putIndicator(tenantId, input) {
      const t = tenantOf(tenantId);
      for (const key of INDICATOR_REQUIRED) if (typeof input[key] !== "string" || input[key] === "") throw new ControlError(400, `${key} is required`);
      return db.transaction(() => {
        const existing = db
          .prepare("SELECT id FROM indicators WHERE tenant_id = ? AND indicator_type = ? AND indicator_value = ?")
          .get(t.id, input.indicatorType, input.indicatorValue) as { id: string } | undefined;
        const at = now();
        const base: IndicatorRecord = existing
          ? loadIndicator(t.id, existing.id)
          : portalIndicator(t, String(input.indicatorValue), String(input.indicatorType), at, { action: "", severity: null, title: "", description: "" });
        if (!existing && activeCount(t.id) >= MAX_ACTIVE_INDICATORS) throw new ControlError(409, `tenant ${t.id} already has ${MAX_ACTIVE_INDICATORS} active indicators`);
        const record = applyIndicatorChange(base, input, admin(t));
        if (!existing) record.lastUpdatedBy = null;
        insertIndicatorRow(state, t.id, record);
        return record;
      })();
    },
    updateIndicator(tenantId, indicatorId, change) {
      const t = tenantOf(tenantId);
      const record = applyIndicatorChange(loadIndicator(t.id, indicatorId), change, admin(t));
      insertIndicatorRow(state, t.id, record);
      return record;
    },
    deleteIndicator(tenantId, indicatorId) {
      const t = tenantOf(tenantId);
      if (db.prepare("DELETE FROM indicators WHERE tenant_id = ? AND id = ?").run(t.id, indicatorId).changes === 0) {
        throw new ControlError(404, `indicator ${indicatorId} does not exist in tenant ${t.id}`);
      }
    },
    setMachineTags(tenantId, machineId, tags) {
      const t = tenantOf(tenantId);
      if (!Array.isArray(tags) || tags.some((g) => typeof g !== "string" || g.length === 0 || g.length > 200)) {
        throw new ControlError(400, "tags must be an array of strings of 1..200 characters");
      }
      const row = db.prepare("SELECT seq, json FROM machines WHERE tenant_id = ? AND id = ?").get(t.id, machineId.toLowerCase()) as { seq: number; json: string } | undefined;
      if (!row) throw new ControlError(404, `machine ${machineId} does not exist in tenant ${t.id}`);
      const machine = JSON.parse(row.json) as { machineTags?: string[] };
      machine.machineTags = [...new Set(tags)];
      db.prepare("UPDATE machines SET machine_tags = ?, json = ? WHERE seq = ?").run(JSON.stringify(machine.machineTags), JSON.stringify(machine), row.seq);
      return machine.machineTags;
    },
  };
}
