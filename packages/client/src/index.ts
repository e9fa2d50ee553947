/**
 * @mde-partner/client — one multi-tenant Entra ID app, every customer's
 * Microsoft Defender for Endpoint. Public surface only; internals stay internal
 * (a rate-budget store implementer's helpers: `@mde-partner/client/budget-store`).
 */

// The partner client and its tenants.
export type { Clock, Sleep } from "./clock.js";
export type { CloudName, CloudOptions, CloudOverrides, CloudProfile, CustomCloudOptions } from "./clouds.js";
export { apiUrlFor, GRAPH_APP_ID, GRAPH_RESOURCE, MDE_APP_ID, MDE_RESOURCE, resolveCloud } from "./clouds.js";
export type { AdminConsentUrlOptions, ConsentCallbackResult } from "./auth/consent.js";
export {
  adminConsentUrl,
  checkRedirectUri,
  consentStateMatches,
  createConsentState,
  legacyConsentUrl,
  parseConsentCallback,
} from "./auth/consent.js";
export { isLoopbackHost } from "./network.js";
export type { AssertionContext, CertificateCredentialOptions, CredentialInput, PartnerCredential, TokenCredential } from "./auth/credentials.js";
export {
  AzureTokenCredential,
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  createCertificateCredential,
  createClientAssertionCredential,
  createClientSecretCredential,
} from "./auth/credentials.js";
export type { MdeErrorCode } from "./errors.js";
export {
  isMdeError,
  MDE_ERROR_CODES,
  MdeAppDisabledError,
  MdeAuthError,
  MdeBadRequestError,
  MdeCertificateInvalidError,
  MdeConsentDeniedError,
  MdeConsentRequiredError,
  MdeConsentStateMismatchError,
  MdeError,
  MdeForbiddenError,
  MdeHttpError,
  MdeInvalidResponseError,
  MdeNetworkError,
  MdeNotFoundError,
  MdeNotProvisionedError,
  MdeRateLimitedError,
  MdeScopeInvalidError,
  MdeSecretExpiredError,
  MdeSecretInvalidError,
  MdeTenantNotFoundError,
  MdeTimeoutError,
} from "./errors.js";
export type { ForEachTenantOptions, TenantResult } from "./fan-out.js";
export { forEachTenant, mapWithConcurrency } from "./fan-out.js";
export type { CheckName, InspectionCheck, InspectTokenOptions, TokenInspection } from "./auth/inspect-token.js";
export { inspectToken } from "./auth/inspect-token.js";
export type { JsonWebKeySet, KeySource } from "./auth/jwks-source.js";
export { createDiscoveryKeySource, createStaticKeySource } from "./auth/jwks-source.js";
export type { Logger } from "./logger.js";
export type { DefaultFetch, FetchLike } from "./network.js";
export { createDefaultFetch } from "./network.js";
export type {
  InspectOptions,
  PartnerClient,
  PartnerClientOptions,
  PartnerTenant,
  TenantHandle,
  TenantOptions,
  TokenRequestOptions,
} from "./partner-client.js";
export type { LegacyHuntOptions, TenantDriftReport, TenantHuntOptions } from "./partner-tenant.js";
export { createPartnerClient } from "./partner-client.js";
export type { RetryOptions } from "./pipeline/retry-policy.js";
export type { BudgetDecision, BudgetWindow, RateBudgetStore } from "./pipeline/rate-budget-store.js";
export { createMemoryBudgetStore } from "./pipeline/rate-budget-store.js";
export { isGuid, isTenantGuid, normalizeTenantId } from "./tenant-id.js";
export type { TenantDomainResolverOptions } from "./auth/tenant-domain.js";
export { resolveTenantDomain } from "./auth/tenant-domain.js";
export type { HttpMethod, MdeRequest, MdeTransport } from "./pipeline/transport.js";

// The typed MDE and Graph APIs: resources, models, OData filter builder, path helper, operations, permissions planner.
export type * from "./mde/models/index.js";
export type * from "./graph/models/index.js";
export {
  ALERT_CLASSIFICATIONS,
  ALERT_DETERMINATIONS,
  ALERT_SEVERITIES,
  ALERT_STATUSES,
  ALERT_UPDATE_CLASSIFICATIONS,
  ALERT_UPDATE_DETERMINATIONS,
  ALERT_UPDATE_STATUSES,
} from "./mde/models/alert.js";
export { FINAL_MACHINE_ACTION_STATUSES } from "./mde/models/machine-action.js";
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
export type { ODataCapabilities, ODataQueryOptions } from "./odata/query.js";
export { type BudgetLimits, getOperation, OPERATIONS, type OperationName, type OperationSpec } from "./mde/operations.js";
export { type DecodedPage, type DecodedPagesOptions, ForeignNextLinkError, type Page, type PageDecoder, PagedResult } from "./odata/paging.js";
// Microsoft Graph security API (hunting, alerts_v2, incidents).
export { type GraphAlertListOptions, type GraphAlertsResource, MAX_GRAPH_ALERTS_TOP } from "./graph/alerts.js";
export type { GraphListOptions } from "./graph/call.js";
export { graphAlertToMde, MDE_SERVICE_SOURCE, mdeAlertId, toGraphAlertInput, toIncidentInput } from "./graph/alert-mapping.js";
export { evidenceKind, isEvidence } from "./graph/evidence.js";
export {
  type GraphAlertFilterFields,
  type GraphIncidentFilterFields,
  graphAlertFilter,
  graphIncidentFilter,
} from "./graph/filter-fields.js";
export { type GraphDetectionRulesResource, MAX_GRAPH_DETECTION_RULES_TOP } from "./graph/detection-rules.js";
export { createGraphApi, createGraphClient, type GraphApi, type GraphClient } from "./graph/graph-api.js";
export { type GraphHuntingOptions, type GraphHuntingResource, huntingValue } from "./graph/hunting.js";
export {
  type GraphIncidentExpand,
  type GraphIncidentListOptions,
  type GraphIncidentsResource,
  MAX_GRAPH_INCIDENTS_TOP,
} from "./graph/incidents.js";
export { GRAPH_OPERATIONS } from "./graph/operations.js";
export { LEGACY_HUNTING_RETIREMENT_DATE, LEGACY_HUNTING_WARNING_CODE } from "./mde/legacy-hunting.js";
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
export { MAX_EXPORT_LINE_BYTES, readExportFile, readExportFiles, type ReadExportOptions } from "./mde/export-files.js";
export type { FilesResource } from "./mde/files.js";
export type { HuntingResource } from "./mde/hunting.js";
export { type IndicatorsResource, MAX_INDICATORS_PER_BATCH } from "./mde/indicators.js";
export type { InvestigationsResource } from "./mde/investigations.js";
export type { IpsResource } from "./mde/ips.js";
export { type LibraryResource, type LibraryUpload, MAX_LIBRARY_FILE_BYTES } from "./mde/library.js";
export { DEFAULT_DOWNLOAD_MAX_BYTES, downloadResultLink, type ResultDownloadOptions } from "./mde/result-download.js";
export {
  type CommentOptions,
  type MachineActionsResource,
  MachineActionWaitTimeoutError,
  type ResultOptions,
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
