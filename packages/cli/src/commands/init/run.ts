/**
 * `mde-partner init`: writes config.json in MDE_PARTNER_HOME. The credential is
 * stored by reference (an environment variable's name, or file paths): a secret
 * literal never reaches the config or the command line.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { checkRedirectUri, isGuid } from "@mde-partner/client";
import { defaultStoreUrl } from "@mde-partner/sync";
import {
  absolutePath,
  type CloudConfig,
  CONFIG_VERSION,
  ConfigTooNewError,
  type CredentialRef,
  configPath,
  loadConfig,
  type PartnerConfig,
  saveConfig,
} from "../../config.js";
import { auditedWrite } from "../../cli-audit.js";
import { CONSOLE_USERS_FILE, checkUserName } from "../../console-files.js";
import type { CommandContext } from "../../context.js";
import { EXIT, usageError } from "../../errors.js";
import { createOutput, type OutputOptions } from "../../output/output.js";
import { openCliStore } from "../../partner.js";
import { readPassword } from "../../password-input.js";
import { redactStoreUrl, storeUrlHasPassword, withPasswordReference } from "../../store-password.js";
import { planFor } from "../app/run.js";

export interface InitOptions extends OutputOptions {
  clientId?: string;
  partnerTenant?: string;
  cloud?: string;
  loginUrl?: string;
  apiUrl?: string;
  caCert?: string;
  clientSecretEnv?: string;
  clientSecretFile?: string;
  certificate?: string;
  privateKey?: string;
  db?: string;
  /** PostgreSQL store: the environment variable holding its password (only the name is stored). */
  dbPasswordEnv?: string;
  /** PostgreSQL store: a file holding its password (only the path is stored). */
  dbPasswordFile?: string;
  consentRedirectUri?: string;
  /** Capabilities the integration needs; their least-privilege permissions are what `tenants verify` checks. */
  for?: string[];
  /** Also creates this console operator as an admin (password from MDE_PARTNER_PASSWORD, stdin or a prompt). */
  adminUser?: string;
}

const CLOUDS = ["public", "gcc", "gcc-high", "dod", "custom"];

function checkUrl(flag: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usageError(`${flag} must be an absolute https URL, got ${JSON.stringify(value.slice(0, 80))}`);
  }
  if (url.protocol !== "https:")
    throw usageError(`${flag} must use https, got ${url.protocol}`, "Entra ID and the MDE API are only spoken over TLS");
  return value.replace(/\/+$/, "");
}

function checkReadable(flag: string, file: string, pemLabel?: string): string {
  const path = absolutePath(file);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw usageError(
      `${flag}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? "error"})`,
      "check the path and its permissions",
    );
  }
  if (pemLabel && !text.includes("-----BEGIN ")) throw usageError(`${flag}: ${path} does not contain a PEM ${pemLabel}`);
  if (!pemLabel && text.trim() === "") throw usageError(`${flag}: ${path} is empty`);
  return path;
}

function credentialRef(options: InitOptions, env: NodeJS.ProcessEnv, warn: (t: string) => void): CredentialRef {
  const chosen = [options.clientSecretEnv, options.clientSecretFile, options.certificate ?? options.privateKey].filter(
    (v) => v !== undefined,
  );
  if (chosen.length === 0) {
    throw usageError(
      "no credential given",
      "use --client-secret-env VAR, --client-secret-file FILE, or --certificate FILE --private-key FILE",
    );
  }
  if (chosen.length > 1)
    throw usageError("give exactly one credential: --client-secret-env, --client-secret-file, or --certificate with --private-key");
  if (options.clientSecretEnv !== undefined) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(options.clientSecretEnv)) {
      throw usageError("--client-secret-env takes the NAME of an environment variable (e.g. MDE_CLIENT_SECRET), not the secret");
    }
    if (!env[options.clientSecretEnv])
      warn(`${options.clientSecretEnv} is not set in this shell; commands that need a token will ask for it`);
    return { type: "secret-env", env: options.clientSecretEnv };
  }
  if (options.clientSecretFile !== undefined)
    return { type: "secret-file", file: checkReadable("--client-secret-file", options.clientSecretFile) };
  if (options.certificate === undefined || options.privateKey === undefined)
    throw usageError("--certificate and --private-key go together");
  return {
    type: "certificate",
    certificateFile: checkReadable("--certificate", options.certificate, "certificate"),
    privateKeyFile: checkReadable("--private-key", options.privateKey, "private key"),
  };
}

