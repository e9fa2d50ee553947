/**
 * Constant building blocks of the registry, file, image-load and
 * miscellaneous device events: which process touches which key or file, which
 * modules a process loads, and the certificates binaries are signed with. The
 * values imitate what the advanced hunting tables hold; the text is our own.
 * Templates fill `{user}`, `{sid}`, `{hex}`, `{HEX}`, `{n}` and `{guid}`.
 */
import type { Binary, Family } from "./catalog.js";

/** A registry change: process, ActionType, key, value name, value type, data, weight. */
export type RegistryChange = readonly [process: string, action: string, key: string, valueName: string, valueType: string, data: string, weight: number];

const HKCU = "HKEY_CURRENT_USER\\{sid}";
const HKLM = "HKEY_LOCAL_MACHINE";

/** Registry activity of a Windows fleet (DeviceRegistryEvents is Windows-only). */
export const REGISTRY_CHANGES: readonly RegistryChange[] = Object.freeze([
  ["MsMpEng.exe", "RegistryValueSet", `${HKLM}\\SOFTWARE\\Microsoft\\Windows Defender\\Signature Updates`, "AVSignatureVersion", "String", "1.421.{n}.0", 8],
  ["MsMpEng.exe", "RegistryValueSet", `${HKLM}\\SOFTWARE\\Microsoft\\Windows Defender\\Signature Updates`, "SignaturesLastUpdated", "Binary", "{hex}{hex}", 4],
  ["svchost.exe", "RegistryValueSet", `${HKLM}\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Orchestrator`, "LastScanTime", "String", "{n}", 4],
  ["svchost.exe", "RegistryKeyCreated", `${HKLM}\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Schedule\\TaskCache\\Tree\\Microsoft\\Windows\\UpdateOrchestrator\\Schedule Scan`, "", "", "", 2],
  ["OneDrive.exe", "RegistryValueSet", `${HKCU}\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run`, "OneDrive", "String", '"C:\\Program Files\\Microsoft OneDrive\\OneDrive.exe" /background', 3],
  ["ms-teams.exe", "RegistryValueSet", `${HKCU}\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run`, "ms-teams", "String", "ms-teams.exe msteams:system-initiated", 2],
  ["explorer.exe", "RegistryValueSet", `${HKCU}\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Explorer\\RecentDocs\\.docx`, "MRUListEx", "Binary", "{hex}", 5],
  ["explorer.exe", "RegistryValueSet", `${HKCU}\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Explorer\\UserAssist\\{CEBFF5CD-ACE2-4F4F-9178-9926F41749EA}\\Count`, "HRZR_PGYFRFFVBA", "Binary", "{hex}", 3],
  ["services.exe", "RegistryValueSet", `${HKLM}\\SYSTEM\\ControlSet001\\Services\\bam\\State\\UserSettings\\{sid}`, "\\Device\\HarddiskVolume3\\Windows\\System32\\cmd.exe", "Binary", "{hex}", 2],
  ["svchost.exe", "RegistryValueDeleted", `${HKLM}\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\RebootPending`, "{guid}", "", "", 1],
  ["gpupdate.exe", "RegistryValueSet", `${HKLM}\\SOFTWARE\\Policies\\Microsoft\\Windows Defender\\Real-Time Protection`, "DisableRealtimeMonitoring", "Dword", "0", 1],
] as const);

/** A file change: process, ActionType, folder, file name, origin URL ("" for none), weight. */
export type FileChange = readonly [process: string, action: string, folder: string, name: string, origin: string, weight: number];

