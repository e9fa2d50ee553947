import type { RateLimits } from "../core/rate-limit.js";
import { operation, type OperationSpec } from "./operation-context.js";

const ALERT_READ = ["Alert.Read.All", "Alert.ReadWrite.All"] as const;
const MACHINE_READ = ["Machine.Read.All", "Machine.ReadWrite.All"] as const;
const HUNDRED: RateLimits = { perMinute: 100, perHour: 1500 };

const op = (method: OperationSpec["method"], path: string, name: string, roles: readonly string[], limits: RateLimits = HUNDRED) =>
  operation(method, path, name, roles, undefined, limits);

/**
 * Automated investigations (mde-api.md §5.6), the file, domain, IP and user
 * entities (§5.7–§5.10) and the live response library (§5.18).
 */
export const entityOperations: OperationSpec[] = [
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
];
