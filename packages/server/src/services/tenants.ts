/**
 * Customer tenants for the console: the overview (state, permission drift,
 * last sync, alert counts, last error) and starting an onboarding (a consent
 * request with a single-use state and the admin-consent link).
 */
import {
  adminConsentUrl,
  type CapabilityStatus,
  capabilityStatus,
  findMissingPermissions,
  isMdeError,
  normalizeTenantId,
} from "@mde-partner/client";
import { GRAPH_SOURCE_NEEDS, onboardTenant, permissionsNeeded, type SyncRunRecord, type TenantRecord, tenantCapabilities } from "@mde-partner/sync";
import type { ResolvedConsoleOptions } from "../options.js";
import { InputError, NotFoundError } from "./errors.js";

/** Severities highest first, as the alert list shows them. */
export { ALERT_SEVERITIES as SEVERITIES } from "./alerts.js";

/** Permission drift on one resource, from the roles the last verification recorded. */
export interface ResourceDriftView {
  /** Permissions the console's integration needs on this resource. */
  readonly needed: readonly string[];
  /** Whether a verification has recorded the roles the tenant granted on it. */
  readonly known: boolean;
  /** Needed permissions not granted (empty while unknown). */
  readonly missing: readonly string[];
}

export interface TenantOverview {
  readonly tenant: TenantRecord;
  /** Required permissions the tenant has not granted, on either resource (empty while its roles are unknown). */
  readonly missingPermissions: readonly string[];
  /** Whether a verification has recorded the roles the tenant granted. */
  readonly rolesKnown: boolean;
  /** Drift per resource: the MDE API (WindowsDefenderATP) and Microsoft Graph. */
  readonly drift: { readonly mde: ResourceDriftView; readonly graph: ResourceDriftView };
  /**
   * What the console can do for the tenant, per capability, from the roles the last verification
   * recorded (`unknown` until then): the same table `tenants verify` reports from.
   */
  readonly capabilities: readonly CapabilityStatus[];
  readonly alertCounts: Readonly<Record<string, number>>;
  readonly alertTotal: number;
  readonly lastRun: SyncRunRecord | undefined;
}

/**
 * The needed permissions of each resource for `tenant`: the same derivation `tenants verify` uses
 * (the catalogue says which resource a name belongs to; a Graph-sourced tenant's sync reads alerts_v2
 * and incidents), so the console's drift and a verification never disagree.
 */
export function neededPermissions(required: readonly string[], tenant: TenantRecord): { mde: string[]; graph: string[] } {
  return permissionsNeeded(required, tenant);
}

/** What the console does with a tenant: sync its alerts, update them, response actions, hunting. */
export const CONSOLE_CAPABILITIES = Object.freeze([
  "sync",
  "alerts:write",
  "machines:isolate",
  "machines:restrict",
  "machines:scan",
  "machines:collect",
  "hunting:run",
] as const);

function capabilitiesOf(tenant: TenantRecord): CapabilityStatus[] {
  const granted = { mde: tenant.grantedRoles.length > 0 ? tenant.grantedRoles : null, graph: tenant.graphRoles };
  return capabilityStatus(granted, tenantCapabilities(CONSOLE_CAPABILITIES, tenant) as Parameters<typeof capabilityStatus>[1]);
}

function driftOf(tenant: TenantRecord, required: readonly string[]): TenantOverview["drift"] {
  const needed = neededPermissions(required, tenant);
  // Only a verification reads the granted roles (from the tokens); until then drift is unknown, not "everything missing".
  const mdeKnown = tenant.grantedRoles.length > 0;
  const graphKnown = tenant.graphRoles !== null;
  return {
    mde: { needed: needed.mde, known: mdeKnown, missing: mdeKnown ? findMissingPermissions(tenant.grantedRoles, needed.mde) : [] },
    graph: { needed: needed.graph, known: graphKnown, missing: graphKnown ? findMissingPermissions(tenant.graphRoles ?? [], needed.graph) : [] },
  };
}

