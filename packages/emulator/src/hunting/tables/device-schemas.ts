/*
 * Column names and types of the further device tables, as the advanced
 * hunting schema reference prints them (MicrosoftDocs/defender-docs,
 * defender-xdr/advanced-hunting-<table>-table.md: deviceregistryevents,
 * devicefileevents, deviceimageloadevents, deviceevents, devicenetworkinfo,
 * devicefilecertificateinfo). Where a page writes `boolean` the KQL type is
 * `bool`. The order is the pages' order.
 */

/** The initiating process's account and image, in the order these pages list them (after `InitiatingProcessAccountObjectId`). */
const ACCOUNT = `InitiatingProcessAccountDomain string, InitiatingProcessAccountName string,
InitiatingProcessAccountSid string, InitiatingProcessAccountUpn string, InitiatingProcessAccountObjectId string`;
const VERSION_INFO = `InitiatingProcessVersionInfoCompanyName string, InitiatingProcessVersionInfoProductName string,
InitiatingProcessVersionInfoProductVersion string, InitiatingProcessVersionInfoInternalFileName string,
InitiatingProcessVersionInfoOriginalFileName string, InitiatingProcessVersionInfoFileDescription string`;
const PARENT = `InitiatingProcessParentId long, InitiatingProcessParentFileName string, InitiatingProcessParentCreationTime datetime`;
const ELEVATION = `InitiatingProcessIntegrityLevel string, InitiatingProcessTokenElevation string`;
const REMOTE_SESSION = `InitiatingProcessSessionId long, IsInitiatingProcessRemoteSession bool,
InitiatingProcessRemoteSessionDeviceName string, InitiatingProcessRemoteSessionIP string`;

export const DEVICE_TABLE_SPECS = {
  DeviceRegistryEvents: `Timestamp datetime, DeviceId string, DeviceName string, ActionType string, RegistryKey string,
    RegistryValueType string, RegistryValueName string, RegistryValueData string, PreviousRegistryKey string,
    PreviousRegistryValueName string, PreviousRegistryValueData string, ${ACCOUNT},
    InitiatingProcessSHA1 string, InitiatingProcessSHA256 string, InitiatingProcessMD5 string,
    InitiatingProcessFileName string, InitiatingProcessFileSize long, ${VERSION_INFO}, InitiatingProcessId long,
    InitiatingProcessCommandLine string, InitiatingProcessCreationTime datetime, InitiatingProcessFolderPath string,
    ${PARENT}, ${ELEVATION}, ReportId long, AppGuardContainerId string, ${REMOTE_SESSION}`,
  DeviceFileEvents: `Timestamp datetime, DeviceId string, DeviceName string, ActionType string, FileName string,
    FolderPath string, SHA1 string, SHA256 string, MD5 string, FileOriginUrl string, FileOriginReferrerUrl string,
    FileOriginIP string, PreviousFolderPath string, PreviousFileName string, FileSize long, ${ACCOUNT},
    InitiatingProcessMD5 string, InitiatingProcessSHA1 string, InitiatingProcessSHA256 string,
    InitiatingProcessFolderPath string, InitiatingProcessFileName string, InitiatingProcessFileSize long, ${VERSION_INFO},
    InitiatingProcessId long, InitiatingProcessCommandLine string, InitiatingProcessCreationTime datetime, ${ELEVATION},
    ${PARENT}, RequestProtocol string, RequestSourceIP string, RequestSourcePort int, RequestAccountName string,
    RequestAccountDomain string, RequestAccountSid string, ShareName string, SensitivityLabel string,
    SensitivitySubLabel string, IsAzureInfoProtectionApplied bool, ReportId long, AppGuardContainerId string,
    AdditionalFields string, ${REMOTE_SESSION}`,
  DeviceImageLoadEvents: `Timestamp datetime, DeviceId string, DeviceName string, ActionType string, FileName string,
    FolderPath string, SHA1 string, SHA256 string, MD5 string, FileSize long, ${ACCOUNT}, ${ELEVATION},
    InitiatingProcessSHA1 string, InitiatingProcessSHA256 string, InitiatingProcessMD5 string,
    InitiatingProcessFileName string, InitiatingProcessFileSize long, ${VERSION_INFO}, InitiatingProcessId long,
    InitiatingProcessCommandLine string, InitiatingProcessCreationTime datetime, InitiatingProcessFolderPath string,
    ${PARENT}, ReportId long, AppGuardContainerId string, ${REMOTE_SESSION}`,
  DeviceEvents: `Timestamp datetime, DeviceId string, DeviceName string, ActionType string, FileName string,
    FolderPath string, SHA1 string, SHA256 string, MD5 string, FileSize long, AccountDomain string, AccountName string,
    AccountSid string, RemoteUrl string, RemoteDeviceName string, ProcessId long, ProcessCommandLine string,
    ProcessCreationTime datetime, ProcessTokenElevation string, LogonId long, RegistryKey string,
    RegistryValueName string, RegistryValueData string, RemoteIP string, RemotePort int, LocalIP string, LocalPort int,
    FileOriginUrl string, FileOriginIP string, InitiatingProcessSHA1 string, InitiatingProcessSHA256 string,
    InitiatingProcessMD5 string, InitiatingProcessFileName string, InitiatingProcessFileSize long,
    InitiatingProcessFolderPath string, InitiatingProcessId long, InitiatingProcessCommandLine string,
    InitiatingProcessCreationTime datetime, ${ACCOUNT}, ${VERSION_INFO}, ${PARENT}, InitiatingProcessLogonId long,
    ReportId long, AppGuardContainerId string, AdditionalFields string, ${REMOTE_SESSION},
    CreatedProcessSessionId long, IsProcessRemoteSession bool, ProcessRemoteSessionDeviceName string,
    ProcessRemoteSessionIP string`,
  DeviceNetworkInfo: `Timestamp datetime, DeviceId string, DeviceName string, NetworkAdapterName string, MacAddress string,
    NetworkAdapterType string, NetworkAdapterStatus string, TunnelType string, ConnectedNetworks string,
    DnsAddresses string, IPv4Dhcp string, IPv6Dhcp string, DefaultGateways string, IPAddresses string, ReportId long,
    NetworkAdapterVendor string`,
  DeviceFileCertificateInfo: `Timestamp datetime, DeviceId string, DeviceName string, SHA1 string, IsSigned bool,
    SignatureType string, Signer string, SignerHash string, Issuer string, IssuerHash string,
    CertificateSerialNumber string, CrlDistributionPointUrls string, CertificateCreationTime datetime,
    CertificateExpirationTime datetime, CertificateCountersignatureTime datetime, IsTrusted bool,
    IsRootSignerMicrosoft bool, ReportId long`,
} as const;

export type DeviceTableName = keyof typeof DEVICE_TABLE_SPECS;

export const DEVICE_TABLES: readonly DeviceTableName[] = Object.freeze(Object.keys(DEVICE_TABLE_SPECS) as DeviceTableName[]);
