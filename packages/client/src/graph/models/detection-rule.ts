/**
 * Microsoft Graph `microsoft.graph.security.detectionRule` (v1.0 `/security/rules/detectionRules`;
 * platform-2026-12.md): a custom detection rule — an advanced-hunting query run on a schedule that
 * raises alerts from its alert template and may take automated actions. `responseActions` was
 * removed on 2026-10-01 in favour of `automatedActions`.
 */
import type { MdeDateTime } from "../../mde/models/common.js";

/** The rule's query (`queryCondition`). */
export interface GraphDetectionRuleQueryCondition {
  queryText: string;
  lastModifiedDateTime?: MdeDateTime | null;
}

/** How often the rule runs: `period` such as `"0"` (continuous), `"1H"`, `"3H"`, `"12H"`, `"24H"`. */
export interface GraphDetectionRuleSchedule {
  period: string;
  nextRunDateTime?: MdeDateTime | null;
}

/** The alert a match raises. */
export interface GraphDetectionRuleAlertTemplate {
  title: string;
  description?: string | null;
  severity?: string | null;
  category?: string | null;
  recommendedActions?: string | null;
  mitreTechniques?: string[];
  impactedAssets?: Array<Record<string, unknown>>;
}

/** What a match does: the alert template, and automated actions (isolate, stop and quarantine, …). */
export interface GraphDetectionRuleAction {
  alertTemplate?: GraphDetectionRuleAlertTemplate | null;
  organizationalScope?: Record<string, unknown> | null;
  automatedActions?: Array<Record<string, unknown>>;
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
  schedule: { period: string };
  detectionAction: GraphDetectionRuleAction;
}
