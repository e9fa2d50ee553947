import { createRandom, type Random } from "../core/random.js";
import type { EmulatorState, Tenant } from "../core/state.js";
import { FIRST_NAMES, LAST_NAMES } from "./alert-catalog.js";
import { hostilePrefix, hostileUserName } from "./hostile.js";

/** A user account that shows up in alerts (relatedUser, User evidence). */
export interface ProfileUser {
  userName: string;
  /** NetBIOS domain (`CONTOSO`). */
  domainName: string;
  userSid: string;
  aadUserId: string;
  userPrincipalName: string;
}

/**
 * The stable, seed-derived facts about one customer tenant that every
 * generated entity shares: its on-premises DNS and NetBIOS names, device
 * groups, users and SOC analysts.
 */
export interface TenantProfile {
  tenantId: string;
  /** Primary verified domain (`contoso.onmicrosoft.com`). */
  cloudDomain: string;
  /** On-premises DNS suffix (`contoso.local`, `fabrikam.corp`). */
  dnsSuffix: string;
  netbios: string;
  rbacGroups: ReadonlyArray<{ id: number; name: string }>;
  users: readonly ProfileUser[];
  analysts: readonly string[];
  /** The tenant's data carries the hostile markers (data/hostile.ts). */
  hostile: boolean;
}

const SUFFIXES = ["local", "corp", "lan", "internal", "ad"];
const GROUP_NAMES = [
  "Workstations",
  "Servers",
  "Domain Controllers",
  "Finance",
  "Engineering",
  "Executives",
  "Kiosks",
  "Developers",
  "Branch Offices",
];

/** Seeded random stream for one purpose within one tenant. */
export function tenantRandom(state: EmulatorState, tenantId: string, purpose: string): Random {
  return createRandom(state.options.seed).fork(`data/${tenantId}`).fork(purpose);
}

/** Builds the tenant's profile; the same seed and tenant id always give the same profile. */
export function tenantProfile(state: EmulatorState, tenant: Pick<Tenant, "id" | "domains" | "name" | "hostile">): TenantProfile {
  const random = tenantRandom(state, tenant.id, "profile");
  const cloudDomain = tenant.domains[0] ?? `${tenant.id.slice(0, 8)}.onmicrosoft.com`;
  const base = cloudDomain.split(".")[0]?.replace(/[^a-z0-9]/g, "") || "corp";
  const dnsSuffix = `${base}.${random.pick(SUFFIXES)}`;
  const netbios = base.slice(0, 15).toUpperCase();
  const groupCount = random.int(2, 5);
  const firstGroupId = random.int(40, 400);
  const hostile = tenant.hostile;
  const rbacGroups = GROUP_NAMES.slice(0, groupCount).map((name, i) => ({
    id: firstGroupId + i * random.int(1, 9),
    name: hostile ? hostilePrefix(` ${name}`, i) : name,
  }));
  const sidBase = `S-1-5-21-${random.int(1_000_000_000, 3_999_999_999)}-${random.int(1_000_000_000, 3_999_999_999)}-${random.int(100_000_000, 999_999_999)}`;
  const userCount = random.int(12, 40);
  const users: ProfileUser[] = [];
  const seen = new Set<string>();
  for (let i = 0; users.length < userCount && i < userCount * 4; i++) {
    const first = random.pick(FIRST_NAMES);
    const last = random.pick(LAST_NAMES);
    const plainName = random.bool(0.5) ? `${first}.${last}` : `${first[0]}${last}`;
    if (seen.has(plainName)) continue;
    seen.add(plainName);
    const userName = hostile ? hostileUserName(plainName, users.length) : plainName;
    users.push({
      userName,
      domainName: netbios,
      userSid: `${sidBase}-${1100 + i * 7}`,
      aadUserId: random.guid(),
      userPrincipalName: `${userName}@${cloudDomain}`,
    });
  }
  const analysts = ["secops", "soc.analyst", "tier2", `${random.pick(FIRST_NAMES)}.${random.pick(LAST_NAMES)}`].map(
    (n, i) => `${hostile ? hostileUserName(n, i) : n}@${cloudDomain}`,
  );
  return { tenantId: tenant.id, cloudDomain, dnsSuffix, netbios, rbacGroups, users, analysts, hostile };
}
