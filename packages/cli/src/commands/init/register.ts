/** `mde-partner init`: the configuration in $MDE_PARTNER_HOME. */
import type { Command } from "commander";
import { lazyAction, type Wiring } from "../../context.js";
import { addFlags, collect, type Flags, OUTPUT_FLAGS, refusedOnCommandLine } from "../../flags.js";
import type { InitOptions } from "./run.js";

const FLAGS = {
  clientId: { flags: "--client-id <guid>", description: "Application (client) ID of your multi-tenant app" },
  partnerTenant: { flags: "--partner-tenant <guid>", description: "your own tenant (where the app is registered)" },
  cloud: { flags: "--cloud <name>", description: "cloud", choices: ["public", "gcc", "gcc-high", "dod", "custom"], default: "public" },
  loginUrl: { flags: "--login-url <url>", description: "custom cloud: Entra ID authority host" },
  apiUrl: { flags: "--api-url <url>", description: "custom cloud: MDE API base URL" },
  caCert: { flags: "--ca-cert <file>", description: "custom cloud: CA certificate (PEM) to trust" },
  clientSecretEnv: { flags: "--client-secret-env <VAR>", description: "environment variable holding the client secret" },
  clientSecretFile: { flags: "--client-secret-file <file>", description: "file holding the client secret" },
  certificate: { flags: "--certificate <file>", description: "app certificate (PEM)" },
  privateKey: { flags: "--private-key <file>", description: "the certificate's private key (PEM)" },
  db: { flags: "--db <url>", description: "store: sqlite:<path> or postgres://… (default: a SQLite file in the home)" },
  dbPasswordEnv: { flags: "--db-password-env <VAR>", description: "postgres store: environment variable holding the database password" },
  dbPasswordFile: { flags: "--db-password-file <file>", description: "postgres store: file holding the database password" },
  consentRedirectUri: {
    flags: "--consent-redirect-uri <url>",
    description: "redirect URI registered on the app (v2 consent links; the console's /consent/callback)",
  },
  adminUser: {
    flags: "--admin-user <name>",
    description: "also create the console's first admin (password from $MDE_PARTNER_PASSWORD, stdin or a prompt)",
  },
  for: {
    flags: "--for <capabilities>",
    description: "what the integration does (alerts:read,machines:isolate,…): tenants verify checks these permissions",
    parse: collect,
  },
  ...OUTPUT_FLAGS,
} satisfies Flags<InitOptions>;

export function register(init: Command, wiring: Wiring): void {
  addFlags(init, FLAGS)
    .addOption(refusedOnCommandLine("--client-secret <value>", "secrets", "export it and pass its name: --client-secret-env MDE_CLIENT_SECRET"))
    .action(lazyAction(wiring, () => import("./run.js"), (m, ctx, options: InitOptions) => m.runInit(options, ctx)));
}
