/**
 * alerts_v2 evidence (graph-security.md §4.5): a base `alertEvidence` and derived types told apart by
 * `@odata.type` (`#microsoft.graph.security.deviceEvidence`, …). Graph has "over 40" types and adds
 * more; an evidence of a type this file does not model is kept as it came (`GraphOtherEvidence`),
 * never rejected. Narrow with {@link GraphEvidenceKind} through `isEvidence(e, "deviceEvidence")`.
 */
import type { MdeDateTime, OpenEnum } from "../../mde/models/common.js";

/** `evidenceVerdict` (§4.5). */
export type GraphEvidenceVerdict = OpenEnum<"unknown" | "suspicious" | "malicious" | "noThreatsFound" | "unknownFutureValue">;
/** `evidenceRemediationStatus` (§4.5; the 2026 example also sends `active`, DOC-CONFLICT). */
export type GraphEvidenceRemediationStatus = OpenEnum<
  "none" | "remediated" | "prevented" | "blocked" | "notFound" | "active" | "unknownFutureValue"
>;
/** `evidenceRole` (§4.5). */
export type GraphEvidenceRole = OpenEnum<
  | "unknown"
  | "contextual"
  | "scanned"
  | "source"
  | "destination"
  | "created"
  | "added"
  | "compromised"
  | "edited"
  | "attacked"
  | "attacker"
  | "commandAndControl"
  | "loaded"
  | "suspicious"
  | "policyViolator"
  | "unknownFutureValue"
>;
/** `detectionStatus` of file and process evidence (§4.5). */
export type GraphDetectionStatus = OpenEnum<"detected" | "blocked" | "prevented" | "unknownFutureValue">;

/** `fileDetails` (§4.5; the property table misspells `sha256Ac` as `sha265Ac`). */
export interface GraphFileDetails {
  fileName?: string | null;
  filePath?: string | null;
  filePublisher?: string | null;
  fileSize?: number | null;
  issuer?: string | null;
  signer?: string | null;
  md5?: string | null;
  sha1?: string | null;
  sha256?: string | null;
  sha256Ac?: string | null;
}

/** `userAccount` (§4.5). */
export interface GraphUserAccount {
  accountName?: string | null;
  domainName?: string | null;
  userSid?: string | null;
  azureAdUserId?: string | null;
  userPrincipalName?: string | null;
  displayName?: string | null;
  activeDirectoryObjectGuid?: string | null;
  resourceAccessEvents?: unknown[];
  tenantId?: string | null;
}

/** Properties every evidence carries (`alertEvidence`). */
export interface GraphEvidenceBase {
  createdDateTime?: MdeDateTime | null;
  verdict?: GraphEvidenceVerdict | null;
  remediationStatus?: GraphEvidenceRemediationStatus | null;
  remediationStatusDetails?: string | null;
  roles?: GraphEvidenceRole[];
  /** Free text such as `"Main device"`, `"PrimaryDevice"`. */
  detailedRoles?: string[];
  tags?: string[];
}

/** `#microsoft.graph.security.deviceEvidence`: `mdeDeviceId` is the MDE machine id (40 hex). */
export interface GraphDeviceEvidence extends GraphEvidenceBase {
  "@odata.type": "#microsoft.graph.security.deviceEvidence";
  mdeDeviceId?: string | null;
  azureAdDeviceId?: string | null;
  deviceDnsName?: string | null;
  hostName?: string | null;
  ntDomain?: string | null;
  dnsDomain?: string | null;
  firstSeenDateTime?: MdeDateTime | null;
  osPlatform?: string | null;
  osBuild?: number | null;
  version?: string | null;
  rbacGroupId?: number | null;
  rbacGroupName?: string | null;
  healthStatus?: OpenEnum<
    "active" | "inactive" | "impairedCommunication" | "noSensorData" | "noSensorDataImpairedCommunication" | "unknown" | "unknownFutureValue"
  > | null;
  riskScore?: OpenEnum<"none" | "informational" | "low" | "medium" | "high" | "unknownFutureValue"> | null;
  onboardingStatus?: OpenEnum<"insufficientInfo" | "onboarded" | "canBeOnboarded" | "unsupported" | "unknown" | "unknownFutureValue"> | null;
  defenderAvStatus?: OpenEnum<
    "notReporting" | "disabled" | "notUpdated" | "updated" | "unknown" | "notSupported" | "unknownFutureValue"
  > | null;
  ipInterfaces?: string[];
  lastIpAddress?: string | null;
  lastExternalIpAddress?: string | null;
  loggedOnUsers?: Array<{ accountName?: string | null; domainName?: string | null }>;
  vmMetadata?: { vmId?: string | null; cloudProvider?: string | null; resourceId?: string | null; subscriptionId?: string | null } | null;
  resourceAccessEvents?: unknown[];
}

