import { parseDateTime, TICKS_PER_SECOND, type Value } from "../kql/values.js";
import { alertAccount, alertMachine } from "./alert-activity.js";
import { LAUNCHES } from "./catalog.js";
import { addressFor, type BuildContext, fileHashes, joinPath } from "./context.js";
import { accountFor, dailyEvents, fillTemplate, initiatingProcess } from "./device-activity.js";
import { COMMON_MODULES, FILE_CHANGES, MODULE_LOADS, MODULES } from "./device-catalog.js";
import { binaryOf, deviceFields, initiatingFields } from "./fields.js";

const str = (v: unknown): string => (typeof v === "string" ? v : "");
const time = (v: unknown): bigint | undefined => (typeof v === "string" ? parseDateTime(v) : undefined);

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return "";
  }
}

/**
 * DeviceFileEvents (defender-xdr/advanced-hunting-devicefileevents-table.md):
 * downloads, saved attachments, documents, updates and temporary files of each
 * device, and for every alert the creation of each file its evidence names
 * (File and Process evidence: same name, folder and hashes), shortly before the
 * alert's first event — downloaded from the alert's URL evidence when it has one.
 */
export function buildFileEvents(ctx: BuildContext): Array<Record<string, Value>> {
  const out = dailyEvents(ctx, "file", 0.8, ["windows", "linux", "macos"], (m, random, at, reportId) => {
    const [process, action, folderTemplate, nameTemplate, originTemplate] = random.weighted(FILE_CHANGES[m.family].map((c) => [c, c[5]] as const));
    const account = accountFor(ctx, m, random, process);
    const folder = fillTemplate(folderTemplate, random, account);
    const name = fillTemplate(nameTemplate, random, account);
    const path = joinPath(folder, name);
    const hashes = fileHashes(`${m.id}|${path}`);
    const origin = originTemplate ? fillTemplate(originTemplate, random, account) : "";
    return {
      Timestamp: at,
      ...deviceFields(m),
      ActionType: action,
      FileName: name,
      FolderPath: path,
      SHA1: action === "FileDeleted" ? "" : hashes.sha1,
      SHA256: action === "FileDeleted" ? "" : hashes.sha256,
      MD5: action === "FileDeleted" ? "" : hashes.md5,
      FileOriginUrl: origin,
      FileOriginIP: origin ? addressFor(hostOf(origin)) : "",
      PreviousFolderPath: action === "FileRenamed" ? folder : "",
      PreviousFileName: action === "FileRenamed" ? "New Text Document.txt" : "",
      FileSize: action === "FileDeleted" ? null : random.int(2_000, 8_000_000),
      RequestProtocol: "Local",
      IsAzureInfoProtectionApplied: false,
      ...initiatingProcess(m, random, process, at, account),
      ReportId: reportId,
    };
  });
  for (const alert of ctx.source.alerts) {
    if (alert.created < ctx.windowStart) continue;
    const files = alert.evidence.filter((e) => (e.entityType === "File" || e.entityType === "Process") && str(e.fileName) && str(e.filePath));
    if (files.length === 0) continue;
    const machine = alertMachine(ctx, alert);
    if (!machine) continue;
    const random = ctx.random.fork(`alert-file/${alert.id}`);
    const account = alertAccount(ctx, alert, machine);
    const firstEvent = time(alert.json.firstEventTime) ?? alert.created;
    const url = str(alert.evidence.find((e) => e.entityType === "Url" && str(e.url))?.url);
    const downloader = machine.family === "windows" ? "msedge.exe" : machine.family === "macos" ? "Safari" : "curl";
    const seen = new Set<string>();
    for (const e of files) {
      const path = joinPath(str(e.filePath), str(e.fileName));
      if (seen.has(path.toLowerCase())) continue;
      seen.add(path.toLowerCase());
      const at = firstEvent - BigInt(random.int(60, 1_800)) * TICKS_PER_SECOND;
      const fallback = fileHashes(path);
      const binary = binaryOf(url ? downloader : e.entityType === "Process" && str(e.parentProcessFileName) ? str(e.parentProcessFileName) : downloader);
      const created = at - BigInt(random.int(5, 3_600)) * TICKS_PER_SECOND;
      out.push({
        Timestamp: at,
        ...deviceFields(machine),
        ActionType: "FileCreated",
        FileName: str(e.fileName),
        FolderPath: path,
        SHA1: str(e.sha1) || fallback.sha1,
        SHA256: str(e.sha256) || fallback.sha256,
        MD5: fallback.md5,
        FileOriginUrl: url,
        FileOriginIP: url ? addressFor(hostOf(url)) : "",
        FileSize: binaryOf(str(e.fileName)).size || random.int(20_000, 4_000_000),
        RequestProtocol: "Local",
        IsAzureInfoProtectionApplied: false,
        ...initiatingFields(binary, machine.family, {
          pid: random.int(400, 40_000),
          commandLine: binary.name,
          created,
          account,
          parentPid: random.int(4, 1_200),
          parentCreated: created - BigInt(random.int(1, 3_600)) * TICKS_PER_SECOND,
          logonId: account.system ? 999 : random.int(100_000, 9_999_999),
        }),
        ReportId: random.int(1_000, 900_000),
      });
    }
  }
  return out;
}

const LOADERS = LAUNCHES.windows.map(([, child]) => child).filter((name, i, all) => all.indexOf(name) === i);

/**
 * DeviceImageLoadEvents (defender-xdr/advanced-hunting-deviceimageloadevents-table.md):
 * Windows processes of the fleet's usual launches loading their modules
 * (PowerShell loads amsi.dll and the CLR, browsers and Office wininet.dll, and
 * every process the three base DLLs).
 */
export function buildImageLoadEvents(ctx: BuildContext): Array<Record<string, Value>> {
  return dailyEvents(ctx, "imageload", 0.8, ["windows"], (m, random, at, reportId) => {
    const process = random.pick(LOADERS);
    const extra = MODULE_LOADS[process] ?? [];
    const moduleName = random.bool(extra.length > 0 ? 0.7 : 0) ? random.pick(extra) : random.pick(COMMON_MODULES);
    const module = MODULES[moduleName];
    if (!module) return undefined;
    const account = accountFor(ctx, m, random, process);
    const path = joinPath(module.folder, module.name);
    const hashes = fileHashes(path);
    return {
      Timestamp: at,
      ...deviceFields(m),
      ActionType: "ImageLoaded",
      FileName: module.name,
      FolderPath: path,
      SHA1: hashes.sha1,
      SHA256: hashes.sha256,
      MD5: hashes.md5,
      FileSize: module.size,
      ...initiatingProcess(m, random, process, at, account),
      ReportId: reportId,
    };
  });
}
