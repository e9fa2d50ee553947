import { matchEnum } from "./enums.js";
import { GraphApiError } from "./graph-error.js";

/** OData's message for a property the type does not have (as `graph-operation.ts` words it). */
const unknownProperty = (name: string, type: string) =>
  new GraphApiError(400, "BadRequest", `The property '${name}' does not exist on type 'microsoft.graph.security.${type}'. Make sure to only use property names that are defined by the type.`);

/**
 * The custom detection rule of Microsoft Graph v1.0 (`microsoft.graph.security.detectionRule`,
 * https://learn.microsoft.com/graph/api/resources/security-detectionrule?view=graph-rest-1.0 and the
 * complex types it links: queryCondition, ruleSchedule, detectionAction, alertTemplate, runDetails).
 *
 * The v1.0 shape is the 2026 one: `schedule.frequency` (ISO 8601 duration) and
 * `detectionAction.automatedActions`. The older beta properties `schedule.period`,
 * `schedule.nextRunDateTime`, `detectionAction.responseActions` and the alert
 * template's `category`, `mitreTechniques` and `impactedAssets` were removed on
 * 2026-10-01 (beta security-ruleschedule, security-detectionaction,
 * security-impactedasset pages; detection-rules.md §2): sent today, Graph
 * answers them like any property the type does not have, and so does the emulator.
 */
export interface DetectionRuleRecord {
  id: string;
  displayName: string;
  isEnabled: boolean;
  createdBy: string;
  createdDateTime: string;
  lastModifiedBy: string;
  lastModifiedDateTime: string;
  detectorId: string;
  queryCondition: { queryText: string; lastModifiedDateTime: string | null };
  schedule: { frequency: string };
  lastRunDetails: { lastRunDateTime: string | null; status: string | null; failureReason: string | null; errorCode: string | null };
  detectionAction: {
    alertTemplate: AlertTemplate;
    automatedActions: unknown;
    organizationalScope: unknown;
  };
}

export interface AlertTemplate {
  title: string;
  description: string | null;
  severity: string;
  recommendedActions: string | null;
  tactics: string[];
  customDetails: unknown;
  entityMappings: unknown;
}

/** The writable part of a rule: what a create sends and a PATCH may change. */
export interface DetectionRuleInput {
  displayName?: string;
  isEnabled?: boolean;
  queryText?: string;
  frequency?: string;
  alertTemplate?: Partial<AlertTemplate>;
  automatedActions?: unknown;
  organizationalScope?: unknown;
}

/**
 * Longest query text accepted. DOC-SILENT: the Graph pages give no bound; the
 * emulator refuses oversized KQL so clients meet a refusal in tests instead of in
 * production. An option of the Graph routes (`detectionRuleMaxQueryLength`).
 */
export const DEFAULT_MAX_QUERY_LENGTH = 30_000;

/**
 * Rules per tenant. DOC-SILENT in the Graph pages read; the emulator caps the
 * count so a plan that would overflow a tenant is refused the way a real cap
 * would be (option `detectionRulesPerTenant`).
 */
export const DEFAULT_RULES_PER_TENANT = 1_000;

const SEVERITIES = ["informational", "low", "medium", "high"];

/**
 * The schedules a rule may have. v1.0 ruleSchedule documents `frequency` as an
 * ISO 8601 duration ("P1D for daily, PT1H for hourly"); the allowed set is the one
 * the deprecated `period` listed (0 = continuous/near-real-time, 1H, 3H, 12H,
 * 24H; beta security-ruleschedule). Any spelling of those durations is accepted
 * and kept as sent.
 */
const ALLOWED_FREQUENCY_HOURS = new Set([0, 1, 3, 12, 24]);

function durationHours(text: string): number | undefined {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/i.exec(text);
  if (!m || text.toUpperCase() === "P" || /T$/i.test(text)) return undefined;
  const [, d = "0", h = "0", min = "0", s = "0"] = m;
  const seconds = Number(d) * 86_400 + Number(h) * 3600 + Number(min) * 60 + Number(s);
  return seconds % 3600 === 0 ? seconds / 3600 : undefined;
}

