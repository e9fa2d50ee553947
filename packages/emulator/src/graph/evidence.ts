import type { MdeEvidence } from "../data/alert-factory.js";
import { camel } from "./enums.js";

/** The stored MDE machine (machine.md; mde-api.md §6.2), as far as deviceEvidence needs it. */
export interface MdeMachine {
  id: string;
  computerDnsName: string;
  firstSeen: string | null;
  osPlatform: string | null;
  version: string | null;
  osBuild: number | null;
  healthStatus: string | null;
  riskScore: string | null;
  onboardingStatus: string | null;
  rbacGroupId: number | null;
  rbacGroupName: string | null;
  aadDeviceId: string | null;
  lastIpAddress: string | null;
  lastExternalIpAddress: string | null;
  machineTags?: string[];
  ipAddresses?: Array<{ ipAddress: string }>;
}

/** What evidence conversion needs about the alert the evidence belongs to. */
export interface EvidenceAlert {
  alertCreationTime: string;
  machineId: string | null;
  computerDnsName: string | null;
  rbacGroupName: string | null;
  classification: string | null;
  relatedUser: { userName: string; domainName: string } | null;
}

const TYPE = (name: string) => `#microsoft.graph.security.${name}`;

/** The base alertEvidence properties, in the examples' order (examples/graph/list-alerts-v2.response.json). */
function base(type: string, created: string, verdict: string, remediationStatus: string, extra: { detailedRoles?: string[]; tags?: string[] } = {}) {
  return {
    "@odata.type": TYPE(type),
    createdDateTime: created,
    verdict,
    remediationStatus,
    remediationStatusDetails: null,
    roles: [] as string[],
    detailedRoles: extra.detailedRoles ?? [],
    tags: extra.tags ?? [],
  };
}

/** A deterministic file size from a hash, so one file keeps one size (fileDetails.fileSize is Int64). */
const sizeFromHash = (sha1: string | null) => (sha1 ? 16_384 + (Number.parseInt(sha1.slice(0, 6), 16) % 4_000_000) : null);

function fileDetails(name: string | null, path: string | null, sha1: string | null, sha256: string | null) {
  const system = /^c:\\(windows|program files)/i.test(path ?? "");
  return {
    sha1,
    sha256,
    md5: null,
    sha256Ac: null,
    fileName: name,
    filePath: path,
    fileSize: sizeFromHash(sha1),
    filePublisher: system ? "Microsoft Corporation" : null,
    signer: null,
    issuer: null,
  };
}

/** `maria.muller` → `Maria Muller` (the examples' userAccount carries a display name). */
const displayName = (account: string) =>
  account
    .split(/[._-]/)
    .filter(Boolean)
    .map((p) => p[0]?.toUpperCase() + p.slice(1))
    .join(" ");

function userAccount(u: { accountName: string; domainName: string | null; userSid: string | null; aadUserId: string | null; upn: string | null }) {
  return {
    accountName: u.accountName,
    domainName: u.domainName,
    userSid: u.userSid,
    azureAdUserId: u.aadUserId,
    userPrincipalName: u.upn,
    displayName: displayName(u.accountName),
    activeDirectoryObjectGuid: null,
    resourceAccessEvents: [],
  };
}

/** Verdict and remediation from MDE's detection status; a false-positive alert's evidence is `noThreatsFound`. */
function outcome(alert: EvidenceAlert, detectionStatus: string | null): { verdict: string; remediationStatus: string; detection: string | null } {
  const ds = detectionStatus ?? "";
  const remediationStatus = ds === "Remediated" ? "remediated" : ds === "Blocked" ? "blocked" : ds === "Prevented" ? "prevented" : "none";
  const verdict = alert.classification === "FalsePositive" ? "noThreatsFound" : remediationStatus === "none" ? "suspicious" : "malicious";
  // fileEvidence.detectionStatus has no "remediated" member (graph-security.md §4.5): the file was detected, then remediated.
  const detection = detectionStatus === null ? null : ds === "Remediated" ? "detected" : camel(ds);
  return { verdict, remediationStatus, detection };
}

/**
 * `#microsoft.graph.security.deviceEvidence` for the alert's machine
 * (graph-security.md §7.2: machineId, computerDnsName, rbacGroupName →
 * mdeDeviceId, deviceDnsName, rbacGroupName), with the 2026 example's keys
 * (examples/graph/list-incidents-expand-alerts.response.json).
 */
