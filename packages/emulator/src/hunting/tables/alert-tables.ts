import type { Value } from "../kql/values.js";
import { parseDateTime } from "../kql/values.js";
import { DETECTION_SOURCE_NAMES, TECHNIQUE_NAMES } from "./catalog.js";
import { type BuildContext, joinPath } from "./context.js";
import type { SourceAlert } from "./source.js";

const str = (v: unknown): string => (typeof v === "string" ? v : "");

/** Defender for Endpoint alerts carry this ServiceSource (AlertInfo/AlertEvidence). */
const SERVICE_SOURCE = "Microsoft Defender for Endpoint";

/** `["PowerShell (T1059.001)", …]` — AttackTechniques is a JSON array in a string column. */
function attackTechniques(alert: SourceAlert): string {
  const ids = Array.isArray(alert.json.mitreTechniques) ? alert.json.mitreTechniques.map(String) : [];
  return JSON.stringify(ids.map((id) => (TECHNIQUE_NAMES[id] ? `${TECHNIQUE_NAMES[id]} (${id})` : id)));
}

const detectionSource = (alert: SourceAlert) => {
  const source = str(alert.json.detectionSource);
  return DETECTION_SOURCE_NAMES[source] ?? source;
};

/** AlertInfo (defender-xdr/advanced-hunting-alertinfo-table.md): one row per alert, at its creation time. */
export function buildAlertInfo(ctx: BuildContext): Array<Record<string, Value>> {
  return ctx.source.alerts.map((alert) => ({
    Timestamp: alert.created,
    AlertId: alert.id,
    Title: str(alert.json.title),
    Category: str(alert.json.category),
    Severity: str(alert.json.severity),
    ServiceSource: SERVICE_SOURCE,
    DetectionSource: detectionSource(alert),
    AttackTechniques: attackTechniques(alert),
  }));
}

const ENTITY_TYPES: Readonly<Record<string, string>> = { Registry: "RegistryValue" };

/**
 * AlertEvidence (defender-xdr/advanced-hunting-alertevidence-table.md): the
 * impacted device of each alert plus one row per evidence item of the alert
 * (mde-api.md §6.1.1), carrying the alert's title, category and techniques.
 */
export function buildAlertEvidence(ctx: BuildContext): Array<Record<string, Value>> {
  const out: Array<Record<string, Value>> = [];
  for (const alert of ctx.source.alerts) {
    const machineId = str(alert.json.machineId);
    const machine = ctx.machineById.get(machineId);
    const common: Record<string, Value> = {
      Timestamp: alert.created,
      AlertId: alert.id,
      Title: str(alert.json.title),
      Categories: JSON.stringify([str(alert.json.category)].filter(Boolean)),
      AttackTechniques: attackTechniques(alert),
      ServiceSource: SERVICE_SOURCE,
      DetectionSource: detectionSource(alert),
      Severity: str(alert.json.severity),
      DeviceId: machineId,
      DeviceName: str(alert.json.computerDnsName) || machine?.dnsName || "",
    };
    if (machineId) {
      out.push({
        ...common,
        EntityType: "Machine",
        EvidenceRole: "Impacted",
        LocalIP: machine?.lastIp ?? "",
        AdditionalFields: JSON.stringify({ HostName: (common.DeviceName as string).split(".")[0], OSFamily: machine?.family === "windows" ? "Windows" : (machine?.osPlatform ?? "") }),
      });
    }
    for (const e of alert.evidence) {
      const type = str(e.entityType);
      const row: Record<string, Value> = { ...common, EntityType: ENTITY_TYPES[type] ?? type, EvidenceRole: type === "User" ? "Impacted" : "Related" };
      const created = typeof e.evidenceCreationTime === "string" ? parseDateTime(e.evidenceCreationTime) : undefined;
      const details: Record<string, string> = {};
      if (str(e.detectionStatus)) details.DetectionStatus = str(e.detectionStatus);
      if (created !== undefined) details.EvidenceCreationTime = str(e.evidenceCreationTime);
      switch (type) {
        case "User":
          Object.assign(row, {
            AccountName: str(e.accountName),
            AccountDomain: str(e.domainName),
            AccountSid: str(e.userSid),
            AccountObjectId: str(e.aadUserId),
            AccountUpn: str(e.userPrincipalName),
          });
          break;
        case "Process":
        case "File":
          Object.assign(row, {
            FileName: str(e.fileName),
            FolderPath: str(e.filePath) ? joinPath(str(e.filePath), str(e.fileName)) : "",
            SHA1: str(e.sha1),
            SHA256: str(e.sha256),
            ThreatFamily: str(alert.json.threatFamilyName),
            ProcessCommandLine: type === "Process" ? str(e.processCommandLine) : "",
          });
          break;
        case "Ip":
          row.RemoteIP = str(e.ipAddress);
          row.EvidenceDirection = "Destination";
          break;
        case "Url":
          row.RemoteUrl = str(e.url);
          break;
        case "Registry":
          Object.assign(row, { RegistryKey: str(e.registryKey), RegistryValueData: str(e.registryValue) });
          break;
        default:
          break;
      }
      row.AdditionalFields = Object.keys(details).length > 0 ? JSON.stringify(details) : "";
      out.push(row);
    }
  }
  return out;
}
