import type { Value } from "../kql/values.js";
import { parseDateTime, TICKS_PER_SECOND } from "../kql/values.js";
import { addressFor, type BuildContext, fileHashes, joinPath } from "./context.js";
import { logonEvent } from "./device-events.js";
import { type Account, binaryOf, deviceFields, initiatingFields, systemAccount } from "./fields.js";
import { familyOf, type SourceAlert, type SourceMachine } from "./source.js";

const str = (v: unknown): string => (typeof v === "string" ? v : "");
const num = (v: unknown): number | null => (typeof v === "number" ? v : null);
const time = (v: unknown): bigint | null => (typeof v === "string" ? (parseDateTime(v) ?? null) : null);

/** The device an alert fired on: the stored machine, or a stand-in built from the alert's own fields. */
export function alertMachine(ctx: BuildContext, alert: SourceAlert): SourceMachine | undefined {
  const id = str(alert.json.machineId);
  if (!id) return undefined;
  const known = ctx.machineById.get(id);
  if (known) return known;
  const osPlatform = alert.evidence.some((e) => str(e.filePath).startsWith("/")) ? "Linux" : "Windows10";
  return {
    id, dnsName: str(alert.json.computerDnsName) || id, osPlatform, family: familyOf(osPlatform),
    server: false, version: "", osBuild: null, osArchitecture: "64-bit", lastIp: "", publicIp: "", group: str(alert.json.rbacGroupName),
    aadJoined: false, aadDeviceId: "", onboardingStatus: "Onboarded", healthStatus: "Active", exposureLevel: "", deviceValue: "Normal", tags: [],
    firstSeen: null, lastSeen: null,
  };
}

export function alertAccount(ctx: BuildContext, alert: SourceAlert, machine: SourceMachine): Account {
  const userEvidence = alert.evidence.find((e) => e.entityType === "User" && str(e.accountName));
  const related = alert.json.relatedUser as { userName?: unknown; domainName?: unknown } | null | undefined;
  const name = str(userEvidence?.accountName) || str(related?.userName);
  if (!name) return systemAccount(machine.family);
  const domain = str(userEvidence?.domainName) || str(related?.domainName);
  const known = (ctx.usersByMachine.get(machine.id) ?? []).find((u) => u.name.toLowerCase() === name.toLowerCase());
  if (domain.toLowerCase() === "nt authority") return { ...systemAccount(machine.family), name, domain };
  return { name, domain, sid: str(userEvidence?.userSid) || (known?.sid ?? ""), upn: str(userEvidence?.userPrincipalName) || (known?.upn ?? ""), objectId: str(userEvidence?.aadUserId) || (known?.objectId ?? ""), system: false };
}

/**
 * The device events behind each alert, so that hunting finds what the alert
 * shows: a ProcessCreated event for every Process evidence (and for executable
 * File evidence), a network connection for every Ip/Url evidence, and a logon
 * of the alert's user shortly before the first event.
 */
