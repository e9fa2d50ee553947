/**
 * Microsoft Graph `microsoft.graph.security.detectionRule` (v1.0 `/security/rules/detectionRules`;
 * platform-2026-12.md): a custom detection rule — an advanced-hunting query run on a schedule that
 * raises alerts from its alert template and may take automated actions. The 2026 v1.0 shape:
 * `schedule.frequency` (an ISO 8601 duration) and `detectionAction.automatedActions`; the beta
 * `schedule.period`, `responseActions` and the template's `category`, `mitreTechniques` and
 * `impactedAssets` were removed on 2026-10-01 (platform-2026-12.md).
 */
import type { MdeDateTime } from "../../mde/models/common.js";

/** The rule's query (`queryCondition`). */
export interface GraphDetectionRuleQueryCondition {
  queryText: string;
  lastModifiedDateTime?: MdeDateTime | null;
}

/** How often the rule runs: an ISO 8601 duration — `PT0S` (continuous), `PT1H`, `PT3H`, `PT12H`, `PT24H` (or `P1D`). */
export interface GraphDetectionRuleSchedule {
  frequency: string;
}

/** The alert a match raises. */
export interface GraphDetectionRuleAlertTemplate {
  title: string;
  description?: string | null;
  /** `informational`, `low`, `medium`, `high`. */
  severity: string;
  recommendedActions?: string | null;
  /** MITRE ATT&CK tactics, e.g. `credentialAccess`. */
  tactics?: string[];
  customDetails?: unknown;
  entityMappings?: unknown;
}

/** What a match does: the alert template, and automated actions (isolate, stop and quarantine, …). */
export interface GraphDetectionRuleAction {
  alertTemplate?: GraphDetectionRuleAlertTemplate | null;
  organizationalScope?: unknown;
  automatedActions?: unknown;
}

/** A custom detection rule as Graph returns it. */
export interface GraphDetectionRule {
  readonly "@odata.type"?: string;
  /** Numeric text. */
  id: string;
  displayName: string;
  isEnabled?: boolean;
  queryCondition?: GraphDetectionRuleQueryCondition | null;
  schedule?: GraphDetectionRuleSchedule | null;
  detectionAction?: GraphDetectionRuleAction | null;
  createdBy?: string | null;
  createdDateTime?: MdeDateTime | null;
  lastModifiedBy?: string | null;
  lastModifiedDateTime?: MdeDateTime | null;
  lastRunDetails?: Record<string, unknown> | null;
}

/** The writable part of a rule: the body of create, and (any subset) of update. */
export interface GraphDetectionRuleInput {
  displayName: string;
  isEnabled?: boolean;
  queryCondition: { queryText: string };
  schedule: { frequency: string };
  detectionAction: GraphDetectionRuleAction;
}
