import { parseDateTime, TICKS_PER_SECOND, type Value } from "../kql/values.js";
import { alertAccount, alertMachine } from "./alert-activity.js";
import { addressFor, type BuildContext, fileHashes, joinPath } from "./context.js";
import { accountFor, dailyEvents, fillTemplate, initiatingProcess } from "./device-activity.js";
import { MISC_EVENTS } from "./device-catalog.js";
import { deviceFields } from "./fields.js";

const str = (v: unknown): string => (typeof v === "string" ? v : "");

const BROWSED = ["https://www.office.com/", "https://portal.azure.com/", "https://www.bing.com/search?q=expense+report"];

/**
 * DeviceEvents (defender-xdr/advanced-hunting-deviceevents-table.md), the
 * table of everything else: antivirus scans, PowerShell commands, scheduled
 * tasks, USB drives, browser launches; and an `AntivirusDetection` for every
 * file of an alert Microsoft Defender Antivirus raised, carrying the alert's
 * threat name in `AdditionalFields`.
 */
export function buildMiscEvents(ctx: BuildContext): Array<Record<string, Value>> {
  const out = dailyEvents(ctx, "misc", 0.5, ["windows", "linux", "macos"], (m, random, at, reportId) => {
    const [process, action, additional] = random.weighted(MISC_EVENTS[m.family].map((c) => [c, c[3]] as const));
    const account = accountFor(ctx, m, random, process);
    const url = action === "BrowserLaunchedToOpenUrl" ? random.pick(BROWSED) : "";
    const lnk = action === "ShellLinkCreateFileEvent" ? joinPath(`C:\\Users\\${account.name}\\AppData\\Roaming\\Microsoft\\Windows\\Recent`, `Quarterly report ${random.int(1, 99)}.lnk`) : "";
    return {
      Timestamp: at,
      ...deviceFields(m),
      ActionType: action,
      FileName: lnk ? (lnk.split("\\").pop() ?? "") : "",
      FolderPath: lnk,
      AccountDomain: account.domain,
      AccountName: account.name,
      AccountSid: account.sid,
      RemoteUrl: url,
      RemoteIP: url ? addressFor(new URL(url).hostname) : "",
      AdditionalFields: fillTemplate(additional, random, account),
      ...initiatingProcess(m, random, process, at, account),
      ReportId: reportId,
    };
  });
  for (const alert of ctx.source.alerts) {
    if (alert.created < ctx.windowStart || alert.json.detectionSource !== "WindowsDefenderAv") continue;
    const machine = alertMachine(ctx, alert);
    if (!machine) continue;
    const random = ctx.random.fork(`alert-av/${alert.id}`);
    const account = alertAccount(ctx, alert, machine);
    const at = (typeof alert.json.firstEventTime === "string" ? parseDateTime(alert.json.firstEventTime) : undefined) ?? alert.created;
    const engine = machine.family === "windows" ? "MsMpEng.exe" : "mdatp";
    for (const e of alert.evidence.filter((x) => x.entityType === "File" && str(x.fileName))) {
      const path = joinPath(str(e.filePath), str(e.fileName));
      const hashes = fileHashes(path);
      out.push({
        Timestamp: at + BigInt(random.int(1, 30)) * TICKS_PER_SECOND,
        ...deviceFields(machine),
        ActionType: "AntivirusDetection",
        FileName: str(e.fileName),
        FolderPath: path,
        SHA1: str(e.sha1) || hashes.sha1,
        SHA256: str(e.sha256) || hashes.sha256,
        MD5: hashes.md5,
        AccountDomain: account.domain,
        AccountName: account.name,
        AccountSid: account.sid,
        AdditionalFields: JSON.stringify({ ThreatName: str(alert.json.threatName), WasRemediated: str(e.detectionStatus) !== "Detected", Action: "quarantine" }),
        ...initiatingProcess(machine, random, engine, at, accountFor(ctx, machine, random, engine)),
        ReportId: random.int(1_000, 900_000),
      });
    }
  }
  return out;
}
