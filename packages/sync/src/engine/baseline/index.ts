/** Fleet baselines: model, planner, applier and their runs across tenants. */
export { type ApplyTenantOptions, applyTenantPlan, callsOf, type TenantApplyResult } from "./applier.js";
export {
  type Baseline,
  type BaselineDetectionRule,
  type BaselineDeviceTag,
  type BaselineIndicator,
  type BaselineIssue,
  type BaselineOverride,
  type BaselineScope,
  BaselineValidationError,
  type DocumentPath,
  INDICATOR_ACTIONS,
  INDICATOR_SEVERITIES,
  INDICATOR_TYPES,
  indicatorKey,
  parseBaseline,
  frequencyHours,
  RULE_FREQUENCIES,
} from "./model.js";
export { type OwnerMark, readMark, stripMark, withMark } from "./ownership.js";
export {
  ACTIVE_INDICATOR_LIMIT,
  desiredFor,
  type PlannedChange,
  type PlanWork,
  planSummary,
  planTenant,
  type TenantPlan,
  type TenantState as BaselineTenantReading,
} from "./planner.js";
export {
  type ApplyBaselineOptions,
  applyBaseline,
  applyBaselineToTenant,
  type BaselineApplyEvent,
  type BaselineContext,
  type BaselineTargets,
  baselineTargets,
  checkBaselineDrift,
  checkStoredBaselines,
  planBaseline,
  type TenantApplyOutcome,
  type TenantPlanOutcome,
} from "./run.js";
export { readTenantState } from "./state.js";
export { DEFAULT_DRIFT_INTERVAL_MS, type DriftScheduleOptions, startDriftSchedule } from "./schedule.js";
