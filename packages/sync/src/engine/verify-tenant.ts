/**
 * Verifies a customer tenant the way the partner-access pages walk through it
 * by hand (DESIGN.md steps 3–5), on both resources the partner app uses: get
 * the tenant's MDE token and its Microsoft Graph token, inspect each (`tid` is
 * the customer, `roles` hold what the integration needs on that resource),
 * make one API call on each. The tenant's state follows: `verified`, or
 * `degraded` with the reason — including permission drift per resource, as
 * for a tenant that consented before the app asked for Graph permissions
 * (application permissions are consented per change: every customer's admin
 * consents again, graph-security.md §2). The re-consent link requests both
 * resources.
 */
import {
  capabilityForAlertSource,
  capabilityStatus,
  findMissingPermissions,
  findPermission,
  type PartnerClient,
  type PartnerTenant,
  type PlanInput,
  planPermissions,
  type TokenInspection,
} from "@mde-partner/client";
import type { Store, TenantRecord } from "../store/index.js";
import { tenantOf } from "./tenant-of.js";
import { problemForTenant, tenantProblem } from "./tenant-problem.js";
import type { CapabilityVerification, ResourceVerification, TenantOnboardingState, VerifyResult } from "./types.js";

export interface VerifyTenantOptions {
  store: Store;
  partner: PartnerClient<PartnerTenant>;
  tenantId: string;
  /**
   * Application permissions the integration needs, of either resource (e.g. `Alert.Read.All`,
   * `Machine.Isolate`, `ThreatHunting.Read.All`); each is checked against the token of its own
   * resource (the permission catalogue says which). A tenant whose alert source is `graph` needs
   * `SecurityAlert.Read.All` and `SecurityIncident.Read.All` too.
   */
  requiredPermissions: readonly string[];
  /**
   * Capabilities the integration requires (`alerts:read`, `hunting:run`, `sync`, …): their permissions,
   * derived from the operations each calls, are required on top of `requiredPermissions`, and the
   * result says per capability what the tenant can and cannot do. `sync` is checked against the
   * tenant's alert source (`sync:graph` for a tenant synced from Microsoft Graph).
   */
  capabilities?: readonly string[];
  /** Capabilities reported in the result without being required (e.g. everything the CLI can do). */
  reportCapabilities?: readonly string[];
  signal?: AbortSignal;
}

const READS: ReadonlyArray<readonly [string[], "alerts" | "machines"]> = [
  [["alert.read.all", "alert.readwrite.all"], "alerts"],
  [["machine.read.all", "machine.readwrite.all"], "machines"],
];

/**
 * What a tenant's sync reads on Microsoft Graph when its alert source is Graph: derived from the
 * `sync:graph` capability (alerts_v2 and incidents; its machines come from the MDE API, which every
 * tenant's required permissions already cover).
 */
export const GRAPH_SOURCE_NEEDS: readonly string[] = planPermissions(["sync:graph"])
  .roles.filter((r) => r.resource === "graph")
  .map((r) => r.name);

/** The capabilities as a tenant exercises them (`sync` reads the tenant's alert source), without repeats. */
export function tenantCapabilities(capabilities: readonly string[], tenant: Pick<TenantRecord, "alertSource">): string[] {
  return [...new Set(capabilities.map((c) => capabilityForAlertSource(c, tenant.alertSource)))];
}

/**
 * The permissions a tenant must have granted, split by resource: the required permissions, those of
 * the required capabilities (as the tenant exercises them), and what its alert source reads. Names the
 * catalogue does not know are MDE's, as before Graph existed. The console's drift uses the same.
 */
export function permissionsNeeded(
  required: readonly string[],
  tenant: Pick<TenantRecord, "alertSource">,
  capabilities: readonly string[] = [],
): { mde: string[]; graph: string[] } {
  const mde: string[] = [];
  const graph: string[] = [];
  const fromCapabilities = capabilities.length > 0 ? planPermissions(tenantCapabilities(capabilities, tenant) as PlanInput[]).permissions : [];
  for (const name of [...required, ...fromCapabilities]) {
    const list = findPermission(name)?.resource === "graph" ? graph : mde;
    const canonical = findPermission(name)?.name ?? name;
    if (!list.some((n) => (findPermission(n)?.name ?? n) === canonical)) list.push(name);
  }
  if (tenant.alertSource === "graph") for (const n of GRAPH_SOURCE_NEEDS) if (!graph.includes(n)) graph.push(n);
  return { mde, graph };
}

const tokenChecks = (inspection: TokenInspection, prefix: string) =>
  inspection.checks.filter((c) => c.status !== "skipped" && c.name !== "roles").map((c) => ({ name: `${prefix}.${c.name}`, ok: c.status === "pass", detail: c.reason }));