/**
 * The overview of every tenant, of the one named by `only`, or of those in
 * `within` (an operator's scope; undefined = every tenant): counts and runs
 * are read for those tenants only.
 */
export async function tenantOverview(options: ResolvedConsoleOptions, only?: string, within?: readonly string[]): Promise<TenantOverview[]> {
  const { store } = options;
  const inside = (id: string) => within === undefined || within.includes(id);
  const tenants = only
    ? [await store.getTenant(only)].filter((t): t is TenantRecord => t !== null && inside(t.id))
    : (await store.listTenants()).filter((t) => inside(t.id));
  if (tenants.length === 0) return [];
  const ids = only || within !== undefined ? tenants.map((t) => t.id) : undefined;
  const counts = await store.countAlertsByTenantAndSeverity(ids ? { tenantIds: ids } : {});
  const runs = await store.listSyncRuns({ limit: Math.max(100, tenants.length * 4), ...(ids ? { tenantIds: ids } : {}) });
  return tenants.map((tenant) => {
    const alertCounts: Record<string, number> = {};
    let alertTotal = 0;
    for (const c of counts) {
      if (c.tenantId !== tenant.id) continue;
      alertCounts[c.severity ?? "UnSpecified"] = (alertCounts[c.severity ?? "UnSpecified"] ?? 0) + c.count;
      alertTotal += c.count;
    }
    const drift = driftOf(tenant, options.requiredPermissions);
    return {
      tenant,
      rolesKnown: drift.mde.known,
      drift,
      capabilities: capabilitiesOf(tenant),
      missingPermissions: [...drift.mde.missing, ...drift.graph.missing],
      alertCounts,
      alertTotal,
      lastRun: runs.find((r) => r.tenantId === tenant.id),
    };
  });
}

/** How a tenant's stored state reads on the console. */
export function stateLabel(state: string): string {
  return (
    {
      pending_consent: "pending",
      consented: "consented, not verified",
      verified: "verified",
      degraded: "degraded",
      failed: "failed",
    }[state] ?? state
  );
}

export interface OnboardingInput {
  readonly name: string;
  /** Tenant id or verified domain, when the operator knows it. */
  readonly tenant?: string | undefined;
}

export interface StartedOnboarding {
  readonly consentUrl: string;
  readonly requestId: string;
  readonly expiresAt: string;
  readonly tenantId: string | null;
  readonly name: string;
}

/** The tenant id of a GUID or verified domain; a domain no tenant has is the operator's mistake. */
async function resolveGivenTenant(options: ResolvedConsoleOptions, tenant: string): Promise<string> {
  try {
    return await options.partner.resolveTenant(tenant);
  } catch (error) {
    if (isMdeError(error, "ERR_MDE_TENANT_NOT_FOUND")) {
      throw new InputError(`no tenant of this cloud has the verified domain ${tenant}: check the spelling, or give the tenant id`);
    }
    throw error;
  }
}

/**
 * Creates a consent request (single-use, expiring state kept hashed by the
 * store) and the admin-consent link for the customer (mde-api.md §1.2, v2
 * form). A tenant given by GUID or verified domain is bound to the request
 * (the domain resolved to its tenant id) and listed at once as `pending_consent`.
 */