const bad = (message: string) => new GraphApiError(400, "BadRequest", message);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function keysOf(value: unknown, property: string, type: string, allowed: readonly string[]): Record<string, unknown> {
  if (!isObject(value)) throw bad(`Invalid value for property '${property}': expected an object of type 'microsoft.graph.security.${type}'.`);
  for (const key of Object.keys(value)) if (key !== "@odata.type" && !allowed.includes(key)) throw unknownProperty(key, type);
  return value;
}

function text(value: unknown, property: string, { nullable = false } = {}): string | null {
  if (value === null && nullable) return null;
  if (typeof value !== "string") throw bad(`Invalid value for property '${property}': expected a string${nullable ? " or null" : ""}.`);
  return value;
}

const RULE_KEYS = ["id", "displayName", "isEnabled", "createdBy", "createdDateTime", "lastModifiedBy", "lastModifiedDateTime", "detectorId", "queryCondition", "schedule", "lastRunDetails", "detectionAction"];
/** Read-only properties a client may echo back; "some metadata fields are unnecessary and are ignored" (create page). */
const IGNORED = new Set(["id", "createdBy", "createdDateTime", "lastModifiedBy", "lastModifiedDateTime", "detectorId", "lastRunDetails"]);
const TEMPLATE_KEYS = ["title", "description", "severity", "recommendedActions", "tactics", "customDetails", "entityMappings"];

/** Reads a create or PATCH body into the writable fields, refusing unknown properties and wrong types. */
export function readRuleInput(body: Record<string, unknown>): DetectionRuleInput {
  const input: DetectionRuleInput = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === "@odata.type" || IGNORED.has(key)) continue;
    if (!RULE_KEYS.includes(key)) throw unknownProperty(key, "detectionRule");
    if (key === "displayName") input.displayName = text(value, key) as string;
    else if (key === "isEnabled") {
      if (typeof value !== "boolean") throw bad("Invalid value for property 'isEnabled': expected a boolean.");
      input.isEnabled = value;
    } else if (key === "queryCondition") {
      const q = keysOf(value, key, "queryCondition", ["queryText", "lastModifiedDateTime"]);
      if ("queryText" in q) input.queryText = text(q.queryText, "queryText") as string;
    } else if (key === "schedule") {
      const s = keysOf(value, key, "ruleSchedule", ["frequency"]);
      if ("frequency" in s) input.frequency = text(s.frequency, "frequency") as string;
    } else if (key === "detectionAction") {
      const a = keysOf(value, key, "detectionAction", ["alertTemplate", "automatedActions", "organizationalScope"]);
      if ("alertTemplate" in a) {
        const t = keysOf(a.alertTemplate, "alertTemplate", "alertTemplate", TEMPLATE_KEYS);
        const template: Partial<AlertTemplate> = {};
        if ("title" in t) template.title = text(t.title, "title") as string;
        if ("description" in t) template.description = text(t.description, "description", { nullable: true });
        if ("recommendedActions" in t) template.recommendedActions = text(t.recommendedActions, "recommendedActions", { nullable: true });
        if ("severity" in t) {
          const severity = typeof t.severity === "string" ? matchEnum(SEVERITIES, t.severity) : undefined;
          if (!severity) throw bad(`Requested value '${String(t.severity)}' was not found for property 'severity'.`);
          template.severity = severity;
        }
        if ("tactics" in t) {
          if (!Array.isArray(t.tactics) || t.tactics.some((x) => typeof x !== "string")) throw bad("Invalid value for property 'tactics': expected an array of strings.");
          template.tactics = t.tactics as string[];
        }
        if ("customDetails" in t) template.customDetails = t.customDetails;
        if ("entityMappings" in t) template.entityMappings = t.entityMappings;
        input.alertTemplate = template;
      }
      if ("automatedActions" in a) input.automatedActions = a.automatedActions;
      if ("organizationalScope" in a) input.organizationalScope = a.organizationalScope;
    }
  }
  return input;
}

export interface RuleLimits {
  maxQueryLength: number;
}