function cloudConfig(options: InitOptions): CloudConfig {
  const name = options.cloud ?? "public";
  if (!CLOUDS.includes(name)) throw usageError(`--cloud must be one of ${CLOUDS.join(", ")}, got ${JSON.stringify(name)}`);
  const custom = options.loginUrl !== undefined || options.apiUrl !== undefined || options.caCert !== undefined;
  if (name !== "custom") {
    if (custom) throw usageError("--login-url, --api-url and --ca-cert apply to --cloud custom only");
    return { name: name as "public" | "gcc" | "gcc-high" | "dod" };
  }
  if (options.loginUrl === undefined || options.apiUrl === undefined) throw usageError("--cloud custom needs --login-url and --api-url");
  return {
    name: "custom",
    loginUrl: checkUrl("--login-url", options.loginUrl),
    apiUrl: checkUrl("--api-url", options.apiUrl),
    ...(options.caCert !== undefined ? { caCertFile: checkReadable("--ca-cert", options.caCert, "certificate") } : {}),
  };
}

/**
 * The entries of config.json that other commands write (`webhook set`, the console's sign-in, the
 * client's limits, the report's branding), not init's flags: init run again keeps them, else a
 * partner who re-ran it to change the credential or the store silently stopped forwarding alerts.
 */
const KEPT_ENTRIES = ["webhook", "sso", "client", "report"] as const;

