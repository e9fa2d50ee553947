/**
 * One alert model whichever API delivered it: a Microsoft Graph alerts_v2 alert
 * becomes the MDE API's alert shape (mde-api.md §6.1), so stores, consoles and
 * exports read one model. Microsoft documents no mapping between the two
 * (graph-security.md §7.2, DOC-SILENT); this is the inverse of the INFERRED
 * table there. What has no MDE counterpart stays in the Graph object.
 *
 * @example
 * for await (const alert of tenant.graph.alerts.list()) save(graphAlertToMde(alert));
 */
import { ALERT_CLASSIFICATIONS, ALERT_DETERMINATIONS, ALERT_SEVERITIES, ALERT_STATUSES } from "../mde/models/alert.js";
import type { GraphAlert } from "./models/alert.js";
import type { GraphIncident } from "./models/incident.js";

/** The Graph `serviceSource` of alerts created by Defender for Endpoint (graph-security.md §4.4). */
export const MDE_SERVICE_SOURCE = "microsoftDefenderForEndpoint";

/**
 * Graph value → MDE value: Graph spells each MDE enum value in camelCase
 * (`InProgress` → `inProgress`); `exceptions` adds Graph's own spellings and its
 * `unknown`.
 */
function fromGraph<E>(mdeValues: readonly string[], exceptions: Readonly<Record<string, E>>): Readonly<Record<string, string | E>> {
  const table: Record<string, string | E> = {};
  for (const value of mdeValues) table[`${value[0]!.toLowerCase()}${value.slice(1)}`] = value;
  return Object.freeze(Object.assign(table, exceptions));
}

/** Graph `unknown` severity is MDE `UnSpecified`. */
const SEVERITY = fromGraph(
  ALERT_SEVERITIES.filter((s) => s !== "UnSpecified"),
  { unknown: "UnSpecified" },
);

const STATUS = fromGraph<never>(ALERT_STATUSES, {});

/** Graph `unknown` classification is MDE `null` (§7.2). */
const CLASSIFICATION = fromGraph(ALERT_CLASSIFICATIONS, { unknown: null });

/**
 * Graph determination (either spelling of the DOC-CONFLICT in §4.4) → the MDE
 * name. Where the MDE pages themselves disagree (mde-api.md §6.1: CompromisedUser,
 * Clean vs NotMalicious, ConfirmedUserActivity vs ConfirmedActivity,
 * InsufficientData), the update-alert spelling is used, as on the wire.
 */
const DETERMINATION = fromGraph(ALERT_DETERMINATIONS, {
  unknown: null,
  compromisedAccount: "CompromisedUser",
  clean: "NotMalicious",
  notEnoughDataToValidate: "InsufficientData",
  confirmedUserActivity: "ConfirmedActivity",
});

/** Graph `detectionSource` → the MDE API's vocabulary (mde-api.md §6.1 examples); others keep Graph's value. */
const DETECTION_SOURCE: Readonly<Record<string, string>> = {
  microsoftDefenderForEndpoint: "WindowsDefenderAtp",
  antivirus: "WindowsDefenderAv",
  smartScreen: "WindowsDefenderSmartScreen",
  customTi: "CustomerTI",
  automatedInvestigation: "AutomatedInvestigation",
  microsoftThreatExperts: "MTP",
  customDetection: "CustomDetection",
};

const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

/** `fooBar` → `FooBar` (MDE's investigationState is PascalCase; Graph's is camelCase). */
const pascal = (v: string | null) => (v ? `${v[0]!.toUpperCase()}${v.slice(1)}` : null);

/**
 * The alert's MDE id: `providerAlertId` for alerts Defender for Endpoint
 * created (the id in the originating product, §4.3: equal to `id` in the 2021
 * examples, different in the 2026 one), else the Graph id. Keying the store by
 * it is what makes an alert synced from both APIs one row.
 */
export function mdeAlertId(alert: Pick<GraphAlert, "id" | "providerAlertId" | "serviceSource">): string {
  const provider = str(alert.providerAlertId);
  return alert.serviceSource === MDE_SERVICE_SOURCE && provider ? provider : alert.id;
}

type Evidence = Record<string, unknown> & { "@odata.type"?: string };

function evidenceOf(alert: GraphAlert, kind: string): Evidence[] {
  const list = Array.isArray(alert.evidence) ? (alert.evidence as unknown as Evidence[]) : [];
  return list.filter((e) => typeof e?.["@odata.type"] === "string" && e["@odata.type"].endsWith(`.${kind}`));
}

