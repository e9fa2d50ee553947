import { join } from "node:path";
import { createEmulator, type Emulator, type EmulatorInfo, isLoopbackHost, MIN_CONTROL_TOKEN_LENGTH } from "@mde-partner/emulator";
import { parseCount, usageError } from "../../errors.js";
import { partnerHome } from "../../home.js";
import { secretFromEnv, secretFromFile } from "../../secret-reference.js";

export interface EmulatorCommandOptions {
  port: string;
  host: string;
  tenants: string;
  /** Hostile tenants added after the others (their data carries the hostile markers). */
  hostileTenants?: string;
  alertsPerTenant: string;
  machinesPerTenant?: string;
  seed: string;
  stateDir?: string;
  insecureHttp?: boolean;
  tokenLifetime: string;
  tokenVersion: string;
  live?: string;
  rateLimits: boolean;
  /** Name of the environment variable holding the control token. */
  controlTokenEnv?: string;
  /** File holding the control token. */
  controlTokenFile?: string;
}

/**
 * The control token from `--control-token-env VAR` or `--control-token-file F`
 * (never from argv: a token on the command line is visible to every user).
 */
function readControlToken(options: EmulatorCommandOptions, env: NodeJS.ProcessEnv): string | undefined {
  if (options.controlTokenEnv !== undefined && options.controlTokenFile !== undefined) {
    throw usageError("give --control-token-env or --control-token-file, not both");
  }
  let token: string | undefined;
  if (options.controlTokenEnv !== undefined) {
    token = secretFromEnv(env, options.controlTokenEnv, "control token", { hint: `export ${options.controlTokenEnv}=$(openssl rand -hex 32)` });
  } else if (options.controlTokenFile !== undefined) {
    token = secretFromFile(options.controlTokenFile, "control token").trim();
  } else return undefined;
  if (token.length < MIN_CONTROL_TOKEN_LENGTH || /\s/.test(token)) {
    throw usageError(`the control token must be at least ${MIN_CONTROL_TOKEN_LENGTH} characters without whitespace`, "generate one: openssl rand -hex 32");
  }
  return token;
}

/**
 * `mde-partner emulator`: starts the offline Entra ID + MDE emulator and prints
 * exactly one JSON line on stdout when it is ready (the contract in DESIGN.md).
 * Runs until SIGINT/SIGTERM.
 */
export async function runEmulatorCommand(
  options: EmulatorCommandOptions,
  io: { stdout: NodeJS.WritableStream; env: NodeJS.ProcessEnv; signal?: AbortSignal },
): Promise<{ emulator: Emulator; info: EmulatorInfo }> {
  const tokenVersion = options.tokenVersion;
  if (tokenVersion !== "1.0" && tokenVersion !== "2.0") throw usageError(`--token-version must be 1.0 or 2.0, got '${tokenVersion}'`);
  let live: { intervalMs: number; newAlerts: number; updatedAlerts: number } | undefined;
  if (options.live !== undefined) {
    const match = /^(\d+)(ms|s|m)?$/.exec(options.live);
    if (!match) throw usageError(`--live takes an interval like 5s or 500ms, got '${options.live}'`);
    const n = Number(match[1]);
    const intervalMs = match[2] === "ms" ? n : match[2] === "m" ? n * 60_000 : n * 1000;
    if (intervalMs < 10) throw usageError("--live interval must be at least 10ms");
    live = { intervalMs, newAlerts: 1, updatedAlerts: 1 };
  }
  const controlToken = readControlToken(options, io.env);
  if (controlToken === undefined && !isLoopbackHost(options.host)) {
    throw usageError(
      `--host ${options.host} is not a loopback address, and the control API hands the partner app's secret to whoever reaches it`,
      "add --control-token-env VAR or --control-token-file FILE (then /_control needs Authorization: Bearer <token>), or listen on 127.0.0.1",
    );
  }
  const tenants = parseCount("--tenants", options.tenants, { max: 10_000 });
  const hostileTenants = options.hostileTenants === undefined ? 0 : parseCount("--hostile-tenants", options.hostileTenants, { max: 100 });
  const emulator = await createEmulator({
    port: parseCount("--port", options.port, { max: 65535 }),
    host: options.host,
    ...(controlToken === undefined ? {} : { controlToken }),
    tenants: hostileTenants === 0 ? tenants : [...Array.from({ length: tenants }, () => ({})), ...Array.from({ length: hostileTenants }, () => ({ hostile: true }))],
    alertsPerTenant: parseCount("--alerts-per-tenant", options.alertsPerTenant, { max: 1_000_000 }),
    ...(options.machinesPerTenant !== undefined
      ? { machinesPerTenant: parseCount("--machines-per-tenant", options.machinesPerTenant, { max: 100_000 }) }
      : {}),
    seed: options.seed,
    stateDir: options.stateDir ?? join(partnerHome(io.env), "emulator"),
    insecureHttp: options.insecureHttp ?? false,
    tokenLifetimeSec: parseCount("--token-lifetime", options.tokenLifetime, { min: 1, max: 86_400 }),
    mdeTokenVersion: tokenVersion,
    rateLimits: options.rateLimits,
  });
  const info = await emulator.start();
  if (live) emulator.control.startLive(live);
  io.stdout.write(`${JSON.stringify(info)}\n`);
  return { emulator, info };
}
