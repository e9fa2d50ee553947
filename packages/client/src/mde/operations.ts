/**
 * Every MDE operation the client can call: method, documented path template, application
 * permissions (any one suffices), whether a blind repeat is safe, and the rate budget it counts
 * against. Facts from mde-api.md §4 (permissions), §5 (operations) and §7 (limits).
 *
 * Resources read their request metadata from here, so the permission planner and the pipeline's
 * budgets always agree with what is actually sent.
 */
import type { HttpMethod } from "../pipeline/transport.js";

/** Rate limits of one budget (per app + tenant; mde-api.md §3.4). `undefined` = DOC-SILENT. */
export interface BudgetLimits {
  /** Used by Microsoft Graph's global per-app budget (graph-security.md §6). */
  readonly perSecond?: number;
  readonly perMinute?: number;
  readonly perHour?: number;
}

/** Documented rate budgets (mde-api.md §7). Families the docs leave silent have no numbers. */
export const BUDGETS = Object.freeze({
  alerts: { perMinute: 100, perHour: 1500 },
  "alerts-batch-update": { perMinute: 10, perHour: 500 },
  "alerts-create-by-reference": { perMinute: 15 },
  machines: { perMinute: 100, perHour: 1500 },
  "machine-vulnerabilities": { perMinute: 50, perHour: 1500 },
  "machine-actions": { perMinute: 100, perHour: 1500 },
  "package-uri": { perMinute: 2, perHour: 120 },
  "live-response": { perMinute: 10 },
  "live-response-result": { perMinute: 100, perHour: 1500 },
  hunting: { perMinute: 45, perHour: 1500 },
  indicators: { perMinute: 100, perHour: 1500 },
  "indicators-import": { perMinute: 30 },
  "indicators-batch-delete": { perMinute: 30, perHour: 1500 },
  investigations: { perMinute: 100, perHour: 1500 },
  "start-investigation": { perHour: 50 },
  files: { perMinute: 100, perHour: 1500 },
  domains: { perMinute: 100, perHour: 1500 },
  ips: { perMinute: 100, perHour: 1500 },
  users: { perMinute: 100, perHour: 1500 },
  tvm: {},
  "device-av-info": { perMinute: 30, perHour: 1000 },
  "info-gathering-export": { perMinute: 30, perHour: 1000 },
  "export-json": { perMinute: 30, perHour: 1000 },
  "export-files": { perMinute: 5, perHour: 20 },
  library: { perMinute: 100, perHour: 1500 },
} satisfies Record<string, BudgetLimits>);

/** Name of a rate budget. */
export type BudgetName = keyof typeof BUDGETS;

/** Metadata of one operation. */
export interface OperationSpec {
  readonly method: HttpMethod;
  /** Documented path template, e.g. `/api/machines/{id}/isolate`. */
  readonly path: string;
  /** Application permissions of which any one allows the call. */
  readonly permissions: readonly string[];
  /** Safe to repeat after a failure whose outcome is unknown. */
  readonly idempotent: boolean;
  readonly budget: BudgetName;
  /** The budget's documented limits (mde-api.md §7; empty where the docs are silent). */
  readonly limits: BudgetLimits;
  /** Source page (`MicrosoftDocs/defender-docs`, `defender-endpoint/api/…`). */
  readonly doc: string;
}

const ALERT_R = ["Alert.Read.All", "Alert.ReadWrite.All"] as const;
const ALERT_W = ["Alert.ReadWrite.All"] as const;
const MACHINE_R = ["Machine.Read.All", "Machine.ReadWrite.All"] as const;
const MACHINE_W = ["Machine.ReadWrite.All"] as const;
const TI = ["Ti.ReadWrite", "Ti.ReadWrite.All"] as const;
// cancel-machine-action.md: any one of the action permissions.
const ANY_ACTION = [
  "Machine.CollectForensics",
  "Machine.Isolate",
  "Machine.RestrictExecution",
  "Machine.Scan",
  "Machine.Offboard",
  "Machine.StopAndQuarantine",
  "Machine.LiveResponse",
] as const;

function op(
  method: HttpMethod,
  path: string,
  permissions: readonly string[],
  budget: BudgetName,
  doc: string,
  idempotent = method !== "POST",
): OperationSpec {
  return Object.freeze({ method, path, permissions: Object.freeze([...permissions]), idempotent, budget, limits: BUDGETS[budget], doc });
}