/**
 * The alerts_v2 alert in the MDE API's shape. Times are kept as Graph printed
 * them: `lastUpdateDateTime` is the same instant as MDE's `lastUpdateTime`
 * (§7.2), and the store compares instants (time keys), never text, so a
 * service that prints fewer fractional digits through Graph still orders and
 * de-duplicates correctly.
 */
export function graphAlertToMde(alert: GraphAlert) {
  const device = evidenceOf(alert, "deviceEvidence")[0];
  const user = evidenceOf(alert, "userEvidence")[0]?.userAccount as Record<string, unknown> | undefined;
  const severity = str(alert.severity);
  const status = str(alert.status);
  const classification = str(alert.classification);
  const determination = str(alert.determination);
  const detectionSource = str(alert.detectionSource);
  const incident = str(alert.incidentId);
  return {
    id: mdeAlertId(alert),
    incidentId: incident !== null && /^\d{1,15}$/.test(incident) ? Number(incident) : incident,
    investigationState: pascal(str(alert.investigationState)),
    assignedTo: str(alert.assignedTo),
    severity: severity === null ? null : (SEVERITY[severity] ?? severity),
    status: status === null ? null : (STATUS[status] ?? status),
    classification: classification === null ? null : classification in CLASSIFICATION ? CLASSIFICATION[classification]! : classification,
    determination: determination === null ? null : determination in DETERMINATION ? DETERMINATION[determination]! : determination,
    detectionSource: detectionSource === null ? null : (DETECTION_SOURCE[detectionSource] ?? detectionSource),
    detectorId: str(alert.detectorId),
    category: str(alert.category) ?? (Array.isArray(alert.categories) ? (str(alert.categories[0]) ?? null) : null),
    threatFamilyName: str(alert.threatFamilyName),
    threatName: str(alert.threatDisplayName),
    title: str(alert.title),
    description: str(alert.description),
    recommendedAction: str(alert.recommendedActions),
    alertCreationTime: str(alert.createdDateTime),
    firstEventTime: str(alert.firstActivityDateTime),
    lastEventTime: str(alert.lastActivityDateTime),
    lastUpdateTime: str(alert.lastUpdateDateTime),
    resolvedTime: str(alert.resolvedDateTime),
    machineId: str(device?.mdeDeviceId),
    computerDnsName: str(device?.deviceDnsName),
    rbacGroupName: str(device?.rbacGroupName),
    aadTenantId: str(alert.tenantId),
    mitreTechniques: Array.isArray(alert.mitreTechniques) ? [...alert.mitreTechniques] : [],
    relatedUser: user ? { userName: str(user.accountName), domainName: str(user.domainName) } : null,
    comments: (alert.comments ?? []).map((c) => ({
      comment: c.comment ?? null,
      createdBy: c.createdByDisplayName ?? null,
      createdTime: c.createdDateTime ?? null,
    })),
    // The MDE API's flat evidence needs `$expand=evidence`; Graph's typed evidence stays in the Graph object.
    evidence: [],
  };
}

/** A Graph alert as a store takes it: in the MDE shape, with its Graph id and the object as received. */
export function toGraphAlertInput(alert: GraphAlert): { alert: ReturnType<typeof graphAlertToMde>; graphId: string; original: GraphAlert } {
  return { alert: graphAlertToMde(alert), graphId: alert.id, original: alert };
}

/** A Graph incident (with or without `$expand=alerts`) as a store takes it: indexed fields, MDE alert ids, the rest as received. */
export function toIncidentInput(incident: GraphIncident, alertIds: readonly string[] = []) {
  const { alerts, ...payload } = incident as GraphIncident & { alerts?: GraphAlert[] };
  const expanded = Array.isArray(alerts) ? alerts.map(mdeAlertId) : [];
  return {
    id: incident.id,
    status: str(incident.status),
    severity: str(incident.severity),
    classification: str(incident.classification),
    determination: str(incident.determination),
    assignedTo: str(incident.assignedTo),
    displayName: str(incident.displayName),
    createdDateTime: str(incident.createdDateTime),
    lastUpdateDateTime: str(incident.lastUpdateDateTime),
    alertIds: [...new Set([...expanded, ...alertIds])],
    payload,
  };
}
