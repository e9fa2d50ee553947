/**
 * Capabilities: what the product does (`alerts:read`, `machines:isolate`, `hunting:run`, `sync`, …),
 * each as the exact list of operations its feature calls. Permissions are never listed here: each
 * operation's registry entry (`OPERATIONS`, `GRAPH_OPERATIONS`) names the permission it needs on its
 * own resource, so the planner, `app permissions|manifest|az`, consent links, `tenants verify` and
 * the console's drift all derive from one table and cannot disagree with what a command calls.
 *
 * When a command starts calling another operation, add it to its capability here: the CLI's
 * permission test (packages/cli/test/cli-permissions.test.ts) fails otherwise.
 */
import type { GraphOperationName } from "../graph/operations.js";
import type { OperationName } from "../mde/operations.js";

/** Any operation of either API. */
export type AnyOperationName = OperationName | GraphOperationName;

const ops = (...names: AnyOperationName[]) => Object.freeze(names);

/**
 * What a response action calls besides the action itself (sync engine `response-actions.ts`, CLI
 * `machines <action>`): each machine is looked up before any is acted on, an open action of the
 * same type is looked for when MDE answers 400 "already running", and `--wait` follows the action.
 */
const RESPONSE_ACTION_READS = ["GetMachine", "ListMachineActions", "GetMachineAction"] as const;
const action = (...names: AnyOperationName[]) => ops(...names, ...RESPONSE_ACTION_READS);

