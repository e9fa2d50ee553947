import type { MdeDateTime, ODataEntity, OpenEnum } from "./common.js";

const SEVERITIES = Object.freeze(["UnSpecified", "Informational", "Low", "Medium", "High"] as const);
const STATUSES = Object.freeze(["Unknown", "New", "InProgress", "Resolved"] as const);
const CLASSIFICATIONS = Object.freeze(["TruePositive", "InformationalExpectedActivity", "FalsePositive"] as const);
const DETERMINATIONS = Object.freeze([
  "MultiStagedAttack",
  "MaliciousUserActivity",
  "CompromisedUser",
  "Malware",
  "Phishing",
  "UnwantedSoftware",
  "SecurityTesting",
  "LineOfBusinessApplication",
  "ConfirmedActivity",
  "ConfirmedUserActivity",
  "NotMalicious",
  "Clean",
  "InsufficientData",
  "Other",
  "Apt",
  "SecurityPersonnel",
] as const);
/** Determinations the service retired: still read, no longer set. */
const RETIRED_DETERMINATIONS: readonly string[] = ["Apt", "SecurityPersonnel"];

/** Alert severity (mde-api.md §6.1). */
export type AlertSeverity = OpenEnum<(typeof SEVERITIES)[number]>;
/** Alert status; PATCH accepts New, InProgress, Resolved (mde-api.md §6.1). */
export type AlertStatus = OpenEnum<(typeof STATUSES)[number]>;
/** Classification as sent on the wire (update-alert.md spelling; mde-api.md §6.1). */
export type AlertClassification = OpenEnum<(typeof CLASSIFICATIONS)[number]>;
/**
 * Determination. Both spellings of the DOC-CONFLICT pairs are listed
 * (ConfirmedUserActivity/ConfirmedActivity, Clean/NotMalicious; mde-api.md §6.1, §8.7).
 */
export type AlertDetermination = OpenEnum<(typeof DETERMINATIONS)[number]>;

/** Alert severities, lowest first (mde-api.md §6.1). @example ALERT_SEVERITIES.includes("High") // true */
export const ALERT_SEVERITIES: readonly string[] = SEVERITIES;
/** Alert statuses an alert may have (mde-api.md §6.1). */
export const ALERT_STATUSES: readonly string[] = STATUSES;
/** Statuses an alert update may set (mde-api.md §6.1). */
export const ALERT_UPDATE_STATUSES: readonly string[] = Object.freeze(STATUSES.filter((s) => s !== "Unknown"));
/** Alert classifications (update-alert.md spelling; mde-api.md §6.1). */
export const ALERT_CLASSIFICATIONS: readonly string[] = CLASSIFICATIONS;
/** Classifications an alert update may set (update-alert.md; mde-api.md §6.1). */
export const ALERT_UPDATE_CLASSIFICATIONS: readonly string[] = CLASSIFICATIONS;
/** Alert determinations, both spellings of the DOC-CONFLICT pairs and the retired Apt and SecurityPersonnel. */
export const ALERT_DETERMINATIONS: readonly string[] = DETERMINATIONS;
/**
 * Determinations an alert update may set: both spellings of the DOC-CONFLICT
 * pairs (ConfirmedUserActivity/ConfirmedActivity, Clean/NotMalicious;
 * mde-api.md §6.1, §8.7), without the retired Apt and SecurityPersonnel.
 */
export const ALERT_UPDATE_DETERMINATIONS: readonly string[] = Object.freeze(DETERMINATIONS.filter((d) => !RETIRED_DETERMINATIONS.includes(d)));

/** Automated investigation state (shared by alerts and investigations; mde-api.md §6.1, §6.5). */
export type InvestigationState = OpenEnum<
  | "Unknown"
  | "Terminated"
  | "SuccessfullyRemediated"
  | "Benign"
  | "Failed"
  | "PartiallyRemediated"
  | "Running"
  | "PendingApproval"
  | "PendingResource"
  | "PartiallyInvestigated"
  | "TerminatedByUser"
  | "TerminatedBySystem"
  | "Queued"
  | "InnerFailure"
  | "PreexistingAlert"
  | "UnsupportedOs"
  | "UnsupportedAlertType"
  | "SuppressedAlert"
