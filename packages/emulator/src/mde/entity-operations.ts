import type { RateLimits } from "../core/rate-limit.js";
import { domainAlerts, domainMachines, domainStats, fileAlerts, fileMachines, fileStats, getFile, ipAlerts, ipStats, userAlerts, userMachines } from "./entities.js";
import { getInvestigation, listInvestigations, startMachineInvestigation } from "./investigations.js";
import { operation, type OperationHandler, type OperationSpec } from "./operation-context.js";

const ALERT_READ = ["Alert.Read.All", "Alert.ReadWrite.All"] as const;
const MACHINE_READ = ["Machine.Read.All", "Machine.ReadWrite.All"] as const;
const HUNDRED: RateLimits = { perMinute: 100, perHour: 1500 };

const op = (
  method: OperationSpec["method"],
  path: string,
  name: string,
  roles: readonly string[],
  handler?: OperationHandler,
  limits: RateLimits = HUNDRED,
) => operation(method, path, name, roles, handler, limits);

/**
 * Automated investigations (mde-api.md §5.6), the file, domain, IP and user
 * entities (§5.7–§5.10) and the live response library (§5.18).
 */
export const entityOperations: OperationSpec[] = [
  // §5.6 Automated investigations.
  op("GET", "investigations", "ListInvestigations", ALERT_READ, listInvestigations),
  op("GET", "investigations/{id}", "GetInvestigation", ALERT_READ, getInvestigation),
  op("POST", "machines/{id}/startInvestigation", "StartInvestigation", ["Alert.ReadWrite.All"], startMachineInvestigation, { perHour: 50 }),
  // §5.7 Files.
  op("GET", "files/{id}", "GetFile", ["File.Read.All"], getFile),
  op("GET", "files/{id}/alerts", "GetFileRelatedAlerts", ALERT_READ, fileAlerts),
  op("GET", "files/{id}/machines", "GetFileRelatedMachines", MACHINE_READ, fileMachines),
  op("GET", "files/{id}/stats", "GetFileStatistics", ["File.Read.All"], fileStats),
  // §5.8 Domains.
  op("GET", "domains/{domain}/alerts", "GetDomainRelatedAlerts", ["Alert.ReadWrite.All"], domainAlerts),
  op("GET", "domains/{domain}/machines", "GetDomainRelatedMachines", MACHINE_READ, domainMachines),
  op("GET", "domains/{domain}/stats", "GetDomainStatistics", ["URL.Read.All"], domainStats),
  // §5.9 IPs.
  op("GET", "ips/{ip}/alerts", "GetIpRelatedAlerts", ALERT_READ, ipAlerts),
  op("GET", "ips/{ip}/stats", "GetIpStatistics", ["Ip.Read.All"], ipStats),
  // §5.10 Users.
  op("GET", "users/{id}/alerts", "GetUserRelatedAlerts", ALERT_READ, userAlerts),
  op("GET", "users/{id}/machines", "GetUserRelatedMachines", ["Machine.ReadWrite.All"], userMachines),
];
