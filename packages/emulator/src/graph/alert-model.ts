import {
  CLASSIFICATION_TO_GRAPH,
  camel,
  DETECTION_SOURCE_TO_GRAPH,
  DETERMINATION_TO_GRAPH,
  evolvable,
  SEVERITY_TO_GRAPH,
  STATUS_TO_GRAPH,
} from "./enums.js";
import type { MdeEvidence } from "../data/alert-factory.js";
import { HOSTILE_STRINGS } from "../data/hostile.js";
import { convertEvidence, deviceEvidence, type MdeMachine } from "./evidence.js";

/** The MDE alert JSON the store keeps (mde-api.md §6.1), as far as the Graph view reads it. */
export interface MdeAlert {
  id: string;
  incidentId: number | null;
  assignedTo: string | null;
  severity: string;
  status: string;
  classification: string | null;
  determination: string | null;
  investigationState: string | null;
  detectionSource: string;
  detectorId: string | null;
  category: string;
  threatFamilyName: string | null;
  title: string;
  description: string;
  alertCreationTime: string;
  firstEventTime: string | null;
  lastEventTime: string | null;
  lastUpdateTime: string;
  resolvedTime: string | null;
  machineId: string | null;
  computerDnsName: string | null;
  rbacGroupName: string | null;
  aadTenantId: string;
  threatName: string | null;
  mitreTechniques: string[];
  relatedUser: { userName: string; domainName: string } | null;
  comments: Array<{ comment: string; createdBy: string | null; createdTime: string }>;
}

/** One stored alert row as the Graph handlers read it. */
export interface StoredAlert {
  json: string;
  evidence: string;
  machine?: MdeMachine | undefined;
}

export interface AlertViewOptions {
  /** `Prefer: include-unknown-enum-members` was sent. */
  includeUnknownEnums: boolean;
  /** Put `@odata.type` first (alerts_v2 list/get do; the alerts inside `$expand=alerts` do not, per the examples). */
  withType: boolean;
  /** A hostile tenant's alert (data/hostile.ts): its portal links are `javascript:` URLs. */
  hostile: boolean;
}

/** Defender portal links (graph-security.md §4.3; the 2026 incident link form). */
export const alertWebUrl = (id: string, tenantId: string, hostile = false) =>
  hostile ? HOSTILE_STRINGS.javascriptUrl : `https://security.microsoft.com/alerts/${encodeURIComponent(id)}?tid=${tenantId}`;
export const incidentWebUrl = (id: string, tenantId: string, hostile = false) =>
  hostile ? HOSTILE_STRINGS.javascriptUrl : `https://security.microsoft.com/incident2/${encodeURIComponent(id)}/overview?tid=${tenantId}`;

/**
 * Incidents the emulator treats as handled by Defender Experts: they carry the
 * `Defender Experts` system tag (examples/graph/get-alert-v2.response.json) and,
 * while open and untouched by the API, the evolvable incident status
 * `awaitingAction` (graph-security.md §5). Which incidents those are is the
 * emulator's own choice (every incident id divisible by 10).
 */
export const isDefenderExpertsIncident = (incidentId: number | null | undefined) => incidentId !== null && incidentId !== undefined && incidentId % 10 === 0;

/** Free-text next steps per MDE category (MDE alerts carry none; the Graph property is free text). */
function recommendedActions(category: string): string {
  const first =
    category === "Ransomware" || category === "Impact"
      ? "Isolate the device to stop the spread, then identify the process that changed the files."
      : category === "CredentialAccess"
        ? "Reset the passwords of the accounts used on the device and review their recent sign-ins."
        : "Review the device timeline for activity before and after the alert and record related artifacts (files, IPs, URLs).";
  return `${first}\nLook for the same artifacts on other devices.\nSubmit undetected files for deep analysis.`;
}

/**
 * One MDE alert as Graph's `microsoft.graph.security.alert` (graph-security.md
 * §4.3 and the mapping of §7.2, INFERRED where the reference says so). The id is
 * the MDE id (`da…_…`), and so is `providerAlertId`, as the MDE examples of the
 * alerts_v2 pages show; `incidentId` is the MDE number as a string. Key order
 * follows the documented examples.
 */
export function toGraphAlert(row: StoredAlert, options: AlertViewOptions): Record<string, unknown> {
  const a = JSON.parse(row.json) as MdeAlert;
  const tenantId = a.aadTenantId;
  const incidentId = a.incidentId === null ? null : String(a.incidentId);
  const evidenceItems = JSON.parse(row.evidence) as MdeEvidence[];
  const evidenceAlert = {
    alertCreationTime: a.alertCreationTime,
    machineId: a.machineId,
    computerDnsName: a.computerDnsName,
    rbacGroupName: a.rbacGroupName,
    classification: a.classification,
    relatedUser: a.relatedUser,
  };
  const evidence = [...(a.machineId ? [deviceEvidence(evidenceAlert, row.machine)] : []), ...convertEvidence(evidenceAlert, evidenceItems)];
  const detectionSource = DETECTION_SOURCE_TO_GRAPH[a.detectionSource] ?? "unknown";
  return {
    ...(options.withType ? { "@odata.type": "#microsoft.graph.security.alert" } : {}),
    id: a.id,
    providerAlertId: a.id,
    incidentId,
    status: STATUS_TO_GRAPH[a.status] ?? "unknown",
    severity: SEVERITY_TO_GRAPH[a.severity] ?? "unknown",
    classification: a.classification ? (CLASSIFICATION_TO_GRAPH[a.classification] ?? "unknown") : "unknown",
    determination: a.determination ? (DETERMINATION_TO_GRAPH[a.determination] ?? "unknown") : "unknown",
    serviceSource: evolvable("serviceSource", "microsoftDefenderForEndpoint", options.includeUnknownEnums),
    detectionSource: evolvable("detectionSource", detectionSource, options.includeUnknownEnums),
    productName: "Microsoft Defender for Endpoint",
    detectorId: a.detectorId,
    tenantId,
    title: a.title,
    description: a.description,
    recommendedActions: recommendedActions(a.category),
    category: a.category,
    // `categories` replaces the deprecated `category` (graph-security.md §1, May 2026).
    categories: [a.category],
    assignedTo: a.assignedTo,
    alertWebUrl: alertWebUrl(a.id, tenantId, options.hostile),
    incidentWebUrl: incidentId === null ? null : incidentWebUrl(incidentId, tenantId, options.hostile),
    actorDisplayName: null,
    threatDisplayName: a.threatName,
    threatFamilyName: a.threatFamilyName,
    mitreTechniques: a.mitreTechniques,
    createdDateTime: a.alertCreationTime,
    lastUpdateDateTime: a.lastUpdateTime,
    resolvedDateTime: a.resolvedTime,
    firstActivityDateTime: a.firstEventTime,
    lastActivityDateTime: a.lastEventTime,
    systemTags: isDefenderExpertsIncident(a.incidentId) ? ["Defender Experts"] : [],
    alertPolicyId: null,
    investigationState: a.investigationState ? camel(a.investigationState) : "unknown",
    comments: graphComments(a.comments),
    customDetails: {},
    evidence,
    additionalData: {},
  };
}

/** MDE comments `{comment, createdBy, createdTime}` → Graph alertComment (graph-security.md §7.2). */
export function graphComments(comments: MdeAlert["comments"] | undefined) {
  return (comments ?? []).map((c) => ({ comment: c.comment, createdByDisplayName: c.createdBy, createdDateTime: c.createdTime }));
}