export const FILE_CHANGES: Readonly<Record<Family, readonly FileChange[]>> = Object.freeze({
  windows: [
    ["msedge.exe", "FileCreated", "C:\\Users\\{user}\\Downloads", "invoice_{n}.pdf", "https://www.office.com/download/{hex}", 4],
    ["OUTLOOK.EXE", "FileCreated", "C:\\Users\\{user}\\AppData\\Local\\Microsoft\\Windows\\INetCache\\Content.Outlook\\{HEX}", "Quarterly report {n}.xlsx", "", 4],
    ["WINWORD.EXE", "FileModified", "C:\\Users\\{user}\\Documents", "Quarterly report {n}.docx", "", 4],
    ["OneDrive.exe", "FileModified", "C:\\Users\\{user}\\OneDrive\\Documents", "Budget {n}.xlsx", "", 3],
    ["MsMpEng.exe", "FileCreated", "C:\\ProgramData\\Microsoft\\Windows Defender\\Definition Updates\\{guid}", "mpavbase.vdm", "", 3],
    ["svchost.exe", "FileCreated", "C:\\Windows\\SoftwareDistribution\\Download\\{hex}", "windows10.0-kb50{n}-x64.cab", "https://ctldl.windowsupdate.com/msdownload/update/{hex}.cab", 2],
    ["explorer.exe", "FileRenamed", "C:\\Users\\{user}\\Documents", "Notes {n}.txt", "", 2],
    ["csc.exe", "FileCreated", "C:\\Users\\{user}\\AppData\\Local\\Temp\\{hex}", "{hex}.dll", "", 2],
    ["cmd.exe", "FileDeleted", "C:\\Windows\\Temp", "{hex}.tmp", "", 1],
  ],
  linux: [
    ["apt-get", "FileCreated", "/var/cache/apt/archives", "libssl3_3.0.2-0ubuntu1.{n}_amd64.deb", "http://archive.ubuntu.com/ubuntu/pool/main/o/openssl/libssl3_3.0.2-0ubuntu1.{n}_amd64.deb", 3],
    ["python3", "FileModified", "/opt/app", "db.sqlite3", "", 2],
    ["curl", "FileCreated", "/etc/apt/sources.list.d", "microsoft-prod.list", "https://packages.microsoft.com/config/ubuntu/22.04/prod.list", 2],
    ["sh", "FileDeleted", "/tmp", "tmp.{hex}", "", 2],
  ],
  macos: [
    ["Safari", "FileCreated", "/Users/{user}/Downloads", "statement_{n}.pdf", "https://www.apple.com/{hex}", 3],
    ["git", "FileModified", "/Users/{user}/src/app", "README.md", "", 2],
    ["softwareupdated", "FileCreated", "/Library/Updates", "{hex}.pkg", "https://swscan.apple.com/content/{hex}.pkg", 1],
  ],
});

const dll = (name: string, folder: string, description: string, size: number): Binary => ({
  name,
  folder,
  company: "Microsoft Corporation",
  product: "Microsoft® Windows® Operating System",
  description,
  version: "10.0.19041.4355",
  size,
});
const SYSTEM32 = "C:\\Windows\\System32";
const CLR = "C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319";

/** Modules and the processes that load them (DeviceImageLoadEvents, Windows). */
export const MODULES: Readonly<Record<string, Binary>> = Object.freeze(
  Object.fromEntries(
    [
      dll("ntdll.dll", SYSTEM32, "NT Layer DLL", 2_169_832),
      dll("kernel32.dll", SYSTEM32, "Windows NT BASE API Client DLL", 777_456),
      dll("KernelBase.dll", SYSTEM32, "Windows NT BASE API Client DLL", 3_772_928),
      dll("amsi.dll", SYSTEM32, "Anti-Malware Scan Interface", 97_280),
      dll("wldp.dll", SYSTEM32, "Windows Lockdown Policy", 271_360),
      dll("clr.dll", CLR, "Microsoft .NET Runtime Common Language Runtime - WorkStation", 10_418_256),
      dll("mscoree.dll", SYSTEM32, "Microsoft .NET Runtime Execution Engine", 406_528),
      dll("wininet.dll", SYSTEM32, "Internet Extensions for Win32", 4_983_296),
      dll("samlib.dll", SYSTEM32, "SAM Library DLL", 149_504),
      dll("vaultcli.dll", SYSTEM32, "Credential Vault Client Library", 217_088),
      dll("comsvcs.dll", SYSTEM32, "COM+ Services", 1_424_384),
    ].map((b) => [b.name, b]),
  ),
);

