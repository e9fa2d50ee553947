/**
 * Entity pages (file, IP, domain, user), read live from each customer's MDE
 * API (mde-api.md §5.7–§5.10; the store does not hold entities): the entity
 * itself, its statistics in the customer's organisation, and its related
 * alerts and machines, per tenant where it is known. Path values are checked
 * here first, so a bad one is a 400 before any tenant is called.
 */
import { isIP } from "node:net";
import type { Alert, DomainStats, FileInfo, FileStats, IpStats, Machine, MdeApi, User } from "@mde-partner/client";
import { isMdeError } from "@mde-partner/client";
import type { TenantRecord } from "@mde-partner/sync";
import type { TenantScope } from "../access.js";
import type { ResolvedConsoleOptions } from "../options.js";
import { InputError } from "./errors.js";
import {
  acrossTenants,
  type BriefCache,
  readableTenants,
  type Section,
  section,
  stopIfThrottled,
  type TenantPart,
  TenantReadError,
  type ThrottleMemory,
} from "./tenant-reads.js";

export type EntityKind = "file" | "ip" | "domain" | "user";

/** Related alerts and machines shown per tenant (the related lists are not paged: mde-api.md §5.7–§5.10). */
export const RELATED_SHOWN = 50;

const SHA1 = /^[0-9a-f]{40}$/i;
const SHA256 = /^[0-9a-f]{64}$/i;
const MD5 = /^[0-9a-f]{32}$/i;
// A host name: labels of letters, digits, `-` and `_`; the API answers 400 InvalidDomainName otherwise (mde-api.md §3.3).
const DOMAIN = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,62})(?:\.[a-z0-9_](?:[a-z0-9_-]{0,62}))*$/;
// The user APIs take the account name only (mde-api.md §5.10: "not the full UPN"); these characters never occur in one.
const USER_FORBIDDEN = /[\\/"[\]:;|=,+*?<>@\s\p{Cc}]/u;

/**
 * The entity key of a path parameter, normalised (hashes and domains in lower
 * case); an `InputError` saying what is expected otherwise.
 */
export function parseEntity(kind: EntityKind, raw: string): string {
  const value = raw.trim();
  const shown = JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  switch (kind) {
    case "file":
      if (SHA1.test(value) || SHA256.test(value)) return value.toLowerCase();
      if (MD5.test(value)) throw new InputError(`${shown} looks like an MD5 hash: look files up by SHA-1 or SHA-256`);
      throw new InputError(`${shown} is not a file hash: use a SHA-1 (40 hex digits) or SHA-256 (64 hex digits)`);
    case "ip":
      if (isIP(value) !== 0) return value.toLowerCase();
      throw new InputError(`${shown} is not an IP address: use an IPv4 (10.1.2.3) or IPv6 (2001:db8::1) address`);
    case "domain": {
      const host = value.toLowerCase().replace(/\.$/, "");
      if (DOMAIN.test(host) && !isIP(host)) return host;
      throw new InputError(`${shown} is not a domain name: use a host name such as contoso.com (no scheme, path or port)`);
    }
    case "user":
      if (value.includes("\\") || value.includes("@")) {
        const name = value.includes("\\") ? value.slice(value.lastIndexOf("\\") + 1) : value.slice(0, value.indexOf("@"));
        throw new InputError(`${shown}: look users up by account name only (${JSON.stringify(name)}), not DOMAIN\\name or a UPN`);
      }
      if (value !== "" && value.length <= 64 && !USER_FORBIDDEN.test(value)) return value;
      throw new InputError(`${shown} is not an account name: use the user's account name (up to 64 characters), e.g. jdoe`);
  }
}

/** A related list, cut to {@link RELATED_SHOWN}, with how many the API returned. */
export interface Related<T> {
  readonly items: readonly T[];
  readonly total: number;
}

export interface FileEntity {
  readonly kind: "file";
  readonly file: Section<FileInfo | null>;
  readonly stats: Section<FileStats | null>;
  readonly alerts: Section<Related<Alert>>;
  readonly machines: Section<Related<Machine>>;
}

export interface IpEntity {
  readonly kind: "ip";
  readonly stats: Section<IpStats>;
  readonly alerts: Section<Related<Alert>>;
  /** The devices of its alerts (the API has no IP → machines list; mde-api.md §5.9). */
  readonly machines: Section<Related<Machine>>;
}

export interface DomainEntity {
  readonly kind: "domain";
  readonly stats: Section<DomainStats>;
  readonly alerts: Section<Related<Alert>>;
  readonly machines: Section<Related<Machine>>;
}

export interface UserEntity {
  readonly kind: "user";
  /** From the first related alert (`GET /api/alerts/{id}/user`) or a related device's logon users; null when neither knows it. */
  readonly user: Section<User | null>;
  readonly alerts: Section<Related<Alert>>;
  readonly machines: Section<Related<Machine>>;
}

export type EntityView = FileEntity | IpEntity | DomainEntity | UserEntity;

/** One tenant's view, and whether the entity is known there (seen, related to an alert or a device). */
export interface TenantEntity {
  readonly known: boolean;
  readonly view: EntityView;
}

export interface EntityLookup {
  readonly kind: EntityKind;
  readonly key: string;
  readonly parts: readonly TenantPart<TenantEntity>[];
}

const related = async <T>(list: PromiseLike<{ value: T[] }>): Promise<Related<T>> => {
  const page = await list;
  return { items: page.value.slice(0, RELATED_SHOWN), total: page.value.length };
};

/** A 404 of a single-entity read means "not known in this tenant". */
const orNull = async <T>(read: Promise<T>): Promise<T | null> => {
  try {
    return await read;
  } catch (error) {
    if (isMdeError(error, "ERR_MDE_NOT_FOUND")) return null;
    throw error;
  }
};

const count = (s: Section<Related<unknown>>) => (s.ok ? s.value.total : 0);
const prevalent = (s: Section<{ organizationPrevalence?: number | null } | null>) => s.ok && (s.value?.organizationPrevalence ?? 0) > 0;

/** When every section failed the tenant failed: its first failure becomes the part's (shown instead of empty sections). */
function firstFailure(sections: ReadonlyArray<Section<unknown>>): TenantReadError | undefined {
  const [first] = sections;
  if (!first || first.ok || !sections.every((s) => !s.ok)) return undefined;
  return new TenantReadError(first.error);
}

async function readFile(api: MdeApi, hash: string, signal: AbortSignal): Promise<TenantEntity> {
  const o = { signal };
  const file = await section(() => orNull(api.files.get(hash, o)));
  stopIfThrottled(file);
  // Related alerts and machines take the SHA-1 only: a SHA-256 lookup uses the SHA-1 the file profile gave.
  const sha1 = SHA1.test(hash) ? hash : file.ok && file.value?.sha1 && SHA1.test(file.value.sha1) ? file.value.sha1 : null;
  const none: Section<Related<never>> = { ok: true, value: { items: [], total: 0 } };
  const [stats, alerts, machines] = await Promise.all([
    section(() => orNull(api.files.getStats(hash, o))),
    sha1 ? section(() => related(api.files.listAlerts(sha1, o))) : Promise.resolve(none),
    sha1 ? section(() => related(api.files.listMachines(sha1, o))) : Promise.resolve(none),
  ]);
  const view: FileEntity = { kind: "file", file, stats, alerts, machines };
  const failed = firstFailure([file, stats, alerts, machines]);
  if (failed) throw failed;
  return { known: (file.ok && file.value !== null) || prevalent(stats) || count(alerts) + count(machines) > 0, view };
}

/** The devices named by alerts, once each, as machine stubs (id, name) for links. */
function machinesOfAlerts(alerts: Section<Related<Alert>>): Section<Related<Machine>> {
  if (!alerts.ok) return alerts;
  const seen = new Map<string, Machine>();
  for (const a of alerts.value.items) {
    if (!a.machineId || seen.has(a.machineId)) continue;
    seen.set(a.machineId, { id: a.machineId, computerDnsName: a.computerDnsName } as Machine);
  }
  return { ok: true, value: { items: [...seen.values()], total: seen.size } };
}

async function readIp(api: MdeApi, ip: string, signal: AbortSignal): Promise<TenantEntity> {
  const stats = await section(() => api.ips.getStats(ip, { signal }));
  stopIfThrottled(stats);
  const alerts = await section(() => related(api.ips.listAlerts(ip, { signal })));
  const failed = firstFailure([stats, alerts]);
  if (failed) throw failed;
  return { known: prevalent(stats) || count(alerts) > 0, view: { kind: "ip", stats, alerts, machines: machinesOfAlerts(alerts) } };
}

async function readDomain(api: MdeApi, domain: string, signal: AbortSignal): Promise<TenantEntity> {
  const o = { signal };
  const stats = await section(() => api.domains.getStats(domain, o));
  stopIfThrottled(stats);
  const [alerts, machines] = await Promise.all([
    section(() => related(api.domains.listAlerts(domain, o))),
    section(() => related(api.domains.listMachines(domain, o))),
  ]);
  const failed = firstFailure([stats, alerts, machines]);
  if (failed) throw failed;
  return { known: prevalent(stats) || count(alerts) + count(machines) > 0, view: { kind: "domain", stats, alerts, machines } };
}

const sameAccount = (u: User, name: string) => (u.accountName ?? u.id?.split("\\").pop() ?? "").toLowerCase() === name.toLowerCase();

async function readUser(api: MdeApi, name: string, signal: AbortSignal): Promise<TenantEntity> {
  const o = { signal };
  const alerts = await section(() => related(api.users.listAlerts(name, o)));
  stopIfThrottled(alerts);
  const machines = await section(() => related(api.users.listMachines(name, o)));
  const failed = firstFailure([alerts, machines]);
  if (failed) throw failed;
  // There is no GET /api/users/{id} (mde-api.md §5.10): the profile is the one an alert or a device reports.
  const user = await section(async (): Promise<User | null> => {
    const alert = alerts.ok ? alerts.value.items[0] : undefined;
    if (alert) {
      const u = await orNull(api.alerts.getUser(alert.id, o));
      if (u && sameAccount(u, name)) return u;
    }
    const machine = machines.ok ? machines.value.items[0] : undefined;
    if (machine) {
      const logons = await api.machines.listLogonUsers(machine.id, o);
      return logons.value.find((u) => sameAccount(u, name)) ?? null;
    }
    return null;
  });
  return { known: count(alerts) + count(machines) > 0 || (user.ok && user.value !== null), view: { kind: "user", user, alerts, machines } };
}

const READERS: Readonly<Record<EntityKind, (api: MdeApi, key: string, signal: AbortSignal) => Promise<TenantEntity>>> = {
  file: readFile,
  ip: readIp,
  domain: readDomain,
  user: readUser,
};

/**
 * The entity in every readable tenant (or the one named by `tenantId`), each
 * tenant's complete answer kept briefly in `cache`.
 */
export async function lookUpEntity(
  options: ResolvedConsoleOptions,
  memory: { cache: BriefCache; throttle: ThrottleMemory },
  kind: EntityKind,
  raw: string,
  tenantId?: string,
  scope?: TenantScope,
): Promise<EntityLookup> {
  const key = parseEntity(kind, raw);
  const tenants = await readableTenants(options.store, tenantId, scope);
  const cacheKey = (t: TenantRecord) => `entity\n${kind}\n${key}\n${t.id}`;
  const parts = await acrossTenants(options.partner, tenants, async (api, tenant, signal) => {
    const hit = memory.cache.get<TenantEntity>(cacheKey(tenant));
    if (hit) return hit;
    const found = await READERS[kind](api, key, signal);
    if (complete(found.view)) memory.cache.set(cacheKey(tenant), found);
    return found;
  }, { throttle: memory.throttle });
  return { kind, key, parts };
}

/** Whether no section of the view failed (only those are cached). */
function complete(view: EntityView): boolean {
  return Object.values(view).every((v) => typeof v !== "object" || v === null || (v as Section<unknown>).ok !== false);
}
