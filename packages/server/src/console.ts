/**
 * The partner console: one Hono app (tested in-process with `app.request()`)
 * and its HTTPS listener.
 */
import type { Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { csrfProtection, loadSession } from "./http/auth.js";
import { bodyLimits } from "./http/body-limit.js";
import { cookieName } from "./http/cookies.js";
import type { ConsoleDeps, ConsoleEnv } from "./http/env.js";
import { onError } from "./http/errors.js";
import { securityHeaders } from "./http/security-headers.js";
import { createLoginGuard } from "./login-guard.js";
import { createOneTimeLogins } from "./one-time-login.js";
import { type ConsoleOptions, resolveConsoleOptions } from "./options.js";
import { createAdminRoutes } from "./routes/admin-routes.js";
import { createAlertRoutes } from "./routes/alert-routes.js";
import { createApiRoutes } from "./routes/api-routes.js";
import { createApprovalRoutes } from "./routes/approval-routes.js";
import { createAuthRoutes } from "./routes/auth-routes.js";
import { createDeviceRoutes } from "./routes/device-routes.js";
import { createEntityRoutes } from "./routes/entity-routes.js";
import { createLiveResponseRoutes } from "./routes/live-response-routes.js";
import { createHuntingRoutes } from "./routes/hunting-routes.js";
import { createBatchRoutes } from "./routes/batch-routes.js";
import { createBaselineRoutes } from "./routes/baseline-routes.js";
import { createIncidentRoutes } from "./routes/incident-routes.js";
import { createOpsRoutes, type HttpCounters } from "./routes/ops-routes.js";
import { createOpenApiRoutes } from "./routes/openapi-routes.js";
import { createOverviewRoutes } from "./routes/overview-routes.js";
import { createTenantRoutes } from "./routes/tenant-routes.js";
import { createTokenRoutes } from "./routes/token-routes.js";
import { createNotificationRoutes } from "./routes/notification-routes.js";
import { createVulnerabilityRoutes } from "./routes/vulnerability-routes.js";
import { createConsoleEngine } from "./services/engine.js";
import { createHuntCache } from "./services/hunting.js";
import { createSessionStore } from "./sessions.js";
import { createSsoSignIn } from "./sso/sso-routes.js";
import { createSelfSignedCertificate } from "./tls.js";
import type { Role } from "./users-file.js";
import { errorPage } from "./views/pages/error-page.js";

/** What `start()` returns. */
export interface ConsoleAddress {
  /** Base URL, e.g. `https://127.0.0.1:8443`. */
  readonly url: string;
  /** The certificate served (PEM), when HTTPS. */
  readonly certPem?: string;
}

/** A created console. */
export interface PartnerConsole {
  /** The Hono app: `app.request(path, init)` runs a request in-process. */
  readonly app: Hono<ConsoleEnv>;
  /** Listens on the configured host and port (HTTPS unless `tls: false`). Safe to call twice. */
  start(): Promise<ConsoleAddress>;
  /** Stops listening and ends every session. Safe to call twice. */
  stop(): Promise<void>;
  /** Base URL once started. */
  readonly url: string | undefined;
  /** A single-use sign-in token (see `createOneTimeLogin`). */
  issueOneTimeLogin(user: string, role: Role, ttlMs?: number): string;
}

const urlHost = (host: string) => (host === "0.0.0.0" || host === "::" ? "localhost" : host.includes(":") ? `[${host}]` : host);

/**
 * Creates the console.
 *
 * @example
 * const console = createConsole({ store, partner, requiredPermissions, usersFile,
 *   consentRedirectUri: "https://mssp.example:8443/consent/callback", host: "0.0.0.0", port: 8443 });
 * const { url } = await console.start();
 */
export function createConsole(input: ConsoleOptions): PartnerConsole {
  const options = resolveConsoleOptions(input);
  const { clock } = options;
  const sessions = createSessionStore(clock, options.sessions);
  const deps: ConsoleDeps = {
    options,
    sessions,
    guard: createLoginGuard(clock, options.login),
    engine: createConsoleEngine({ store: options.store, partner: options.partner, requiredPermissions: options.requiredPermissions }),
    hunts: createHuntCache(clock),
    oneTime: createOneTimeLogins(clock),
    startedAt: clock.now(),
    cookieName: cookieName("mdep-session", options.secureCookies),
  };
  const http: HttpCounters = { byStatus: new Map() };
  const sso = options.sso ? createSsoSignIn(deps, options.sso) : undefined;

  const app = new Hono<ConsoleEnv>();
  app.use("*", async (c, next) => {
    await next();
    const key = `${Math.floor(c.res.status / 100)}xx`;
    http.byStatus.set(key, (http.byStatus.get(key) ?? 0) + 1);
  });
  app.use("*", securityHeaders(options.tls !== false));
  app.use("*", loadSession(deps));
  app.use("*", bodyLimits());
  app.use("*", csrfProtection(new URL(options.consentRedirectUri).origin));
  app.route("/", createOpsRoutes(deps, http));
  app.route("/", createAuthRoutes(deps, sso));
  // Before the JSON API's catch-all: the incident, batch, approval, OpenAPI and overview routes carry their own /api/v1/… routes.
  app.route("/", createIncidentRoutes(deps));
  app.route("/", createBatchRoutes(deps));
  app.route("/", createBaselineRoutes(deps));
  app.route("/", createApprovalRoutes(deps));
  app.route("/", createTokenRoutes(deps));
  app.route("/", createNotificationRoutes(deps));
  app.route("/", createOpenApiRoutes());
  // The home page (`/` leads to it) and /api/v1/overview.
  app.route("/", createOverviewRoutes(deps));
  app.route("/api/v1", createApiRoutes(deps));
  app.route("/", createTenantRoutes(deps));
  app.route("/", createAlertRoutes(deps));
  // Before the device routes: the action page of a LiveResponse action is the live response module's.
  app.route("/", createLiveResponseRoutes(deps));
  app.route("/", createDeviceRoutes(deps));
  app.route("/", createVulnerabilityRoutes(deps));
  app.route("/", createEntityRoutes(deps));
  app.route("/", createHuntingRoutes(deps));
  app.route("/", createAdminRoutes(deps));
  app.notFound((c) => {
    if (c.req.path.startsWith("/api/")) {
      return c.json(
        {
          error: c.get("session") ? { code: "not_found", message: "no such route" } : { code: "unauthenticated", message: "sign in first" },
        },
        c.get("session") ? 404 : 401,
      );
    }
    if (!c.get("session")) return c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`, 302);
    return c.html(errorPage(c.get("session"), 404, "There is no such page."), 404);
  });
  app.onError(onError((error) => process.stderr.write(`mde-partner console: ${(error as Error)?.stack ?? String(error)}\n`)));

  let server: Server | undefined;
  let address: ConsoleAddress | undefined;
  let starting: Promise<ConsoleAddress> | undefined;

  const start = async (): Promise<ConsoleAddress> => {
    const tls = options.tls === "self-signed" ? await createSelfSignedCertificate([options.host], clock.now()) : options.tls;
    const listening = await new Promise<Server>((resolve, reject) => {
      const s = serve(
        {
          fetch: app.fetch,
          hostname: options.host,
          port: options.port,
          ...(tls
            ? { createServer: createHttpsServer, serverOptions: { cert: tls.certPem, key: tls.keyPem, minVersion: "TLSv1.2" as const } }
            : {}),
        },
        () => resolve(s as Server),
      ) as Server;
      s.once("error", reject);
    });
    server = listening;
    const port = (listening.address() as AddressInfo).port;
    address = { url: `${tls ? "https" : "http"}://${urlHost(options.host)}:${port}`, ...(tls ? { certPem: tls.certPem } : {}) };
    return address;
  };

  return Object.freeze({
    app,
    start() {
      starting ??= start().catch((error) => {
        starting = undefined;
        throw error;
      });
      return starting;
    },
    async stop() {
      const s = server;
      server = undefined;
      starting = undefined;
      address = undefined;
      await sso?.close();
      if (!s) return;
      await new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeAllConnections?.();
      });
    },
    get url() {
      return address?.url;
    },
    issueOneTimeLogin: (user: string, role: Role, ttlMs?: number) => deps.oneTime.issue(user, role, ttlMs),
  });
}

/**
 * A URL that signs in once, as an admin, without a password (for the demo:
 * open the console straight from the terminal). Single-use, expires in 10 minutes.
 */
export function createOneTimeLogin(console: PartnerConsole, options: { user?: string; role?: Role; ttlMs?: number } = {}): string {
  const token = console.issueOneTimeLogin(options.user ?? "admin (one-time link)", options.role ?? "admin", options.ttlMs);
  return `${console.url ?? ""}/login/one-time?token=${encodeURIComponent(token)}`;
}
