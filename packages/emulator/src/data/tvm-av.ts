import type { Random } from "../core/random.js";
import { osFamily } from "./machine-factory.js";

/** The part of a machine a device AV row needs. */
interface AvMachine {
  id: string;
  computerDnsName: string;
  osPlatform: string;
  rbacGroupName: string;
  rbacGroupId: number | null;
  lastSeen: string;
}

/** One device AV info row (device-health-api-methods-properties.md; mde-api.md §6.12), all documented properties. */
export interface AvRow {
  id: string;
  machineId: string;
  computerDnsName: string;
  osKind: string;
  osPlatform: string;
  osVersion: string;
  avMode: string;
  avSignatureVersion: string;
  avEngineVersion: string;
  avPlatformVersion: string;
  avIsSignatureUpToDate: string;
  avIsEngineUpToDate: string;
  avIsPlatformUpToDate: string;
  avSignatureUpdateTime: string;
  avEngineUpdateTime: string;
  avPlatformUpdateTime: string;
  avSignaturePublishTime: string;
  lastSeenTime: string;
  quickScanResult: string;
  quickScanError: string;
  quickScanTime: string;
  fullScanResult: string;
  fullScanError: string;
  fullScanTime: string;
  dataRefreshTimestamp: string;
  rbacGroupName: string;
  rbacGroupId: number | null;
}

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const SIGNATURES = ["1.421.1550.0", "1.421.1600.0", "1.421.1672.0"];
const ENGINES = ["1.1.24080.9", "1.1.24090.11"];
const PLATFORMS = ["4.18.24080.9", "4.18.24090.11"];

/**
 * A device's antivirus health, picked from its own random stream: mostly
 * active (avMode `0`) and up to date, a few passive or behind. `osKind` is
 * `windows`/`mac`/`linux` as the page lists it.
 */
export function buildAvRow(random: Random, m: AvMachine, osVersion: string, now: number): AvRow {
  const family = osFamily(m.osPlatform);
  const signatureIndex = random.weighted([
    [2, 80],
    [1, 15],
    [0, 5],
  ] as const);
  const engineIndex = random.bool(0.85) ? 1 : 0;
  const platformIndex = random.bool(0.85) ? 1 : 0;
  const quick = random.weighted([
    ["Completed", 85],
    ["Failed", 5],
    ["Canceled", 5],
    ["", 5],
  ] as const);
  const full = random.weighted([
    ["Completed", 50],
    ["", 45],
    ["Failed", 5],
  ] as const);
  const signatureUpdated = now - random.int(1, signatureIndex === 2 ? 20 : 120) * HOUR;
  return {
    id: m.id,
    machineId: m.id,
    computerDnsName: m.computerDnsName,
    osKind: family === "macos" ? "mac" : family,
    osPlatform: m.osPlatform,
    osVersion,
    avMode: random.weighted([
      ["0", 88],
      ["1", 7],
      ["2", 2],
      ["4", 3],
    ] as const),
    avSignatureVersion: SIGNATURES[signatureIndex] as string,
    avEngineVersion: ENGINES[engineIndex] as string,
    avPlatformVersion: PLATFORMS[platformIndex] as string,
    avIsSignatureUpToDate: signatureIndex === 2 ? "True" : "False",
    avIsEngineUpToDate: engineIndex === 1 ? "True" : "False",
    avIsPlatformUpToDate: platformIndex === 1 ? "True" : "False",
    avSignatureUpdateTime: iso(signatureUpdated),
    avEngineUpdateTime: iso(now - random.int(24, 400) * HOUR),
    avPlatformUpdateTime: iso(now - random.int(24, 400) * HOUR),
    avSignaturePublishTime: iso(signatureUpdated - random.int(1, 6) * HOUR),
    lastSeenTime: m.lastSeen || iso(now),
    quickScanResult: quick,
    quickScanError: quick === "Failed" ? "0x80508023" : "",
    quickScanTime: quick === "" ? "" : iso(now - random.int(2, 72) * HOUR),
    fullScanResult: full,
    fullScanError: full === "Failed" ? "0x80508019" : "",
    fullScanTime: full === "" ? "" : iso(now - random.int(24, 600) * HOUR),
    dataRefreshTimestamp: iso(now),
    rbacGroupName: m.rbacGroupName,
    rbacGroupId: m.rbacGroupId,
  };
}
