import type { Random } from "../../core/random.js";
import type { Value } from "../kql/values.js";
import { TICKS_PER_DAY, TICKS_PER_SECOND } from "../kql/values.js";
import { CONNECTIONS, type Family, LAUNCHES } from "./catalog.js";
import { activeWindow, addressFor, type BuildContext, fileHashes, joinPath } from "./context.js";
import { type Account, binaryOf, deviceFields, initiatingFields, systemAccount, userAccount, versionInfo } from "./fields.js";
import type { SourceMachine } from "./source.js";

/** Rows per Device*Events table per tenant before per-device counts shrink; keeps a tenant in the tens of thousands. */
export const EVENTS_PER_TABLE_BUDGET = 15_000;
const MAX_EVENTS_PER_DEVICE = 40;
const MIN_EVENTS_PER_DEVICE = 4;

const SYSTEM_PARENTS = new Set(["services.exe", "svchost.exe", "systemd", "cron", "launchd", "wininit.exe"]);
const SYSTEM_PROCESSES = new Set(["svchost.exe", "lsass.exe", "System", "MsMpEng.exe", "SenseIR.exe", "services.exe", "mdatp", "softwareupdated", "apt-get"]);

/** How many background events each device gets per table. */
export function eventsPerDevice(ctx: BuildContext): number {
  const n = Math.max(1, ctx.source.machines.length);
  return Math.max(MIN_EVENTS_PER_DEVICE, Math.min(MAX_EVENTS_PER_DEVICE, Math.floor(EVENTS_PER_TABLE_BUDGET / n)));
}

const fill = (template: string, random: Random, account: Account) =>
  template
    .replace(/\{user\}/g, account.name)
    .replace(/\{hex\}/g, () => random.hex(8))
    .replace(/\{n\}/g, () => String(random.int(1, 9999)));

const weightedPick = <T extends readonly unknown[]>(random: Random, items: readonly T[], weightIndex: number): T =>
  random.weighted(items.map((i) => [i, i[weightIndex] as number] as const));

function accountFor(ctx: BuildContext, machine: SourceMachine, random: Random, system: boolean): Account {
  if (system) return systemAccount(machine.family);
  const users = ctx.usersByMachine.get(machine.id) ?? [];
  const user = users.length > 0 ? random.pick(users) : undefined;
  return user ? userAccount(user) : systemAccount(machine.family);
}

const accountColumns = (a: Account): Record<string, Value> => ({
  AccountDomain: a.domain,
  AccountName: a.name,
  AccountSid: a.sid,
  AccountUpn: a.upn,
  AccountObjectId: a.objectId,
});

function processEvent(ctx: BuildContext, m: SourceMachine, random: Random, at: bigint, reportId: number): Record<string, Value> {
  const [parentName, childName, template] = weightedPick(random, LAUNCHES[m.family], 3);
  const system = SYSTEM_PARENTS.has(parentName) && childName !== "explorer.exe";
  const account = accountFor(ctx, m, random, system);
  const child = binaryOf(childName);
  const parent = binaryOf(parentName);
  const path = joinPath(child.folder, child.name);
  const hashes = fileHashes(path);
  const parentCreated = at - BigInt(random.int(5, 3 * 86_400)) * TICKS_PER_SECOND;
  const logonId = account.system ? 999 : random.int(100_000, 9_999_999);
  return {
    Timestamp: at,
    ...deviceFields(m),
    ActionType: "ProcessCreated",
    FileName: child.name,
    FolderPath: path,
    SHA1: hashes.sha1,
    SHA256: hashes.sha256,
    MD5: hashes.md5,
    FileSize: child.size || null,
    ...versionInfo("Process", child),
    ProcessId: random.int(600, 40_000),
    ProcessCommandLine: fill(template, random, account),
    ProcessIntegrityLevel: m.family === "windows" ? (account.system ? "System" : "Medium") : "",
    ProcessTokenElevation: m.family === "windows" ? (account.system ? "TokenElevationTypeDefault" : "TokenElevationTypeLimited") : "",
    ProcessCreationTime: at,
    ...accountColumns(account),
    LogonId: logonId,
    ...initiatingFields(parent, m.family, {
      pid: random.int(400, 40_000),
      commandLine: parent.folder ? `"${parent.name}"` : parent.name,
      created: parentCreated,
      account,
      parentPid: random.int(4, 1_200),
      parentCreated: parentCreated - BigInt(random.int(1, 3_600)) * TICKS_PER_SECOND,
      logonId,
    }),
    ReportId: reportId,
  };
}