/** Creates or rewrites the configuration, then opens (and so creates or migrates) the store. */
export async function runInit(options: InitOptions, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  let previous: PartnerConfig | undefined;
  if (existsSync(configPath(ctx.home))) {
    try {
      previous = loadConfig(ctx.home);
    } catch (error) {
      // A config written by a newer version is left alone: this build cannot know what it would drop.
      if (error instanceof ConfigTooNewError) throw error;
      out.warn(`the existing config.json is not valid (${(error as Error).message.replace(/^the configuration is not valid: /, "")}): it is rewritten, keeping none of its ${KEPT_ENTRIES.join(", ")} entries`);
    }
  }
  if (options.clientId === undefined)
    throw usageError("--client-id is required", "the Application (client) ID of your multi-tenant app registration");
  if (!isGuid(options.clientId)) throw usageError(`--client-id must be a GUID, got ${JSON.stringify(options.clientId.slice(0, 60))}`);
  if (options.partnerTenant !== undefined && !isGuid(options.partnerTenant)) {
    throw usageError(`--partner-tenant must be your tenant's GUID, got ${JSON.stringify(options.partnerTenant.slice(0, 60))}`);
  }
  const cloud = cloudConfig(options);
  const credential = credentialRef(options, ctx.io.env, (t) => out.warn(t));
  let consentRedirectUri: string | undefined;
  if (options.consentRedirectUri !== undefined) {
    try {
      consentRedirectUri = checkRedirectUri(options.consentRedirectUri);
    } catch (error) {
      throw usageError(
        `--consent-redirect-uri: ${(error as Error).message}`,
        "use the https URL registered on the app (http only for localhost / 127.0.0.1 / [::1])",
      );
    }
  }
  if (options.adminUser !== undefined) checkUserName(options.adminUser);
  // Read before anything is written: a missing or short password leaves no half-done setup behind.
  const adminPassword = options.adminUser !== undefined ? await readPassword(ctx.io, { confirm: true }) : undefined;
  if (adminPassword !== undefined) {
    // The console's one password rule.
    const problem = (await import("@mde-partner/server")).passwordProblem(adminPassword);
    if (problem) throw usageError(problem);
  }
  const permissions = options.for !== undefined ? [...planFor(options.for).permissions] : undefined;
  let storeUrl = options.db ?? defaultStoreUrl(ctx.home);
  if (!/^[a-z][a-z0-9+.-]*:/i.test(storeUrl) && storeUrl !== ":memory:") storeUrl = `sqlite:${absolutePath(storeUrl)}`;
  // The config keeps no secrets: a database password is referenced, never written (nor echoed back).
  if (storeUrlHasPassword(storeUrl)) {
    throw usageError(
      "--db must not contain the database password: config.json keeps no secrets",
      "use --db-password-env VAR or --db-password-file FILE, or the standard PGPASSWORD / ~/.pgpass",
    );
  }
  if (options.dbPasswordEnv !== undefined || options.dbPasswordFile !== undefined) {
    if (options.dbPasswordFile !== undefined) checkReadable("--db-password-file", options.dbPasswordFile);
    storeUrl = withPasswordReference(storeUrl, {
      ...(options.dbPasswordEnv !== undefined ? { env: options.dbPasswordEnv } : {}),
      ...(options.dbPasswordFile !== undefined ? { file: options.dbPasswordFile } : {}),
    });
  }

  const config: PartnerConfig = {
    version: CONFIG_VERSION,
    clientId: options.clientId.toLowerCase(),
    ...(options.partnerTenant ? { partnerTenantId: options.partnerTenant.toLowerCase() } : {}),
    cloud,
    credential,
    storeUrl,
    ...(consentRedirectUri ? { consentRedirectUri } : {}),
    ...(permissions ? { permissions, capabilities: [...options.for!] } : {}),
  };
  const prior = (previous ?? {}) as Record<string, unknown>;
  const kept = KEPT_ENTRIES.filter((name) => prior[name] !== undefined);
  Object.assign(config, Object.fromEntries(kept.map((name) => [name, prior[name]])));
  // The store opens (and migrates) before the config is written: a bad --db leaves nothing behind.
  const store = await openCliStore(storeUrl, ctx.io.env);
  let file: string;
  try {
    // The configuration (and the first console admin) are writes like any other: on record in the new store.
    const described = { clientId: config.clientId, cloud: cloud.name, credential: credential.type, store: redactStoreUrl(storeUrl), ...(kept.length > 0 ? { kept } : {}) };
    file = await auditedWrite(ctx, store, { action: "config.init", target: configPath(ctx.home), request: described }, () => saveConfig(ctx.home, config), () => "config.json written");
    if (options.adminUser !== undefined && adminPassword !== undefined) {
      const { addUser } = await import("@mde-partner/server");
      const user = { name: options.adminUser, password: adminPassword, role: "admin" as const };
      await auditedWrite(ctx, store, { action: "operator.save", target: user.name, request: { role: "admin" } }, () => addUser(join(ctx.home, CONSOLE_USERS_FILE), user), () => "admin");
    }
  } finally {
    await store.close();
  }
  if (out.mode !== "table") out.json({ configFile: file, ...config, keptFromPrevious: kept });
  else {
    out.line(`wrote ${file}`);
    out.line(`  app        ${config.clientId}`);
    out.line(`  cloud      ${cloud.name}${cloud.name === "custom" ? ` (${cloud.loginUrl})` : ""}`);
    out.line(`  credential ${describeCredential(credential)}`);
    out.line(`  store      ${redactStoreUrl(storeUrl)}`);
    if (kept.length > 0) out.line(`  kept       ${kept.join(", ")} (from the previous config.json)`);
    if (options.adminUser !== undefined) out.line(`  console    ${options.adminUser} (admin) can sign in to mde-partner serve`);
    out.line(`next: mde-partner app permissions, then mde-partner tenants add <tenant-id>`);
  }
  return EXIT.ok;
}

export function describeCredential(ref: CredentialRef): string {
  if (ref.type === "secret-env") return `client secret from $${ref.env}`;
  if (ref.type === "secret-file") return `client secret from ${ref.file}`;
  return `certificate ${ref.certificateFile} (key ${join(ref.privateKeyFile)})`;
}