/** Every operation of the tenant client, by stable name. */
export const OPERATIONS = Object.freeze({
  // §5.1 Alerts
  ListAlerts: op("GET", "/api/alerts", ALERT_R, "alerts", "get-alerts.md"),
  GetAlert: op("GET", "/api/alerts/{id}", ALERT_R, "alerts", "get-alert-info-by-id.md"),
  UpdateAlert: op("PATCH", "/api/alerts/{id}", ALERT_W, "alerts", "update-alert.md"),
  BatchUpdateAlerts: op("POST", "/api/alerts/batchUpdate", ALERT_W, "alerts-batch-update", "batch-update-alerts.md"),
  CreateAlertByReference: op(
    "POST",
    "/api/alerts/CreateAlertByReference",
    ALERT_W,
    "alerts-create-by-reference",
    "create-alert-by-reference.md",
  ),
  // The domain page prints `URL.Read.All`; tokens carry `Url.Read.All` (mde-api.md §1.10, DOC-CONFLICT).
  ListAlertDomains: op("GET", "/api/alerts/{id}/domains", ["Url.Read.All"], "alerts", "get-alert-related-domain-info.md"),
  ListAlertFiles: op("GET", "/api/alerts/{id}/files", ["File.Read.All"], "alerts", "get-alert-related-files-info.md"),
  ListAlertIps: op("GET", "/api/alerts/{id}/ips", ["Ip.Read.All"], "alerts", "get-alert-related-ip-info.md"),
  GetAlertMachine: op("GET", "/api/alerts/{id}/machine", MACHINE_R, "alerts", "get-alert-related-machine-info.md"),
  GetAlertUser: op("GET", "/api/alerts/{id}/user", ["User.Read.All"], "alerts", "get-alert-related-user-info.md"),

  // §5.2 Machines
  ListMachines: op("GET", "/api/machines", MACHINE_R, "machines", "get-machines.md"),
  GetMachine: op("GET", "/api/machines/{id}", MACHINE_R, "machines", "get-machine-by-id.md"),
  ListMachineLogonUsers: op("GET", "/api/machines/{id}/logonusers", ["User.Read.All"], "machines", "get-machine-log-on-users.md"),
  ListMachineAlerts: op("GET", "/api/machines/{id}/alerts", ALERT_R, "machines", "get-machine-related-alerts.md"),
  CountMachineAlerts: op("GET", "/api/machines/{id}/alerts/$count", ALERT_R, "machines", "exposed-apis-odata-samples.md"),
  ListMachineSoftware: op("GET", "/api/machines/{machineId}/software", ["Software.Read.All"], "tvm", "get-installed-software.md"),
  ListMachineVulnerabilities: op(
    "GET",
    "/api/machines/{machineId}/vulnerabilities",
    ["Vulnerability.Read.All"],
    "machine-vulnerabilities",
    "get-discovered-vulnerabilities.md",
  ),
  ListMachineRecommendations: op(
    "GET",
    "/api/machines/{machineId}/recommendations",
    ["SecurityRecommendation.Read.All"],
    "tvm",
    "get-security-recommendations.md",
  ),
  ListMachineMissingKbs: op("GET", "/api/machines/{machineId}/getmissingkbs", ["Software.Read.All"], "tvm", "get-missing-kbs-machine.md"),
  // Adding or removing the same tag twice leaves the same state: safe to repeat.
  TagMachine: op("POST", "/api/machines/{id}/tags", MACHINE_W, "machines", "add-or-remove-machine-tags.md", true),
  TagMachines: op(
    "POST",
    "/api/machines/AddOrRemoveTagForMultipleMachines",
    MACHINE_W,
    "machines",
    "add-or-remove-multiple-machine-tags.md",
    true,
  ),
  FindMachinesByIp: op("GET", "/api/machines/findbyip(ip='{IP}',timestamp={TimeStamp})", MACHINE_R, "machines", "find-machines-by-ip.md"),
  FindMachinesByIpLegacy: op("GET", "/api/machines/find(timestamp={time},key={IP})", MACHINE_R, "machines", "find-machine-info-by-ip.md"),
  FindMachinesByTag: op("GET", "/api/machines/findbytag", MACHINE_R, "machines", "find-machines-by-tag.md"),
  SetDeviceValue: op("POST", "/api/machines/{machineId}/setDeviceValue", MACHINE_W, "machines", "set-device-value.md", true),
  UpdateMachine: op("PATCH", "/api/machines/{machineId}", MACHINE_W, "machines", "update-machine-method.md"),

  // §5.3 Machine actions
  ListMachineActions: op("GET", "/api/machineactions", MACHINE_R, "machine-actions", "get-machineactions-collection.md"),
  GetMachineAction: op("GET", "/api/machineactions/{id}", MACHINE_R, "machine-actions", "get-machineaction-object.md"),
  IsolateMachine: op("POST", "/api/machines/{id}/isolate", ["Machine.Isolate"], "machine-actions", "isolate-machine.md"),
  UnisolateMachine: op("POST", "/api/machines/{id}/unisolate", ["Machine.Isolate"], "machine-actions", "unisolate-machine.md"),
  RestrictCodeExecution: op(
    "POST",
    "/api/machines/{id}/restrictCodeExecution",
    ["Machine.RestrictExecution"],
    "machine-actions",
    "restrict-code-execution.md",
  ),
  UnrestrictCodeExecution: op(
    "POST",
    "/api/machines/{id}/unrestrictCodeExecution",
    ["Machine.RestrictExecution"],
    "machine-actions",
    "unrestrict-code-execution.md",
  ),
  RunAntiVirusScan: op("POST", "/api/machines/{id}/runAntiVirusScan", ["Machine.Scan"], "machine-actions", "run-av-scan.md"),
  CollectInvestigationPackage: op(
    "POST",
    "/api/machines/{id}/collectInvestigationPackage",
    ["Machine.CollectForensics"],
    "machine-actions",
    "collect-investigation-package.md",
  ),
  GetPackageUri: op("GET", "/api/machineactions/{actionId}/getPackageUri", MACHINE_R, "package-uri", "get-package-sas-uri.md"),
  // The page also lists Machine.Read.All/Machine.ReadWrite.All; a read permission that stops processes is
  // implausible, so only the action permission is required here (least privilege that surely works).
  StopAndQuarantineFile: op(
    "POST",
    "/api/machines/{id}/StopAndQuarantineFile",
    ["Machine.StopAndQuarantine"],
    "machine-actions",
    "stop-and-quarantine-file.md",
  ),
  OffboardMachine: op("POST", "/api/machines/{id}/offboard", ["Machine.Offboard"], "machine-actions", "offboard-machine-api.md"),
  RunLiveResponse: op(
    "POST",
    "/api/machines/{machine_id}/runliveresponse",
    ["Machine.LiveResponse"],
    "live-response",
    "run-live-response.md",
  ),
  // mde-api.md §5.3 lists the read permissions; the page's own table names Machine.LiveResponse: either allows it.
  GetLiveResponseResultLink: op(
    "GET",
    "/api/machineactions/{actionId}/GetLiveResponseResultDownloadLink(index={commandIndex})",
    [...MACHINE_R, "Machine.LiveResponse"],
    "live-response-result",
    "get-live-response-result.md",
  ),
  CancelMachineAction: op("POST", "/api/machineactions/{actionId}/cancel", ANY_ACTION, "machine-actions", "cancel-machine-action.md"),

  // §5.4 Advanced hunting (legacy; read-only, so safe to repeat)
  RunAdvancedQuery: op("POST", "/api/advancedqueries/run", ["AdvancedQuery.Read.All"], "hunting", "run-advanced-query-api.md", true),

  // §5.5 Indicators (submit/import are upserts keyed by value+type: safe to repeat)
  ListIndicators: op("GET", "/api/indicators", TI, "indicators", "get-ti-indicators-collection.md"),
  SubmitIndicator: op("POST", "/api/indicators", TI, "indicators", "post-ti-indicator.md", true),
  ImportIndicators: op("POST", "/api/indicators/import", TI, "indicators-import", "import-ti-indicators.md", true),
  DeleteIndicator: op("DELETE", "/api/indicators/{id}", TI, "indicators", "delete-ti-indicator-by-id.md"),
  BatchDeleteIndicators: op("POST", "/api/indicators/BatchDelete", TI, "indicators-batch-delete", "batch-delete-ti-indicators.md"),

  // §5.6 Investigations
  ListInvestigations: op("GET", "/api/investigations", ALERT_R, "investigations", "get-investigation-collection.md"),
  GetInvestigation: op("GET", "/api/investigations/{id}", ALERT_R, "investigations", "get-investigation-object.md"),
  StartInvestigation: op(
    "POST",
    "/api/machines/{id}/startInvestigation",
    ALERT_W,
    "start-investigation",
    "initiate-autoir-investigation.md",
  ),

  // §5.7 Files
  GetFile: op("GET", "/api/files/{id}", ["File.Read.All"], "files", "get-file-information.md"),
  ListFileAlerts: op("GET", "/api/files/{id}/alerts", ALERT_R, "files", "get-file-related-alerts.md"),
  ListFileMachines: op("GET", "/api/files/{id}/machines", MACHINE_R, "files", "get-file-related-machines.md"),
  GetFileStats: op("GET", "/api/files/{id}/stats", ["File.Read.All"], "files", "get-file-statistics.md"),

  // §5.8 Domains (related alerts: only Alert.ReadWrite.All is listed)
  ListDomainAlerts: op("GET", "/api/domains/{domain}/alerts", ALERT_W, "domains", "get-domain-related-alerts.md"),
  ListDomainMachines: op("GET", "/api/domains/{domain}/machines", MACHINE_R, "domains", "get-domain-related-machines.md"),
  GetDomainStats: op("GET", "/api/domains/{domain}/stats", ["Url.Read.All"], "domains", "get-domain-statistics.md"),

  // §5.9 IPs
  ListIpAlerts: op("GET", "/api/ips/{ip}/alerts", ALERT_R, "ips", "get-ip-related-alerts.md"),
  GetIpStats: op("GET", "/api/ips/{ip}/stats", ["Ip.Read.All"], "ips", "get-ip-statistics.md"),

  // §5.10 Users (related machines: only Machine.ReadWrite.All is listed)
  ListUserAlerts: op("GET", "/api/users/{id}/alerts", ALERT_R, "users", "get-user-related-alerts.md"),
  ListUserMachines: op("GET", "/api/users/{id}/machines", MACHINE_W, "users", "get-user-related-machines.md"),

  // §5.11 Software
  ListSoftware: op("GET", "/api/Software", ["Software.Read.All"], "tvm", "get-software.md"),
  GetSoftware: op("GET", "/api/Software/{Id}", ["Software.Read.All"], "tvm", "get-software-by-id.md"),
  ListSoftwareDistributions: op(
    "GET",
    "/api/Software/{Id}/distributions",
    ["Software.Read.All"],
    "tvm",
    "get-software-ver-distribution.md",
  ),
  ListSoftwareMachineReferences: op(
    "GET",
    "/api/Software/{Id}/machineReferences",
    ["Software.Read.All"],
    "tvm",
    "get-machines-by-software.md",
  ),
  ListSoftwareVulnerabilities: op(
    "GET",
    "/api/Software/{Id}/vulnerabilities",
    ["Vulnerability.Read.All"],
    "tvm",
    "get-vuln-by-software.md",
  ),
  ListSoftwareMissingKbs: op("GET", "/api/Software/{Id}/getmissingkbs", ["Software.Read.All"], "tvm", "get-missing-kbs-software.md"),

  // §5.12 Vulnerabilities
  ListVulnerabilities: op("GET", "/api/vulnerabilities", ["Vulnerability.Read.All"], "tvm", "get-all-vulnerabilities.md"),
  GetVulnerability: op("GET", "/api/vulnerabilities/{cveId}", ["Vulnerability.Read.All"], "tvm", "get-vulnerability-by-id.md"),
  ListVulnerabilityMachineReferences: op(
    "GET",
    "/api/vulnerabilities/{cveId}/machineReferences",
    ["Vulnerability.Read.All"],
    "tvm",
    "get-machines-by-vulnerability.md",
  ),
  ListMachinesVulnerabilities: op(
    "GET",
    "/api/vulnerabilities/machinesVulnerabilities",
    ["Vulnerability.Read.All"],
    "tvm",
    "get-all-vulnerabilities-by-machines.md",
  ),

  // §5.13 Recommendations
  ListRecommendations: op("GET", "/api/recommendations", ["SecurityRecommendation.Read.All"], "tvm", "get-all-recommendations.md"),
  GetRecommendation: op("GET", "/api/recommendations/{id}", ["SecurityRecommendation.Read.All"], "tvm", "get-recommendation-by-id.md"),
  GetRecommendationSoftware: op(
    "GET",
    "/api/recommendations/{id}/software",
    ["Software.Read.All"],
    "tvm",
    "list-recommendation-software.md",
  ),
  ListRecommendationMachineReferences: op(
    "GET",
    "/api/recommendations/{id}/machineReferences",
    ["SecurityRecommendation.Read.All"],
    "tvm",
    "get-recommendation-machines.md",
  ),
  ListRecommendationVulnerabilities: op(
    "GET",
    "/api/recommendations/{id}/vulnerabilities",
    ["Vulnerability.Read.All"],
    "tvm",
    "get-recommendation-vulnerabilities.md",
  ),

  // §5.14 Scores
  GetExposureScore: op("GET", "/api/exposureScore", ["Score.Read.All"], "tvm", "get-exposure-score.md"),
  GetConfigurationScore: op("GET", "/api/configurationScore", ["Score.Read.All"], "tvm", "get-device-secure-score.md"),
  ListExposureScoreByMachineGroups: op(
    "GET",
    "/api/exposureScore/ByMachineGroups",
    ["Score.Read.All"],
    "tvm",
    "get-machine-group-exposure-score.md",
  ),

  // §5.15 Remediation tasks
  ListRemediationTasks: op("GET", "/api/remediationTasks", ["RemediationTasks.Read.All"], "tvm", "get-remediation-all-activities.md"),
  GetRemediationTask: op("GET", "/api/remediationTasks/{id}", ["RemediationTasks.Read.All"], "tvm", "get-remediation-one-activity.md"),
  ListRemediationTaskMachineReferences: op(
    "GET",
    "/api/remediationTasks/{id}/machineReferences",
    ["RemediationTasks.Read.All"],
    "tvm",
    "get-remediation-exposed-devices-activities.md",
  ),

  // §5.16 Device AV health
  ListDeviceAvInfo: op(
    "GET",
    "/api/deviceavinfo",
    ["Machine.Read.All"],
    "device-av-info",
    "device-health-export-antivirus-health-report-api.md",
  ),
  ExportDeviceAvInfoFiles: op(
    "GET",
    "/api/machines/InfoGatheringExport",
    ["Vulnerability.Read.All"],
    "info-gathering-export",
    "device-health-export-antivirus-health-report-api.md",
  ),

  // §5.17 Export assessments
  ListSecureConfigurationsAssessment: op(
    "GET",
    "/api/machines/SecureConfigurationsAssessmentByMachine",
    ["Vulnerability.Read.All"],
    "export-json",
    "get-assessment-secure-config.md",
  ),
  ListSoftwareVulnerabilitiesAssessment: op(
    "GET",
    "/api/machines/SoftwareVulnerabilitiesByMachine",
    ["Vulnerability.Read.All"],
    "export-json",
    "get-assessment-software-vulnerabilities.md",
  ),
  ListSoftwareVulnerabilityChanges: op(
    "GET",
    "/api/machines/SoftwareVulnerabilityChangesByMachine",
    ["Vulnerability.Read.All"],
    "export-json",
    "get-assessment-software-vulnerabilities.md",
  ),
  ListSoftwareInventoryAssessment: op(
    "GET",
    "/api/machines/SoftwareInventoryByMachine",
    ["Software.Read.All"],
    "export-json",
    "get-assessment-software-inventory.md",
  ),
  ExportSecureConfigurationsAssessmentFiles: op(
    "GET",
    "/api/machines/SecureConfigurationsAssessmentExport",
    ["Vulnerability.Read.All"],
    "export-files",
    "get-assessment-secure-config.md",
  ),
  ExportSoftwareVulnerabilitiesFiles: op(
    "GET",
    "/api/machines/SoftwareVulnerabilitiesExport",
    ["Vulnerability.Read.All"],
    "export-files",
    "get-assessment-software-vulnerabilities.md",
  ),
  ExportSoftwareInventoryFiles: op(
    "GET",
    "/api/machines/SoftwareInventoryExport",
    ["Software.Read.All"],
    "export-files",
    "get-assessment-software-inventory.md",
  ),
  ExportSoftwareInventoryNonCpeFiles: op(
    "GET",
    "/api/machines/SoftwareInventoryNonCpeExport",
    ["Software.Read.All"],
    "export-files",
    "get-assessment-non-cpe-software-inventory.md",
  ),

  // §5.18 Live response library
  ListLibraryFiles: op("GET", "/api/libraryfiles", ["Library.Manage"], "library", "list-library-files.md"),
  UploadLibraryFile: op("POST", "/api/libraryfiles", ["Library.Manage"], "library", "upload-library.md"),
  DeleteLibraryFile: op("DELETE", "/api/libraryfiles/{fileName}", ["Library.Manage"], "library", "delete-library.md"),
} satisfies Record<string, OperationSpec>);

/** Name of a client operation. */
export type OperationName = keyof typeof OPERATIONS;

/** Looks an operation up; throws `TypeError` for an unknown name. */
export function getOperation(name: string): OperationSpec {
  const spec = (OPERATIONS as Record<string, OperationSpec>)[name];
  if (!spec) throw new TypeError(`unknown MDE operation ${JSON.stringify(name)}`);
  return spec;
}
