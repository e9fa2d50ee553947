import { randomBytes } from "node:crypto";
import type { FaultRule, FaultRuleInput } from "../core/faults.js";
import { findTenant, grantConsent } from "../core/directory.js";
import { countWrites, type JournalEntry, type JournalKind, type JournalQuery, type WriteCount } from "../core/journal.js";
import type { TenantSpec } from "../core/options.js";
import { createRandom } from "../core/random.js";
import type { EmulatorState, PartnerApp, Tenant } from "../core/state.js";
import { type DirectoryUser, findUser } from "../core/users.js";
import { type BaselineControl, createBaselineControl } from "./baseline-control.js";
import { ControlError } from "./control-error.js";

export { ControlError };

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
  /** Refuse users with no app role at sign-in (AADSTS50105). */
  appRoleAssignmentRequired?: boolean;
}

/** Creates or changes a home-tenant user; what is left out stays as it was (or gets a default). */
export interface UserChange {
  /** Omitted when creating: a generated one, returned once in the answer. */
  password?: string;
  displayName?: string;
  /** App roles assigned on the partner's apps (`Console.Admin`, …); `[]` = not assigned. */
  roles?: string[];
  /** Group object ids. */
  groups?: string[];
  mfa?: boolean;
}

/** A user as the control API shows it (the password included: these are test identities). */
export type UserView = Omit<DirectoryUser, "passwordVersion">;

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
export interface EmulatorControl extends BaselineControl {
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
  /** Write calls (POST/PUT/PATCH/DELETE) among the journal entries `query` selects, grouped by tenant, kind, operation and method; kinds `api` and `graph` unless `kinds` says otherwise. */
  writes(query?: Omit<JournalQuery, "kind" | "limit">, kinds?: readonly JournalKind[]): WriteCount[];
  addAlerts(tenantId: string, count: number): string[];
  updateAlerts(tenantId: string, count: number, options?: { sameTimestamp?: boolean }): string[];
  groundTruth(tenantId: string): { tenantId: string; alerts: number; checksum: string };
  startLive(options: { intervalMs: number; newAlerts: number; updatedAlerts: number }): void;
  stopLive(): void;
  resetRateLimits(): void;
  users(): UserView[];
  /** Creates the user (UPN under one of the home tenant's domains) or changes it. */
  putUser(username: string, change: UserChange): UserView;
  /** Deletes the user and ends its sign-in sessions; false when there was none. */
  removeUser(username: string): boolean;
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
    ...createBaselineControl(state, tenant),
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
        appRoleAssignmentRequired: true,
      });
      return { clientId, clientSecret: secret.value };
    },
    updateApp(clientId, change) {
      const a = app(clientId);
      if (change.redirectUris) a.redirectUris = [...new Set([...a.redirectUris, ...change.redirectUris])];
      if (change.enabled !== undefined) a.enabled = change.enabled;
      if (change.appRoleAssignmentRequired !== undefined) {
        if (typeof change.appRoleAssignmentRequired !== "boolean") throw new ControlError(400, "appRoleAssignmentRequired must be true or false");
        a.appRoleAssignmentRequired = change.appRoleAssignmentRequired;
      }
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
    writes: (query = {}, kinds) => countWrites(state.journal.list(query), kinds),
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
    users: () => [...state.signIn.users.values()].map(userView),
    putUser(username, change) {
      const upn = username.trim().toLowerCase();
      const home = state.tenants.get(partnerApp.homeTenantId);
      const domain = upn.slice(upn.lastIndexOf("@") + 1);
      if (!/^[a-z0-9._%+-]{1,64}@[a-z0-9.-]+$/.test(upn) || !home?.domains.includes(domain)) {
        throw new ControlError(400, `username must be a UPN under one of the home tenant's domains (${home?.domains.join(", ") ?? ""})`);
      }
      checkUserChange(change);
      let user = findUser(state.signIn.users, upn);
      if (!user) {
        const random = createRandom(`${state.options.seed}/user/${upn}/${randomBytes(8).toString("hex")}`);
        user = {
          username: upn,
          password: change.password ?? `${random.hex(6)}-${randomBytes(12).toString("base64url")}!`,
          displayName: change.displayName ?? upn.slice(0, upn.indexOf("@")),
          oid: random.guid(),
          roles: [],
          groups: [],
          mfa: true,
          passwordVersion: 1,
        };
        state.signIn.users.set(upn, user);
      } else if (change.password !== undefined && change.password !== user.password) {
        // A password change ends the user's sessions and refresh tokens, as in Entra.
        user.password = change.password;
        user.passwordVersion++;
        for (const [id, g] of state.signIn.refreshTokens) if (g.username === upn) state.signIn.refreshTokens.delete(id);
      }
      if (change.displayName !== undefined) user.displayName = change.displayName;
      if (change.roles) user.roles = [...new Set(change.roles)];
      if (change.groups) user.groups = [...new Set(change.groups.map((g) => g.toLowerCase()))];
      if (change.mfa !== undefined) user.mfa = change.mfa;
      return userView(user);
    },
    removeUser(username) {
      const upn = username.trim().toLowerCase();
      if (!state.signIn.users.delete(upn)) return false;
      for (const [id, s] of state.signIn.sessions) if (s.username === upn) state.signIn.sessions.delete(id);
      for (const [id, g] of state.signIn.refreshTokens) if (g.username === upn) state.signIn.refreshTokens.delete(id);
      return true;
    },
  };
}

function userView(user: DirectoryUser): UserView {
  const { passwordVersion: _version, ...view } = user;
  return { ...view, roles: [...view.roles], groups: [...view.groups] };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function checkUserChange(change: UserChange): void {
  const strings = (value: unknown) => Array.isArray(value) && value.every((v) => typeof v === "string" && v.length > 0 && v.length <= 120);
  if (change.password !== undefined && (typeof change.password !== "string" || change.password.length < 1 || change.password.length > 256)) {
    throw new ControlError(400, "password must be a string of 1..256 characters");
  }
  if (change.displayName !== undefined && (typeof change.displayName !== "string" || change.displayName.length > 256)) {
    throw new ControlError(400, "displayName must be a string of at most 256 characters");
  }
  if (change.roles !== undefined && !strings(change.roles)) throw new ControlError(400, "roles must be an array of app role values");
  if (change.groups !== undefined && !(strings(change.groups) && change.groups.every((g) => GUID.test(g)))) {
    throw new ControlError(400, "groups must be an array of group object ids (GUIDs)");
  }
  if (change.mfa !== undefined && typeof change.mfa !== "boolean") throw new ControlError(400, "mfa must be true or false");
}
