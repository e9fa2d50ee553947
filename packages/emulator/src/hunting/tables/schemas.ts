import type { Column, KqlType } from "../kql/values.js";
import { DEVICE_TABLE_SPECS, DEVICE_TABLES, type DeviceTableName } from "./device-schemas.js";
import { TVM_TABLE_SPECS, TVM_TABLES, type TvmTableName } from "./tvm-tables.js";

/*
 * Column names and types of the hunting tables, as the advanced hunting schema
 * reference prints them (MicrosoftDocs/defender-docs, defender-xdr/
 * advanced-hunting-<table>-table.md: deviceinfo, deviceprocessevents,
 * devicenetworkevents, devicelogonevents, alertinfo, alertevidence).
 */

/** The initiating process's account, and its image from hashes to folder: runs every event table repeats. */
const INITIATING_ACCOUNT = `InitiatingProcessAccountDomain string, InitiatingProcessAccountName string,
InitiatingProcessAccountSid string, InitiatingProcessAccountUpn string, InitiatingProcessAccountObjectId string`;
const INITIATING_IMAGE = `InitiatingProcessSHA1 string, InitiatingProcessSHA256 string, InitiatingProcessMD5 string,
InitiatingProcessFileName string, InitiatingProcessFileSize long, InitiatingProcessVersionInfoCompanyName string,
InitiatingProcessVersionInfoProductName string, InitiatingProcessVersionInfoProductVersion string,
InitiatingProcessVersionInfoInternalFileName string, InitiatingProcessVersionInfoOriginalFileName string,
InitiatingProcessVersionInfoFileDescription string, InitiatingProcessId long, InitiatingProcessCommandLine string,
InitiatingProcessCreationTime datetime, InitiatingProcessFolderPath string`;

const REMOTE_SESSION = `InitiatingProcessSessionId long, IsInitiatingProcessRemoteSession bool,
InitiatingProcessRemoteSessionDeviceName string, InitiatingProcessRemoteSessionIP string`;