/**
 * Checks a complete rule (after a create is filled in or a PATCH is applied): a
 * display name, a non-empty query no longer than the limit, an allowed
 * frequency, an alert title and severity. Messages are the emulator's own; the
 * codes are Graph's `BadRequest` (DOC-SILENT: the pages document only success).
 */
export function checkRule(rule: DetectionRuleRecord, limits: RuleLimits): void {
  if (rule.displayName.trim() === "") throw bad("The property 'displayName' is required and cannot be empty.");
  if (rule.displayName.length > 256) throw bad("The property 'displayName' is longer than 256 characters.");
  const query = rule.queryCondition.queryText;
  if (query.trim() === "") throw bad("The property 'queryText' is required and cannot be empty.");
  if (query.length > limits.maxQueryLength) throw bad(`The query text is ${query.length} characters long; the maximum is ${limits.maxQueryLength}.`);
  const hours = durationHours(rule.schedule.frequency);
  if (hours === undefined || !ALLOWED_FREQUENCY_HOURS.has(hours)) {
    throw bad(`Invalid value '${rule.schedule.frequency}' for property 'frequency': expected PT0S (continuous), PT1H, PT3H, PT12H or PT24H.`);
  }
  const template = rule.detectionAction.alertTemplate;
  if (template.title.trim() === "") throw bad("The property 'alertTemplate.title' is required and cannot be empty.");
  if (!SEVERITIES.includes(template.severity)) throw bad("The property 'alertTemplate.severity' is required.");
}

/** A new rule from a create body (before `checkRule`); metadata comes from the caller. */
export function newRule(
  input: DetectionRuleInput,
  meta: { id: string; detectorId: string; by: string; now: string },
): DetectionRuleRecord {
  const t = input.alertTemplate ?? {};
  return {
    id: meta.id,
    displayName: input.displayName ?? "",
    isEnabled: input.isEnabled ?? true,
    createdBy: meta.by,
    createdDateTime: meta.now,
    lastModifiedBy: meta.by,
    lastModifiedDateTime: meta.now,
    detectorId: meta.detectorId,
    queryCondition: { queryText: input.queryText ?? "", lastModifiedDateTime: meta.now },
    schedule: { frequency: input.frequency ?? "" },
    lastRunDetails: { lastRunDateTime: null, status: null, failureReason: null, errorCode: null },
    detectionAction: {
      alertTemplate: {
        title: t.title ?? "",
        description: t.description ?? null,
        severity: t.severity ?? "",
        recommendedActions: t.recommendedActions ?? null,
        tactics: t.tactics ?? [],
        customDetails: t.customDetails ?? null,
        entityMappings: t.entityMappings ?? null,
      },
      automatedActions: input.automatedActions ?? null,
      organizationalScope: input.organizationalScope ?? null,
    },
  };
}

/**
 * A rule with a PATCH applied: each complex property changes only in the parts
 * sent (OData update semantics for complex types); arrays and the open objects
 * (`automatedActions`, `organizationalScope`, `customDetails`, `entityMappings`)
 * are replaced whole.
 */
export function patchedRule(rule: DetectionRuleRecord, input: DetectionRuleInput, meta: { by: string; now: string }): DetectionRuleRecord {
  const next: DetectionRuleRecord = structuredClone(rule);
  if (input.displayName !== undefined) next.displayName = input.displayName;
  if (input.isEnabled !== undefined) next.isEnabled = input.isEnabled;
  if (input.queryText !== undefined && input.queryText !== rule.queryCondition.queryText) {
    next.queryCondition = { queryText: input.queryText, lastModifiedDateTime: meta.now };
  }
  if (input.frequency !== undefined) next.schedule = { frequency: input.frequency };
  if (input.alertTemplate) Object.assign(next.detectionAction.alertTemplate, input.alertTemplate);
  if (input.automatedActions !== undefined) next.detectionAction.automatedActions = input.automatedActions;
  if (input.organizationalScope !== undefined) next.detectionAction.organizationalScope = input.organizationalScope;
  next.lastModifiedBy = meta.by;
  next.lastModifiedDateTime = meta.now;
  return next;
}