function peerAddress(ctx: BuildContext, m: SourceMachine, random: Random): { ip: string; name: string } {
  const others = ctx.source.machines.filter((o) => o.id !== m.id && o.lastIp);
  const peer = others.length > 0 ? random.pick(others) : undefined;
  return peer ? { ip: peer.lastIp, name: peer.dnsName } : { ip: `10.0.${random.int(0, 255)}.${random.int(2, 254)}`, name: "" };
}

function networkEvent(ctx: BuildContext, m: SourceMachine, random: Random, at: bigint, reportId: number): Record<string, Value> {
  const [processName, remote, port, protocol] = weightedPick(random, CONNECTIONS[m.family], 4);
  const internal = remote === "dc" || remote === "peer";
  const inbound = remote === "peer" && (port === 22 || port === 3389);
  const remoteIp = remote === "dc" ? ctx.dcIp : remote === "peer" ? peerAddress(ctx, m, random).ip : addressFor(remote);
  const account = accountFor(ctx, m, random, SYSTEM_PROCESSES.has(processName));
  const binary = binaryOf(processName);
  const created = at - BigInt(random.int(1, 2 * 86_400)) * TICKS_PER_SECOND;
  const launch = LAUNCHES[m.family as Family].find(([, child]) => child === processName);
  return {
    Timestamp: at,
    ...deviceFields(m),
    ActionType: inbound ? "InboundConnectionAccepted" : random.bool(0.92) ? "ConnectionSuccess" : "ConnectionFailed",
    RemoteIP: remoteIp,
    RemotePort: inbound ? random.int(49_152, 65_535) : port,
    RemoteUrl: internal ? "" : remote,
    LocalIP: m.lastIp,
    LocalPort: inbound ? port : random.int(49_152, 65_535),
    Protocol: protocol,
    LocalIPType: "Private",
    RemoteIPType: internal ? "Private" : "Public",
    ...initiatingFields(binary, m.family, {
      pid: processName === "System" ? 4 : random.int(400, 40_000),
      commandLine: launch ? fill(launch[2], random, account) : processName === "System" ? "" : binary.name,
      created,
      account,
      parentPid: random.int(4, 1_200),
      parentCreated: created - BigInt(random.int(1, 3_600)) * TICKS_PER_SECOND,
      logonId: account.system ? 999 : random.int(100_000, 9_999_999),
    }),
    ReportId: reportId,
  };
}

const LOGON_TYPES: Readonly<Record<"workstation" | "server", ReadonlyArray<readonly [string, number]>>> = {
  workstation: [["Interactive", 30], ["Unlock", 20], ["CachedInteractive", 8], ["Network", 25], ["Service", 10], ["Batch", 7]],
  server: [["Network", 45], ["RemoteInteractive", 20], ["Service", 20], ["Batch", 10], ["Interactive", 5]],
};
const LOGON_PROCESS: Readonly<Record<string, string>> = {
  Interactive: "winlogon.exe",
  Unlock: "winlogon.exe",
  CachedInteractive: "winlogon.exe",
  RemoteInteractive: "svchost.exe",
  Network: "lsass.exe",
  Service: "services.exe",
  Batch: "svchost.exe",
};

