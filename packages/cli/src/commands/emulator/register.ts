/** `mde-partner emulator`: the offline Entra ID + Defender for Endpoint emulator. */
import type { Command } from "commander";
import type { Wiring } from "../../context.js";
import { EXIT } from "../../errors.js";
import { addFlags, type Flags } from "../../flags.js";
import type { EmulatorCommandOptions } from "./run.js";

const FLAGS = {
  port: { flags: "--port <n>", description: "port to listen on (0 picks a free one)", default: "0" },
  host: { flags: "--host <addr>", description: "address to listen on (not loopback: needs a control token)", default: "127.0.0.1" },
  controlTokenEnv: {
    flags: "--control-token-env <VAR>",
    description: "environment variable holding the token /_control requires (Authorization: Bearer)",
  },
  controlTokenFile: { flags: "--control-token-file <file>", description: "file holding the token /_control requires (Authorization: Bearer)" },
  tenants: { flags: "--tenants <n>", description: "customer tenants to create", default: "3" },
  hostileTenants: {
    flags: "--hostile-tenants <n>",
    description: "hostile tenants to add: their data carries terminal escapes, HTML, formulas, javascript: URLs, huge titles",
  },
  alertsPerTenant: { flags: "--alerts-per-tenant <n>", description: "alerts generated per tenant", default: "100" },
  machinesPerTenant: { flags: "--machines-per-tenant <n>", description: "machines generated per tenant" },
  seed: { flags: "--seed <seed>", description: "seed of the data generator", default: "1" },
  stateDir: { flags: "--state-dir <dir>", description: "folder for the CA and credentials (default $MDE_PARTNER_HOME/emulator)" },
  insecureHttp: { flags: "--insecure-http", description: "serve plain HTTP instead of HTTPS" },
  tokenLifetime: { flags: "--token-lifetime <seconds>", description: "access-token lifetime", default: "3599" },
  tokenVersion: { flags: "--token-version <v>", description: "MDE access-token format", choices: ["1.0", "2.0"], default: "1.0" },
  live: { flags: "--live <interval>", description: "add and update alerts every interval (e.g. 5s)" },
  rateLimits: { flags: "--no-rate-limits", description: "do not enforce the documented rate limits" },
} satisfies Flags<EmulatorCommandOptions>;

/** Resolves on SIGINT/SIGTERM once `stop` has run: 0, or 1 when stopping failed. */
function waitForStop(stop: () => Promise<void>): Promise<number> {
  return new Promise((resolve) => {
    const onSignal = () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      stop().then(
        () => resolve(EXIT.ok),
        () => resolve(EXIT.failed),
      );
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}

export function register(emulator: Command, { result }: Wiring): void {
  addFlags(emulator, FLAGS).action(async (options: EmulatorCommandOptions) => {
    const { runEmulatorCommand } = await import("./run.js");
    const { emulator } = await runEmulatorCommand(options, { stdout: process.stdout, env: process.env });
    result.exitCode = await waitForStop(() => emulator.stop());
  });
}
