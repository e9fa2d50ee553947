/**
 * The CLI's configuration: `config.json` in MDE_PARTNER_HOME, mode 0600, with a
 * `version`. Secrets are never in it (DESIGN.md): the credential is a reference
 * — an environment variable's name, a secret file, or certificate/key files —
 * resolved only when a command needs a token.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { type CloudOptions, type CredentialInput, isGuid } from "@mde-partner/client";
import { type ClientConfig, clientConfigProblem } from "./client-config.js";
import { CliError, EXIT, usageError } from "./errors.js";
import { secretFromEnv, secretFromFile } from "./secret-reference.js";
import { type SsoConfig, ssoConfigProblem } from "./sso-config.js";
import { type WebhookConfig, webhookConfigProblem } from "./webhook-config.js";

/** Version of the config file format this build writes and reads. */
export const CONFIG_VERSION = 1;
export const CONFIG_FILE = "config.json";

export type CloudConfig =
  | { name: "public" | "gcc" | "gcc-high" | "dod" }
  | { name: "custom"; loginUrl: string; apiUrl: string; caCertFile?: string };

/** How the client secret or certificate is found; never the secret itself. */
export type CredentialRef =
  | { type: "secret-env"; env: string }
  | { type: "secret-file"; file: string }
  | { type: "certificate"; certificateFile: string; privateKeyFile: string };

export interface PartnerConfig {
  version: number;
  /** Application (client) id of the partner's multi-tenant app. */
  clientId: string;
  /** The partner's own tenant (where the app is registered). */
  partnerTenantId?: string;
  cloud: CloudConfig;
  credential: CredentialRef;
  /** `sqlite:<path>` or `postgres://…`. */
  storeUrl: string;
  consentRedirectUri?: string;
  /** Permissions the integration needs, of either resource (checked by `tenants verify`). */
  permissions?: string[];
  /** Capabilities the integration uses (`init --for`): `tenants verify` reports each and requires them; consent links ask for their resources. */
  capabilities?: string[];
  /** Where `sync --watch`, `worker` and `serve` forward new alerts (`mde-partner webhook set`); references only. */
  webhook?: WebhookConfig;
  /** The console's sign-in with Entra ID (`serve`); references only. */
  sso?: SsoConfig;
  /** The partner client's limits (time limits, the largest answer, retries) where the defaults do not fit. */
  client?: ClientConfig;
}

/** What `tenants verify` requires when the config names nothing: what a sync reads. */
export const DEFAULT_REQUIRED_PERMISSIONS = ["Alert.Read.All", "Machine.Read.All"];

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function configPath(home: string): string {
  return join(home, CONFIG_FILE);
}

/** The config was written by a newer mde-partner: refused, never rewritten. */
export class ConfigTooNewError extends CliError {
  constructor(readonly configVersion: number) {
    super(
      `the configuration was written by a newer mde-partner (config version ${configVersion}, this build reads ${CONFIG_VERSION})`,
      EXIT.usage,
      "upgrade mde-partner, or point MDE_PARTNER_HOME at another folder",
    );
  }
}

const bad = (what: string, hint = "run mde-partner init again to rewrite it (it keeps no secrets)") =>
  new CliError(`the configuration is not valid: ${what}`, EXIT.usage, hint);

function str(value: unknown): value is string {
  return typeof value === "string" && value.length > 0;
}

