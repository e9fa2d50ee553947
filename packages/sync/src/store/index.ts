export type { AlertCount, AlertFilter, AlertPage, AlertQuery, AlertSort } from "./alerts-query.js";
export type {
  BaselineDocumentRecord,
  BaselineRunRecord,
  BaselineRunTenantRecord,
  BaselineTenantRecord,
  BaselineTenantState,
} from "./baselines.js";
export { SEVERITY_RANK } from "./alerts-write.js";
export type { AlertPageBody, AlertPageBodyResult } from "./alert-page-body.js";
export { advanceCursor, cursorCovers, finalPosition, unchangedPosition } from "./cursors.js";
export type { DialectName, Migration, MigrationContext, MigrationOutcome } from "./dialect.js";
export { StoreError, type StoreErrorCode } from "./errors.js";
export { checkRole, ROLES } from "./grants.js";
export { checkGroupName, GROUP_NAME } from "./groups.js";
export { GRAPH_SEVERITY_RANK, type IncidentFilter, type IncidentPage, type IncidentQuery, incidentSummary } from "./incidents.js";
export type { AlertOverview, AlertOverviewQuery, TenantAlertFigures } from "./overview-query.js";
export { type IsolationState, isolationStateOf, type MachineActionWriteOptions } from "./machine-actions.js";
export type { MachineFilter } from "./machines.js";
export { checkRuleName, DIGEST_SAMPLE, type NotifyMessageRecord, type NotifyRuleRecord, type NotifyScope, type PendingNotifyAlert, RULE_NAME } from "./notify.js";
export { defaultStoreUrl, openStore, STORE_SCHEMA_VERSION, type Store, type StoreOptions } from "./open-store.js";
export type * from "./records.js";
export { parseStoreUrl, type StoreLocation } from "./store-url.js";
export type * from "./team-records.js";
export { toTimeKey } from "./time.js";
export type {
  TvmCveMachine,
  TvmCveSummary,
  TvmCveTenant,
  TvmMachineVulnerability,
  TvmMissingKb,
  TvmRecommendationRecord,
  TvmScorePoint,
  TvmSnapshotRecord,
  TvmSoftwareRecord,
} from "./tvm-query.js";
export {
  recommendationSoftwareId,
  softwareIdOf,
  TVM_LIMITS,
  TVM_SCORE_HISTORY_DAYS,
  TVM_SEVERITY_RANK,
  type TvmMachineVulnerabilityInput,
  type TvmRecommendationInput,
  type TvmScoreInput,
  type TvmSnapshotInput,
  type TvmSnapshotWrite,
  type TvmSoftwareInput,
  type TvmVulnerabilityInput,
} from "./tvm-write.js";
