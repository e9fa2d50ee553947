/**
 * Constant building blocks for the generated telemetry: the binaries a fleet
 * runs, who starts whom with which command line, where they connect, and the
 * names Defender XDR prints for detection sources and MITRE techniques. The
 * values imitate what the advanced hunting tables hold; the text is our own.
 */

export type Family = "windows" | "linux" | "macos";

/** A binary: where it lives and its version information. */
export interface Binary {
  name: string;
  folder: string;
  company: string;
  product: string;
  description: string;
  version: string;
  size: number;
}

const win = (name: string, folder: string, description: string, size: number, company = "Microsoft Corporation", product = "Microsoft® Windows® Operating System", version = "10.0.19041.4355"): Binary => ({
  name, folder, company, product, description, version, size,
});
const nix = (name: string, folder: string, description: string, size: number): Binary => ({ name, folder, company: "", product: "", description, version: "", size });

export const BINARIES: Readonly<Record<string, Binary>> = Object.freeze(
  Object.fromEntries(
    [
      win("services.exe", "C:\\Windows\\System32", "Services and Controller app", 742_696),
      win("svchost.exe", "C:\\Windows\\System32", "Host Process for Windows Services", 57_360),
      win("lsass.exe", "C:\\Windows\\System32", "Local Security Authority Process", 59_456),
      win("winlogon.exe", "C:\\Windows\\System32", "Windows Logon Application", 907_264),
      win("userinit.exe", "C:\\Windows\\System32", "Userinit Logon Application", 30_720),
      win("explorer.exe", "C:\\Windows", "Windows Explorer", 5_557_488),
      win("taskhostw.exe", "C:\\Windows\\System32", "Host Process for Windows Tasks", 101_704),
      win("backgroundTaskHost.exe", "C:\\Windows\\System32", "Background Task Host", 19_456),
      win("SearchProtocolHost.exe", "C:\\Windows\\System32", "Microsoft Windows Search Protocol Host", 425_472),
      win("cmd.exe", "C:\\Windows\\System32", "Windows Command Processor", 323_584),
      win("conhost.exe", "C:\\Windows\\System32", "Console Window Host", 868_864),
      win("powershell.exe", "C:\\Windows\\System32\\WindowsPowerShell\\v1.0", "Windows PowerShell", 452_608),
      win("csc.exe", "C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319", "Visual C# Command Line Compiler", 2_759_232, "Microsoft Corporation", "Microsoft® .NET Framework", "4.8.9032.0"),
      win("cvtres.exe", "C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319", "Microsoft® Resource File To COFF Object Conversion Utility", 43_640, "Microsoft Corporation", "Microsoft® .NET Framework", "14.30.34438.0"),
      win("ipconfig.exe", "C:\\Windows\\System32", "IP Configuration Utility", 35_840),
      win("whoami.exe", "C:\\Windows\\System32", "whoami - displays logged on user information", 73_728),
      win("gpupdate.exe", "C:\\Windows\\System32", "Microsoft® Group Policy Update Utility", 33_280),
      win("wuauclt.exe", "C:\\Windows\\System32", "Windows Update", 111_104),
      win("MsMpEng.exe", "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0", "Antimalware Service Executable", 133_000, "Microsoft Corporation", "Microsoft® Windows® Operating System", "4.18.24090.11"),
      win("MpCmdRun.exe", "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0", "Microsoft Malware Protection Command Line Utility", 1_601_304, "Microsoft Corporation", "Microsoft® Windows® Operating System", "4.18.24090.11"),
      win("SenseIR.exe", "C:\\Program Files\\Windows Defender Advanced Threat Protection", "Windows Defender Advanced Threat Protection Service Executable", 4_620_000, "Microsoft Corporation", "Microsoft® Windows® Operating System", "10.8760.19041.4355"),
      win("msedge.exe", "C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\129.0.2792.89", "Microsoft Edge", 4_104_544, "Microsoft Corporation", "Microsoft Edge", "129.0.2792.89"),
      win("OUTLOOK.EXE", "C:\\Program Files\\Microsoft Office\\root\\Office16", "Microsoft Outlook", 43_197_336, "Microsoft Corporation", "Microsoft Outlook", "16.0.17928.20156"),
      win("WINWORD.EXE", "C:\\Program Files\\Microsoft Office\\root\\Office16", "Microsoft Word", 1_631_000, "Microsoft Corporation", "Microsoft Office", "16.0.17928.20156"),
      win("ms-teams.exe", "C:\\Program Files\\WindowsApps\\MSTeams_24243.1309.3132.617_x64__8wekyb3d8bbwe", "Microsoft Teams", 1_420_000, "Microsoft Corporation", "Microsoft Teams", "24243.1309.3132.617"),
      win("OneDrive.exe", "C:\\Program Files\\Microsoft OneDrive", "Microsoft OneDrive", 3_602_000, "Microsoft Corporation", "Microsoft OneDrive", "24.181.0908.0001"),
      win("sqlservr.exe", "C:\\Program Files\\Microsoft SQL Server\\MSSQL16.MSSQLSERVER\\MSSQL\\Binn", "SQL Server Windows NT - 64 Bit", 522_000, "Microsoft Corporation", "Microsoft SQL Server", "2022.160.4135.4"),
      win("w3wp.exe", "C:\\Windows\\System32\\inetsrv", "IIS Worker Process", 28_000),
      win("System", "", "", 0, "", "", ""),
      nix("systemd", "/usr/lib/systemd", "systemd system and service manager", 96_224),
      nix("sshd", "/usr/sbin", "OpenSSH daemon", 921_936),
      nix("bash", "/usr/bin", "GNU Bourne-Again SHell", 1_396_520),
      nix("sudo", "/usr/bin", "execute a command as another user", 232_416),
      nix("cron", "/usr/sbin", "daemon to execute scheduled commands", 55_944),
      nix("sh", "/usr/bin", "command interpreter", 125_688),
      nix("apt-get", "/usr/bin", "APT package handling utility", 26_976),
      nix("python3", "/usr/bin", "Python interpreter", 5_904_904),
      nix("curl", "/usr/bin", "transfer a URL", 260_328),
      nix("mdatp", "/opt/microsoft/mdatp/sbin/wdavdaemon", "Microsoft Defender for Endpoint on Linux", 2_031_000),
      nix("launchd", "/sbin", "System wide and per-user daemon/agent manager", 1_023_456),
      nix("zsh", "/bin", "the Z shell", 1_355_600),
      nix("mdworker_shared", "/System/Library/Frameworks/CoreServices.framework/Frameworks/Metadata.framework/Versions/A/Support", "Spotlight metadata worker", 210_000),
      nix("Safari", "/Applications/Safari.app/Contents/MacOS", "Safari web browser", 140_000),
      nix("git", "/usr/bin", "the stupid content tracker", 167_000),
      nix("softwareupdated", "/System/Library/PrivateFrameworks/MobileSoftwareUpdate.framework/Support", "software update daemon", 890_000),
    ].map((b) => [b.name, b]),
  ),
);