/** Checks a parsed config object; refuses one written by a newer version. */
export function validateConfig(raw: unknown): PartnerConfig {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw bad("not a JSON object");
  const o = raw as Record<string, unknown>;
  if (typeof o.version !== "number" || !Number.isInteger(o.version) || o.version < 1) throw bad("missing version");
  if (o.version > CONFIG_VERSION) {
    throw new ConfigTooNewError(o.version);
  }
  if (!str(o.clientId) || !isGuid(o.clientId)) throw bad("clientId is not a GUID");
  const cloud = o.cloud as Record<string, unknown> | undefined;
  if (!cloud || typeof cloud !== "object") throw bad("cloud is missing");
  if (cloud.name === "custom") {
    if (!str(cloud.loginUrl) || !str(cloud.apiUrl)) throw bad("a custom cloud needs loginUrl and apiUrl");
  } else if (!["public", "gcc", "gcc-high", "dod"].includes(String(cloud.name))) throw bad(`unknown cloud ${JSON.stringify(cloud.name)}`);
  const cred = o.credential as Record<string, unknown> | undefined;
  if (!cred || typeof cred !== "object") throw bad("credential is missing");
  if (cred.type === "secret-env") {
    if (!str(cred.env) || !ENV_NAME.test(cred.env)) throw bad("credential.env is not an environment variable name");
  } else if (cred.type === "secret-file") {
    if (!str(cred.file)) throw bad("credential.file is missing");
  } else if (cred.type === "certificate") {
    if (!str(cred.certificateFile) || !str(cred.privateKeyFile)) throw bad("credential needs certificateFile and privateKeyFile");
  } else throw bad("credential.type must be secret-env, secret-file or certificate");
  if (!str(o.storeUrl)) throw bad("storeUrl is missing");
  if (o.permissions !== undefined && (!Array.isArray(o.permissions) || o.permissions.some((p) => !str(p))))
    throw bad("permissions must be a list of names");
  if (o.capabilities !== undefined && (!Array.isArray(o.capabilities) || o.capabilities.some((p) => !str(p))))
    throw bad("capabilities must be a list of names");
  const webhookProblem = webhookConfigProblem(o.webhook);
  if (webhookProblem) throw bad(webhookProblem);
  const ssoProblem = ssoConfigProblem(o.sso);
  if (ssoProblem) throw bad(ssoProblem);
  const clientProblem = clientConfigProblem(o.client);
  // Written by hand (init writes no client entry, and keeps only a valid one): init again would drop it.
  if (clientProblem) throw bad(clientProblem, "fix or remove the client entry in config.json (the README lists its settings)");
  return raw as PartnerConfig;
}

/** Reads the config, or explains how to create it. */
export function loadConfig(home: string): PartnerConfig {
  let text: string;
  try {
    text = readFileSync(configPath(home), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new CliError(
        `no configuration in ${home}`,
        EXIT.usage,
        "run mde-partner init --client-id <app-id> --client-secret-env <VAR> first",
      );
    }
    throw new CliError(`cannot read ${configPath(home)}: ${(error as NodeJS.ErrnoException).code ?? "error"}`, EXIT.failed);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw bad(`${configPath(home)} is not JSON`);
  }
  return validateConfig(raw);
}

/** Writes the config atomically with mode 0600 (it names files and variables, still nobody else's business). */
export function saveConfig(home: string, config: PartnerConfig): string {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const file = configPath(home);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
  return file;
}

/** Makes a path absolute against the working directory (config files must not depend on where a command runs). */
export function absolutePath(path: string): string {
  return isAbsolute(path) ? path : resolve(path);
}

/** The client's cloud option for the config. */
export function cloudOption(config: PartnerConfig): CloudOptions {
  const cloud = config.cloud;
  if (cloud.name !== "custom") return cloud.name;
  return { name: "custom", loginUrl: cloud.loginUrl, apiUrl: cloud.apiUrl, ...(cloud.caCertFile ? { ca: cloud.caCertFile } : {}) };
}

/**
 * Resolves the credential reference to what `createPartnerClient` takes. The
 * secret goes straight into the client's credential object (which never
 * prints it); it is returned separately only so logs can redact it.
 */
export function resolveCredential(config: PartnerConfig, env: NodeJS.ProcessEnv): { credential: CredentialInput; secrets: string[] } {
  const ref = config.credential;
  if (ref.type === "secret-env") {
    const value = secretFromEnv(env, ref.env, "client secret", { hint: `export ${ref.env}=… (the secret's Value from the app registration)` });
    return { credential: { clientSecret: value }, secrets: [value] };
  }
  if (ref.type === "secret-file") {
    const value = secretFromFile(ref.file, "client secret").trim();
    if (value === "") throw usageError(`the client secret file ${ref.file} is empty`);
    return { credential: { clientSecret: value }, secrets: [value] };
  }
  const certificate = secretFromFile(ref.certificateFile, "certificate");
  const privateKey = secretFromFile(ref.privateKeyFile, "private key");
  return { credential: { certificate, privateKey }, secrets: [privateKey] };
}
