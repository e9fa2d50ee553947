import type { Value } from "../kql/values.js";
import { BINARIES, type Binary, type Family, LAUNCHES } from "./catalog.js";
import { fileHashes, joinPath, type SourceUser } from "./context.js";

/** Who ran a process: a person or the system. */
export interface Account {
  name: string;
  domain: string;
  sid: string;
  upn: string;
  objectId: string;
  system: boolean;
}

export const systemAccount = (family: Family): Account =>
  family === "windows"
    ? { name: "system", domain: "nt authority", sid: "S-1-5-18", upn: "", objectId: "", system: true }
    : { name: "root", domain: "", sid: "", upn: "", objectId: "", system: true };

export const userAccount = (u: SourceUser): Account => ({ name: u.name, domain: u.domain, sid: u.sid, upn: u.upn, objectId: u.objectId, system: false });

const BY_LOWER_NAME: ReadonlyMap<string, Binary> = new Map(Object.values(BINARIES).map((b) => [b.name.toLowerCase(), b]));

/** A binary by name (any casing), or a plausible stand-in for names the catalog does not know (evidence files). */
export function binaryOf(name: string, folder?: string): Binary {
  const known = BY_LOWER_NAME.get(name.toLowerCase());
  if (known && (folder === undefined || folder.toLowerCase() === known.folder.toLowerCase())) return known;
  return { name, folder: folder ?? known?.folder ?? "", company: known?.company ?? "", product: known?.product ?? "", description: known?.description ?? "", version: known?.version ?? "", size: known?.size ?? 0 };
}

/** The usual parent of a process (who starts explorer.exe, svchost.exe, …), for InitiatingProcessParentFileName. */
export function usualParent(name: string, family: Family): string {
  const launch = LAUNCHES[family].find(([, child]) => child === name);
  if (launch) return launch[0];
  if (family === "windows") return name === "services.exe" ? "wininit.exe" : name === "userinit.exe" ? "winlogon.exe" : "services.exe";
  return family === "linux" ? "systemd" : "launchd";
}

/** A binary's `<prefix>VersionInfo…` columns; the internal and original names are empty without a vendor. */
export function versionInfo(prefix: "Process" | "InitiatingProcess", binary: Binary): Record<string, Value> {
  return {
    [`${prefix}VersionInfoCompanyName`]: binary.company,
    [`${prefix}VersionInfoProductName`]: binary.product,
    [`${prefix}VersionInfoProductVersion`]: binary.version,
    [`${prefix}VersionInfoInternalFileName`]: binary.company ? binary.name.replace(/\.exe$/i, "") : "",
    [`${prefix}VersionInfoOriginalFileName`]: binary.company ? binary.name : "",
    [`${prefix}VersionInfoFileDescription`]: binary.description,
  };
}

/** Fills the Initiating-process columns shared by the Device*Events tables. */
export function initiatingFields(
  binary: Binary,
  family: Family,
  p: { pid: number; commandLine: string; created: bigint; account: Account; parentPid: number; parentCreated: bigint; logonId: number },
): Record<string, Value> {
  const path = joinPath(binary.folder, binary.name);
  const hashes = binary.folder ? fileHashes(path) : { sha1: "", sha256: "", md5: "" };
  return {
    InitiatingProcessAccountDomain: p.account.domain,
    InitiatingProcessAccountName: p.account.name,
    InitiatingProcessAccountSid: p.account.sid,
    InitiatingProcessAccountUpn: p.account.upn,
    InitiatingProcessAccountObjectId: p.account.objectId,
    InitiatingProcessLogonId: p.logonId,
    InitiatingProcessIntegrityLevel: family === "windows" ? (p.account.system ? "System" : "Medium") : "",
    InitiatingProcessTokenElevation: family === "windows" ? (p.account.system ? "TokenElevationTypeDefault" : "TokenElevationTypeLimited") : "",
    InitiatingProcessSHA1: hashes.sha1,
    InitiatingProcessSHA256: hashes.sha256,
    InitiatingProcessMD5: hashes.md5,
    InitiatingProcessFileName: binary.name,
    InitiatingProcessFileSize: binary.size || null,
    ...versionInfo("InitiatingProcess", binary),
    InitiatingProcessId: p.pid,
    InitiatingProcessCommandLine: p.commandLine,
    InitiatingProcessCreationTime: p.created,
    InitiatingProcessFolderPath: binary.folder ? path : "",
    InitiatingProcessParentId: p.parentPid,
    InitiatingProcessParentFileName: usualParent(binary.name, family),
    InitiatingProcessParentCreationTime: p.parentCreated,
    InitiatingProcessSignerType: family === "windows" && binary.company ? "OsVendor" : "",
    InitiatingProcessSignatureStatus: family === "windows" && binary.company ? "Valid" : "",
    InitiatingProcessSessionId: p.account.system ? 0 : 1,
    IsInitiatingProcessRemoteSession: false,
  };
}

/** Device columns every Device* table starts with. */
export const deviceFields = (machine: { id: string; dnsName: string }): Record<string, Value> => ({ DeviceId: machine.id, DeviceName: machine.dnsName });
