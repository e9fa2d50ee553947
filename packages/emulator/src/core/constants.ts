/**
 * Identifiers of the real services the emulator stands in for.
 * Sources: docs/reference/mde-api.md §1.3, §1.4, §1.10, §8.2.
 */

/** WindowsDefenderATP's application id (OBSERVED in public scripts, not in MDE docs: mde-api.md §1.10). */
export const MDE_APP_ID = "fc780465-2017-40d4-a0c5-307022471b92";

/** v1 `resource=` value printed by the MDE PowerShell samples. */
export const MDE_RESOURCE = "https://api.securitycenter.microsoft.com";

/**
 * Every identifier under which a client may ask for an MDE token. The three scope
 * roots are all printed in the MDE docs (or implied by the documented base URI).
 */
export const MDE_RESOURCE_IDS = [
  "https://api.securitycenter.microsoft.com",
  "https://securitycenter.onmicrosoft.com/windowsatpservice",
  "https://api.security.microsoft.com",
  "https://api-gcc.securitycenter.microsoft.us",
  "https://api-gov.securitycenter.microsoft.us",
  MDE_APP_ID,
] as const;

/** Microsoft Graph's application id and resource URIs (public + national clouds). */
export const GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";
export const GRAPH_RESOURCE_IDS = [
  "https://graph.microsoft.com",
  "https://graph.microsoft.us",
  "https://dod-graph.microsoft.us",
  GRAPH_APP_ID,
] as const;

/**
 * The MDE application permissions (app-role values) with the display texts the
 * MDE pages print (mde-api.md §4) and the app-role ids from the third-party
 * compilation in §1.10.
 */
export const MDE_ROLES: ReadonlyArray<{ value: string; id: string; displayName: string }> = [
  { value: "AdvancedQuery.Read.All", id: "93489bf5-0fbc-4f2d-b901-33f2fe08ff05", displayName: "Run advanced queries" },
  { value: "Alert.Read.All", id: "71fe6b80-7034-4028-9ed8-0f316df9c3ff", displayName: "Read all alerts" },
  { value: "Alert.ReadWrite.All", id: "0f7000ec-157b-497f-b70e-ef0b0584f140", displayName: "Read and write all alerts" },
  { value: "Event.Write", id: "84ddd701-5fac-4c30-b0ad-aa73a67bea1a", displayName: "Write timeline events" },
  { value: "File.Read.All", id: "8788f1a9-beca-4e26-ba58-10513f3b896f", displayName: "Read file profiles" },
  { value: "Ip.Read.All", id: "47bf842d-354b-49ef-b741-3a6dd815bc13", displayName: "Read IP address profiles" },
  { value: "Library.Manage", id: "41d209c7-2511-4fc9-b899-8008a3976f09", displayName: "Manage live response library files" },
  { value: "Machine.CollectForensics", id: "15405ab2-2103-4a3c-ad80-e829841cedcc", displayName: "Collect forensics" },
  { value: "Machine.Isolate", id: "7e4e1300-e1b9-4102-88ba-f0cb6e6d5974", displayName: "Isolate machine" },
  { value: "Machine.LiveResponse", id: "1629b959-c0af-42a1-92f0-f6162060bdf1", displayName: "Run live response on a specific machine" },
  { value: "Machine.Offboard", id: "594435bf-36dd-4548-83bd-1bdafe157d7a", displayName: "Offboard machine" },
  { value: "Machine.Read.All", id: "ea8291d3-4b9a-44b5-bc3a-6cea3026dc79", displayName: "Read all machine profiles" },
  { value: "Machine.ReadWrite.All", id: "aa027352-232b-4ed4-b963-a705fc4d6d2c", displayName: "Read and write all machine information" },
  { value: "Machine.RestrictExecution", id: "96b6b35d-074d-4e2d-b167-8d68d9269648", displayName: "Restrict code execution" },
  { value: "Machine.Scan", id: "a86d9824-b2b6-45f8-b042-16bc4922ed4e", displayName: "Scan machine" },
  { value: "Machine.StopAndQuarantine", id: "96e72b5e-7e68-4171-aad1-3937599e4751", displayName: "Stop and quarantine file" },
  { value: "RemediationTasks.Read.All", id: "6a33eedf-ba73-4e5a-821b-f057ef63853a", displayName: "Read all remediation tasks" },
  { value: "Score.Read.All", id: "02b005dd-f804-43b4-8fc7-078460413f74", displayName: "Read Threat and Vulnerability Management score" },
  { value: "SecurityBaselinesAssessment.Read.All", id: "e870c0c1-c1a2-41ca-948e-a33912d2d3f0", displayName: "Read all security baselines assessment information" },
  { value: "SecurityConfiguration.Read.All", id: "227f2ea0-c2c2-4428-b7af-9ff40f1a720e", displayName: "Read all security configurations" },
  { value: "SecurityConfiguration.ReadWrite.All", id: "e5e05709-32a3-4c85-89c8-67596eb94f24", displayName: "Read and write all security configurations" },
  { value: "SecurityRecommendation.Read.All", id: "6443965c-7dd2-4cfd-b38f-bb7772bee163", displayName: "Read Threat and Vulnerability Management security recommendations" },
  { value: "Software.Read.All", id: "37f71c98-d198-41ae-964d-2c49aab74926", displayName: "Read Threat and Vulnerability Management software information" },
  { value: "Ti.Read.All", id: "528ca142-c849-4a5b-935e-10b8b9c38a84", displayName: "Read all IOCs" },
  { value: "Ti.ReadWrite", id: "a8bc2240-f96a-46a1-bad5-6a960b7327a1", displayName: "Read and write IOCs belonging to the app" },
  { value: "Ti.ReadWrite.All", id: "fc511a58-3adf-4d71-af24-00f13e35e479", displayName: "Read and write all IOCs" },
  { value: "Url.Read.All", id: "721af526-ffa8-42d7-9b84-1a56244dd99d", displayName: "Read URL profiles" },
  { value: "User.Read.All", id: "a833834a-4cf1-4732-8acf-bbcfa13fb610", displayName: "Read user profiles" },
  { value: "Vulnerability.Read.All", id: "41269fc5-d04d-4bfd-bce7-43a51cea049a", displayName: "Read Threat and Vulnerability Management vulnerability information" },
];

/** What the emulator's partner app asks for by default: a full SOC integration. */
export const DEFAULT_REQUESTED_ROLES: readonly string[] = [
  "Alert.Read.All",
  "Alert.ReadWrite.All",
  "Machine.Read.All",
  "Machine.ReadWrite.All",
  "Machine.Isolate",
  "Machine.RestrictExecution",
  "Machine.Scan",
  "Machine.CollectForensics",
  "Machine.StopAndQuarantine",
  "Machine.Offboard",
  "Machine.LiveResponse",
  "Library.Manage",
  "AdvancedQuery.Read.All",
  "Ti.ReadWrite.All",
  "File.Read.All",
  "Ip.Read.All",
  "Url.Read.All",
  "User.Read.All",
  "Software.Read.All",
  "Vulnerability.Read.All",
  "SecurityRecommendation.Read.All",
  "Score.Read.All",
  "RemediationTasks.Read.All",
];
