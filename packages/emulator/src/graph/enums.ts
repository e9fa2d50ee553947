/**
 * The two vocabularies of one alert: the MDE API's PascalCase enums
 * (mde-api.md §6.1) and Graph's camelCase ones (graph-security.md §4.4), with
 * the mapping of graph-security.md §7.2 (INFERRED: Microsoft documents none).
 */

/** MDE alert status → Graph alertStatus. */
export const STATUS_TO_GRAPH: Readonly<Record<string, string>> = {
  New: "new",
  InProgress: "inProgress",
  Resolved: "resolved",
  Unknown: "unknown",
};

/** MDE severity → Graph alertSeverity. */
export const SEVERITY_TO_GRAPH: Readonly<Record<string, string>> = {
  UnSpecified: "unknown",
  Informational: "informational",
  Low: "low",
  Medium: "medium",
  High: "high",
};

/** MDE classification → Graph alertClassification (MDE `null` is Graph `unknown`). */
export const CLASSIFICATION_TO_GRAPH: Readonly<Record<string, string>> = {
  TruePositive: "truePositive",
  InformationalExpectedActivity: "informationalExpectedActivity",
  FalsePositive: "falsePositive",
};

/**
 * MDE determination → Graph alertDetermination. Graph's alert enum table (and
 * the v1.0 SDK) names four values differently from the property text
 * (graph-security.md §4.4, DOC-CONFLICT); the emulator emits the enum-table
 * names (`compromisedAccount`, `notMalicious`, `notEnoughDataToValidate`,
 * `confirmedActivity`) and accepts both on input.
 *
 * One line per determination: the MDE spellings (the first is what the MDE API
 * stores), then after `=` the Graph spellings (the first is what Graph emits).
 */
const DETERMINATIONS = `
  Apt APT = apt
  Malware = malware
  SecurityPersonnel = securityPersonnel
  SecurityTesting = securityTesting
  UnwantedSoftware = unwantedSoftware
  Other = other
  MultiStagedAttack = multiStagedAttack
  CompromisedUser CompromisedAccount = compromisedAccount compromisedUser
  Phishing = phishing
  MaliciousUserActivity = maliciousUserActivity
  NotMalicious Clean = notMalicious clean
  InsufficientData NotEnoughDataToValidate = notEnoughDataToValidate insufficientData
  ConfirmedActivity ConfirmedUserActivity = confirmedActivity confirmedUserActivity
  LineOfBusinessApplication = lineOfBusinessApplication`
  .trim()
  .split("\n")
  .map((line) => line.split("=").map((side) => side.trim().split(" ")) as [mde: [string, ...string[]], graph: [string, ...string[]]]);

export const DETERMINATION_TO_GRAPH: Readonly<Record<string, string>> = Object.fromEntries(DETERMINATIONS.flatMap(([mde, graph]) => mde.map((m) => [m, graph[0]])));

/** Graph determination (either spelling) → the MDE name the MDE API stores; `unknown` clears it. */
export const DETERMINATION_TO_MDE: Readonly<Record<string, string | null>> = {
  unknown: null,
  ...Object.fromEntries(DETERMINATIONS.flatMap(([mde, graph]) => graph.map((g) => [g, mde[0]]))),
};

export const STATUS_TO_MDE: Readonly<Record<string, string>> = { new: "New", inProgress: "InProgress", resolved: "Resolved" };
export const CLASSIFICATION_TO_MDE: Readonly<Record<string, string | null>> = {
  unknown: null,
  truePositive: "TruePositive",
  informationalExpectedActivity: "InformationalExpectedActivity",
  falsePositive: "FalsePositive",
};

/**
 * MDE `detectionSource` → Graph detectionSource (graph-security.md §7.2: a
 * different vocabulary). Values the emulator does not know map to `unknown`.
 */