export function deviceEvidence(alert: EvidenceAlert, machine: MdeMachine | undefined) {
  const dns = machine?.computerDnsName ?? alert.computerDnsName ?? null;
  const dot = dns ? dns.indexOf(".") : -1;
  return {
    ...base("deviceEvidence", alert.alertCreationTime, alert.classification === "FalsePositive" ? "noThreatsFound" : "suspicious", "none", {
      detailedRoles: ["PrimaryDevice"],
      tags: machine?.machineTags ?? [],
    }),
    firstSeenDateTime: machine?.firstSeen ?? null,
    mdeDeviceId: machine?.id ?? alert.machineId,
    azureAdDeviceId: machine?.aadDeviceId ?? null,
    deviceDnsName: dns,
    hostName: dns ? (dot > 0 ? dns.slice(0, dot) : dns) : null,
    ntDomain: null,
    dnsDomain: dns && dot > 0 ? dns.slice(dot + 1) : null,
    osPlatform: machine?.osPlatform ?? null,
    osBuild: machine?.osBuild ?? null,
    version: machine?.version ?? null,
    healthStatus: machine?.healthStatus ? camel(machine.healthStatus) : "unknown",
    riskScore: machine?.riskScore ? camel(machine.riskScore) : "none",
    rbacGroupId: machine?.rbacGroupId ?? null,
    rbacGroupName: machine?.rbacGroupName ?? alert.rbacGroupName,
    onboardingStatus: machine?.onboardingStatus ? camel(machine.onboardingStatus) : "insufficientInfo",
    // The MDE machine entity has no antivirus status (DOC-SILENT mapping).
    defenderAvStatus: "unknown",
    lastIpAddress: machine?.lastIpAddress ?? null,
    lastExternalIpAddress: machine?.lastExternalIpAddress ?? null,
    ipInterfaces: (machine?.ipAddresses ?? []).map((i) => i.ipAddress),
    vmMetadata: null,
    loggedOnUsers: alert.relatedUser ? [{ accountName: alert.relatedUser.userName, domainName: alert.relatedUser.domainName }] : [],
    resourceAccessEvents: [],
  };
}

/**
 * Converts the MDE alert's flat evidence (`entityType` File/Process/User/Ip/Url/
 * Registry) to Graph's typed evidence (graph-security.md §4.5, §7.2). Process
 * evidence carries the alert's user, as the examples' processEvidence does.
 */
export function convertEvidence(alert: EvidenceAlert, items: readonly MdeEvidence[]): Array<Record<string, unknown>> {
  const user = items.find((e) => e.entityType === "User" && e.accountName);
  const processUser = user?.accountName
    ? userAccount({ accountName: user.accountName, domainName: user.domainName, userSid: user.userSid, aadUserId: user.aadUserId, upn: user.userPrincipalName })
    : null;
  const out: Array<Record<string, unknown>> = [];
  for (const e of items) {
    const created = e.evidenceCreationTime;
    // Files and processes carry MDE's detection outcome; the other kinds are judged by the alert alone.
    const o = outcome(alert, e.detectionStatus);
    const judged = (type: string) => base(type, created, o.verdict, o.remediationStatus);
    switch (e.entityType) {
      case "User":
        if (!e.accountName) break;
        out.push({
          ...base("userEvidence", created, alert.classification === "FalsePositive" ? "noThreatsFound" : "suspicious", "none"),
          stream: null,
          userAccount: userAccount({ accountName: e.accountName, domainName: e.domainName, userSid: e.userSid, aadUserId: e.aadUserId, upn: e.userPrincipalName }),
        });
        break;
      case "File":
        out.push({ ...judged("fileEvidence"), detectionStatus: o.detection, mdeDeviceId: alert.machineId, fileDetails: fileDetails(e.fileName, e.filePath, e.sha1, e.sha256) });
        break;
      case "Process":
        out.push({
          ...judged("processEvidence"),
          processId: e.processId,
          parentProcessId: e.parentProcessId,
          processCommandLine: e.processCommandLine,
          processCreationDateTime: e.processCreationTime,
          parentProcessCreationDateTime: e.parentProcessCreationTime,
          detectionStatus: o.detection,
          mdeDeviceId: alert.machineId,
          imageFile: fileDetails(e.fileName, e.filePath, e.sha1, e.sha256),
          parentProcessImageFile: e.parentProcessFileName ? fileDetails(e.parentProcessFileName, e.parentProcessFilePath, null, null) : null,
          userAccount: processUser,
        });
        break;
      case "Ip":
        out.push({
          ...base("ipEvidence", created, "suspicious", "none"),
          ipAddress: e.ipAddress,
          countryLetterCode: null,
          stream: null,
          location: null,
        });
        break;
      case "Url":
        out.push({ ...base("urlEvidence", created, "suspicious", "none"), url: e.url });
        break;
      case "Registry": {
        // Graph keeps the hive apart from the key (examples/graph/get-alert-v2.response.json: registryKeyEvidence).
        const hive = e.registryHive ?? "";
        const key = hive && e.registryKey?.startsWith(`${hive}\\`) ? e.registryKey.slice(hive.length + 1) : e.registryKey;
        const valueName = (e.registryValue ?? "").split(/[\\/]/).pop()?.replace(/\.[^.]*$/, "") ?? null;
        out.push({
          ...base("registryValueEvidence", created, "suspicious", "none"),
          mdeDeviceId: alert.machineId,
          registryHive: e.registryHive,
          registryKey: key,
          registryValue: e.registryValue,
          registryValueName: valueName || null,
          registryValueType: e.registryValueType,
        });
        break;
      }
      default:
        break;
    }
  }
  return out;
}