/** `#microsoft.graph.security.fileEvidence`. */
export interface GraphFileEvidence extends GraphEvidenceBase {
  "@odata.type": "#microsoft.graph.security.fileEvidence";
  fileDetails?: GraphFileDetails | null;
  detectionStatus?: GraphDetectionStatus | null;
  mdeDeviceId?: string | null;
}

/** `#microsoft.graph.security.processEvidence`. */
export interface GraphProcessEvidence extends GraphEvidenceBase {
  "@odata.type": "#microsoft.graph.security.processEvidence";
  processId?: number | null;
  parentProcessId?: number | null;
  processCommandLine?: string | null;
  processCreationDateTime?: MdeDateTime | null;
  parentProcessCreationDateTime?: MdeDateTime | null;
  imageFile?: GraphFileDetails | null;
  parentProcessImageFile?: GraphFileDetails | null;
  userAccount?: GraphUserAccount | null;
  detectionStatus?: GraphDetectionStatus | null;
  mdeDeviceId?: string | null;
}

/** `#microsoft.graph.security.userEvidence`. */
export interface GraphUserEvidence extends GraphEvidenceBase {
  "@odata.type": "#microsoft.graph.security.userEvidence";
  userAccount?: GraphUserAccount | null;
  stream?: unknown;
}

/** `#microsoft.graph.security.ipEvidence`. */
export interface GraphIpEvidence extends GraphEvidenceBase {
  "@odata.type": "#microsoft.graph.security.ipEvidence";
  /** IPv4 or IPv6. */
  ipAddress?: string | null;
  /** ISO 3166 two letters. */
  countryLetterCode?: string | null;
  stream?: unknown;
  location?: unknown;
}

/** `#microsoft.graph.security.urlEvidence`. */
export interface GraphUrlEvidence extends GraphEvidenceBase {
  "@odata.type": "#microsoft.graph.security.urlEvidence";
  url?: string | null;
}

/** `#microsoft.graph.security.registryKeyEvidence`. */
export interface GraphRegistryKeyEvidence extends GraphEvidenceBase {
  "@odata.type": "#microsoft.graph.security.registryKeyEvidence";
  registryKey?: string | null;
  registryHive?: string | null;
}

/** `#microsoft.graph.security.registryValueEvidence`. */
export interface GraphRegistryValueEvidence extends GraphEvidenceBase {
  "@odata.type": "#microsoft.graph.security.registryValueEvidence";
  registryKey?: string | null;
  registryHive?: string | null;
  registryValue?: string | null;
  registryValueName?: string | null;
  registryValueType?: string | null;
  mdeDeviceId?: string | null;
}

/** An evidence type the client does not model (analyzedMessageEvidence, mailboxEvidence, …), kept as sent. */
export interface GraphOtherEvidence extends GraphEvidenceBase {
  "@odata.type": string;
  [property: string]: unknown;
}

/** The evidence types the client models, by the last segment of `@odata.type`. */
export interface GraphEvidenceTypes {
  deviceEvidence: GraphDeviceEvidence;
  fileEvidence: GraphFileEvidence;
  processEvidence: GraphProcessEvidence;
  userEvidence: GraphUserEvidence;
  ipEvidence: GraphIpEvidence;
  urlEvidence: GraphUrlEvidence;
  registryKeyEvidence: GraphRegistryKeyEvidence;
  registryValueEvidence: GraphRegistryValueEvidence;
}

/** `deviceEvidence`, `fileEvidence`, …: the modelled evidence kinds. */
export type GraphEvidenceKind = keyof GraphEvidenceTypes;

/** One evidence of an alert: a modelled type or any other, discriminated by `@odata.type`. */
export type GraphAlertEvidence = GraphEvidenceTypes[GraphEvidenceKind] | GraphOtherEvidence;
