import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { getRequestListener } from "@hono/node-server";
import Database from "better-sqlite3";
import { createApp } from "./app.js";
import { type EmulatorControl, createControl } from "./control/control.js";
import { createDataHooks } from "./control/data-hooks.js";
import { systemClock } from "./core/clock.js";
import { DEFAULT_REQUESTED_ROLES } from "./core/constants.js";
import { ensureStateFiles } from "./core/credentials-files.js";
import { buildTenant, grantConsent } from "./core/directory.js";
import { createFaultController } from "./core/faults.js";
import { createJournal } from "./core/journal.js";
import { type EmulatorOptions, resolveOptions, type TenantSpec } from "./core/options.js";
import { pemToDer, thumbprintSha1, thumbprintSha256 } from "./core/pki.js";
import { createRandom } from "./core/random.js";
import { createRateLimiter } from "./core/rate-limit.js";
import { createSignInState } from "./core/sign-in-state.js";
import { createSigningKeyRing } from "./core/signing-keys.js";
import type { EmulatorState, PartnerApp, Tenant } from "./core/state.js";
import { generatePartnerDirectory } from "./core/users.js";
import { generateTenantData, tenantCounts } from "./data/generator.js";
import { initSchema } from "./data/schema.js";

export const DEFAULT_GRAPH_ROLES: readonly string[] = [
  "ThreatHunting.Read.All",
  "SecurityAlert.ReadWrite.All",
  "SecurityIncident.ReadWrite.All",
  "CustomDetection.ReadWrite.All",
];

/** One customer tenant as the ready line and `info()` report it. */
export interface TenantInfo {
  id: string;
  name: string;
  domain: string;
  region: string;
  consented: boolean;
  roles: string[];
  graphRoles: string[];
  alerts: number;
  machines: number;
  /** Present (true) only for a hostile tenant (`TenantSpec.hostile`, data/hostile.ts). */
  hostile?: true;
}

/** Everything a client needs to talk to a running emulator (the ready line). */
export interface EmulatorInfo {
  loginUrl: string;
  apiUrl: string;
  graphUrl: string;
  controlUrl: string;
  caCertFile: string;
  partnerApp: {
    clientId: string;
    clientSecret: string;
    certificateFile: string;
    privateKeyFile: string;
    homeTenantId: string;
    redirectUris: string[];
    requiredRoles: string[];
  };
  /** The partner's own (home) tenant: where its app is registered and its people sign in. */
  partnerTenantId: string;
  /** People of the home tenant who can sign in to the partner's apps (authorization code flow). */
  partnerUsers: PartnerUserInfo[];
  /** Security groups of the home tenant (`groups` claim values and their names). */
  partnerGroups: Array<{ id: string; displayName: string }>;
  tenants: TenantInfo[];
}

/** One home-tenant user as the ready line reports it. */
export interface PartnerUserInfo {
  username: string;
  password: string;
  displayName: string;
  oid: string;
  /** App roles assigned (the ID token's `roles`); empty = not assigned (AADSTS50105 when the app requires assignment). */
  roles: string[];
  /** Group object ids (the ID token's `groups`). */
  groups: string[];
  /** Signs in with MFA (`amr` `["pwd","mfa"]`). */
  mfa: boolean;
}

export interface Emulator {
  /** Listens on the configured host/port (HTTPS unless `insecureHttp`). Safe to call twice. */
  start(): Promise<EmulatorInfo>;
  /** Closes the listener and the database. Safe to call twice. */
  stop(): Promise<void>;
  /** Handles a request in-process (no socket), with fetch's signature. */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
  info(): EmulatorInfo;
  readonly state: EmulatorState;
  readonly partnerApp: PartnerApp;
  /** Adds a customer tenant (with generated data) while running. */
  addTenant(spec?: TenantSpec): TenantInfo;
  /** The control API's operations, in-process (consent, faults, journal, ground truth, …). */
  readonly control: EmulatorControl;
}

const MIN = 60_000;

/**
 * Creates an offline Entra ID + Defender for Endpoint emulator.
 *
 * @example
 * const emulator = await createEmulator({ tenants: 3, alertsPerTenant: 100 });
 * const info = await emulator.start();
 * // POST `${info.loginUrl}/${info.tenants[0].id}/oauth2/v2.0/token` …
 * await emulator.stop();
 */