/** Capability keys: named groups of the operations a product feature calls, for planning by intent. */
export const CAPABILITIES = Object.freeze({
  // `alerts list`, `alerts get`, the console's alert pages.
  "alerts:read": ops("ListAlerts", "GetAlert"),
  // `alerts update` looks the alert up before it records anything in the audit log.
  "alerts:write": ops("GetAlert", "UpdateAlert", "BatchUpdateAlerts", "CreateAlertByReference"),
  // `machines list`, `machines get`.
  "machines:read": ops("ListMachines", "GetMachine", "FindMachinesByIp", "FindMachinesByIpLegacy", "FindMachinesByTag"),
  "machines:write": ops("UpdateMachine", "SetDeviceValue", "TagMachine", "TagMachines"),
  "machines:tag": ops("TagMachine", "TagMachines"),
  // `machines isolate|unisolate|restrict|unrestrict|scan|collect`, the console's response actions.
  "machines:isolate": action("IsolateMachine", "UnisolateMachine"),
  "machines:restrict": action("RestrictCodeExecution", "UnrestrictCodeExecution"),
  "machines:scan": action("RunAntiVirusScan"),
  "machines:collect": action("CollectInvestigationPackage"),
  "machines:quarantine": action("StopAndQuarantineFile"),
  "machines:offboard": action("OffboardMachine"),
  // A session is only useful with its results: the result link (Machine.LiveResponse allows it too).
  "machines:live-response": action("RunLiveResponse", "GetLiveResponseResultLink"),
  "machines:cancel": ops("CancelMachineAction"),
  "machine-actions:read": ops("ListMachineActions", "GetMachineAction", "GetPackageUri", "GetLiveResponseResultLink"),
  // `hunt`: Microsoft Graph runHuntingQuery by default (the legacy MDE endpoint stops returning data on 2027-02-01).
  "hunting:run": ops("RunHuntingQuery"),
  // `hunt --legacy`: the MDE advanced-queries endpoint.
  "hunting:legacy": ops("RunAdvancedQuery"),
  // `sync` of a tenant whose alert source is the MDE API (the default): alerts, then every machine.
  sync: ops("ListAlerts", "ListMachines"),
  // `sync` of a tenant whose alert source is Microsoft Graph: alerts_v2 and incidents, then machines
  // from the MDE API (Graph has no device inventory).
  "sync:graph": ops("ListAlertsV2", "ListIncidents", "ListMachines"),
  // `indicators list|add|remove`.
  "indicators:read": ops("ListIndicators"),
  "indicators:write": ops("SubmitIndicator", "ImportIndicators", "DeleteIndicator", "BatchDeleteIndicators"),
  "investigations:read": ops("ListInvestigations", "GetInvestigation"),
  "investigations:start": ops("StartInvestigation"),
  "files:read": ops("GetFile", "GetFileStats", "ListAlertFiles"),
  "domains:read": ops("GetDomainStats", "ListAlertDomains"),
  "ips:read": ops("GetIpStats", "ListAlertIps"),
  "users:read": ops("GetAlertUser", "ListMachineLogonUsers"),
  // `lookup file|ip|domain|user` and the console's entity pages: each entity, its org statistics,
  // its related alerts and machines (domain alerts need Alert.ReadWrite.All and user machines
  // Machine.ReadWrite.All: those pages list only the write permission).
  lookup: ops(
    "GetFile",
    "GetFileStats",
    "ListFileAlerts",
    "ListFileMachines",
    "GetIpStats",
    "ListIpAlerts",
    "GetDomainStats",
    "ListDomainAlerts",
    "ListDomainMachines",
    "ListUserAlerts",
    "ListUserMachines",
  ),
  "software:read": ops(
    "ListSoftware",
    "GetSoftware",
    "ListSoftwareDistributions",
    "ListSoftwareMachineReferences",
    "ListSoftwareMissingKbs",
    "ListMachineSoftware",
    "ListMachineMissingKbs",
    "GetRecommendationSoftware",
  ),
  "vulnerabilities:read": ops(
    "ListVulnerabilities",
    "GetVulnerability",
    "ListVulnerabilityMachineReferences",
    "ListMachinesVulnerabilities",
    "ListMachineVulnerabilities",
    "ListSoftwareVulnerabilities",
    "ListRecommendationVulnerabilities",
  ),
  "recommendations:read": ops("ListRecommendations", "GetRecommendation", "ListRecommendationMachineReferences", "ListMachineRecommendations"),
  "scores:read": ops("GetExposureScore", "GetConfigurationScore", "ListExposureScoreByMachineGroups"),
  "remediation:read": ops("ListRemediationTasks", "GetRemediationTask", "ListRemediationTaskMachineReferences"),
  "exports:read": ops(
    "ListSecureConfigurationsAssessment",
    "ListSoftwareVulnerabilitiesAssessment",
    "ListSoftwareVulnerabilityChanges",
    "ListSoftwareInventoryAssessment",
    "ExportSecureConfigurationsAssessmentFiles",
    "ExportSoftwareVulnerabilitiesFiles",
    "ExportSoftwareInventoryFiles",
    "ExportSoftwareInventoryNonCpeFiles",
  ),
  "av-health:read": ops("ListDeviceAvInfo", "ExportDeviceAvInfoFiles"),
  "library:manage": ops("ListLibraryFiles", "UploadLibraryFile", "DeleteLibraryFile"),
  // Microsoft Graph security API by name (graph-security.md §2-§5).
  "graph:hunting": ops("RunHuntingQuery"),
  "graph:alerts:read": ops("ListAlertsV2", "GetAlertV2"),
  "graph:alerts:write": ops("UpdateAlertV2", "CreateAlertV2Comment"),
  "graph:incidents:read": ops("ListIncidents", "GetIncident"),
  "graph:incidents:write": ops("UpdateIncident", "CreateIncidentComment"),
  "graph:detection-rules:read": ops("ListDetectionRules", "GetDetectionRule"),
  "graph:detection-rules:write": ops("CreateDetectionRule", "UpdateDetectionRule", "DeleteDetectionRule"),
  // `baseline plan|drift`: reads what each tenant has (indicators, detection rules, machines and their tags).
  "baselines:read": ops("ListIndicators", "ListDetectionRules", "ListMachines"),
  // `baseline apply`: imports and deletes indicators, writes detection rules, tags machines.
  "baselines:apply": ops(
    "ListIndicators",
    "ImportIndicators",
    "BatchDeleteIndicators",
    "DeleteIndicator",
    "ListDetectionRules",
    "CreateDetectionRule",
    "UpdateDetectionRule",
    "DeleteDetectionRule",
    "ListMachines",
    "TagMachines",
  ),
} satisfies Record<string, readonly AnyOperationName[]>);

/** A capability key of the table (`tvm:read` is a group of them). */
export type CapabilityName = keyof typeof CAPABILITIES;

/** A capability key (`alerts:read`, `machines:isolate`, `sync`, `tvm:read`, …). */
export type CapabilityKey = CapabilityName | "tvm:read";

/** The capabilities `tvm:read` stands for. */
export const TVM_CAPABILITIES: readonly CapabilityName[] = Object.freeze([
  "software:read",
  "vulnerabilities:read",
  "recommendations:read",
  "scores:read",
  "remediation:read",
]);

/** True for a capability key (including `tvm:read`). */
export function isCapabilityKey(key: string): key is CapabilityKey {
  return key === "tvm:read" || Object.hasOwn(CAPABILITIES, key);
}

/**
 * The capability a tenant actually exercises for `key`: `sync` reads alerts from the tenant's
 * configured alert source, so for a tenant synced from Microsoft Graph it is `sync:graph`.
 *
 * @example
 * capabilityForAlertSource("sync", "graph"); // "sync:graph"
 * capabilityForAlertSource("alerts:read", "graph"); // "alerts:read"
 */
export function capabilityForAlertSource<T extends string>(key: T, alertSource: "mde" | "graph" | undefined): T | "sync:graph" {
  return key === "sync" && alertSource === "graph" ? "sync:graph" : key;
}