>;
/** Alert category (create-alert-by-reference list; mde-api.md §5.1). */
export type AlertCategory = OpenEnum<
  | "General"
  | "CommandAndControl"
  | "Collection"
  | "CredentialAccess"
  | "DefenseEvasion"
  | "Discovery"
  | "Exfiltration"
  | "Exploit"
  | "Execution"
  | "InitialAccess"
  | "LateralMovement"
  | "Malware"
  | "Persistence"
  | "PrivilegeEscalation"
  | "Ransomware"
  | "SuspiciousActivity"
>;

/** A comment on an alert. JSON uses `createdTime` (the table's `createTime` is a doc slip; mde-api.md §6.1). */
export interface AlertComment {
  comment: string | null;
  createdBy: string | null;
  createdTime: MdeDateTime | null;
}

/** One evidence item (shape from examples; mde-api.md §6.1.1). Unused keys are present with `null`. */
export interface AlertEvidence {
  entityType: OpenEnum<"User" | "Process" | "File" | "Ip" | "Url" | "Registry">;
  evidenceCreationTime: MdeDateTime | null;
  sha1: string | null;
  sha256: string | null;
  fileName: string | null;
  filePath: string | null;
  processId: number | null;
  processCommandLine: string | null;
  processCreationTime: MdeDateTime | null;
  parentProcessId: number | null;
  parentProcessCreationTime: MdeDateTime | null;
  parentProcessFileName: string | null;
  parentProcessFilePath: string | null;
  ipAddress: string | null;
  url: string | null;
  registryKey: string | null;
  registryHive: string | null;
  registryValueType: string | null;
  registryValue: string | null;
  accountName: string | null;
  domainName: string | null;
  userSid: string | null;
  aadUserId: string | null;
  userPrincipalName: string | null;
  detectionStatus: OpenEnum<"Detected" | "Blocked" | "Prevented"> | null;
}

/** The user an alert relates to: an object in every example although alerts.md types it String (DOC-CONFLICT, §8.8). */
export interface AlertRelatedUser {
  userName: string | null;
  domainName: string | null;
}

/** An MDE alert (mde-api.md §6.1). */
export interface Alert extends ODataEntity {
  id: string;
  incidentId: number | null;
  investigationId: number | null;
  assignedTo: string | null;
  severity: AlertSeverity;
  status: AlertStatus;
  classification: AlertClassification | null;
  determination: AlertDetermination | null;
  investigationState: InvestigationState | null;
  detectionSource: OpenEnum<"WindowsDefenderAtp" | "WindowsDefenderAv" | "CustomerTI" | "CustomDetection"> | null;
  detectorId?: string | null;
  category: AlertCategory | null;
  threatFamilyName: string | null;
  title: string | null;
  description: string | null;
  alertCreationTime: MdeDateTime | null;
  firstEventTime: MdeDateTime | null;
  lastEventTime: MdeDateTime | null;
  lastUpdateTime: MdeDateTime | null;
  resolvedTime: MdeDateTime | null;
  machineId: string | null;
  computerDnsName: string | null;
  rbacGroupName: string | null;
  aadTenantId: string | null;
  threatName: string | null;
  /** Array in every example although alerts.md types it String (DOC-CONFLICT, §8.8). */
  mitreTechniques: string[] | null;
  relatedUser: AlertRelatedUser | null;
  comments: AlertComment[];
  /** Populated only by `get` or `list({ expand: ["evidence"] })`; `[]` otherwise. */
  evidence: AlertEvidence[];
}

/** Body of `PATCH /api/alerts/{id}` — camelCase on the wire (mde-api.md §3.2). */
export interface AlertUpdate {
  status?: "New" | "InProgress" | "Resolved" | (string & {});
  assignedTo?: string;
  classification?: AlertClassification;
  determination?: AlertDetermination;
  /** Adds a comment; may be sent alone. */
  comment?: string;
}

/** Body of `POST /api/alerts/batchUpdate`. */
export interface AlertBatchUpdate extends AlertUpdate {
  alertIds: string[];
}

/** Body of `POST /api/alerts/CreateAlertByReference`; all fields required (mde-api.md §5.1). */
export interface AlertCreateByReference {
  /** Event time exactly as advanced hunting returned it (keep all 7 fractional digits). */
  eventTime: MdeDateTime;
  reportId: string;
  machineId: string;
  severity: OpenEnum<"Low" | "Medium" | "High">;
  title: string;
  description: string;
  recommendedAction: string;
  category: AlertCategory;
}

/** Domain related to an alert (`{host}`). */
export interface AlertDomain {
  host: string;
}

/** IP related to an alert (`{id: "<ip>"}`). */
export interface AlertIp {
  id: string;
}