/** A process start: parent, child, command line (`{user}`, `{hex}`, `{n}` are filled in), weight. */
export type Launch = readonly [parent: string, child: string, commandLine: string, weight: number];

export const LAUNCHES: Readonly<Record<Family, readonly Launch[]>> = Object.freeze({
  windows: [
    ["services.exe", "svchost.exe", "svchost.exe -k netsvcs -p -s Schedule", 8],
    ["services.exe", "svchost.exe", "svchost.exe -k LocalServiceNetworkRestricted -p", 5],
    ["svchost.exe", "taskhostw.exe", "taskhostw.exe {222A245B-E637-4AE9-A93F-A59CA119A75E}", 6],
    ["svchost.exe", "backgroundTaskHost.exe", "\"backgroundTaskHost.exe\" -ServerName:App.AppXmtcan0h2tfbfy7k9kn8hbxb6dmzz1zh0.mca", 4],
    ["svchost.exe", "SearchProtocolHost.exe", "\"SearchProtocolHost.exe\" Global\\UsGthrFltPipeMssGthrPipe{n} Global\\UsGthrCtrlFltPipeMssGthrPipe{n} 1 -2147483646 \"Software\\Microsoft\\Windows Search\"", 4],
    ["svchost.exe", "wuauclt.exe", "\"wuauclt.exe\" /UpdateDeploymentProvider UpdateDeploymentProvider.dll /ClassId {hex} /RunHandlerComServer", 2],
    ["svchost.exe", "MpCmdRun.exe", "\"MpCmdRun.exe\" -SignatureUpdate -MMPC", 3],
    ["userinit.exe", "explorer.exe", "C:\\Windows\\Explorer.EXE", 2],
    ["explorer.exe", "msedge.exe", "\"msedge.exe\" --single-argument https://portal.office.com/", 8],
    ["explorer.exe", "OUTLOOK.EXE", "\"OUTLOOK.EXE\" ", 4],
    ["explorer.exe", "WINWORD.EXE", "\"WINWORD.EXE\" /n \"C:\\Users\\{user}\\Documents\\Quarterly report {n}.docx\"", 3],
    ["explorer.exe", "ms-teams.exe", "\"ms-teams.exe\" msteams:system-initiated", 4],
    ["explorer.exe", "OneDrive.exe", "\"OneDrive.exe\" /background", 3],
    ["explorer.exe", "powershell.exe", "\"powershell.exe\" ", 3],
    ["explorer.exe", "cmd.exe", "\"cmd.exe\" ", 2],
    ["cmd.exe", "ipconfig.exe", "ipconfig  /all", 2],
    ["cmd.exe", "whoami.exe", "whoami  /groups", 1],
    ["cmd.exe", "conhost.exe", "\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1", 2],
    ["powershell.exe", "conhost.exe", "\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1", 2],
    // .NET code compiled on the fly by PowerShell — what the documented sample query hunts for.
    ["powershell.exe", "csc.exe", "\"csc.exe\" /noconfig /fullpaths @\"C:\\Users\\{user}\\AppData\\Local\\Temp\\{hex}\\{hex}.cmdline\"", 3],
    ["csc.exe", "cvtres.exe", "C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\cvtres.exe /NOLOGO /READONLY /MACHINE:IX86 \"/OUT:C:\\Users\\{user}\\AppData\\Local\\Temp\\RES{hex}.tmp\"", 2],
    ["svchost.exe", "gpupdate.exe", "gpupdate.exe /target:computer", 1],
  ],
  linux: [
    ["systemd", "sshd", "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups", 4],
    ["sshd", "bash", "-bash", 5],
    ["bash", "sudo", "sudo systemctl status mdatp", 3],
    ["cron", "sh", "/bin/sh -c cd / && run-parts --report /etc/cron.hourly", 6],
    ["systemd", "apt-get", "apt-get update -qq", 3],
    ["bash", "python3", "python3 /opt/app/manage.py migrate", 2],
    ["bash", "curl", "curl -fsSL https://packages.microsoft.com/config/ubuntu/22.04/prod.list", 2],
    ["systemd", "mdatp", "/opt/microsoft/mdatp/sbin/wdavdaemon edr 12 11 --log_level info", 2],
  ],
  macos: [
    ["launchd", "mdworker_shared", "/System/Library/Frameworks/CoreServices.framework/Frameworks/Metadata.framework/Versions/A/Support/mdworker_shared -s mdworker -c MDSImporterWorker -m com.apple.mdworker.shared", 6],
    ["launchd", "Safari", "/Applications/Safari.app/Contents/MacOS/Safari", 4],
    ["zsh", "git", "git pull --rebase", 3],
    ["launchd", "softwareupdated", "/System/Library/PrivateFrameworks/MobileSoftwareUpdate.framework/Support/softwareupdated", 2],
    ["launchd", "zsh", "-zsh", 3],
  ],
});

