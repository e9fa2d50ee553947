/**
 * Alert templates for the generator: titles, descriptions, categories,
 * detection sources and MITRE techniques in the style of the documented
 * payloads (alerts.md, get-alerts.md; mde-api.md §6.1). The text is our own.
 */

/** Kinds of evidence an alert template carries (mde-api.md §6.1.1: entityType values). */
export type EvidenceKind = "User" | "Process" | "File" | "Ip" | "Url" | "Registry";

export interface AlertTemplate {
  title: string;
  description: string;
  category: string;
  detectionSource: string;
  mitreTechniques: readonly string[];
  /** Malware family for antivirus detections. */
  threatFamilyName?: string;
  /** Full threat name for antivirus detections (`Trojan:Win32/Emotet.A`). */
  threatName?: string;
  /** Relative weights for Informational, Low, Medium, High. */
  severity: readonly [number, number, number, number];
  evidence: readonly EvidenceKind[];
  /** Platforms the detection fires on ("windows" covers desktop and server). */
  platforms: ReadonlyArray<"windows" | "linux" | "macos">;
}

const W = ["windows"] as const;
const ALL = ["windows", "linux", "macos"] as const;

export const ALERT_TEMPLATES: readonly AlertTemplate[] = [
  {
    title: "Low-reputation arbitrary code executed by signed executable",
    description:
      "Binaries signed by Microsoft can be used to run low-reputation arbitrary code. This technique hides the execution of malicious code within a trusted process, which may then open a listening port or connect to a command-and-control server.",
    category: "Execution",
    detectionSource: "WindowsDefenderAtp",
    mitreTechniques: ["T1064", "T1085", "T1220"],
    severity: [0, 6, 3, 1],
    evidence: ["User", "Process", "File"],
    platforms: W,
  },
  {
    title: "Suspicious 'Meterpreter' behavior was detected",
    description:
      "Malware and unwanted software are undesirable applications that perform disruptive or harmful actions on affected devices. This detection indicates an active Meterpreter payload that can receive commands from remote attackers.\n\nBecause this malware was active, take precautionary measures and check for residual signs of infection.",
    category: "SuspiciousActivity",
    detectionSource: "WindowsDefenderAv",
    mitreTechniques: ["T1059.001", "T1055"],
    threatFamilyName: "Meterpreter",
    threatName: "Behavior:Win32/Meterpreter.gen!A",
    severity: [0, 2, 4, 4],
    evidence: ["Process", "File"],
    platforms: W,
  },
  {
    title: "'Emotet' malware was detected",
    description:
      "Emotet is a banking trojan and loader that spreads through malicious documents attached to email. The file was detected by Microsoft Defender Antivirus; check whether it was remediated and review the device timeline for related activity.",
    category: "Malware",
    detectionSource: "WindowsDefenderAv",
    mitreTechniques: ["T1566.001", "T1204.002"],
    threatFamilyName: "Emotet",
    threatName: "Trojan:Win32/Emotet.ARJ!MTB",
    severity: [0, 3, 5, 2],
    evidence: ["File", "User"],
    platforms: W,
  },
  {
    title: "Suspicious PowerShell command line",
    description:
      "A suspicious PowerShell command line was observed. Attackers use PowerShell with encoded or obfuscated arguments to download and run payloads in memory while avoiding files on disk.",
    category: "Execution",
    detectionSource: "WindowsDefenderAtp",
    mitreTechniques: ["T1059.001", "T1027", "T1105"],
    severity: [0, 3, 6, 1],
    evidence: ["User", "Process"],
    platforms: W,
  },
  {
    title: "Credential dumping activity observed",
    description:
      "A process accessed the memory of the Local Security Authority Subsystem Service (lsass.exe). Attackers read LSASS memory to extract credentials that let them move laterally in the network.",
    category: "CredentialAccess",
    detectionSource: "WindowsDefenderAtp",
    mitreTechniques: ["T1003.001"],
    severity: [0, 0, 3, 7],
    evidence: ["User", "Process", "File"],
    platforms: W,
  },
  {
    title: "Ransomware behavior detected in the file system",
    description:
      "A process modified a large number of files in a short time and changed their extensions, a pattern typical of ransomware encrypting user data. Isolate the device and investigate how the process started.",
    category: "Ransomware",
    detectionSource: "WindowsDefenderAtp",
    mitreTechniques: ["T1486", "T1490"],
    severity: [0, 0, 1, 9],
    evidence: ["Process", "File", "User"],
    platforms: W,
  },
  {
    title: "Connection to a known command-and-control server",
    description:
      "A process on this device connected to an IP address associated with command-and-control infrastructure. Review the process tree and the network connections made around the same time.",
    category: "CommandAndControl",
    detectionSource: "WindowsDefenderAtp",
    mitreTechniques: ["T1071.001", "T1571"],
    severity: [0, 2, 5, 3],
    evidence: ["Process", "Ip", "Url"],
    platforms: ALL,
  },
  {
    title: "Suspicious scheduled task registration",
    description:
      "A scheduled task was created that runs a script from a user-writable folder. Attackers use scheduled tasks to keep persistence across reboots.",
    category: "Persistence",
    detectionSource: "WindowsDefenderAtp",
    mitreTechniques: ["T1053.005"],
    severity: [1, 5, 3, 1],
    evidence: ["Process", "File"],
    platforms: W,
  },
  {
    title: "Anomalous registry Run key modification",
    description:
      "A Run key in the registry was modified to start an unfamiliar executable at logon. This is a common persistence technique.",
    category: "Persistence",
    detectionSource: "WindowsDefenderAtp",
    mitreTechniques: ["T1547.001", "T1112"],
    severity: [1, 5, 3, 1],
    evidence: ["Registry", "Process"],
    platforms: W,
  },
  {
    title: "Suspicious sequence of exploration activities",
    description:
      "A process ran several reconnaissance commands (whoami, net group, nltest) in a short time. Attackers explore the environment to find accounts and hosts worth targeting.",
    category: "Discovery",
    detectionSource: "WindowsDefenderAtp",
    mitreTechniques: ["T1087.002", "T1018", "T1033"],
    severity: [2, 5, 3, 0],
    evidence: ["User", "Process"],
    platforms: W,
  },
  {
    title: "Possible lateral movement using remote service creation",
    description:
      "A service was created remotely on this device with a command line that points to a binary copied over SMB moments earlier, a pattern used by tools such as PsExec.",
    category: "LateralMovement",
    detectionSource: "WindowsDefenderAtp",
    mitreTechniques: ["T1021.002", "T1569.002"],
    severity: [0, 1, 5, 4],
    evidence: ["User", "Process", "File", "Ip"],
    platforms: W,
  },
  {
    title: "Tampering with Microsoft Defender Antivirus settings",
    description:
      "An attempt was made to disable real-time protection or add broad exclusions to Microsoft Defender Antivirus. Attackers weaken protection before deploying payloads.",
    category: "DefenseEvasion",
    detectionSource: "WindowsDefenderAtp",
    mitreTechniques: ["T1562.001"],
    severity: [0, 2, 6, 2],
    evidence: ["Process", "Registry"],
    platforms: W,
  },
  {
    title: "'CoinMiner' potentially unwanted application was detected",
    description:
      "Potentially unwanted applications can degrade device performance. This application mines cryptocurrency using the device's resources.",
    category: "Malware",
    detectionSource: "WindowsDefenderAv",
    mitreTechniques: ["T1496"],
    threatFamilyName: "CoinMiner",
    threatName: "PUA:Win32/CoinMiner",
    severity: [3, 6, 1, 0],
    evidence: ["File"],
    platforms: ALL,
  },
  {
    title: "Phishing link clicked in an email attachment",
    description:
      "A user opened a document from email and followed a link to a site flagged for credential phishing. Reset the user's password if credentials were entered.",
    category: "InitialAccess",
    detectionSource: "MTP",
    mitreTechniques: ["T1566.002"],
    severity: [0, 3, 5, 2],
    evidence: ["User", "Url", "Process"],
    platforms: W,
  },
  {
    title: "Suspicious file dropped and launched from a temp folder",
    description:
      "An executable was written to a temporary folder and started by an Office application. Documents with macros often drop and run payloads this way.",
    category: "Execution",
    detectionSource: "WindowsDefenderAtp",
    mitreTechniques: ["T1204.002", "T1059.005"],
    severity: [0, 3, 5, 2],
    evidence: ["User", "Process", "File"],
    platforms: W,
  },
  {
    title: "Suspicious shell script launched from a web server process",
    description:
      "A web server worker process started a shell that ran a downloaded script, which can indicate a web shell or an exploited application.",
    category: "Execution",
    detectionSource: "WindowsDefenderAtp",
    mitreTechniques: ["T1505.003", "T1059.004"],
    severity: [0, 1, 5, 4],
    evidence: ["Process", "File", "Ip"],
    platforms: ["linux"],
  },
  {
    title: "Suspicious launch agent created",
    description:
      "A launch agent property list was written that starts a binary from a hidden folder at logon. Attackers use launch agents for persistence on macOS.",
    category: "Persistence",
    detectionSource: "WindowsDefenderAtp",
    mitreTechniques: ["T1543.001"],
    severity: [1, 5, 3, 1],
    evidence: ["Process", "File"],
    platforms: ["macos"],
  },
  {
    title: "Unusual data transfer to a cloud storage service",
    description:
      "A large volume of data was uploaded from this device to a personal cloud storage service shortly after many files were archived.",
    category: "Exfiltration",
    detectionSource: "WindowsDefenderAtp",
    mitreTechniques: ["T1567.002", "T1560.001"],
    severity: [0, 2, 6, 2],
    evidence: ["User", "Process", "Url"],
    platforms: ALL,
  },
  {
    title: "Exploitation attempt against a vulnerable driver",
    description:
      "A known vulnerable signed driver was loaded. Attackers load such drivers to gain kernel access and terminate security software.",
    category: "PrivilegeEscalation",
    detectionSource: "WindowsDefenderAtp",
    mitreTechniques: ["T1068", "T1014"],
    severity: [0, 1, 4, 5],
    evidence: ["File", "Process"],
    platforms: W,
  },
  {
    title: "Custom detection: RDP logon from an unexpected country",
    description: "A custom detection rule matched a remote desktop logon from an IP address outside the organization's usual countries.",
    category: "SuspiciousActivity",
    detectionSource: "CustomDetection",
    mitreTechniques: ["T1078", "T1021.001"],
    severity: [1, 4, 4, 1],
    evidence: ["User", "Ip"],
    platforms: W,
  },
  {
    title: "Automated investigation started manually",
    description: "An analyst started an automated investigation on this device.",
    category: "General",
    detectionSource: "AutomatedInvestigation",
    mitreTechniques: [],
    severity: [8, 2, 0, 0],
    evidence: ["User"],
    platforms: ALL,
  },
];

