import type { RateLimits } from "../core/rate-limit.js";
import { operation, type OperationSpec } from "./operation-context.js";

const ALERT_READ = ["Alert.Read.All", "Alert.ReadWrite.All"] as const;
const MACHINE_READ = ["Machine.Read.All", "Machine.ReadWrite.All"] as const;
const HUNDRED: RateLimits = { perMinute: 100, perHour: 1500 };
const EXPORT_JSON: RateLimits = { perMinute: 30, perHour: 1000 };
const EXPORT_FILES: RateLimits = { perMinute: 5, perHour: 20 };
/** Software, vulnerability, recommendation, score and remediation limits are DOC-SILENT (mde-api.md §7): none enforced. */
const UNLIMITED: RateLimits = {};

const op = (method: OperationSpec["method"], path: string, name: string, roles: readonly string[], limits: RateLimits = HUNDRED) =>
  operation(method, path, name, roles, undefined, limits);

/**
 * The rest of mde-api.md §5 (§5.4, §5.6–§5.18 and the TVM sub-resources of
 * machines). Advanced hunting is dispatched to the hunting module; every other
 * operation here authorizes and then answers 501 naming itself.
 */
export const otherOperations: OperationSpec[] = [
  // §5.4 Advanced hunting: the hunting module authorizes and answers.
  { method: "POST", path: "advancedqueries/run", name: "RunAdvancedQuery", roles: ["AdvancedQuery.Read.All"], external: true },
  { method: "GET", path: "advancedqueries", name: "RunAdvancedQuery", roles: ["AdvancedQuery.Read.All"], external: true },
  // §5.2 TVM views of one machine.
  op("GET", "machines/{id}/software", "GetInstalledSoftware", ["Software.Read.All"], UNLIMITED),
  op("GET", "machines/{id}/vulnerabilities", "GetDiscoveredVulnerabilities", ["Vulnerability.Read.All"], { perMinute: 50, perHour: 1500 }),
  op("GET", "machines/{id}/recommendations", "GetSecurityRecommendations", ["SecurityRecommendation.Read.All"], UNLIMITED),
  op("GET", "machines/{id}/getmissingkbs", "GetMissingKbsByMachine", ["Software.Read.All"], UNLIMITED),
  // §5.6 Automated investigations.
  op("GET", "investigations", "ListInvestigations", ALERT_READ),
  op("GET", "investigations/{id}", "GetInvestigation", ALERT_READ),
  op("POST", "machines/{id}/startInvestigation", "StartInvestigation", ["Alert.ReadWrite.All"], { perHour: 50 }),
  // §5.7 Files.
  op("GET", "files/{id}", "GetFile", ["File.Read.All"]),
  op("GET", "files/{id}/alerts", "GetFileRelatedAlerts", ALERT_READ),
  op("GET", "files/{id}/machines", "GetFileRelatedMachines", MACHINE_READ),
  op("GET", "files/{id}/stats", "GetFileStatistics", ["File.Read.All"]),
  // §5.8 Domains.
  op("GET", "domains/{domain}/alerts", "GetDomainRelatedAlerts", ["Alert.ReadWrite.All"]),
  op("GET", "domains/{domain}/machines", "GetDomainRelatedMachines", MACHINE_READ),
  op("GET", "domains/{domain}/stats", "GetDomainStatistics", ["URL.Read.All"]),
  // §5.9 IPs.
  op("GET", "ips/{ip}/alerts", "GetIpRelatedAlerts", ALERT_READ),
  op("GET", "ips/{ip}/stats", "GetIpStatistics", ["Ip.Read.All"]),
  // §5.10 Users.
  op("GET", "users/{id}/alerts", "GetUserRelatedAlerts", ALERT_READ),
  op("GET", "users/{id}/machines", "GetUserRelatedMachines", ["Machine.ReadWrite.All"]),
  // §5.11 Software.
  op("GET", "Software", "ListSoftware", ["Software.Read.All"], UNLIMITED),
  op("GET", "Software/{id}", "GetSoftware", ["Software.Read.All"], UNLIMITED),
  op("GET", "Software/{id}/distributions", "GetSoftwareVersionDistribution", ["Software.Read.All"], UNLIMITED),
  op("GET", "Software/{id}/machineReferences", "GetMachinesBySoftware", ["Software.Read.All"], UNLIMITED),
  op("GET", "Software/{id}/vulnerabilities", "GetVulnerabilitiesBySoftware", ["Vulnerability.Read.All"], UNLIMITED),
  op("GET", "Software/{id}/getmissingkbs", "GetMissingKbsBySoftware", ["Software.Read.All"], UNLIMITED),
  // §5.12 Vulnerabilities.
  op("GET", "vulnerabilities", "ListVulnerabilities", ["Vulnerability.Read.All"], UNLIMITED),
  op("GET", "vulnerabilities/machinesVulnerabilities", "ListVulnerabilitiesByMachineAndSoftware", ["Vulnerability.Read.All"], UNLIMITED),
  op("GET", "vulnerabilities/{id}", "GetVulnerability", ["Vulnerability.Read.All"], UNLIMITED),
  op("GET", "vulnerabilities/{id}/machineReferences", "GetMachinesByVulnerability", ["Vulnerability.Read.All"], UNLIMITED),
  // §5.13 Security recommendations.
  op("GET", "recommendations", "ListRecommendations", ["SecurityRecommendation.Read.All"], UNLIMITED),
  op("GET", "recommendations/{id}", "GetRecommendation", ["SecurityRecommendation.Read.All"], UNLIMITED),
  op("GET", "recommendations/{id}/software", "GetRecommendationSoftware", ["Software.Read.All"], UNLIMITED),
  op("GET", "recommendations/{id}/machineReferences", "GetRecommendationMachines", ["SecurityRecommendation.Read.All"], UNLIMITED),
  op("GET", "recommendations/{id}/vulnerabilities", "GetRecommendationVulnerabilities", ["Vulnerability.Read.All"], UNLIMITED),
  // §5.14 Scores.
  op("GET", "exposureScore", "GetExposureScore", ["Score.Read.All"], UNLIMITED),
  op("GET", "exposureScore/ByMachineGroups", "GetExposureScoreByMachineGroups", ["Score.Read.All"], UNLIMITED),
  op("GET", "configurationScore", "GetDeviceSecureScore", ["Score.Read.All"], UNLIMITED),
  // §5.15 Remediation activities.
  op("GET", "remediationTasks", "ListRemediationTasks", ["RemediationTasks.Read.All"], UNLIMITED),
  op("GET", "remediationTasks/{id}", "GetRemediationTask", ["RemediationTasks.Read.All"], UNLIMITED),
  op("GET", "remediationTasks/{id}/machineReferences", "GetRemediationTaskMachines", ["RemediationTasks.Read.All"], UNLIMITED),
  // §5.16 Device antivirus health (the release notes' /api/public/avdeviceshealth name is DOC-CONFLICT §8.15).
  op("GET", "deviceavinfo", "GetDeviceAvInfo", ["Machine.Read.All"], EXPORT_JSON),
  op("GET", "public/avdeviceshealth", "GetDeviceAvInfo", ["Machine.Read.All"], EXPORT_JSON),
  op("GET", "machines/InfoGatheringExport", "ExportInfoGathering", ["Vulnerability.Read.All"], EXPORT_JSON),
  // §5.17 Export assessments.
  op("GET", "machines/SecureConfigurationsAssessmentByMachine", "ExportSecureConfigurationsAssessment", ["Vulnerability.Read.All"], EXPORT_JSON),
  op("GET", "machines/SoftwareVulnerabilitiesByMachine", "ExportSoftwareVulnerabilities", ["Vulnerability.Read.All"], EXPORT_JSON),
  op("GET", "machines/SoftwareInventoryByMachine", "ExportSoftwareInventory", ["Software.Read.All"], EXPORT_JSON),
  op("GET", "machines/SoftwareVulnerabilityChangesByMachine", "ExportSoftwareVulnerabilityChanges", ["Vulnerability.Read.All"], EXPORT_JSON),
  op("GET", "machines/SecureConfigurationsAssessmentExport", "ExportSecureConfigurationsAssessmentFiles", ["Vulnerability.Read.All"], EXPORT_FILES),
  op("GET", "machines/SoftwareVulnerabilitiesExport", "ExportSoftwareVulnerabilitiesFiles", ["Vulnerability.Read.All"], EXPORT_FILES),
  op("GET", "machines/SoftwareInventoryExport", "ExportSoftwareInventoryFiles", ["Software.Read.All"], EXPORT_FILES),
  op("GET", "machines/SoftwareInventoryNonCpeExport", "ExportSoftwareInventoryNonCpeFiles", ["Software.Read.All"], EXPORT_FILES),
  // §5.18 Live response library.
  op("GET", "libraryfiles", "ListLibraryFiles", ["Library.Manage"]),
  op("POST", "libraryfiles", "UploadLibraryFile", ["Library.Manage"]),
  op("DELETE", "libraryfiles/{fileName}", "DeleteLibraryFile", ["Library.Manage"]),
];