export function buildAlertActivity(ctx: BuildContext): { process: Array<Record<string, Value>>; network: Array<Record<string, Value>>; logon: Array<Record<string, Value>> } {
  const process: Array<Record<string, Value>> = [];
  const network: Array<Record<string, Value>> = [];
  const logon: Array<Record<string, Value>> = [];
  for (const alert of ctx.source.alerts) {
    if (alert.created < ctx.windowStart) continue;
    const machine = alertMachine(ctx, alert);
    if (!machine) continue;
    const random = ctx.random.fork(`alert/${alert.id}`);
    const account = alertAccount(ctx, alert, machine);
    const firstEvent = time(alert.json.firstEventTime) ?? alert.created;
    const lastEvent = time(alert.json.lastEventTime) ?? firstEvent;
    let actor: { name: string; folder: string; pid: number; created: bigint; commandLine: string } | undefined;

    for (const e of alert.evidence) {
      const type = str(e.entityType);
      const isExecutableFile = type === "File" && /\.(exe|dll|scr|ps1|sh)$/i.test(str(e.fileName));
      if (type !== "Process" && !isExecutableFile) continue;
      const name = str(e.fileName);
      const folder = str(e.filePath);
      const at = time(e.processCreationTime) ?? firstEvent;
      const parentName = str(e.parentProcessFileName) || (machine.family === "windows" ? "explorer.exe" : "bash");
      const parent = binaryOf(parentName, str(e.parentProcessFilePath) || undefined);
      const parentCreated = time(e.parentProcessCreationTime) ?? at - 600n * TICKS_PER_SECOND;
      const pid = num(e.processId) ?? random.int(600, 40_000);
      const commandLine = str(e.processCommandLine) || name;
      const path = joinPath(folder, name);
      const fallback = fileHashes(path);
      const logonId = account.system ? 999 : random.int(100_000, 9_999_999);
      actor ??= { name, folder, pid, created: at, commandLine };
      process.push({
        Timestamp: at,
        ...deviceFields(machine),
        ActionType: "ProcessCreated",
        FileName: name,
        FolderPath: path,
        SHA1: str(e.sha1) || fallback.sha1,
        SHA256: str(e.sha256) || fallback.sha256,
        MD5: fallback.md5,
        FileSize: binaryOf(name).size || random.int(20_000, 4_000_000),
        ProcessId: pid,
        ProcessCommandLine: commandLine,
        ProcessIntegrityLevel: machine.family === "windows" ? (account.system ? "System" : "Medium") : "",
        ProcessTokenElevation: machine.family === "windows" ? "TokenElevationTypeDefault" : "",
        ProcessCreationTime: at,
        AccountDomain: account.domain,
        AccountName: account.name,
        AccountSid: account.sid,
        AccountUpn: account.upn,
        AccountObjectId: account.objectId,
        LogonId: logonId,
        ...initiatingFields(parent, machine.family, {
          pid: num(e.parentProcessId) ?? random.int(400, 40_000),
          commandLine: parent.name,
          created: parentCreated,
          account,
          parentPid: random.int(4, 1_200),
          parentCreated: parentCreated - BigInt(random.int(1, 3_600)) * TICKS_PER_SECOND,
          logonId,
        }),
        ReportId: random.int(1_000, 900_000),
      });
    }

    for (const e of alert.evidence) {
      const type = str(e.entityType);
      if (type !== "Ip" && type !== "Url") continue;
      const url = str(e.url);
      let host = "";
      try {
        host = url ? new URL(url).hostname : "";
      } catch {
        host = url;
      }
      const remoteIp = str(e.ipAddress) || addressFor(host);
      const at = lastEvent;
      const binary = actor ? binaryOf(actor.name, actor.folder) : binaryOf(machine.family === "windows" ? "powershell.exe" : "curl");
      const created = actor?.created ?? at - 30n * TICKS_PER_SECOND;
      network.push({
        Timestamp: at,
        ...deviceFields(machine),
        ActionType: "ConnectionSuccess",
        RemoteIP: remoteIp,
        RemotePort: url.startsWith("http://") ? 80 : 443,
        RemoteUrl: url,
        LocalIP: machine.lastIp,
        LocalPort: random.int(49_152, 65_535),
        Protocol: "Tcp",
        LocalIPType: "Private",
        RemoteIPType: "Public",
        ...initiatingFields(binary, machine.family, {
          pid: actor?.pid ?? random.int(400, 40_000),
          commandLine: actor?.commandLine ?? binary.name,
          created,
          account,
          parentPid: random.int(4, 1_200),
          parentCreated: created - BigInt(random.int(1, 3_600)) * TICKS_PER_SECOND,
          logonId: account.system ? 999 : random.int(100_000, 9_999_999),
        }),
        ReportId: random.int(1_000, 900_000),
      });
    }

    if (!account.system) {
      const at = firstEvent - BigInt(random.int(5 * 60, 2 * 3_600)) * TICKS_PER_SECOND;
      logon.push(logonEvent(ctx, machine, random, at, random.int(1_000, 900_000), { account, logonType: machine.server ? "RemoteInteractive" : "Interactive" }));
    }
  }
  return { process, network, logon };
}
