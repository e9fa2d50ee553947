import type { MdeDateTime, ODataEntity, OpenEnum } from "./common.js";

/** File-based export answer: SAS URLs of gzip'd multiline JSON files (mde-api.md §5.16, §5.17). */
export interface ExportFilesResponse extends ODataEntity {
  exportFiles: string[];
  generatedTime: MdeDateTime;
}

/**
 * Timestamp of export rows: `"2021-01-11 09:47:58.854"` (space, no `Z`; mde-api.md §3.7) — not ISO.
 */
export type ExportTimestamp = string;

/** A row of `SecureConfigurationsAssessmentByMachine` (mde-api.md §5.17). */
export interface SecureConfigAssessment {
  deviceId: string;
  rbacGroupName: string | null;
  deviceName: string | null;
  osPlatform: string | null;
  osVersion: string | null;
  timestamp: ExportTimestamp;
  configurationId: string;
  configurationCategory: string | null;
  configurationSubcategory: string | null;
  configurationImpact: number | null;
  isCompliant: boolean | null;
  isApplicable: boolean | null;
  isExpectedUserImpact: boolean | null;
  configurationName: string | null;
  recommendationReference: string | null;
}

/** The device and software columns the software export rows share. */
export interface SoftwareOnDevice {
  deviceId: string;
  deviceName?: string | null;
  rbacGroupName?: string | null;
  osPlatform?: string | null;
  osVersion?: string | null;
  osArchitecture?: string | null;
  softwareVendor?: string | null;
  softwareName?: string | null;
  softwareVersion?: string | null;
}

/** A row of `SoftwareVulnerabilitiesByMachine` (and the delta variant, which adds `status` and `eventTimestamp`). */
export interface SoftwareVulnerabilityAssessment extends SoftwareOnDevice {
  id?: string;
  cveId?: string | null;
  /** CVSS score, typed String on the page (`"6.2"`). */
  cvssScore?: string | null;
  vulnerabilitySeverityLevel?: string | null;
  recommendedSecurityUpdate?: string | null;
  recommendedSecurityUpdateId?: string | null;
  recommendedSecurityUpdateUrl?: string | null;
  diskPaths?: string[];
  registryPaths?: string[];
  lastSeenTimestamp?: ExportTimestamp | null;
  firstSeenTimestamp?: ExportTimestamp | null;
  exploitabilityLevel?: string | null;
  recommendationReference?: string | null;
  securityUpdateAvailable?: boolean | null;
  /** Delta rows only. */
  status?: OpenEnum<"New" | "Fixed" | "Updated"> | null;
  eventTimestamp?: ExportTimestamp | null;
}

/** A row of `SoftwareInventoryByMachine`. */
export interface SoftwareInventoryAssessment extends SoftwareOnDevice {
  id?: string;
  numberOfWeaknesses?: number | null;
  diskPaths?: string[];
  registryPaths?: string[];
  softwareFirstSeenTimestamp?: ExportTimestamp | null;
  endOfSupportStatus?: string | null;
  endOfSupportDate?: string | null;
}

/** A line of a `SoftwareInventoryNonCpeExport` file: software without a CPE (get-assessment-non-cpe-software-inventory.md). */
export interface SoftwareInventoryNonCpeAssessment extends SoftwareOnDevice {
  rbacGroupId?: number | null;
  softwareLastSeenTimestamp?: ExportTimestamp | null;
}
