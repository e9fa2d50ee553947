/**
 * Microsoft Graph `microsoft.graph.security.alert` (alerts_v2; graph-security.md §4.3, §4.4).
 * Enums are camelCase on the wire and open: Graph adds members after `unknownFutureValue`
 * ("evolvable enums"), which the client asks for with `Prefer: include-unknown-enum-members`.
 */
import type { MdeDateTime, OpenEnum } from "../../mde/models/common.js";
import type { GraphAlertEvidence } from "./evidence.js";

/** `alertStatus` (§4.4). */
export type GraphAlertStatus = OpenEnum<"unknown" | "new" | "inProgress" | "resolved" | "unknownFutureValue">;
/** `alertSeverity` (§4.4). */
export type GraphAlertSeverity = OpenEnum<"unknown" | "informational" | "low" | "medium" | "high" | "unknownFutureValue">;
/** `alertClassification` (§4.4). */
export type GraphAlertClassification = OpenEnum<
  "unknown" | "falsePositive" | "truePositive" | "informationalExpectedActivity" | "unknownFutureValue"
>;
/**
 * `alertDetermination`. DOC-CONFLICT between the property text and the enum table (§4.4): both
 * spellings are listed; send the enum-table names (`compromisedAccount`, `notMalicious`,
 * `notEnoughDataToValidate`, `confirmedActivity`).
 */
export type GraphAlertDetermination = OpenEnum<
  | "unknown"
  | "apt"
  | "malware"
  | "securityPersonnel"
  | "securityTesting"
  | "unwantedSoftware"
  | "other"
  | "multiStagedAttack"
  | "compromisedAccount"
  | "compromisedUser"
  | "phishing"
  | "maliciousUserActivity"
  | "notMalicious"
  | "clean"
  | "notEnoughDataToValidate"
  | "insufficientData"
  | "confirmedActivity"
  | "confirmedUserActivity"
  | "lineOfBusinessApplication"
  | "unknownFutureValue"
>;
/** `serviceSource`: the product that created the alert; MDE is `microsoftDefenderForEndpoint` (§4.4). */
export type GraphServiceSource = OpenEnum<
  | "unknown"
  | "microsoftDefenderForEndpoint"
  | "microsoftDefenderForIdentity"
  | "microsoftDefenderForCloudApps"
  | "microsoftDefenderForOffice365"
  | "microsoft365Defender"
  | "azureAdIdentityProtection"
  | "microsoftAppGovernance"
  | "dataLossPrevention"
  | "unknownFutureValue"
  | "microsoftDefenderForCloud"
  | "microsoftSentinel"
  | "microsoftThreatIntelligence"
  | "microsoftSecurityForAI"
  | "microsoftInsiderRiskManagement"
>;
/** `detectionSource`: the sensor or technology (§4.4; not filterable). */
export type GraphDetectionSource = OpenEnum<
  | "unknown"
  | "microsoftDefenderForEndpoint"
  | "antivirus"
  | "smartScreen"
  | "customTi"
  | "microsoftDefenderForOffice365"
  | "automatedInvestigation"
  | "microsoftThreatExperts"
  | "customDetection"
  | "microsoftDefenderForIdentity"
  | "cloudAppSecurity"
  | "microsoft365Defender"
  | "azureAdIdentityProtection"
  | "manual"
  | "microsoftDataLossPrevention"
  | "appGovernancePolicy"
  | "appGovernanceDetection"
  | "unknownFutureValue"
  | "microsoftDefenderForCloud"
  | "microsoftDefenderForIoT"
  | "microsoftDefenderForServers"
  | "microsoftDefenderForStorage"
  | "microsoftDefenderForDNS"
  | "microsoftDefenderForDatabases"
  | "microsoftDefenderForContainers"
  | "microsoftDefenderForNetwork"
  | "microsoftDefenderForAppService"
  | "microsoftDefenderForKeyVault"
  | "microsoftDefenderForResourceManager"
  | "microsoftDefenderForApiManagement"
  | "microsoftSentinel"
  | "nrtAlerts"
  | "scheduledAlerts"
  | "microsoftDefenderThreatIntelligenceAnalytics"
  | "builtInMl"
>;

/** `alertComment` (§4.3). */
export interface GraphAlertComment {
  comment: string | null;
  createdByDisplayName?: string | null;
  createdDateTime?: MdeDateTime | null;
}

/** The answer of `POST …/comments`: every comment of the alert (or incident), not only the new one (§4.1). */
export interface GraphCommentsResponse {
  readonly "@odata.context"?: string;
  readonly value: GraphAlertComment[];
}

/** An alerts_v2 alert (§4.3). Properties newer pages add (`categories`, `investigationState`, …) are optional. */
export interface GraphAlert {
  readonly "@odata.type"?: string;
  readonly "@odata.context"?: string;
  id: string;
  providerAlertId?: string | null;
  incidentId?: string | null;
  status: GraphAlertStatus;
  severity: GraphAlertSeverity;
  classification?: GraphAlertClassification | null;
  determination?: GraphAlertDetermination | null;
  serviceSource: GraphServiceSource;
  detectionSource?: GraphDetectionSource | null;
  productName?: string | null;
  detectorId?: string | null;
  tenantId?: string | null;
  title?: string | null;
  description?: string | null;
  recommendedActions?: string | null;
  /** @deprecated since May 2026; read `categories`. */
  category?: string | null;
  categories?: string[];
  assignedTo?: string | null;
  alertWebUrl?: string | null;
  incidentWebUrl?: string | null;
  actorDisplayName?: string | null;
  threatDisplayName?: string | null;
  threatFamilyName?: string | null;
  mitreTechniques?: string[];
  createdDateTime?: MdeDateTime | null;
  lastUpdateDateTime?: MdeDateTime | null;
  resolvedDateTime?: MdeDateTime | null;
  firstActivityDateTime?: MdeDateTime | null;
  lastActivityDateTime?: MdeDateTime | null;
  comments?: GraphAlertComment[];
  /** Inline in list and get answers; typed by `@odata.type` (see `isEvidence`). */
  evidence?: GraphAlertEvidence[];
  systemTags?: string[];
  alertPolicyId?: string | null;
  additionalData?: Record<string, unknown> | null;
  investigationState?: OpenEnum<"unknown" | "unsupportedAlertType"> | null;
  customDetails?: Record<string, unknown> | null;
}

/** Body of `PATCH /security/alerts_v2/{id}` (§4.1: only these four). */
export interface GraphAlertUpdate {
  status?: GraphAlertStatus;
  classification?: GraphAlertClassification;
  determination?: GraphAlertDetermination;
  assignedTo?: string | null;
}
