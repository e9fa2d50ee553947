import { toMdeTime } from "../core/clock.js";
import type { Random } from "../core/random.js";
import { FIRST_NAMES, LAST_NAMES } from "./alert-catalog.js";
import { hostileMarker, hostilePrefix } from "./hostile.js";
import type { TenantProfile } from "./tenant-profile.js";

export type OsFamily = "windows" | "linux" | "macos";

/** The part of a machine that alert generation needs. */
export interface MachineRef {
  id: string;
  computerDnsName: string;
  rbacGroupName: string;
  osPlatform: string;
  family: OsFamily;
}

/** A generated machine: its documented JSON plus the indexed columns. */
export interface GeneratedMachine extends MachineRef {
  json: Record<string, unknown>;
}

const DAY = 86_400_000;

interface Platform {
  osPlatform: string;
  family: OsFamily;
  server: boolean;
  versions: ReadonlyArray<readonly [string, number | null]>;
  weight: number;
}

// Version/build pairs as Windows reports them (version = release id, osBuild = build number).
const PLATFORMS: readonly Platform[] = [
  {
    osPlatform: "Windows10",
    family: "windows",
    server: false,
    versions: [
      ["22H2", 19045],
      ["21H2", 19044],
      ["1909", 18363],
    ],
    weight: 38,
  },
  {
    osPlatform: "Windows11",
    family: "windows",
    server: false,
    versions: [
      ["23H2", 22631],
      ["24H2", 26100],
      ["22H2", 22621],
    ],
    weight: 30,
  },
  { osPlatform: "WindowsServer2019", family: "windows", server: true, versions: [["1809", 17763]], weight: 8 },
  { osPlatform: "WindowsServer2022", family: "windows", server: true, versions: [["21H2", 20348]], weight: 10 },
  {
    osPlatform: "Linux",
    family: "linux",
    server: true,
    versions: [
      ["22.04", null],
      ["20.04", null],
      ["9.3", null],
    ],
    weight: 8,
  },
  {
    osPlatform: "macOS",
    family: "macos",
    server: false,
    versions: [
      ["14.5", null],
      ["13.6", null],
      ["15.1", null],
    ],
    weight: 6,
  },
];

const SERVER_ROLES = ["sql", "dc", "web", "app", "file", "exch", "print", "ca", "backup"];
const LINUX_ROLES = ["build", "web", "k8s-node", "db", "proxy", "jump"];
const TAGS = ["VIP", "PCI", "Finance", "Pilot", "Kiosk", "Prod", "HR", "BYOD", "Contractor"];
const ALNUM = "0123456789abcdefghijklmnopqrstuvwxyz";

function alnum(random: Random, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += ALNUM[random.int(0, ALNUM.length - 1)];
  return out;
}

function hostName(random: Random, platform: Platform): string {
  if (platform.family === "macos") return `macbook-${random.pick(FIRST_NAMES)}${random.pick(LAST_NAMES).slice(0, 1)}`;
  if (platform.family === "linux")
    return `${random.pick(["ubuntu", "rhel", "debian"])}-${random.pick(LINUX_ROLES)}-${String(random.int(1, 30)).padStart(2, "0")}`;
  if (platform.server) return `srv-${random.pick(SERVER_ROLES)}-${String(random.int(1, 40)).padStart(2, "0")}`;
  return random.bool(0.6)
    ? `desktop-${alnum(random, 7)}`
    : `lt-${random.pick(FIRST_NAMES).slice(0, 1)}${random.pick(LAST_NAMES)}-${String(random.int(1, 9)).padStart(2, "0")}`;
}

const privateIp = (random: Random) =>
  random.bool(0.7)
    ? `10.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(2, 254)}`
    : `192.168.${random.int(0, 255)}.${random.int(2, 254)}`;
const publicIp = (random: Random) =>
  `${random.pick([20, 40, 52, 104, 137, 167, 185])}.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)}`;

/**
 * Generates one machine with every property of machine.md and the examples
 * (get-machine.response.json, odata-machines-filter.response.json; mde-api.md
 * §6.2). `rbacGroupId` is a number as in the examples (the table types it
 * String — DOC-CONFLICT); `onboardingStatus` uses the filter's casing.
 */
