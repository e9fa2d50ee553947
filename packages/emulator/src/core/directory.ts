import { createHash } from "node:crypto";
import type { TenantSpec } from "./options.js";
import type { Random } from "./random.js";
import type { Consent, EmulatorState, PartnerApp, Tenant } from "./state.js";

const COMPANY_NAMES = [
  "Contoso", "Fabrikam", "Northwind Traders", "Adventure Works", "Tailspin Toys", "Wingtip Toys", "Litware",
  "Proseware", "Alpine Ski House", "Coho Winery", "Woodgrove Bank", "Lucerne Publishing", "Margie's Travel",
  "Trey Research", "Fourth Coffee", "Relecloud", "Wide World Importers", "Humongous Insurance", "Graphic Design Institute",
  "Blue Yonder Airlines", "City Power & Light", "Consolidated Messenger", "Datum Corporation", "Lamna Healthcare",
  "Munson's Pickles", "Nod Publishers", "Southridge Video", "VanArsdel", "Bellows College", "Best For You Organics",
];
const REGIONS = ["us", "us", "us", "eu", "eu", "uk", "au", "swa", "ina"];

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, "");
}

/** Deterministic service-principal object id for an app in a tenant. */
export function servicePrincipalId(tenantId: string, clientId: string): string {
  const h = createHash("sha256").update(`${tenantId}/${clientId}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Builds a customer tenant from a spec; the seed-derived `random` fills in what the spec leaves out. */
export function buildTenant(spec: TenantSpec, index: number, random: Random, now: number): Tenant {
  const base = COMPANY_NAMES[index % COMPANY_NAMES.length] ?? "Tenant";
  const round = Math.floor(index / COMPANY_NAMES.length);
  const name = spec.name ?? (round === 0 ? base : `${base} ${round + 1}`);
  const domain = spec.domain ?? `${slug(name)}.onmicrosoft.com`;
  return {
    id: (spec.id ?? random.guid()).toLowerCase(),
    name,
    domains: [domain.toLowerCase()],
    region: spec.region ?? random.pick(REGIONS),
    mdeProvisioned: spec.mdeProvisioned ?? true,
    consents: new Map(),
    hostile: spec.hostile ?? false,
    createdAt: now,
  };
}

/** Records (or replaces) a tenant's consent to an app. */
export function grantConsent(
  state: EmulatorState,
  tenant: Tenant,
  app: PartnerApp,
  roles: readonly string[],
  graphRoles: readonly string[],
): Consent {
  const consent: Consent = {
    roles: [...new Set(roles)],
    graphRoles: [...new Set(graphRoles)],
    grantedAt: state.clock.now(),
    servicePrincipalId: servicePrincipalId(tenant.id, app.clientId),
  };
  tenant.consents.set(app.clientId, consent);
  return consent;
}

/** Finds a tenant by GUID or verified domain name (case-insensitive). */
export function findTenant(state: EmulatorState, idOrDomain: string): Tenant | undefined {
  const key = idOrDomain.toLowerCase();
  const byId = state.tenants.get(key);
  if (byId) return byId;
  for (const tenant of state.tenants.values()) if (tenant.domains.includes(key)) return tenant;
  return undefined;
}