export async function startOnboarding(options: ResolvedConsoleOptions, actor: string, input: OnboardingInput): Promise<StartedOnboarding> {
  const { store, partner } = options;
  const name = typeof input.name === "string" ? input.name.trim() : "";
  if (name === "" || name.length > 120) throw new InputError("give the customer a name (at most 120 characters)");
  let tenant: string | undefined;
  const given = input.tenant?.trim();
  if (given) {
    try {
      tenant = normalizeTenantId(given, "tenant");
    } catch {
      throw new InputError("the tenant must be a tenant id (GUID) or a verified domain such as contoso.onmicrosoft.com");
    }
  }
  // A verified domain is bound to its tenant now, from the tenant's OpenID metadata: the callback
  // then accepts a consent from that tenant only (a link is not something any tenant may complete).
  const tenantId = tenant === undefined ? null : await resolveGivenTenant(options, tenant);
  const existing = tenantId ? await store.getTenant(tenantId) : null;
  const request = await store.createConsentRequest({
    redirectUri: options.consentRedirectUri,
    tenantHint: tenantId,
    ttlMs: options.consentTtlMs,
  });
  // Listed at once, pending its consent; a tenant already recorded is left as it is.
  if (tenantId && !existing) await onboardTenant(store, { tenantId, name });
  const consentUrl = adminConsentUrl({
    loginUrl: partner.cloud.loginUrl,
    clientId: partner.clientId,
    redirectUri: options.consentRedirectUri,
    scopes: options.consentScope.split(" "),
    state: request.state,
    ...(tenant !== undefined ? { tenant } : {}),
  });
  await store.appendAudit({
    actor,
    action: existing ? "tenant.reconsent" : "tenant.onboard",
    phase: "requested",
    tenantId,
    target: tenant ?? null,
    request: { name, tenant: tenant ?? null, tenantId, consentRequestId: request.id, expiresAt: request.expiresAt },
    correlationId: request.id,
  });
  return { consentUrl, requestId: request.id, expiresAt: request.expiresAt, tenantId, name: existing?.name ?? name };
}

/**
 * Switches where a tenant's alerts are synced from (`mde` or `graph`) and
 * audits it. Nothing stored is lost or duplicated: alerts stay keyed by their
 * MDE id and each source has its own cursor (sync engine). Returns a line for
 * the operator.
 */
export async function switchSource(options: ResolvedConsoleOptions, actor: string, tenantId: string, source: string): Promise<string> {
  if (source !== "mde" && source !== "graph") throw new InputError('the alert source must be "mde" or "graph"');
  const before = await options.store.getTenant(tenantId);
  if (!before) throw new NotFoundError(`tenant ${tenantId} is not in the console`);
  const after = await options.store.setTenantSource(tenantId, source);
  await options.store.appendAudit({
    actor,
    action: "tenant.source",
    phase: "completed",
    tenantId,
    request: { from: before.alertSource, to: source },
    result: source,
  });
  const name = source === "graph" ? "Microsoft Graph (alerts_v2 and incidents)" : "the MDE API";
  const needs = source === "graph" ? ` It needs ${GRAPH_SOURCE_NEEDS.join(" and ")} on Microsoft Graph: verify the tenant.` : "";
  return before.alertSource === after.alertSource
    ? `${before.name} already syncs from ${name}.`
    : `${before.name} now syncs its alerts from ${name}; the next sync reads them there.${needs}`;
}

/** What switching a tenant's alert source would do, for the confirmation step (nothing changes yet). */
export interface SourceSwitchPreview {
  readonly tenant: TenantRecord;
  readonly to: "mde" | "graph";
  /** Permissions the console needs on the new source's resource once switched. */
  readonly needed: readonly string[];
  /** Of those, what the tenant's last verification did not find granted; null while its roles are unknown. */
  readonly missing: readonly string[] | null;
}

/** The confirmation step's facts for switching `tenantId` to `source`; throws InputError/NotFoundError like {@link switchSource}. */
export async function previewSourceSwitch(options: ResolvedConsoleOptions, tenantId: string, source: string): Promise<SourceSwitchPreview> {
  if (source !== "mde" && source !== "graph") throw new InputError('the alert source must be "mde" or "graph"');
  const tenant = await options.store.getTenant(tenantId);
  if (!tenant) throw new NotFoundError(`tenant ${tenantId} is not in the console`);
  const drift = driftOf({ ...tenant, alertSource: source }, options.requiredPermissions)[source];
  return { tenant, to: source, needed: drift.needed, missing: drift.known ? drift.missing : null };
}