function logonEvent(ctx: BuildContext, m: SourceMachine, random: Random, at: bigint, reportId: number, forced?: { account: Account; logonType: string }): Record<string, Value> {
  const unix = m.family !== "windows";
  const logonType = forced?.logonType ?? (unix ? random.pick(["Network", "Interactive"]) : random.weighted(LOGON_TYPES[m.server ? "server" : "workstation"]));
  const serviceLike = logonType === "Service" || logonType === "Batch";
  const account =
    forced?.account ??
    (serviceLike
      ? random.bool(0.6)
        ? systemAccount(m.family)
        : { name: "network service", domain: "nt authority", sid: "S-1-5-20", upn: "", objectId: "", system: true }
      : accountFor(ctx, m, random, false));
  const failed = !forced && !serviceLike && random.bool(0.12);
  const remote = logonType === "Network" || logonType === "RemoteInteractive";
  const peer = remote ? peerAddress(ctx, m, random) : undefined;
  const binary = binaryOf(unix ? (logonType === "Network" ? "sshd" : "login") : (LOGON_PROCESS[logonType] ?? "lsass.exe"));
  const created = at - BigInt(random.int(60, 5 * 86_400)) * TICKS_PER_SECOND;
  const logonId = random.int(100_000, 99_999_999);
  return {
    Timestamp: at,
    ...deviceFields(m),
    ActionType: failed ? "LogonFailed" : "LogonSuccess",
    LogonType: logonType,
    AccountDomain: account.domain,
    AccountName: account.name,
    AccountSid: account.sid,
    Protocol: unix ? (logonType === "Network" ? "ssh" : "") : serviceLike ? "" : remote ? random.pick(["Kerberos", "NTLM", "Negotiate"]) : "Negotiate",
    FailureReason: failed ? random.pick(["InvalidUserNameOrPassword", "UnknownUser", "WrongPassword"]) : "",
    IsLocalAdmin: account.system ? null : random.bool(0.2),
    LogonId: failed ? null : logonId,
    RemoteDeviceName: peer?.name ?? "",
    RemoteIP: peer?.ip ?? "",
    RemoteIPType: peer ? "Private" : "",
    RemotePort: peer ? random.int(49_152, 65_535) : null,
    ...initiatingFields(binary, m.family, {
      pid: random.int(400, 2_000),
      commandLine: binary.folder ? joinPath(binary.folder, binary.name) : binary.name,
      created,
      account: systemAccount(m.family),
      parentPid: random.int(4, 800),
      parentCreated: created - BigInt(random.int(1, 600)) * TICKS_PER_SECOND,
      logonId: 999,
    }),
    ReportId: reportId,
  };
}

export type EventKind = "process" | "network" | "logon";
const BUILDERS = { process: processEvent, network: networkEvent, logon: logonEvent } as const;

/**
 * Background telemetry for DeviceProcessEvents, DeviceNetworkEvents and
 * DeviceLogonEvents (defender-xdr/advanced-hunting-<table>-table.md): a few
 * dozen ordinary events per device over the last 30 days, in the part of
 * that window in which the device was reporting. Each calendar day of each
 * device draws from its own seeded stream, so a day's events stay the same as
 * the clock moves on and new days simply add theirs.
 */
export function buildBackgroundEvents(ctx: BuildContext, kind: EventKind): Array<Record<string, Value>> {
  const out: Array<Record<string, Value>> = [];
  const perDay = eventsPerDevice(ctx) / 30;
  for (const m of ctx.source.machines) {
    const window = activeWindow(ctx, m);
    if (!window) continue;
    const before = out.length;
    for (let day = window.from / TICKS_PER_DAY; day <= window.to / TICKS_PER_DAY; day++) {
      const random = ctx.random.fork(`${kind}/${m.id}/${day}`);
      const expected = perDay * (0.5 + random.next());
      const count = Math.floor(expected) + (random.next() < expected % 1 ? 1 : 0);
      let reportId = random.int(1_000, 900_000);
      for (let i = 0; i < count; i++) {
        const at = day * TICKS_PER_DAY + BigInt(random.int(0, 86_399)) * TICKS_PER_SECOND + BigInt(random.int(0, 9_999_999));
        const event = BUILDERS[kind](ctx, m, random, at, reportId++);
        if (at >= window.from && at <= window.to) out.push(event);
      }
    }
    if (out.length === before) {
      // A device that reported at all has some activity: one event just before its last report.
      const random = ctx.random.fork(`${kind}/${m.id}/last`);
      const span = window.to - window.from;
      const at = window.to - (span > 0n ? BigInt(random.int(0, Math.min(3_600, Number(span / TICKS_PER_SECOND)))) * TICKS_PER_SECOND : 0n);
      out.push(BUILDERS[kind](ctx, m, random, at, random.int(1_000, 900_000)));
    }
  }
  return out;
}

export { logonEvent };
