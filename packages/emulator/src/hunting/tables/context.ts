import { createHash } from "node:crypto";
import type { Random } from "../../core/random.js";
import { type Column, emptyValue, TICKS_PER_DAY, type Value } from "../kql/values.js";
import type { SourceAlert, SourceMachine, TenantSource } from "./source.js";

/** A user account seen on devices (from alerts' relatedUser and User evidence, or made up for quiet devices). */
export interface SourceUser {
  name: string;
  domain: string;
  sid: string;
  upn: string;
  objectId: string;
}

/** What every table builder shares for one tenant build. */
export interface BuildContext {
  /** Build time in ticks; every generated event is at or before it. */
  now: bigint;
  /** Oldest time worth generating: the 30 days advanced hunting keeps (mde-api.md §5.4). */
  windowStart: bigint;
  random: Random;
  source: TenantSource;
  machineById: ReadonlyMap<string, SourceMachine>;
  alertsByMachine: ReadonlyMap<string, SourceAlert[]>;
  usersByMachine: ReadonlyMap<string, SourceUser[]>;
  userPool: readonly SourceUser[];
  /** NetBIOS domain of the tenant's accounts. */
  domain: string;
  /** Address of the domain controller the fleet talks to (DNS, Kerberos). */
  dcIp: string;
}

export const RETENTION_TICKS = 30n * TICKS_PER_DAY;
const str = (v: unknown): string => (typeof v === "string" ? v : "");

/** Deterministic file hashes for a path (the same binary hashes the same on every device). */
export function fileHashes(path: string): { sha1: string; sha256: string; md5: string } {
  return {
    sha1: createHash("sha1").update(`file:${path}`).digest("hex"),
    sha256: createHash("sha256").update(`file:${path}`).digest("hex"),
    md5: createHash("md5").update(`file:${path}`).digest("hex"),
  };
}

/** A public address for a host name: stable, so one URL always resolves to one IP. */
export function addressFor(host: string): string {
  const h = createHash("sha1").update(`host:${host}`).digest();
  const first = [13, 20, 23, 40, 52, 104, 142, 151, 185][(h[0] ?? 0) % 9];
  return `${first}.${h[1] ?? 0}.${h[2] ?? 0}.${((h[3] ?? 0) % 253) + 1}`;
}

/** Joins a folder and a file name with the folder's own separator. */
export function joinPath(folder: string, name: string): string {
  if (!folder) return name;
  const sep = folder.includes("\\") || /^[A-Za-z]:/.test(folder) ? "\\" : "/";
  return folder.endsWith(sep) ? `${folder}${name}` : `${folder}${sep}${name}`;
}

/** The part of a machine's life that falls in the retention window, or undefined when none does. */
export function activeWindow(ctx: BuildContext, machine: SourceMachine): { from: bigint; to: bigint } | undefined {
  const from = machine.firstSeen !== null && machine.firstSeen > ctx.windowStart ? machine.firstSeen : ctx.windowStart;
  const to = machine.lastSeen !== null && machine.lastSeen < ctx.now ? machine.lastSeen : ctx.now;
  return from < to ? { from, to } : undefined;
}

/** Turns records into rows in column order; what a record leaves out is empty ("" or null). */
export function toRows(columns: readonly Column[], records: ReadonlyArray<Record<string, Value>>): Value[][] {
  return records.map((record) => columns.map((c) => (c.name in record ? (record[c.name] as Value) : emptyValue(c.type))));
}

function userFromEvidence(e: Record<string, unknown>): SourceUser | undefined {
  const name = str(e.accountName);
  if (!name) return undefined;
  return { name, domain: str(e.domainName), sid: str(e.userSid), upn: str(e.userPrincipalName), objectId: str(e.aadUserId) };
}

function sidFor(domain: string, name: string): string {
  const h = createHash("sha1").update(`sid:${domain}\\${name}`).digest();
  return `S-1-5-21-${h.readUInt32BE(0)}-${h.readUInt32BE(4)}-${h.readUInt32BE(8) % 1_000_000_000}-${1000 + (h.readUInt16BE(12) % 9000)}`;
}

const FALLBACK_USERS = ["alex.wilber", "megan.bowen", "lee.gu", "nestor.wilke", "adele.vance", "diego.siciliani"];

/** Collects users, alerts per machine and tenant-wide facts for one build. */
export function createBuildContext(source: TenantSource, random: Random, now: bigint): BuildContext {
  const machineById = new Map(source.machines.map((m) => [m.id, m]));
  const alertsByMachine = new Map<string, SourceAlert[]>();
  const users = new Map<string, SourceUser>();
  const usersByMachine = new Map<string, SourceUser[]>();
  const remember = (machineId: string, user: SourceUser) => {
    const key = `${user.domain.toLowerCase()}\\${user.name.toLowerCase()}`;
    const known = users.get(key);
    const merged = known
      ? { ...known, sid: known.sid || user.sid, upn: known.upn || user.upn, objectId: known.objectId || user.objectId }
      : { ...user };
    users.set(key, merged);
    const list = usersByMachine.get(machineId) ?? [];
    const at = list.findIndex((u) => `${u.domain.toLowerCase()}\\${u.name.toLowerCase()}` === key);
    if (at >= 0) list[at] = merged;
    else list.push(merged);
    usersByMachine.set(machineId, list);
  };
  for (const alert of source.alerts) {
    const machineId = str(alert.json.machineId);
    if (machineId) alertsByMachine.set(machineId, [...(alertsByMachine.get(machineId) ?? []), alert]);
    for (const e of alert.evidence) {
      const user = e.entityType === "User" ? userFromEvidence(e) : undefined;
      if (user && machineId && user.domain !== "NT AUTHORITY") remember(machineId, user);
    }
    const related = alert.json.relatedUser as { userName?: unknown; domainName?: unknown } | null | undefined;
    if (related && machineId && str(related.userName)) {
      remember(machineId, { name: str(related.userName), domain: str(related.domainName), sid: "", upn: "", objectId: "" });
    }
  }
  const counts = new Map<string, number>();
  for (const u of users.values()) counts.set(u.domain, (counts.get(u.domain) ?? 0) + 1);
  const dnsDomain = source.machines[0]?.dnsName.split(".")[1];
  const domain = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? (dnsDomain ? dnsDomain.toUpperCase() : "WORKGROUP");
  let userPool = [...users.values()].filter((u) => u.domain === domain);
  if (userPool.length === 0) {
    userPool = FALLBACK_USERS.map((name) => ({ name, domain, sid: "", upn: `${name}@${domain.toLowerCase()}.onmicrosoft.com`, objectId: random.guid() }));
  }
  for (const u of userPool) {
    if (!u.sid) u.sid = sidFor(u.domain, u.name);
  }
  for (const list of usersByMachine.values()) for (const u of list) if (!u.sid) u.sid = sidFor(u.domain, u.name);
  // Quiet devices still have someone signing in: give each one a primary user from the pool.
  for (const m of source.machines) {
    if (!usersByMachine.has(m.id)) usersByMachine.set(m.id, [random.fork(`user/${m.id}`).pick(userPool)]);
  }
  const dcIp = `10.${random.int(0, 30)}.${random.int(0, 255)}.${random.int(2, 20)}`;
  return { now, windowStart: now - RETENTION_TICKS, random, source, machineById, alertsByMachine, usersByMachine, userPool, domain, dcIp };
}