export function generateMachine(random: Random, profile: TenantProfile, now: number, usedNames: Set<string>): GeneratedMachine {
  const platform = random.weighted(PLATFORMS.map((p) => [p, p.weight] as const));
  let host = hostName(random, platform);
  while (usedNames.has(host)) host = `${host}-${alnum(random, 2)}`;
  usedNames.add(host);
  // The n-th machine of a hostile tenant gets the n-th marker in its name (before the tenant's DNS suffix) and its tags.
  const hostileIndex = profile.hostile ? usedNames.size - 1 : undefined;
  const computerDnsName = `${hostileIndex === undefined ? host : hostilePrefix(host, hostileIndex)}.${profile.dnsSuffix}`;
  const [version, osBuild] = random.pick(platform.versions);
  const healthStatus = random.weighted([
    ["Active", 82],
    ["Inactive", 9],
    ["ImpairedCommunication", 4],
    ["NoSensorData", 3],
    ["NoSensorDataImpairedCommunication", 1],
    ["Unknown", 1],
  ] as const);
  const lastSeenMs = healthStatus === "Inactive" ? now - random.int(8 * DAY, 29 * DAY) : now - random.int(5 * 60_000, DAY);
  const firstSeenMs = lastSeenMs - random.int(2 * DAY, 700 * DAY);
  // Servers land in the "Servers" group (the profile's second), clients in any other group.
  const clientGroups = profile.rbacGroups.filter((_, i) => i !== 1);
  const group =
    platform.server && profile.rbacGroups.length > 1
      ? profile.rbacGroups[1]
      : random.pick(clientGroups.length > 0 ? clientGroups : profile.rbacGroups);
  const isAadJoined =
    platform.family === "windows" && !platform.server ? random.bool(0.85) : platform.family === "windows" && random.bool(0.2);
  const lastIpAddress = privateIp(random);
  const mac = random.hex(12).toUpperCase();
  const ipAddresses: Array<Record<string, unknown>> = [{ ipAddress: lastIpAddress, macAddress: mac, operationalStatus: "Up" }];
  if (random.bool(0.5)) {
    ipAddresses.push({
      ipAddress: `fe80::${random.hex(4)}:${random.hex(4)}:${random.hex(4)}:${random.hex(4)}`,
      macAddress: mac,
      operationalStatus: "Up",
    });
  }
  if (random.bool(0.2))
    ipAddresses.push({ ipAddress: privateIp(random), macAddress: random.hex(12).toUpperCase(), operationalStatus: "Down" });
  const tags: string[] = [];
  const tagCount = random.weighted([
    [0, 5],
    [1, 4],
    [2, 1],
  ] as const);
  while (tags.length < tagCount) {
    const tag = random.pick(TAGS);
    if (!tags.includes(tag)) tags.push(tag);
  }
  if (hostileIndex !== undefined) tags.push(hostileMarker(hostileIndex + 1));
  const id = random.hex(40);
  const json: Record<string, unknown> = {
    id,
    computerDnsName,
    firstSeen: toMdeTime(firstSeenMs, random.int(0, 9999)),
    lastSeen: toMdeTime(lastSeenMs, random.int(0, 9999)),
    osPlatform: platform.osPlatform,
    onboardingStatus: "Onboarded",
    osProcessor: "x64",
    version,
    osArchitecture: random.bool(0.97) ? "64-bit" : "32-bit",
    lastIpAddress,
    lastExternalIpAddress: publicIp(random),
    osBuild,
    healthStatus,
    deviceValue: host.startsWith("srv-dc")
      ? "High"
      : random.weighted([
          ["Normal", 90],
          ["High", 6],
          ["Low", 4],
        ] as const),
    rbacGroupId: group?.id ?? null,
    rbacGroupName: group?.name ?? null,
    riskScore: random.weighted([
      ["None", 30],
      ["Informational", 10],
      ["Low", 25],
      ["Medium", 20],
      ["High", 15],
    ] as const),
    exposureLevel: random.weighted([
      ["None", 5],
      ["Low", 35],
      ["Medium", 45],
      ["High", 15],
    ] as const),
    isAadJoined,
    aadDeviceId: isAadJoined ? random.guid() : null,
    machineTags: tags,
    ipAddresses,
  };
  return { id, computerDnsName, rbacGroupName: group?.name ?? "", osPlatform: platform.osPlatform, family: platform.family, json };
}

/** The OS family of an `osPlatform` value. */
export function osFamily(osPlatform: string): OsFamily {
  const p = osPlatform.toLowerCase();
  if (p.startsWith("windows")) return "windows";
  if (p === "macos") return "macos";
  return "linux";
}
