import { randomBytes } from "node:crypto";
import type { FaultRule, FaultRuleInput } from "../core/faults.js";
import { findTenant, grantConsent } from "../core/directory.js";
import type { JournalEntry, JournalQuery } from "../core/journal.js";
import type { TenantSpec } from "../core/options.js";
import { createRandom } from "../core/random.js";
import type { EmulatorState, PartnerApp, Tenant } from "../core/state.js";

/** Raised for control requests that name something that does not exist or make no sense. */
export class ControlError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
    this.name = "ControlError";
  }
}

export interface ConsentChange {
  /** MDE roles; omitted = everything the app requests. */
  roles?: string[];
  /** Graph roles; omitted = everything the app requests. */
  graphRoles?: string[];
  /** App to consent to; omitted = the partner app. */
  clientId?: string;
}

export interface AppSpec {
  clientId?: string;
  displayName?: string;
  requiredRoles?: string[];
  requiredGraphRoles?: string[];
  redirectUris?: string[];
  /** Seconds until the generated secret expires (negative: already expired). */
  secretLifetimeSec?: number;
}

export interface AppChange {
  redirectUris?: string[];
  enabled?: boolean;
  /** Expire every secret now (AADSTS7000222 from then on). */
  expireSecrets?: boolean;
  /** Add a fresh secret; its value is returned once. */
  addSecret?: { lifetimeSec?: number };
  requiredRoles?: string[];
  requiredGraphRoles?: string[];
}

export interface DataHooks {
  addTenant(spec: TenantSpec): unknown;
  addAlerts(tenantId: string, count: number): string[];
  updateAlerts(tenantId: string, count: number, options: { sameTimestamp?: boolean }): string[];
  groundTruth(tenantId: string): { alerts: number; checksum: string };
  startLive(options: { intervalMs: number; newAlerts: number; updatedAlerts: number }): void;
  stopLive(): void;
}

/**
 * What the control API can do, as plain functions over the emulator state: the
 * HTTP routes and in-process callers (tests, the demo) share them.
 */
export interface EmulatorControl {
  tenant(idOrDomain: string): Tenant;
  addTenant(spec?: TenantSpec): unknown;
  setConsent(tenantId: string, change?: ConsentChange): void;
  revokeConsent(tenantId: string, clientId?: string): void;
  setProvisioned(tenantId: string, provisioned: boolean): void;
  addApp(spec?: AppSpec): { clientId: string; clientSecret: string };
  updateApp(clientId: string, change: AppChange): { clientSecret?: string };
  rotateSigningKey(graceSec?: number): Promise<{ kid: string }>;
  addFault(rule: FaultRuleInput): FaultRule;
  removeFault(id: string): boolean;
  clearFaults(): void;
  faults(): FaultRule[];
  journal(query?: JournalQuery): JournalEntry[];
  addAlerts(tenantId: string, count: number): string[];
  updateAlerts(tenantId: string, count: number, options?: { sameTimestamp?: boolean }): string[];
  groundTruth(tenantId: string): { tenantId: string; alerts: number; checksum: string };
  startLive(options: { intervalMs: number; newAlerts: number; updatedAlerts: number }): void;
  stopLive(): void;
  resetRateLimits(): void;
}

const countOf = (n: unknown, max = 1_000_000): number => {
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > max) throw new ControlError(400, `count must be an integer 0..${max}`);
  return n;
};

