/**
 * The typed MDE API surface (re-exported by `index.ts` with `export * from "./api-exports.js"`).
 */
export type * from "./mde/models/index.js";
export type * from "./graph/models/index.js";
export { ALERT_UPDATE_CLASSIFICATIONS, ALERT_UPDATE_DETERMINATIONS, FINAL_MACHINE_ACTION_STATUSES } from "./mde/models/index.js";
export * from "./odata/fields.js";
export {
  type ComparisonOperator,
  DateTimeLiteral,
  type FilterBuilder,
  FilterExpression,
  type FilterInput,
  type FilterNode,
  type FilterValue,
  filter,
  filterFor,
  literal,
  renderFilter,
} from "./odata/filter.js";
export { type ODataCapabilities, type ODataQueryOptions, validateTop } from "./odata/query.js";
export {
  BUDGETS,
  type BudgetLimits,
  type BudgetName,
  getOperation,
  OPERATIONS,
  type OperationName,
  type OperationSpec,
} from "./mde/operations.js";
export { DEFAULT_PAGE_SIZE, ForeignNextLinkError, type Page, PagedResult, type PagingPlan } from "./odata/paging.js";
// Microsoft Graph security API (hunting, alerts_v2, incidents).
export { type GraphAlertListOptions, type GraphAlertsResource, MAX_GRAPH_ALERTS_TOP } from "./graph/alerts.js";
export type { GraphListOptions } from "./graph/call.js";
export { evidenceKind, isEvidence } from "./graph/evidence.js";
export {
  type GraphAlertFilterFields,
  type GraphIncidentFilterFields,
  graphAlertFilter,
  graphIncidentFilter,
} from "./graph/filter-fields.js";
export { createGraphApi, createGraphClient, type GraphApi, type GraphClient } from "./graph/graph-api.js";
export { type GraphHuntingOptions, type GraphHuntingResource, huntingValue } from "./graph/hunting.js";
export {
  type GraphIncidentExpand,
  type GraphIncidentListOptions,
  type GraphIncidentsResource,
  MAX_GRAPH_INCIDENTS_TOP,
} from "./graph/incidents.js";
export {
  GRAPH_BUDGETS,
  GRAPH_OPERATIONS,
  type GraphBudgetName,
  type GraphOperationName,
  type GraphOperationSpec,
  getGraphOperation,
} from "./graph/operations.js";
export { type HuntingTimespanParts, huntingTimespan } from "./graph/timespan.js";
export {
  LEGACY_HUNTING_RETIREMENT_DATE,
  LEGACY_HUNTING_WARNING_CODE,
  LEGACY_HUNTING_WARNING_MESSAGE,
} from "./mde/legacy-hunting.js";
export { capabilityForAlertSource, type CapabilityName, isCapabilityKey, TVM_CAPABILITIES } from "./permissions/capabilities.js";
export {
  type CapabilityStatus,
  capabilityStatus,
  describeCapabilityStatus,
  type DriftReport,
  detectDrift,
  type GrantedRoles,
  type KnownRoles,
  type MissingPermission,
  type ResourceDrift,
} from "./permissions/drift.js";
export { actionId, cveId, encodeSegment, fileHash, guid, machineId, path } from "./pipeline/path.js";
export {
  type AnyOperationName,
  type ApiResource,
  CAPABILITIES,
  type CapabilityKey,
  expandPlanInputs,
  findMissingPermissions,
  findPermission,
  findUnmetRequirements,
  PERMISSIONS,
  type PermissionInfo,
  type PermissionPlan,
  type PermissionRequirement,
  type PlanInput,
  planPermissions,
  type RequiredResourceAccess,
  RESOURCE_APP_IDS,
  requirementsOf,
  WINDOWS_DEFENDER_ATP_APP_ID,
} from "./permissions/planner.js";
export type { AlertListOptions, AlertsResource } from "./mde/alerts.js";
export { type ListOptions, MAX_TOP, MAX_TOP_VULNERABILITIES, type RequestOptions } from "./mde/call.js";
export { type DeviceAvHealthResource, MAX_AV_HEALTH_SAS_VALID_HOURS } from "./mde/device-av-health.js";
export type { DomainsResource } from "./mde/domains.js";
export {
  type ExportFilesOptions,
  type ExportListOptions,
  type ExportsResource,
  MAX_EXPORT_PAGE_SIZE,
  MAX_EXPORT_SAS_VALID_HOURS,
} from "./mde/exports.js";
export type { FilesResource } from "./mde/files.js";
export type { HuntingResource } from "./mde/hunting.js";
export { type IndicatorsResource, MAX_INDICATORS_PER_BATCH } from "./mde/indicators.js";
export type { InvestigationsResource } from "./mde/investigations.js";
export type { IpsResource } from "./mde/ips.js";
export { type LibraryResource, type LibraryUpload, MAX_LIBRARY_FILE_BYTES } from "./mde/library.js";
export {
  type CommentOptions,
  type MachineActionsResource,
  MachineActionWaitTimeoutError,
  type PollingClock,
  type WaitOptions,
} from "./mde/machine-actions.js";
export { MAX_MACHINES_PER_TAG_CALL, type MachineAlertsOptions, type MachinesResource } from "./mde/machines.js";
export type { RecommendationsResource } from "./mde/recommendations.js";
export type { RemediationTasksResource } from "./mde/remediation-tasks.js";
export type { ScoresResource } from "./mde/scores.js";
export type { SoftwareResource } from "./mde/software.js";
export { MAX_LOOK_BACK_HOURS, type StatsOptions } from "./mde/stats-options.js";
export type { UsersResource } from "./mde/users.js";
export type { VulnerabilitiesResource } from "./mde/vulnerabilities.js";
export { createMdeApi, createTenantClient, type MdeApi, type MdeApiOptions, type TenantClient, type TenantClientOptions } from "./mde/mde-api.js";