/** Investigation states an alert can be in (alerts.md; mde-api.md §6.1), with generator weights. */
export const INVESTIGATION_STATES: ReadonlyArray<readonly [string, number]> = [
  ["Running", 3],
  ["SuccessfullyRemediated", 5],
  ["Benign", 5],
  ["PartiallyRemediated", 1],
  ["PartiallyInvestigated", 1],
  ["PendingApproval", 2],
  ["Failed", 1],
  ["TerminatedBySystem", 1],
  ["Queued", 1],
];

/** Classification → determinations (update-alert.md wire names; mde-api.md §6.1). */
export const DETERMINATIONS: Readonly<Record<string, readonly string[]>> = {
  TruePositive: ["MultiStagedAttack", "MaliciousUserActivity", "CompromisedUser", "Malware", "Phishing", "UnwantedSoftware", "Other"],
  InformationalExpectedActivity: ["SecurityTesting", "LineOfBusinessApplication", "ConfirmedActivity", "Other"],
  FalsePositive: ["NotMalicious", "InsufficientData", "Other"],
};

export const ANALYST_COMMENTS: readonly string[] = [
  "Looking into this now.",
  "Confirmed with the user, investigating the process tree.",
  "Isolated the device pending review.",
  "Matches the pentest window announced by the red team.",
  "Hash is known-good internal tooling.",
  "Escalated to tier 2.",
  "AV remediated the file; no further activity seen.",
  "Password reset requested for the affected account.",
];

export const FIRST_NAMES: readonly string[] = [
  "alex",
  "maria",
  "john",
  "wei",
  "fatima",
  "liam",
  "sofia",
  "noah",
  "emma",
  "omar",
  "yuki",
  "lucas",
  "chloe",
  "ivan",
  "priya",
  "daniel",
  "sara",
  "mateo",
  "anna",
  "ahmed",
  "lena",
  "ravi",
  "julia",
  "tom",
];
export const LAST_NAMES: readonly string[] = [
  "smith",
  "garcia",
  "chen",
  "khan",
  "muller",
  "rossi",
  "tanaka",
  "silva",
  "novak",
  "patel",
  "kim",
  "nguyen",
  "brown",
  "johansson",
  "dubois",
  "lopez",
  "wright",
  "ali",
];