export async function createEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const resolved = resolveOptions(options);
  const clock = options.clock ?? systemClock;
  const random = createRandom(resolved.seed);
  const { files, server: serverCert, partner } = await ensureStateFiles(
    resolved.stateDir,
    clock.now(),
    resolved.host === "0.0.0.0" || resolved.host === "::" || resolved.host === "127.0.0.1" || resolved.host === "localhost" ? [] : [resolved.host],
  );
  const specs: TenantSpec[] = Array.isArray(options.tenants)
    ? options.tenants
    : Array.from({ length: options.tenants ?? 3 }, () => ({}));
  const defaultAlerts = options.alertsPerTenant ?? 100;
  const plannedAlerts = specs.reduce((sum, spec) => sum + (spec.alerts ?? defaultAlerts), 0);
  const storage = options.storage ?? (plannedAlerts > 200_000 ? "file" : "memory");
  const dataFile = storage === "file" ? join(resolved.stateDir, `data-${process.pid}-${randomUUID()}.sqlite`) : undefined;
  const db = new Database(dataFile ?? ":memory:");
  db.pragma("journal_mode = OFF");
  db.pragma("synchronous = OFF");
  if (dataFile) db.pragma("cache_size = -262144"); // 256 MiB of page cache; the rest stays on disk.
  initSchema(db);

  const state: EmulatorState = {
    options: resolved,
    clock,
    keys: await createSigningKeyRing(clock),
    apps: new Map(),
    tenants: new Map(),
    db,
    journal: createJournal(),
    limiter: createRateLimiter(clock),
    faults: createFaultController(clock, resolved.seed),
    baseUrl: `${resolved.insecureHttp ? "http" : "https"}://${resolved.host}:${resolved.port || 443}`,
    seenAssertionIds: new Map(),
    consentSessions: new Map(),
    signIn: createSignInState([], []),
  };

  // The partner's own tenant, home of the multi-tenant app registration.
  const appRandom = random.fork("partner-app");
  const home = buildTenant({ name: "Partner MSSP", domain: "partnermssp.onmicrosoft.com", region: "us" }, 0, appRandom, clock.now());
  state.tenants.set(home.id, home);
  const partnerDer = pemToDer(partner.certPem);
  const partnerApp: PartnerApp = {
    clientId: appRandom.guid(),
    displayName: "MSSP Defender Integration",
    homeTenantId: home.id,
    secrets: [
      {
        id: appRandom.guid(),
        hint: "",
        value: `${appRandom.hex(3)}8Q~${Buffer.from(appRandom.hex(48), "hex").toString("base64url").slice(0, 34)}`,
        expiresAt: clock.now() + 730 * 24 * 60 * MIN,
      },
    ],
    certificates: [
      {
        keyId: appRandom.guid(),
        certPem: partner.certPem,
        x5t: thumbprintSha1(partnerDer),
        x5tS256: thumbprintSha256(partnerDer),
        expiresAt: clock.now() + 730 * 24 * 60 * MIN,
      },
    ],
    requiredRoles: [...(options.requestedRoles ?? DEFAULT_REQUESTED_ROLES)],
    requiredGraphRoles: [...(options.requestedGraphRoles ?? DEFAULT_GRAPH_ROLES)],
    redirectUris: [...(options.redirectUris ?? ["https://localhost/consent/callback", "http://localhost/consent/callback"])],
    enabled: true,
    appRoleAssignmentRequired: true,
  };
  for (const s of partnerApp.secrets) s.hint = s.value.slice(0, 3);
  state.apps.set(partnerApp.clientId, partnerApp);
  grantConsent(state, home, partnerApp, [], []);
  // The partner's people, from their own fork of the seed so tenant data stays as it was.
  const directory = generatePartnerDirectory(random.fork("partner-users"), home.domains[0] ?? "partnermssp.onmicrosoft.com");
  for (const user of directory.users) state.signIn.users.set(user.username.toLowerCase(), user);
  state.signIn.groups.push(...directory.groups);

  const defaultMachines = options.machinesPerTenant ?? Math.max(5, Math.min(500, Math.ceil(defaultAlerts / 10)));
  let tenantIndex = 0;
  const addTenant = (spec: TenantSpec = {}): TenantInfo => {
    const tenant = buildTenant(spec, tenantIndex, random.fork(`tenant-${tenantIndex}`), clock.now());
    tenantIndex++;
    if (state.tenants.has(tenant.id)) throw new TypeError(`tenant ${tenant.id} already exists`);
    state.tenants.set(tenant.id, tenant);
    if (spec.consented ?? true) {
      grantConsent(state, tenant, partnerApp, spec.roles ?? partnerApp.requiredRoles, spec.graphRoles ?? partnerApp.requiredGraphRoles);
    }
    generateTenantData(state, tenant, { alerts: spec.alerts ?? defaultAlerts, machines: spec.machines ?? defaultMachines });
    return tenantInfo(tenant);
  };
  const tenantInfo = (tenant: Tenant): TenantInfo => {
    const consent = tenant.consents.get(partnerApp.clientId);
    const counts = tenantCounts(state, tenant.id);
    return {
      id: tenant.id,
      name: tenant.name,
      domain: tenant.domains[0] ?? "",
      region: tenant.region,
      consented: consent !== undefined,
      roles: consent ? [...consent.roles] : [],
      graphRoles: consent ? [...consent.graphRoles] : [],
      alerts: counts.alerts,
      machines: counts.machines,
      ...(tenant.hostile ? { hostile: true as const } : {}),
    };
  };
  for (const spec of specs) addTenant(spec);

  let server: HttpServer | undefined;
  const info = (): EmulatorInfo => ({
    loginUrl: state.baseUrl,
    apiUrl: state.baseUrl,
    graphUrl: state.baseUrl,
    controlUrl: `${state.baseUrl}/_control`,
    caCertFile: files.caCertFile,
    partnerApp: {
      clientId: partnerApp.clientId,
      clientSecret: partnerApp.secrets[0]?.value ?? "",
      certificateFile: files.partnerCertFile,
      privateKeyFile: files.partnerKeyFile,
      homeTenantId: home.id,
      redirectUris: [...partnerApp.redirectUris],
      requiredRoles: [...partnerApp.requiredRoles],
    },
    partnerTenantId: home.id,
    partnerUsers: [...state.signIn.users.values()].map((u) => ({
      username: u.username,
      password: u.password,
      displayName: u.displayName,
      oid: u.oid,
      roles: [...u.roles],
      groups: [...u.groups],
      mfa: u.mfa,
    })),
    partnerGroups: state.signIn.groups.map((g) => ({ ...g })),
    tenants: [...state.tenants.values()].filter((t) => t.id !== home.id).map(tenantInfo),
  });

  const control = createControl(state, partnerApp, createDataHooks(state, addTenant));
  const app = createApp(state, control, info);

  return {
    state,
    partnerApp,
    control,
    addTenant,
    info,
    fetch: async (input, init) => {
      const request = input instanceof Request ? input : new Request(new URL(String(input), state.baseUrl), init);
      return app.fetch(request);
    },
    async start() {
      if (server) return info();
      if (options.liveMode) control.startLive(options.liveMode);
      const listener = getRequestListener(app.fetch);
      server = resolved.insecureHttp
        ? createHttpServer(listener)
        : createHttpsServer({ key: serverCert.keyPem, cert: serverCert.certPem }, listener);
      server.keepAliveTimeout = 30_000;
      const s = server;
      await new Promise<void>((resolve, reject) => {
        s.once("error", reject);
        s.listen(resolved.port, resolved.host, () => resolve());
      });
      const port = (s.address() as AddressInfo).port;
      const host = resolved.host.includes(":") ? `[${resolved.host}]` : resolved.host === "0.0.0.0" ? "127.0.0.1" : resolved.host;
      state.baseUrl = `${resolved.insecureHttp ? "http" : "https"}://${host}:${port}`;
      return info();
    },
    async stop() {
      const s = server;
      server = undefined;
      if (s) {
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeAllConnections?.();
        });
      }
      control.stopLive();
      if (db.open) db.close();
      if (dataFile) rmSync(dataFile, { force: true });
    },
  };
}
