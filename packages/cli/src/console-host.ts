/**
 * Starts the partner console (@mde-partner/server) over a store and the
 * configured partner app, for `serve` and the demo: the partner client is
 * built with the console's API counters as its logger (so /metrics shows
 * calls, throttling and token-refresh failures per tenant), and listen
 * errors become one-line CLI errors.
 */
import type { PartnerClient, PartnerTenant } from "@mde-partner/client";
import { type ApiMetrics, type ApprovalOptions, createApiMetrics, createConsole, type PartnerConsole, type SsoOptions, type TlsPem } from "@mde-partner/server";
import type { Notifier, Store } from "@mde-partner/sync";
import type { PartnerConfig } from "./config.js";
import type { CommandContext } from "./context.js";
import { CliError, EXIT, toCliError } from "./errors.js";
import { openPartner } from "./partner.js";

export interface ConsoleHostOptions {
  readonly config: PartnerConfig;
  readonly store: Store;
  readonly host: string;
  readonly port: number;
  readonly tls: TlsPem | false;
  readonly consentRedirectUri: string;
  readonly usersFile: string;
  readonly requiredPermissions: readonly string[];
  /** Sign-in with Entra ID (the secret already resolved); the CA trusted is the partner client's cloud CA. */
  readonly sso?: SsoOptions;
  /** When an action waits for a second person's approval (console defaults when absent). */
  readonly approvals?: ApprovalOptions;
  /** The rule engine's test sends (the Notifications page's button). */
  readonly notifier?: Pick<Notifier, "test">;
}

export interface ConsoleHost {
  readonly console: PartnerConsole;
  /** The partner client the console uses (share it, e.g. with a sync loop, so /metrics counts those calls too). */
  readonly partner: PartnerClient<PartnerTenant>;
  readonly metrics: ApiMetrics;
  /** The base URL the console listens on. */
  readonly url: string;
  /** Stops the console and closes the partner client (not the store). Safe to call twice. */
  close(): Promise<void>;
}

/** The base URL a console on `host:port` gets (the same rule as the console's own). */
export function consoleUrl(host: string, port: number, tls: boolean): string {
  const name = host === "0.0.0.0" || host === "::" ? "localhost" : host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return `${tls ? "https" : "http"}://${name}:${port}`;
}

export async function startConsoleHost(options: ConsoleHostOptions, ctx: CommandContext): Promise<ConsoleHost> {
  let metrics: ApiMetrics | undefined;
  const partner = openPartner(options.config, ctx, {
    logger: (next) => (metrics = createApiMetrics(next ? { next } : {})).logger,
  });
  const counters = metrics as ApiMetrics;
  let web: PartnerConsole;
  try {
    web = createConsole({
      store: options.store,
      partner,
      metrics: counters,
      requiredPermissions: options.requiredPermissions,
      consentRedirectUri: options.consentRedirectUri,
      usersFile: options.usersFile,
      host: options.host,
      port: options.port,
      tls: options.tls,
      ...(options.sso ? { sso: options.sso } : {}),
      ...(options.approvals ? { approvals: options.approvals } : {}),
      ...(options.notifier ? { notifier: options.notifier } : {}),
    });
  } catch (error) {
    await partner.close();
    throw toCliError(error);
  }
  let url: string;
  try {
    url = (await web.start()).url;
  } catch (error) {
    await web.stop();
    await partner.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") {
      throw new CliError(`${options.host}:${options.port} is already in use`, EXIT.failed, "choose another --port (0 picks a free one)");
    }
    if (code === "EADDRNOTAVAIL" || code === "EACCES") {
      throw new CliError(
        `cannot listen on ${options.host}:${options.port} (${code})`,
        EXIT.failed,
        code === "EACCES" ? "ports below 1024 need privileges: choose --port 8443" : "--host must be an address of this machine",
      );
    }
    throw toCliError(error);
  }
  let closed = false;
  return {
    console: web,
    partner,
    metrics: counters,
    url,
    async close() {
      if (closed) return;
      closed = true;
      await web.stop();
      await partner.close();
    },
  };
}