/**
 * @example
 * const v = await verifyTenant({ store, partner, tenantId, requiredPermissions: ["Alert.Read.All", "ThreatHunting.Read.All"] });
 * if (v.drift?.drifted) send(v.consentUrl, v.drift.resources);
 * // Per capability, what the tenant can and cannot do:
 * const w = await verifyTenant({ store, partner, tenantId, requiredPermissions: [], capabilities: ["sync", "hunting:run"] });
 * w.capabilities; // [{ capability: "sync", status: "ok", … }, { capability: "hunting:run", status: "missing",
 * //   missing: [{ permission: "ThreatHunting.Read.All", resource: "graph" }], … }]
 */
export async function verifyTenant(options: VerifyTenantOptions): Promise<VerifyResult> {
  const { store, partner, tenantId } = options;
  if (!Array.isArray(options.requiredPermissions)) throw new TypeError("requiredPermissions must be an array of permission names");
  const requiredCapabilities = options.capabilities ?? [];
  // Unknown capability names are a caller's mistake, before anything is recorded.
  planPermissions([...requiredCapabilities, ...(options.reportCapabilities ?? [])] as PlanInput[]);
  let tenant: TenantRecord | null = await store.getTenant(tenantId);
  tenant ??= await store.upsertTenant({ id: tenantId, name: tenantId, initialState: "consented" });
  const needed = permissionsNeeded(options.requiredPermissions, tenant, requiredCapabilities);
  const signalOpt = options.signal ? { signal: options.signal } : {};
  const checks: VerifyResult["checks"] = [];
  const mde: ResourceVerification = { needed: needed.mde, roles: null, missing: [] };
  const graph: ResourceVerification = { needed: needed.graph, roles: null, missing: [] };
  let state: TenantOnboardingState = "verified";
  let reason = "verified";
  const result: Partial<VerifyResult> = {};
  let problemMissing: string[] = [];

  const fail = (error: unknown, check: string) => {
    const p = problemForTenant(tenantProblem(error), tenant!);
    checks.push({ name: check, ok: false, detail: `${p.reason}: ${p.message}` });
    if (result.error) return; // the first failure names the state
    state = p.state ?? "degraded";
    reason = p.reason;
    result.error = { code: p.code, message: p.message };
    result.action = p.action;
    if (p.consentUrl) result.consentUrl = p.consentUrl;
    if (p.missingPermissions) problemMissing = p.missingPermissions;
  };
  const broken = (inspection: TokenInspection, label: string) => {
    const bad = inspection.checks.find((c) => c.status === "fail" && c.name !== "roles");
    if (!bad || result.error) return;
    state = "degraded";
    reason = `${label} token ${bad.name} check failed`;
    result.error = { code: "ERR_TOKEN_INVALID", message: bad.reason };
    result.action = "the token does not belong to this tenant or cannot be trusted: check the tenant id and the cloud";
  };

  try {
    await partner.getToken(tenant.id, signalOpt);
    checks.push({ name: "token", ok: true, detail: "app-only token issued for the tenant" });
  } catch (error) {
    fail(error, "token");
    // No token yet for a tenant that never consented: whatever the reason (a network failure, the
    // service failing), nothing shows it consented, so it stays pending (a tenant that does not
    // exist still fails).
    if (tenant.state === "pending_consent" && (state as TenantOnboardingState) !== "failed") state = "pending_consent";
  }

  if (!result.error) {
    const api = tenantOf(partner, tenant);
    try {
      const inspection = await api.inspectToken({ requiredRoles: needed.mde });
      mde.roles = inspection.summary?.roles ?? [];
      // Alias- and hierarchy-aware: Alert.ReadWrite.All covers Alert.Read.All, Url = URL.
      mde.missing = findMissingPermissions(mde.roles, needed.mde);
      checks.push(...tokenChecks(inspection, "token"));
      checks.push({
        name: "token.roles",
        ok: mde.missing.length === 0,
        detail: mde.missing.length === 0 ? `has ${needed.mde.length} required permission(s)` : `missing: ${mde.missing.join(", ")}`,
      });
      broken(inspection, "MDE");
      // One API probe with a permission the token has.
      const lower = new Set(mde.roles.map((r) => r.toLowerCase()));
      const probe = READS.find(([needs]) => needs.some((n) => lower.has(n)))?.[1];
      if (probe) {
        try {
          const opts = { top: 1, ...signalOpt };
          if (probe === "alerts") await api.mde.alerts.list(opts);
          else await api.mde.machines.list(opts);
          checks.push({ name: "api", ok: true, detail: `GET /api/${probe} answered` });
        } catch (error) {
          fail(error, "api");
        }
      } else {
        checks.push({ name: "api", ok: false, detail: "no read permission (Alert.Read.All or Machine.Read.All) to probe the API with" });
      }
    } catch (error) {
      fail(error, "token.inspection");
    }

    // Microsoft Graph: its own token (its own audience and roles), consented in the same admin consent.
    const graphNeeded = needed.graph.length > 0;
    try {
      const inspection = await api.inspectToken({ resource: "graph", requiredRoles: needed.graph });
      graph.roles = inspection.summary?.roles ?? [];
      graph.missing = findMissingPermissions(graph.roles, needed.graph);
      checks.push({ name: "graph.token", ok: true, detail: "app-only Microsoft Graph token issued for the tenant" });
      checks.push(...tokenChecks(inspection, "graph.token"));
      checks.push({
        name: "graph.token.roles",
        ok: graph.missing.length === 0,
        detail:
          graph.missing.length === 0
            ? `has ${needed.graph.length} required permission(s)${graph.roles.length === 0 ? " (the tenant granted no Graph permission)" : ""}`
            : `missing: ${graph.missing.join(", ")}`,
      });
      if (graphNeeded) broken(inspection, "Microsoft Graph");
      const lower = new Set(graph.roles.map((r) => r.toLowerCase()));
      if (lower.has("securityalert.read.all") || lower.has("securityalert.readwrite.all")) {
        try {
          await tenantOf(partner, tenant).graph.alerts.list({ top: 1, ...signalOpt });
          checks.push({ name: "graph.api", ok: true, detail: "GET /v1.0/security/alerts_v2 answered" });
        } catch (error) {
          if (graphNeeded) fail(error, "graph.api");
          else checks.push({ name: "graph.api", ok: false, detail: `${tenantProblem(error).reason} (not needed)` });
        }
      }
    } catch (error) {
      if (graphNeeded) fail(error, "graph.token");
      else checks.push({ name: "graph.token", ok: false, detail: `${tenantProblem(error).reason}: ${tenantProblem(error).message} (not needed)` });
    }
  }

  const drifted = (["mde", "graph"] as const).filter((r) => (r === "mde" ? mde : graph).missing.length > 0);
  if (drifted.length > 0 && !result.error) {
    const parts = [
      ...(mde.missing.length ? [mde.missing.join(", ")] : []),
      ...(graph.missing.length ? [`on Microsoft Graph ${graph.missing.join(", ")}`] : []),
    ];
    const all = [...mde.missing, ...graph.missing];
    state = "degraded";
    reason = `permission missing: ${parts.join("; ")}`;
    result.error = { code: "ERR_MDE_FORBIDDEN", message: `the tenant granted no ${all.join(", ")}` };
    result.consentUrl = partner.consentUrl(tenant.id);
    result.action = `ask the customer's admin to consent again so the app gets ${all.join(", ")}: ${result.consentUrl}`;
  } else if (drifted.length > 0) {
    result.consentUrl ??= partner.consentUrl(tenant.id);
  }

  const missingPermissions = drifted.length > 0 ? [...mde.missing, ...graph.missing] : problemMissing;
  const required = new Set(tenantCapabilities(requiredCapabilities, tenant));
  const reported = tenantCapabilities([...requiredCapabilities, ...(options.reportCapabilities ?? [])], tenant);
  const capabilities: CapabilityVerification[] = capabilityStatus({ mde: mde.roles, graph: graph.roles }, reported as PlanInput[]).map((c) => ({
    capability: c.capability,
    required: required.has(c.capability),
    status: c.status,
    ok: c.ok,
    missing: c.missing.map((m) => ({ permission: m.permission, resource: m.resource })),
  }));
  const lastError = state === "verified" ? null : `${reason}${result.error ? `: ${result.error.message}` : ""}`;
  if (state !== tenant.state || tenant.lastError !== lastError) await store.setTenantState(tenant.id, state, reason);
  await store.upsertTenant({
    id: tenant.id,
    name: tenant.name,
    lastError,
    ...(mde.roles?.length ? { grantedRoles: mde.roles } : {}),
    ...(graph.roles !== null ? { graphRoles: graph.roles } : {}),
  });
  return {
    tenantId: tenant.id,
    state,
    checks,
    roles: mde.roles ?? [],
    missingPermissions,
    resources: { mde, graph },
    drift: { drifted: drifted.length > 0, resources: drifted },
    ...(capabilities.length > 0 ? { capabilities } : {}),
    ...(result.consentUrl ? { consentUrl: result.consentUrl } : {}),
    ...(result.error ? { error: result.error } : {}),
    ...(result.action ? { action: result.action } : {}),
  };
}
