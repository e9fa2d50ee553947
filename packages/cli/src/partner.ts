/**
 * Builds the client and the store from the config: the one place where the
 * credential reference is resolved and where client/store errors at opening
 * become one-line CLI errors.
 */
import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { createPartnerClient, type Logger, type PartnerClient, type PartnerTenant } from "@mde-partner/client";
import { openStore, parseStoreUrl, type Store } from "@mde-partner/sync";
import { clientOptions } from "./client-config.js";
import { cloudOption, type PartnerConfig, resolveCredential } from "./config.js";
import { type CommandContext, createDebugLogger } from "./context.js";
import { toCliError, usageError } from "./errors.js";
import { resolveStoreUrl } from "./store-password.js";
import { CLI_VERSION } from "./version.js";

export interface PartnerOptions {
  tokenVersion?: "v1" | "v2";
  /** Only inspects tokens: no credential is needed (the configured one is not read). */
  inspectOnly?: boolean;
  /**
   * Wraps the client's logger (e.g. the console's API counters, `createApiMetrics`);
   * gets the `--debug` logger, if any, to pass entries on to.
   */
  logger?: (next: Logger | undefined) => Logger;
}

/** The partner client for the configured app. */
export function openPartner(config: PartnerConfig, ctx: CommandContext, options: PartnerOptions = {}): PartnerClient<PartnerTenant> {
  const { credential, secrets } = options.inspectOnly
    ? {
        credential: {
          clientAssertion: () => {
            throw new Error("this client only inspects tokens");
          },
        },
        secrets: [],
      }
    : resolveCredential(config, ctx.io.env);
  const debug = ctx.debug ? createDebugLogger(ctx.io, secrets) : undefined;
  const logger = options.logger ? options.logger(debug) : debug;
  try {
    return createPartnerClient({
      clientId: config.clientId,
      credential,
      cloud: cloudOption(config),
      userAgent: `mde-partner-cli/${CLI_VERSION}`,
      ...clientOptions(config.client),
      ...(config.consentRedirectUri ? { consentRedirectUri: config.consentRedirectUri } : {}),
      ...(options.tokenVersion ? { tokenVersion: options.tokenVersion } : {}),
      ...(logger ? { logger } : {}),
    });
  } catch (error) {
    throw toCliError(error);
  }
}

/**
 * Opens the store (`--db` overrides the configured URL); a new SQLite file's folder is created.
 * Every command opens its store here, so a PostgreSQL password reference is resolved here.
 */
export async function openCliStore(configuredUrl: string, env: NodeJS.ProcessEnv = process.env): Promise<Store> {
  const url = resolveStoreUrl(configuredUrl, env);
  let location: ReturnType<typeof parseStoreUrl>;
  try {
    location = parseStoreUrl(url);
  } catch (error) {
    throw usageError(`bad store URL: ${(error as Error).message}`, "use sqlite:<path> or postgres://user@host/db");
  }
  if (location.dialect === "sqlite" && location.path !== ":memory:") {
    const dir = dirname(location.path);
    if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
  try {
    // A store file others could read is tightened (or named, when not ours) on stderr.
    return await openStore({ url, onWarning: (m) => process.stderr.write(`warning: ${m}\n`) });
  } catch (error) {
    throw toCliError(error);
  }
}

/** Runs `fn` with an open store and always closes it. */
export async function withStore<T>(url: string, fn: (store: Store) => Promise<T>, env: NodeJS.ProcessEnv = process.env): Promise<T> {
  const store = await openCliStore(url, env);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Runs `fn` with the partner client, turns its errors into CLI errors and always closes the client. */
export async function withPartner<T>(
  config: PartnerConfig,
  ctx: CommandContext,
  fn: (partner: PartnerClient<PartnerTenant>) => Promise<T>,
  options: PartnerOptions = {},
): Promise<T> {
  const partner = openPartner(config, ctx, options);
  try {
    return await fn(partner);
  } catch (error) {
    throw toCliError(error);
  } finally {
    await partner.close();
  }
}