const SPECS: Record<string, string> = {
  DeviceInfo: `Timestamp datetime, DeviceId string, DeviceName string, ClientVersion string, PublicIP string,
    OSArchitecture string, OSPlatform string, OSBuild long, IsAzureADJoined bool, JoinType string, AadDeviceId string,
    LoggedOnUsers string, RegistryDeviceTag string, OSVersion string, MachineGroup string, ReportId long,
    OnboardingStatus string, AdditionalFields string, DeviceCategory string, DeviceType string, DeviceSubtype string,
    Model string, Vendor string, OSDistribution string, OSVersionInfo string, MergedDeviceIds string,
    MergedToDeviceId string, IsInternetFacing bool, SensorHealthState string, IsExcluded bool, ExclusionReason string,
    ExposureLevel string, AssetValue string, DeviceManualTags string, DeviceDynamicTags string, ConnectivityType string,
    HostDeviceId string`,
  DeviceProcessEvents: `Timestamp datetime, DeviceId string, DeviceName string, ActionType string, FileName string,
    FolderPath string, SHA1 string, SHA256 string, MD5 string, FileSize long, ProcessVersionInfoCompanyName string,
    ProcessVersionInfoProductName string, ProcessVersionInfoProductVersion string, ProcessVersionInfoInternalFileName string,
    ProcessVersionInfoOriginalFileName string, ProcessVersionInfoFileDescription string, ProcessId long,
    ProcessCommandLine string, ProcessIntegrityLevel string, ProcessTokenElevation string, ProcessCreationTime datetime,
    AccountDomain string, AccountName string, AccountSid string, AccountUpn string, AccountObjectId string, LogonId long,
    ${INITIATING_ACCOUNT}, InitiatingProcessLogonId long, InitiatingProcessIntegrityLevel string,
    InitiatingProcessTokenElevation string, ${INITIATING_IMAGE}, InitiatingProcessParentId long,
    InitiatingProcessParentFileName string, InitiatingProcessParentCreationTime datetime,
    InitiatingProcessSignerType string, InitiatingProcessSignatureStatus string, ReportId long,
    AppGuardContainerId string, AdditionalFields string`,
  DeviceNetworkEvents: `Timestamp datetime, DeviceId string, DeviceName string, ActionType string, RemoteIP string,
    RemotePort int, RemoteUrl string, LocalIP string, LocalPort int, Protocol string, LocalIPType string,
    RemoteIPType string, ${INITIATING_IMAGE}, InitiatingProcessParentFileName string,
    InitiatingProcessParentId long, InitiatingProcessParentCreationTime datetime, ${INITIATING_ACCOUNT},
    InitiatingProcessIntegrityLevel string, InitiatingProcessTokenElevation string,
    ReportId long, AppGuardContainerId string, AdditionalFields string, ${REMOTE_SESSION}`,
  DeviceLogonEvents: `Timestamp datetime, DeviceId string, DeviceName string, ActionType string, LogonType string,
    AccountDomain string, AccountName string, AccountSid string, Protocol string, FailureReason string,
    IsLocalAdmin bool, LogonId long, RemoteDeviceName string, RemoteIP string, RemoteIPType string, RemotePort int,
    ${INITIATING_ACCOUNT}, InitiatingProcessIntegrityLevel string, InitiatingProcessTokenElevation string,
    ${INITIATING_IMAGE}, InitiatingProcessParentId long, InitiatingProcessParentFileName string,
    InitiatingProcessParentCreationTime datetime, ReportId long, AppGuardContainerId string, AdditionalFields string, ${REMOTE_SESSION}`,
  AlertInfo: `Timestamp datetime, AlertId string, Title string, Category string, Severity string, ServiceSource string,
    DetectionSource string, AttackTechniques string`,
  AlertEvidence: `Timestamp datetime, AlertId string, Title string, Categories string, AttackTechniques string,
    ServiceSource string, DetectionSource string, EntityType string, EvidenceRole string, EvidenceDirection string,
    FileName string, FolderPath string, SHA1 string, SHA256 string, FileSize long, ThreatFamily string,
    RemoteIP string, RemoteUrl string, AccountName string, AccountDomain string, AccountSid string,
    AccountObjectId string, AccountUpn string, DeviceId string, DeviceName string, LocalIP string,
    NetworkMessageId string, EmailSubject string, Application string, ApplicationId int, OAuthApplicationId string,
    ProcessCommandLine string, RegistryKey string, RegistryValueName string, RegistryValueData string,
    AdditionalFields string, Severity string, CloudResource string, CloudPlatform string, ResourceType string,
    ResourceID string, SubscriptionId string`,
  ...TVM_TABLE_SPECS,
  ...DEVICE_TABLE_SPECS,
};

function parseSpec(spec: string): Column[] {
  return spec
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [name, type] = part.split(/\s+/) as [string, KqlType];
      return { name, type };
    });
}

/** The hunting tables the emulator serves, in the order the schema reference lists their columns. */
export type HuntingTableName = "DeviceInfo" | "DeviceProcessEvents" | "DeviceNetworkEvents" | "DeviceLogonEvents" | "AlertInfo" | "AlertEvidence" | TvmTableName | DeviceTableName;

export const HUNTING_TABLES: readonly HuntingTableName[] = Object.freeze([
  "DeviceInfo",
  "DeviceProcessEvents",
  "DeviceNetworkEvents",
  "DeviceLogonEvents",
  "AlertInfo",
  "AlertEvidence",
  ...DEVICE_TABLES,
  ...TVM_TABLES,
]);

/** Columns of each hunting table. */
export const TABLE_COLUMNS: Readonly<Record<HuntingTableName, readonly Column[]>> = Object.freeze(
  Object.fromEntries(HUNTING_TABLES.map((name) => [name, Object.freeze(parseSpec(SPECS[name] ?? ""))])) as Record<HuntingTableName, readonly Column[]>,
);