/** A connection: process, remote host (or "dc" / "peer" for an internal address), port, protocol, weight. */
export type Connection = readonly [process: string, remote: string, port: number, protocol: "Tcp" | "Udp", weight: number];

export const CONNECTIONS: Readonly<Record<Family, readonly Connection[]>> = Object.freeze({
  windows: [
    ["msedge.exe", "www.bing.com", 443, "Tcp", 6],
    ["msedge.exe", "login.microsoftonline.com", 443, "Tcp", 5],
    ["msedge.exe", "www.office.com", 443, "Tcp", 4],
    ["OUTLOOK.EXE", "outlook.office365.com", 443, "Tcp", 5],
    ["ms-teams.exe", "teams.microsoft.com", 443, "Tcp", 4],
    ["OneDrive.exe", "onedrive.live.com", 443, "Tcp", 3],
    ["svchost.exe", "settings-win.data.microsoft.com", 443, "Tcp", 4],
    ["svchost.exe", "ctldl.windowsupdate.com", 80, "Tcp", 2],
    ["svchost.exe", "dc", 53, "Udp", 4],
    ["MsMpEng.exe", "wdcp.microsoft.com", 443, "Tcp", 3],
    ["SenseIR.exe", "winatp-gw-eus.microsoft.com", 443, "Tcp", 3],
    ["lsass.exe", "dc", 88, "Tcp", 3],
    ["System", "peer", 445, "Tcp", 2],
    ["powershell.exe", "raw.githubusercontent.com", 443, "Tcp", 1],
  ],
  linux: [
    ["curl", "packages.microsoft.com", 443, "Tcp", 3],
    ["apt-get", "archive.ubuntu.com", 80, "Tcp", 3],
    ["mdatp", "winatp-gw-eus.microsoft.com", 443, "Tcp", 3],
    ["python3", "pypi.org", 443, "Tcp", 2],
    ["sshd", "peer", 22, "Tcp", 2],
  ],
  macos: [
    ["Safari", "www.apple.com", 443, "Tcp", 3],
    ["Safari", "login.microsoftonline.com", 443, "Tcp", 3],
    ["softwareupdated", "swscan.apple.com", 443, "Tcp", 2],
    ["git", "github.com", 443, "Tcp", 2],
  ],
});

