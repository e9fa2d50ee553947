import type { RateLimits } from "../core/rate-limit.js";
import { operation, type OperationHandler, type OperationSpec } from "./operation-context.js";
import * as exp from "./tvm-exports.js";
import * as rec from "./tvm-recommendations.js";
import * as views from "./tvm-views.js";

const EXPORT_JSON: RateLimits = { perMinute: 30, perHour: 1000 };
const EXPORT_FILES: RateLimits = { perMinute: 5, perHour: 20 };
/** Software, vulnerability, recommendation, score and remediation limits are DOC-SILENT (mde-api.md §7): none enforced. */
const UNLIMITED: RateLimits = {};

const op = (method: OperationSpec["method"], path: string, name: string, roles: readonly string[], limits: RateLimits, handler?: OperationHandler) =>
  operation(method, path, name, roles, handler, limits);

/**
 * Vulnerability management (mde-api.md §5.2's TVM views of one machine,
 * §5.11–§5.15), device antivirus health (§5.16) and the export APIs (§5.17).
 */
export const tvmOperations: OperationSpec[] = [
  // §5.2 TVM views of one machine.
  op("GET", "machines/{id}/software", "GetInstalledSoftware", ["Software.Read.All"], UNLIMITED, views.machineSoftware),
  op("GET", "machines/{id}/vulnerabilities", "GetDiscoveredVulnerabilities", ["Vulnerability.Read.All"], { perMinute: 50, perHour: 1500 }, views.machineVulnerabilities),
  op("GET", "machines/{id}/recommendations", "GetSecurityRecommendations", ["SecurityRecommendation.Read.All"], UNLIMITED, rec.machineRecommendations),
  op("GET", "machines/{id}/getmissingkbs", "GetMissingKbsByMachine", ["Software.Read.All"], UNLIMITED, views.machineMissingKbs),
  // §5.11 Software.
  op("GET", "Software", "ListSoftware", ["Software.Read.All"], UNLIMITED, views.listSoftware),
  op("GET", "Software/{id}", "GetSoftware", ["Software.Read.All"], UNLIMITED, views.getSoftware),
  op("GET", "Software/{id}/distributions", "GetSoftwareVersionDistribution", ["Software.Read.All"], UNLIMITED, views.softwareDistributions),
  op("GET", "Software/{id}/machineReferences", "GetMachinesBySoftware", ["Software.Read.All"], UNLIMITED, views.softwareMachineReferences),
  op("GET", "Software/{id}/vulnerabilities", "GetVulnerabilitiesBySoftware", ["Vulnerability.Read.All"], UNLIMITED, views.softwareVulnerabilities),
  op("GET", "Software/{id}/getmissingkbs", "GetMissingKbsBySoftware", ["Software.Read.All"], UNLIMITED, views.softwareMissingKbs),
  // §5.12 Vulnerabilities.
  op("GET", "vulnerabilities", "ListVulnerabilities", ["Vulnerability.Read.All"], UNLIMITED, views.listVulnerabilities),
  op("GET", "vulnerabilities/machinesVulnerabilities", "ListVulnerabilitiesByMachineAndSoftware", ["Vulnerability.Read.All"], UNLIMITED, views.machinesVulnerabilities),
  op("GET", "vulnerabilities/{id}", "GetVulnerability", ["Vulnerability.Read.All"], UNLIMITED, views.getVulnerability),
  op("GET", "vulnerabilities/{id}/machineReferences", "GetMachinesByVulnerability", ["Vulnerability.Read.All"], UNLIMITED, views.vulnerabilityMachineReferences),
  // §5.13 Security recommendations.
  op("GET", "recommendations", "ListRecommendations", ["SecurityRecommendation.Read.All"], UNLIMITED, rec.listRecommendations),
  op("GET", "recommendations/{id}", "GetRecommendation", ["SecurityRecommendation.Read.All"], UNLIMITED, rec.getRecommendation),
  op("GET", "recommendations/{id}/software", "GetRecommendationSoftware", ["Software.Read.All"], UNLIMITED, rec.recommendationSoftware),
  op("GET", "recommendations/{id}/machineReferences", "GetRecommendationMachines", ["SecurityRecommendation.Read.All"], UNLIMITED, rec.recommendationMachineReferences),
  op("GET", "recommendations/{id}/vulnerabilities", "GetRecommendationVulnerabilities", ["Vulnerability.Read.All"], UNLIMITED, rec.recommendationVulnerabilities),
  // §5.14 Scores.
  op("GET", "exposureScore", "GetExposureScore", ["Score.Read.All"], UNLIMITED, rec.exposureScore),
  op("GET", "exposureScore/ByMachineGroups", "GetExposureScoreByMachineGroups", ["Score.Read.All"], UNLIMITED, rec.exposureScoreByMachineGroups),
  op("GET", "configurationScore", "GetDeviceSecureScore", ["Score.Read.All"], UNLIMITED, rec.configurationScore),
  // §5.15 Remediation activities.
  op("GET", "remediationTasks", "ListRemediationTasks", ["RemediationTasks.Read.All"], UNLIMITED, rec.listRemediationTasks),
  op("GET", "remediationTasks/{id}", "GetRemediationTask", ["RemediationTasks.Read.All"], UNLIMITED, rec.getRemediationTask),
  op("GET", "remediationTasks/{id}/machineReferences", "GetRemediationTaskMachines", ["RemediationTasks.Read.All"], UNLIMITED, rec.remediationTaskMachineReferences),
  // §5.16 Device antivirus health (the release notes' /api/public/avdeviceshealth name is DOC-CONFLICT §8.15).
  op("GET", "deviceavinfo", "GetDeviceAvInfo", ["Machine.Read.All"], EXPORT_JSON, exp.deviceAvInfo),
  op("GET", "public/avdeviceshealth", "GetDeviceAvInfo", ["Machine.Read.All"], EXPORT_JSON, exp.deviceAvInfo),
  op("GET", "machines/InfoGatheringExport", "ExportInfoGathering", ["Vulnerability.Read.All"], EXPORT_JSON, exp.infoGatheringExport),
  // §5.17 Export assessments.
  op("GET", "machines/SecureConfigurationsAssessmentByMachine", "ExportSecureConfigurationsAssessment", ["Vulnerability.Read.All"], EXPORT_JSON, exp.secureConfigurationsByMachine),
  op("GET", "machines/SoftwareVulnerabilitiesByMachine", "ExportSoftwareVulnerabilities", ["Vulnerability.Read.All"], EXPORT_JSON, exp.softwareVulnerabilitiesByMachine),
  op("GET", "machines/SoftwareInventoryByMachine", "ExportSoftwareInventory", ["Software.Read.All"], EXPORT_JSON, exp.softwareInventoryByMachine),
  op("GET", "machines/SoftwareVulnerabilityChangesByMachine", "ExportSoftwareVulnerabilityChanges", ["Vulnerability.Read.All"], EXPORT_JSON, exp.softwareVulnerabilityChangesByMachine),
  op("GET", "machines/SecureConfigurationsAssessmentExport", "ExportSecureConfigurationsAssessmentFiles", ["Vulnerability.Read.All"], EXPORT_FILES, exp.secureConfigurationsExport),
  op("GET", "machines/SoftwareVulnerabilitiesExport", "ExportSoftwareVulnerabilitiesFiles", ["Vulnerability.Read.All"], EXPORT_FILES, exp.softwareVulnerabilitiesExport),
  op("GET", "machines/SoftwareInventoryExport", "ExportSoftwareInventoryFiles", ["Software.Read.All"], EXPORT_FILES, exp.softwareInventoryExport),
  op("GET", "machines/SoftwareInventoryNonCpeExport", "ExportSoftwareInventoryNonCpeFiles", ["Software.Read.All"], EXPORT_FILES, exp.softwareInventoryNonCpeExport),
];
