import type { MdeDateTime, ODataEntity, OpenEnum } from "./common.js";

/** Sensor health (mde-api.md §6.2). */
export type MachineHealthStatus = OpenEnum<
  "Active" | "Inactive" | "ImpairedCommunication" | "NoSensorData" | "NoSensorDataImpairedCommunication" | "Unknown"
>;
/** Risk score (mde-api.md §6.2). */
export type MachineRiskScore = OpenEnum<"None" | "Informational" | "Low" | "Medium" | "High">;
/** Exposure level (mde-api.md §6.2). */
export type MachineExposureLevel = OpenEnum<"None" | "Low" | "Medium" | "High">;
/** Device value (mde-api.md §5.2, §6.2). */
export type DeviceValue = OpenEnum<"Normal" | "Low" | "High">;
/** Onboarding status; the doc writes `onboarded` in lower case (mde-api.md §6.2, §8.8). */
export type OnboardingStatus = OpenEnum<"onboarded" | "Onboarded" | "CanBeOnboarded" | "Unsupported" | "InsufficientInfo">;
/** Not enumerated by the docs; examples show these. */
export type OsPlatform = OpenEnum<
  "Windows10" | "Windows11" | "WindowsServer2016" | "WindowsServer2012R2" | "WindowsServer2019" | "WindowsServer2022" | "Linux" | "macOS"
>;

/** A network interface address of a machine (mde-api.md §6.2). */
export interface MachineIpAddress {
  ipAddress: string | null;
  macAddress: string | null;
  operationalStatus: OpenEnum<"Up" | "Down"> | null;
  type?: string | null;
}

/** A device (mde-api.md §6.2). Examples omit properties freely, so most are optional. */
export interface Machine extends ODataEntity {
  id: string;
  computerDnsName?: string | null;
  firstSeen?: MdeDateTime | null;
  lastSeen?: MdeDateTime | null;
  osPlatform?: OsPlatform | null;
  onboardingStatus?: OnboardingStatus | null;
  /** Deprecated by the service in favour of `osArchitecture`. */
  osProcessor?: string | null;
  osArchitecture?: OpenEnum<"32-bit" | "64-bit"> | null;
  version?: string | null;
  osBuild?: number | null;
  lastIpAddress?: string | null;
  lastExternalIpAddress?: string | null;
  healthStatus?: MachineHealthStatus | null;
  rbacGroupName?: string | null;
  /** A number in every example although machine.md types it String (DOC-CONFLICT, §8.8). */
  rbacGroupId?: number | string | null;
  riskScore?: MachineRiskScore | null;
  exposureLevel?: MachineExposureLevel | null;
  deviceValue?: DeviceValue | null;
  isAadJoined?: boolean | null;
  aadDeviceId?: string | null;
  machineTags?: string[] | null;
  ipAddresses?: MachineIpAddress[] | null;
}

/** TVM machine reference row (software/vulnerability/recommendation/remediation exposed devices; mde-api.md §6.2). */
/**
 * A row of the older find-by-IP form (`find(timestamp=…,key=…)`): the documented example shows only
 * these four properties (find-machine-info-by-ip.md).
 */
export type MachineInfoByIp = Pick<Machine, "id" | "computerDnsName" | "firstSeen" | "osPlatform">;

export interface MachineRef {
  id: string;
  computerDnsName: string | null;
  osPlatform: OsPlatform | null;
  rbacGroupName: string | null;
}

/** A KB the machine (or software) misses (mde-api.md §5.2, §5.11). */
export interface MissingKb {
  id: string;
  name: string | null;
  productsNames: string[];
  url: string | null;
  machineMissedOn: number | null;
  cveAddressed: number | null;
}

/** Tag action of `POST /api/machines/{id}/tags`. */
export type MachineTagAction = "Add" | "Remove";

/** Body of `PATCH /api/machines/{id}` — camelCase on the wire (mde-api.md §3.2). Tags replace the existing set (§8.13). */
export interface MachineUpdate {
  machineTags?: string[];
  deviceValue?: DeviceValue;
}