/** Detection sources as Defender XDR's hunting tables print them (AlertInfo.DetectionSource). */
export const DETECTION_SOURCE_NAMES: Readonly<Record<string, string>> = Object.freeze({
  WindowsDefenderAtp: "EDR",
  WindowsDefenderAv: "Antivirus",
  WindowsDefenderSmartScreen: "SmartScreen",
  CustomerTI: "Custom TI",
  CustomDetection: "Custom detection",
  AutomatedInvestigation: "Automated investigation",
  MTP: "Microsoft Defender XDR",
  Manual: "Manual",
});

/** MITRE ATT&CK technique names, for AttackTechniques (`["Rundll32 (T1218.011)"]`). */
export const TECHNIQUE_NAMES: Readonly<Record<string, string>> = Object.freeze({
  "T1003.001": "LSASS Memory",
  T1014: "Rootkit",
  T1018: "Remote System Discovery",
  "T1021.001": "Remote Desktop Protocol",
  "T1021.002": "SMB/Windows Admin Shares",
  T1027: "Obfuscated Files or Information",
  T1033: "System Owner/User Discovery",
  "T1053.005": "Scheduled Task",
  T1055: "Process Injection",
  "T1059.001": "PowerShell",
  "T1059.004": "Unix Shell",
  "T1059.005": "Visual Basic",
  T1064: "Scripting",
  T1068: "Exploitation for Privilege Escalation",
  "T1071.001": "Web Protocols",
  T1078: "Valid Accounts",
  T1085: "Rundll32",
  "T1087.002": "Domain Account",
  T1105: "Ingress Tool Transfer",
  T1112: "Modify Registry",
  "T1204.002": "Malicious File",
  T1220: "XSL Script Processing",
  T1486: "Data Encrypted for Impact",
  T1490: "Inhibit System Recovery",
  T1496: "Resource Hijacking",
  "T1505.003": "Web Shell",
  "T1543.001": "Launch Agent",
  "T1547.001": "Registry Run Keys / Startup Folder",
  "T1560.001": "Archive via Utility",
  "T1562.001": "Disable or Modify Tools",
  "T1566.001": "Spearphishing Attachment",
  "T1566.002": "Spearphishing Link",
  "T1567.002": "Exfiltration to Cloud Storage",
  "T1569.002": "Service Execution",
  T1571: "Non-Standard Port",
});

/** Defender for Endpoint sensor versions seen in DeviceInfo.ClientVersion. */
export const CLIENT_VERSIONS: Readonly<Record<Family, readonly string[]>> = Object.freeze({
  windows: ["10.8760.19041.4355", "10.8760.22621.3880", "10.8750.22631.4169"],
  linux: ["101.24082.0004", "101.24072.0001"],
  macos: ["101.24082.0004", "101.24062.0007"],
});