/** Which modules a process loads besides the ones every process loads. */
export const MODULE_LOADS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  "powershell.exe": ["amsi.dll", "wldp.dll", "clr.dll", "mscoree.dll"],
  "csc.exe": ["clr.dll", "mscoree.dll"],
  "msedge.exe": ["wininet.dll"],
  "OUTLOOK.EXE": ["wininet.dll", "vaultcli.dll"],
  "WINWORD.EXE": ["wininet.dll"],
  "svchost.exe": ["samlib.dll"],
  "lsass.exe": ["samlib.dll", "vaultcli.dll"],
});
export const COMMON_MODULES: readonly string[] = Object.freeze(["ntdll.dll", "kernel32.dll", "KernelBase.dll"]);

/** Miscellaneous DeviceEvents: process, ActionType, AdditionalFields template, weight. */
export type MiscEvent = readonly [process: string, action: string, additional: string, weight: number];

export const MISC_EVENTS: Readonly<Record<Family, readonly MiscEvent[]>> = Object.freeze({
  windows: [
    ["MsMpEng.exe", "AntivirusScanCompleted", '{"ScanTypeIndex":"Quick","DurationSeconds":{n}}', 5],
    ["powershell.exe", "PowerShellCommand", '{"Command":"Get-Process"}', 4],
    ["powershell.exe", "PowerShellCommand", '{"Command":"Import-Module"}', 2],
    ["svchost.exe", "ScheduledTaskCreated", '{"TaskName":"\\\\Microsoft\\\\Windows\\\\UpdateOrchestrator\\\\Schedule Scan"}', 2],
    ["msedge.exe", "BrowserLaunchedToOpenUrl", "", 3],
    ["System", "UsbDriveMounted", '{"DriveLetter":"E:","BusType":"USB","ProductName":"Flash Drive","Manufacturer":"Generic"}', 1],
    ["explorer.exe", "ShellLinkCreateFileEvent", "", 2],
  ],
  linux: [["mdatp", "AntivirusScanCompleted", '{"ScanTypeIndex":"Quick","DurationSeconds":{n}}', 3]],
  macos: [["mdworker_shared", "AntivirusScanCompleted", '{"ScanTypeIndex":"Quick","DurationSeconds":{n}}', 2]],
});

/** A code-signing certificate chain (DeviceFileCertificateInfo). */
export interface Certificate {
  signer: string;
  issuer: string;
  serial: string;
  crl: readonly string[];
  /** Validity as [created, expires] ISO dates. */
  validity: readonly [string, string];
  rootMicrosoft: boolean;
}

/** The certificates the catalog's vendors sign with, by `Binary.company`/product. */
export const CERTIFICATES: Readonly<Record<string, Certificate>> = Object.freeze({
  windows: {
    signer: "Microsoft Windows",
    issuer: "Microsoft Windows Production PCA 2011",
    serial: "33000003d9f0b3ba5a5bd6b2b00000000003d9",
    crl: ["http://www.microsoft.com/pkiops/crl/MicWinProPCA2011_2011-10-19.crl"],
    validity: ["2024-02-15T20:36:52Z", "2025-02-13T20:36:52Z"],
    rootMicrosoft: true,
  },
  defender: {
    signer: "Microsoft Windows Publisher",
    issuer: "Microsoft Windows Production PCA 2011",
    serial: "33000004b5d2b63bcd2eeb7b500000000004b5",
    crl: ["http://www.microsoft.com/pkiops/crl/MicWinProPCA2011_2011-10-19.crl"],
    validity: ["2024-05-23T18:42:49Z", "2025-05-21T18:42:49Z"],
    rootMicrosoft: true,
  },
  apps: {
    signer: "Microsoft Corporation",
    issuer: "Microsoft Code Signing PCA 2011",
    serial: "330000039d5ffed7d8af9e8a6900000000039d",
    crl: ["http://www.microsoft.com/pkiops/crl/MicCodSigPCA2011_2011-07-08.crl"],
    validity: ["2024-09-12T20:11:13Z", "2025-09-11T20:11:13Z"],
    rootMicrosoft: true,
  },
});

/** Which certificate signs a binary: by its product line. */
export function certificateFor(binary: Binary): Certificate | undefined {
  if (!binary.company) return undefined;
  if (/Defender|Antimalware|Malware Protection/i.test(binary.description)) return CERTIFICATES.defender;
  if (binary.product === "Microsoft® Windows® Operating System" || binary.product === "Microsoft® .NET Framework") return CERTIFICATES.windows;
  return CERTIFICATES.apps;
}