export const DETECTION_SOURCE_TO_GRAPH: Readonly<Record<string, string>> = {
  WindowsDefenderAtp: "microsoftDefenderForEndpoint",
  WindowsDefenderAv: "antivirus",
  WindowsDefenderSmartScreen: "smartScreen",
  CustomerTI: "customTi",
  AutomatedInvestigation: "automatedInvestigation",
  MTP: "microsoft365Defender",
  ThreatExperts: "microsoftThreatExperts",
  CustomDetection: "customDetection",
  Manual: "manual",
  OfficeATP: "microsoftDefenderForOffice365",
  MCAS: "cloudAppSecurity",
  AzureATP: "microsoftDefenderForIdentity",
};

/**
 * Members of Graph's evolvable enums that come after `unknownFutureValue`
 * (graph-security.md §4.4, §4.5, §5). Without `Prefer: include-unknown-enum-members`
 * Graph sends `unknownFutureValue` in their place.
 */
const EVOLVED: Readonly<Record<string, ReadonlySet<string>>> = {
  detectionSource: new Set([
    "microsoftDefenderForCloud",
    "microsoftDefenderForIoT",
    "microsoftDefenderForServers",
    "microsoftDefenderForStorage",
    "microsoftDefenderForDNS",
    "microsoftDefenderForDatabases",
    "microsoftDefenderForContainers",
    "microsoftDefenderForNetwork",
    "microsoftDefenderForAppService",
    "microsoftDefenderForKeyVault",
    "microsoftDefenderForResourceManager",
    "microsoftDefenderForApiManagement",
    "microsoftSentinel",
    "nrtAlerts",
    "scheduledAlerts",
    "microsoftDefenderThreatIntelligenceAnalytics",
    "builtInMl",
  ]),
  serviceSource: new Set([
    "microsoftDefenderForCloud",
    "microsoftSentinel",
    "microsoftThreatIntelligence",
    "microsoftSecurityForAI",
    "microsoftInsiderRiskManagement",
  ]),
  incidentStatus: new Set(["awaitingAction"]),
};

export type EvolvableEnum = "detectionSource" | "serviceSource" | "incidentStatus";

/** The value as the client may see it: evolved members only with the Prefer header (GRAPH best-practices "Evolvable enums"). */
export function evolvable(kind: EvolvableEnum, value: string, includeUnknown: boolean): string {
  return !includeUnknown && EVOLVED[kind]?.has(value) ? "unknownFutureValue" : value;
}

/** Does the request carry `Prefer: include-unknown-enum-members` (among possibly several preferences)? */
export function prefersUnknownEnumMembers(header: string | undefined): boolean {
  return (header ?? "")
    .split(",")
    .some((p) => p.trim().toLowerCase() === "include-unknown-enum-members");
}

/** First letter lowercased: MDE's PascalCase enum members in Graph's casing (`UnsupportedAlertType` → `unsupportedAlertType`). */
export function camel(value: string): string {
  return value.length === 0 ? value : value[0]?.toLowerCase() + value.slice(1);
}

/**
 * Finds an input enum value case-insensitively (the incident-update example sends
 * `TruePositive` and gets `truePositive` back: graph-security.md §5, INFERRED).
 */
export function matchEnum(allowed: Iterable<string>, input: string): string | undefined {
  const lower = input.toLowerCase();
  for (const value of allowed) if (value.toLowerCase() === lower) return value;
  return undefined;
}

/** `CASE expr WHEN 'k' THEN 'v' … ELSE 'else' END` from a constant map (keys and values are ours, never the request's). */
export function sqlCase(expr: string, map: Readonly<Record<string, string | null>>, otherwise: string): string {
  const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const whens = Object.entries(map)
    .filter((e): e is [string, string] => e[1] !== null)
    .map(([k, v]) => `WHEN ${q(k)} THEN ${q(v)}`)
    .join(" ");
  return `CASE ${expr} ${whens} ELSE ${q(otherwise)} END`;
}
