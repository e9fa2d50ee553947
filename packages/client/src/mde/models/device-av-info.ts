import type { MdeDateTime, OpenEnum } from "./common.js";

/** `True`/`False`/`Unknown` as strings (mde-api.md §6.12). */
export type TriState = OpenEnum<"True" | "False" | "Unknown">;
/** Scan result; `""` when no scan ran. */
export type AvScanResult = OpenEnum<"Completed" | "Canceled" | "Failed" | "">;

/**
 * A device antivirus health row (mde-api.md §6.12). `avMode` is a string-typed integer:
 * `""`/`3` Other, `0` Active, `1` Passive, `2` Disabled, `4` EDRBlocked, `5` PassiveAudit.
 */
export interface DeviceAvInfo {
  id: string;
  machineId: string;
  computerDnsName: string | null;
  osKind: OpenEnum<"windows" | "mac" | "linux"> | null;
  osPlatform: string | null;
  osVersion: string | null;
  avMode: OpenEnum<"" | "0" | "1" | "2" | "3" | "4" | "5"> | null;
  avSignatureVersion: string | null;
  avEngineVersion: string | null;
  avPlatformVersion: string | null;
  avIsSignatureUpToDate: TriState | null;
  avIsEngineUpToDate: TriState | null;
  avIsPlatformUpToDate: TriState | null;
  avSignatureUpdateTime: MdeDateTime | null;
  avEngineUpdateTime: MdeDateTime | null;
  avPlatformUpdateTime: MdeDateTime | null;
  avSignaturePublishTime: MdeDateTime | null;
  lastSeenTime: MdeDateTime | null;
  quickScanResult: AvScanResult | null;
  quickScanError: string | null;
  quickScanTime: MdeDateTime | null;
  fullScanResult: AvScanResult | null;
  fullScanError: string | null;
  fullScanTime: MdeDateTime | null;
  dataRefreshTimestamp: MdeDateTime | null;
  rbacGroupName: string | null;
  rbacGroupId: number | string | null;
}
