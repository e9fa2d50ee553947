/**
 * The console's sign-in with Entra ID, as `serve` is told it: `sso` in
 * config.json and the `--sso-*` flags (flags win). Like the credential, the
 * client secret is a reference — an environment variable's name or a file's
 * path — read when the console starts, never written to the config or taken
 * on the command line; or the app authenticates with a certificate (its PEM
 * and its private key's file).
 */
import { isGuid, resolveCloud } from "@mde-partner/client";
// Types only: config.ts (read by every command) imports this module, and the console is loaded by `serve` alone.
import type { SsoOptions } from "@mde-partner/server";
import { cloudOption, type PartnerConfig } from "./config.js";
import { usageError } from "./errors.js";
import { secretFromEnv, secretFromFile } from "./secret-reference.js";

/** `sso` in config.json. */
export interface SsoConfig {
  /** OpenID issuer; default `{login URL of the cloud}/{partnerTenantId}/v2.0`. */
  issuer?: string;
  /** Application (client) id of the console's app registration. */
  clientId: string;
  /** Environment variable holding its client secret. */
  secretEnv?: string;
  /** File holding its client secret. */
  secretFile?: string;
  /** Certificate (PEM) uploaded to the console's app, instead of a secret. */
  certificateFile?: string;
  /** The certificate's RSA private key (PEM). */
  privateKeyFile?: string;
  /** The console's public /login/sso/callback URL (default: on the origin of the consent callback). */
  redirectUri?: string;
  /** Local (users-file) accounts as break-glass access (default true). */
  localAccounts?: boolean;
  /** Refuse sign-ins without MFA in the ID token's `amr` (default false). */
  requireMfa?: boolean;
}

/** The `--sso-*` flags of `serve`. */
export interface SsoFlags {
  ssoIssuer?: string;
  ssoClientId?: string;
  ssoSecretEnv?: string;
  ssoSecretFile?: string;
  ssoCertificate?: string;
  ssoPrivateKey?: string;
  ssoRedirectUri?: string;
  /** `--no-local-accounts` sets false. */
  localAccounts?: boolean;
  ssoRequireMfa?: boolean;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** The console's sign-in callback (the server's `SSO_CALLBACK_PATH`). */
const CALLBACK_PATH = "/login/sso/callback";

/** Checks the `sso` entry of a parsed config; returns a reason, or undefined when valid (or absent). */
export function ssoConfigProblem(raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return "sso must be an object";
  const s = raw as Record<string, unknown>;
  if (typeof s.clientId !== "string" || !isGuid(s.clientId)) return "sso.clientId is not a GUID";
  for (const key of ["issuer", "redirectUri", "secretFile", "certificateFile", "privateKeyFile"] as const) {
    if (s[key] !== undefined && (typeof s[key] !== "string" || s[key] === "")) return `sso.${key} must be a non-empty string`;
  }
  if (s.secretEnv !== undefined && (typeof s.secretEnv !== "string" || !ENV_NAME.test(s.secretEnv))) return "sso.secretEnv is not an environment variable name";
  if ((s.certificateFile === undefined) !== (s.privateKeyFile === undefined)) return "sso.certificateFile and sso.privateKeyFile go together";
  const credentials = [s.secretEnv, s.secretFile, s.certificateFile].filter((v) => v !== undefined).length;
  if (credentials !== 1) return "sso needs exactly one of secretEnv, secretFile and certificateFile (with privateKeyFile)";
  for (const key of ["localAccounts", "requireMfa"] as const) {
    if (s[key] !== undefined && typeof s[key] !== "boolean") return `sso.${key} must be true or false`;
  }
  return undefined;
}

/** True when any `--sso-*` flag (or `--no-local-accounts`) was given. */
const anySsoFlag = (flags: SsoFlags) =>
  [flags.ssoIssuer, flags.ssoClientId, flags.ssoSecretEnv, flags.ssoSecretFile, flags.ssoCertificate, flags.ssoPrivateKey, flags.ssoRedirectUri].some(
    (v) => v !== undefined,
  ) ||
  flags.ssoRequireMfa === true ||
  flags.localAccounts === false;

