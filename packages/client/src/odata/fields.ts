/**
 * Filterable properties per list endpoint, with their value types — the names each MDE page lists
 * under "supports OData `$filter` on" (mde-api.md §5). `Date` marks a datetime property (rendered
 * unquoted); everything else renders by its value type. Builders are exported for each entity.
 */
import type { AlertCategory, AlertSeverity, AlertStatus, InvestigationState } from "../mde/models/alert.js";
import type { OpenEnum } from "../mde/models/common.js";
import type { IndicatorAction, IndicatorSeverity, IndicatorType } from "../mde/models/indicator.js";
import type {
  DeviceValue,
  MachineExposureLevel,
  MachineHealthStatus,
  MachineRiskScore,
  OnboardingStatus,
  OsPlatform,
} from "../mde/models/machine.js";
import type { MachineActionStatus, MachineActionType } from "../mde/models/machine-action.js";
import type { VulnerabilitySeverity } from "../mde/models/vulnerability.js";
import { filterFor } from "./filter.js";

/** `GET /api/alerts` (get-alerts.md). The page spells `asssignedTo` and `InvestigationId`; the real names are accepted too. */
export type AlertFilterFields = {
  alertCreationTime: Date;
  lastUpdateTime: Date;
  lastEventTime: Date;
  incidentId: number;
  investigationId: number;
  InvestigationId: number;
  id: string;
  assignedTo: string;
  asssignedTo: string;
  detectionSource: string;
  status: AlertStatus;
  severity: AlertSeverity;
  category: AlertCategory;
};

/** `GET /api/machines` (get-machines.md). */
export type MachineFilterFields = {
  computerDnsName: string;
  id: string;
  version: string;
  deviceValue: DeviceValue;
  aadDeviceId: string;
  machineTags: string;
  lastSeen: Date;
  exposureLevel: MachineExposureLevel;
  onboardingStatus: OnboardingStatus;
  lastIpAddress: string;
  healthStatus: MachineHealthStatus;
  osPlatform: OsPlatform;
  riskScore: MachineRiskScore;
  rbacGroupId: number | string;
};

/** `GET /api/machineactions` (get-machineactions-collection.md). */
export type MachineActionFilterFields = {
  id: string;
  status: MachineActionStatus;
  machineId: string;
  type: MachineActionType;
  requestor: string;
  creationDateTimeUtc: Date;
};

/** `GET /api/indicators` (get-ti-indicators-collection.md). */
export type IndicatorFilterFields = {
  application: string;
  createdByDisplayName: string;
  expirationTime: Date;
  generateAlert: boolean;
  title: string;
  rbacGroupNames: string;
  rbacGroupIds: string;
  indicatorValue: string;
  indicatorType: IndicatorType;
  creationTimeDateTimeUtc: Date;
  createdBy: string;
  action: IndicatorAction;
  severity: IndicatorSeverity;
};

/** `GET /api/investigations` (get-investigation-collection.md). */
export type InvestigationFilterFields = {
  startTime: Date;
  id: string;
  state: InvestigationState;
  machineId: string;
  triggeringAlertId: string;
};

/** `GET /api/Software` (get-software.md). */
export type SoftwareFilterFields = { id: string; name: string; vendor: string };

/** `GET /api/vulnerabilities` (get-all-vulnerabilities.md). */
export type VulnerabilityFilterFields = {
  id: string;
  name: string;
  description: string;
  cvssV3: number;
  publishedOn: Date;
  severity: VulnerabilitySeverity;
  updatedOn: Date;
};

/** `GET /api/vulnerabilities/machinesVulnerabilities` (get-all-vulnerabilities-by-machines.md). */
export type MachineVulnerabilityFilterFields = {
  id: string;
  cveId: string;
  machineId: string;
  fixingKbId: string;
  productName: string;
  productVersion: string;
  severity: VulnerabilitySeverity;
  productVendor: string;
};

/** `GET /api/recommendations` (get-all-recommendations.md). */
export type RecommendationFilterFields = {
  id: string;
  productName: string;
  vendor: string;
  recommendedVersion: string;
  recommendationCategory: string;
  subCategory: string;
  severityScore: number;
  remediationType: string;
  recommendedProgram: string;
  recommendedVendor: string;
  status: OpenEnum<"Active" | "Exception">;
};

/** `GET /api/remediationTasks` (get-remediation-all-activities.md writes `createdon`). */
export type RemediationTaskFilterFields = { createdon: Date; createdOn: Date; status: OpenEnum<"Active" | "Completed"> };

/** `GET /api/deviceavinfo` (device-health-export-antivirus-health-report-api.md; `rbacGroupId`, not `rbacGroupName`/`id`). */
export type DeviceAvInfoFilterFields = {
  machineId: string;
  computerDnsName: string;
  osKind: string;
  osPlatform: string;
  osVersion: string;
  avMode: string;
  avSignatureVersion: string;
  avEngineVersion: string;
  avPlatformVersion: string;
  quickScanResult: string;
  quickScanError: string;
  fullScanResult: string;
  fullScanError: string;
  avIsSignatureUpToDate: string;
  avIsEngineUpToDate: string;
  avIsPlatformUpToDate: string;
  rbacGroupId: number;
};

/** Filter builder for alerts. */
export const alertFilter = filterFor<AlertFilterFields>();
/** Filter builder for machines. */
export const machineFilter = filterFor<MachineFilterFields>();
/** Filter builder for machine actions. */
export const machineActionFilter = filterFor<MachineActionFilterFields>();
/** Filter builder for indicators. */
export const indicatorFilter = filterFor<IndicatorFilterFields>();
/** Filter builder for investigations. */
export const investigationFilter = filterFor<InvestigationFilterFields>();
/** Filter builder for software. */
export const softwareFilter = filterFor<SoftwareFilterFields>();
/** Filter builder for vulnerabilities. */
export const vulnerabilityFilter = filterFor<VulnerabilityFilterFields>();
/** Filter builder for machine × vulnerability rows. */
export const machineVulnerabilityFilter = filterFor<MachineVulnerabilityFilterFields>();
/** Filter builder for recommendations. */
export const recommendationFilter = filterFor<RecommendationFilterFields>();
/** Filter builder for remediation tasks. */
export const remediationTaskFilter = filterFor<RemediationTaskFilterFields>();
/** Filter builder for device AV info rows. */
export const deviceAvInfoFilter = filterFor<DeviceAvInfoFilterFields>();