export function createControl(state: EmulatorState, partnerApp: PartnerApp, data: DataHooks): EmulatorControl {
  const tenant = (idOrDomain: string): Tenant => {
    const t = findTenant(state, idOrDomain);
    if (!t) throw new ControlError(404, `tenant ${idOrDomain} does not exist`);
    return t;
  };
  const app = (clientId?: string): PartnerApp => {
    const a = state.apps.get(clientId ?? partnerApp.clientId);
    if (!a) throw new ControlError(404, `app ${clientId} does not exist`);
    return a;
  };
  const newSecret = (lifetimeSec: number) => {
    const value = `${randomBytes(2).toString("hex").slice(0, 3)}8Q~${randomBytes(26).toString("base64url").slice(0, 34)}`;
    return { id: createRandom(value).guid(), hint: value.slice(0, 3), value, expiresAt: state.clock.now() + lifetimeSec * 1000 };
  };
  return {
    tenant,
    addTenant(spec = {}) {
      if (spec.hostile !== undefined && typeof spec.hostile !== "boolean") throw new ControlError(400, "hostile must be true or false");
      return data.addTenant(spec);
    },
    setConsent(tenantId, change = {}) {
      const a = app(change.clientId);
      grantConsent(state, tenant(tenantId), a, change.roles ?? a.requiredRoles, change.graphRoles ?? a.requiredGraphRoles);
    },
    revokeConsent(tenantId, clientId) {
      tenant(tenantId).consents.delete(app(clientId).clientId);
    },
    setProvisioned(tenantId, provisioned) {
      tenant(tenantId).mdeProvisioned = provisioned;
    },
    addApp(spec = {}) {
      const secret = newSecret(spec.secretLifetimeSec ?? 730 * 86400);
      const clientId = (spec.clientId ?? createRandom(secret.value).guid()).toLowerCase();
      if (state.apps.has(clientId)) throw new ControlError(409, `app ${clientId} already exists`);
      state.apps.set(clientId, {
        clientId,
        displayName: spec.displayName ?? "Additional partner app",
        homeTenantId: partnerApp.homeTenantId,
        secrets: [secret],
        certificates: [],
        requiredRoles: [...(spec.requiredRoles ?? partnerApp.requiredRoles)],
        requiredGraphRoles: [...(spec.requiredGraphRoles ?? partnerApp.requiredGraphRoles)],
        redirectUris: [...(spec.redirectUris ?? partnerApp.redirectUris)],
        enabled: true,
      });
      return { clientId, clientSecret: secret.value };
    },
    updateApp(clientId, change) {
      const a = app(clientId);
      if (change.redirectUris) a.redirectUris = [...new Set([...a.redirectUris, ...change.redirectUris])];
      if (change.enabled !== undefined) a.enabled = change.enabled;
      if (change.requiredRoles) a.requiredRoles = [...change.requiredRoles];
      if (change.requiredGraphRoles) a.requiredGraphRoles = [...change.requiredGraphRoles];
      if (change.expireSecrets) for (const s of a.secrets) s.expiresAt = Math.min(s.expiresAt, state.clock.now() - 1000);
      if (change.addSecret) {
        const secret = newSecret(change.addSecret.lifetimeSec ?? 730 * 86400);
        a.secrets.push(secret);
        return { clientSecret: secret.value };
      }
      return {};
    },
    async rotateSigningKey(graceSec = 3600) {
      const key = await state.keys.rotate(graceSec * 1000);
      return { kid: key.kid };
    },
    addFault(rule) {
      const targets = ["token", "api", "graph", "consent", "*"];
      if (!targets.includes(String(rule.target))) throw new ControlError(400, `fault target must be one of ${targets.join(", ")}`);
      if (rule.errorRatio !== undefined && !(rule.errorRatio >= 0 && rule.errorRatio <= 1)) throw new ControlError(400, "errorRatio must be within 0..1");
      if (rule.tenantId) tenant(rule.tenantId);
      return state.faults.add(rule);
    },
    removeFault: (id) => state.faults.remove(id),
    clearFaults: () => state.faults.clear(),
    faults: () => state.faults.list(),
    journal: (query) => state.journal.list(query),
    addAlerts: (tenantId, count) => data.addAlerts(tenant(tenantId).id, countOf(count)),
    updateAlerts: (tenantId, count, options = {}) => data.updateAlerts(tenant(tenantId).id, countOf(count), options),
    groundTruth(tenantId) {
      const t = tenant(tenantId);
      return { tenantId: t.id, ...data.groundTruth(t.id) };
    },
    startLive: (options) => {
      if (!(options.intervalMs >= 10)) throw new ControlError(400, "intervalMs must be at least 10");
      data.startLive(options);
    },
    stopLive: () => data.stopLive(),
    resetRateLimits: () => state.limiter.reset(),
  };
}
