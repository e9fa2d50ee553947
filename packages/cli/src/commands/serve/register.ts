/** `mde-partner serve`: the partner console. */
import type { Command } from "commander";
import { lazyAction, type Wiring } from "../../context.js";
import { addFlags, DB_FLAG, type Flags, OUTPUT_FLAGS, refusedOnCommandLine } from "../../flags.js";
import type { ServeOptions } from "./run.js";

const FLAGS = {
  port: { flags: "--port <n>", description: "port to listen on (default 8443, 8080 with --http; 0 picks a free one)" },
  host: { flags: "--host <addr>", description: "address to listen on", default: "127.0.0.1" },
  http: { flags: "--http", description: "plain HTTP (loopback addresses only)" },
  cert: { flags: "--cert <file>", description: "TLS certificate (PEM; default: one generated once into $MDE_PARTNER_HOME)" },
  key: { flags: "--key <file>", description: "the certificate's private key (PEM)" },
  ...DB_FLAG,
  consentRedirectUri: {
    flags: "--consent-redirect-uri <url>",
    description: "the console's public /consent/callback URL (default: from the config, else its own)",
  },
  oneTimeLogin: { flags: "--one-time-login", description: "print a single-use admin sign-in link (expires in 10 minutes)" },
  ssoIssuer: {
    flags: "--sso-issuer <url>",
    description: "sign in with Entra ID: the OpenID issuer (default https://login.microsoftonline.com/<partnerTenantId>/v2.0)",
  },
  ssoClientId: { flags: "--sso-client-id <id>", description: "sign in with Entra ID: the console app registration's application (client) id" },
  ssoSecretEnv: { flags: "--sso-secret-env <var>", description: "environment variable holding the console app's client secret" },
  ssoSecretFile: { flags: "--sso-secret-file <path>", description: "file holding the console app's client secret" },
  ssoCertificate: { flags: "--sso-certificate <file>", description: "instead of a secret: a certificate (PEM) uploaded to the console's app" },
  ssoPrivateKey: { flags: "--sso-private-key <file>", description: "the certificate's RSA private key (PEM)" },
  ssoRedirectUri: {
    flags: "--sso-redirect-uri <url>",
    description: "the console's public /login/sso/callback URL (default: on the consent callback's origin)",
  },
  localAccounts: { flags: "--no-local-accounts", description: "with sign-in with Entra ID: no password sign-in for the local accounts" },
  ssoRequireMfa: { flags: "--sso-require-mfa", description: "refuse Entra ID sign-ins without multi-factor authentication (amr)" },
  approvalThreshold: {
    flags: "--approval-threshold <n>",
    description: "isolating or restricting more machines than this at once waits for a second person's approval (default 10; 0: every one)",
  },
  approvalTtl: { flags: "--approval-ttl <duration>", description: "how long an approval request waits before it expires (default 24h; e.g. 30m, 8h, 3d)" },
  ...OUTPUT_FLAGS,
} satisfies Flags<ServeOptions>;

export function register(serve: Command, wiring: Wiring): void {
  addFlags(serve, FLAGS)
    .addOption(refusedOnCommandLine("--sso-secret <secret>", "client secrets", "use --sso-secret-env VAR or --sso-secret-file PATH"))
    .action(lazyAction(wiring, () => import("./run.js"), (m, ctx, options: ServeOptions) => m.runServe(options, ctx)));
}