/** The issuer a config implies: its cloud's login URL (the custom cloud's too) and the partner's own tenant. */
function defaultIssuer(config: PartnerConfig): string | undefined {
  if (!config.partnerTenantId) return undefined;
  const login = resolveCloud(cloudOption(config)).loginUrl;
  return `${login.replace(/\/+$/, "")}/${encodeURIComponent(config.partnerTenantId)}/v2.0`;
}

/** What `serve` passes on: the console's `sso` option (secret read now), or undefined when SSO is off. */
export function resolveSso(
  config: PartnerConfig,
  flags: SsoFlags,
  env: NodeJS.ProcessEnv,
  consentRedirectUri: string,
): Omit<SsoOptions, "caCertPem" | "fetch"> | undefined {
  const stored = config.sso;
  if (!stored && !anySsoFlag(flags)) return undefined;
  const given = [flags.ssoSecretEnv, flags.ssoSecretFile, flags.ssoCertificate].filter((v) => v !== undefined).length;
  if (given > 1) throw usageError("--sso-secret-env, --sso-secret-file and --sso-certificate exclude each other");
  if ((flags.ssoCertificate === undefined) !== (flags.ssoPrivateKey === undefined)) throw usageError("--sso-certificate and --sso-private-key go together");
  const clientId = flags.ssoClientId ?? stored?.clientId;
  if (!clientId) {
    throw usageError(
      "sign-in with Entra ID needs the console app's client id",
      "add --sso-client-id <application id> (and --sso-secret-env VAR or --sso-secret-file PATH)",
    );
  }
  if (!isGuid(clientId)) throw usageError(`--sso-client-id must be the app registration's application (client) id (a GUID)`);
  const issuer = flags.ssoIssuer ?? stored?.issuer ?? defaultIssuer(config);
  if (!issuer) {
    throw usageError(
      "sign-in with Entra ID needs its issuer",
      "add --sso-issuer https://login.microsoftonline.com/<your tenant id>/v2.0 (or set partnerTenantId with mde-partner init)",
    );
  }
  // The flags' credential replaces the config's whole; else the config's.
  const ref = given === 1 ? { secretEnv: flags.ssoSecretEnv, secretFile: flags.ssoSecretFile, certificateFile: flags.ssoCertificate, privateKeyFile: flags.ssoPrivateKey } : (stored ?? {});
  let credential: Pick<SsoOptions, "clientSecret" | "clientCertificate">;
  if (ref.secretEnv !== undefined) {
    const name = ref.secretEnv;
    if (!ENV_NAME.test(name)) throw usageError(`--sso-secret-env takes an environment variable's name, got ${JSON.stringify(name.slice(0, 40))}`);
    credential = {
      clientSecret: secretFromEnv(env, name, "console app's client secret", { hint: `export ${name}=… (the secret's Value from the console's app registration)` }),
    };
  } else if (ref.secretFile !== undefined) {
    const secret = secretFromFile(ref.secretFile, "console app's client secret").trim();
    if (secret === "") throw usageError(`the client secret file ${ref.secretFile} is empty`);
    credential = { clientSecret: secret };
  } else if (ref.certificateFile !== undefined && ref.privateKeyFile !== undefined) {
    credential = {
      clientCertificate: {
        certificatePem: secretFromFile(ref.certificateFile, "console app's certificate"),
        privateKeyPem: secretFromFile(ref.privateKeyFile, "console app's private key"),
      },
    };
  } else {
    throw usageError(
      "sign-in with Entra ID needs the console app's client secret or certificate",
      "add --sso-secret-env VAR, --sso-secret-file PATH, or --sso-certificate PEM --sso-private-key PEM",
    );
  }
  const redirectUri = flags.ssoRedirectUri ?? stored?.redirectUri ?? `${new URL(consentRedirectUri).origin}${CALLBACK_PATH}`;
  return {
    issuer,
    clientId,
    ...credential,
    redirectUri,
    // commander gives `localAccounts: true` unless --no-local-accounts: only false is the flag speaking.
    localAccounts: flags.localAccounts === false ? false : (stored?.localAccounts ?? true),
    requireMfa: flags.ssoRequireMfa ?? stored?.requireMfa ?? false,
  };
}
