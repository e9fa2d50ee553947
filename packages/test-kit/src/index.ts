/**
 * The workspace's test worlds. An emulator runs in-process by default: a
 * partner client reaches it through the emulator's own `fetch` (no socket, no
 * TLS). `servedEmulator` listens on a real HTTPS socket on 127.0.0.1, for the
 * tests where the socket is what is tested and for child processes.
 *
 * @example
 * const world = await emulatorWorld({ tenants: 2, alertsPerTenant: 5 });
 * const partner = partnerFor(world);
 * const page = await partner.tenant(world.info.tenants[0]!.id).mde.alerts.list({ top: 2 });
 * await world.stop(); // closes the partner clients, the emulator and its state folder
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { createPartnerClient, type PartnerClient, type PartnerClientOptions, type PartnerTenant } from "@mde-partner/client";
import { createEmulator, type Emulator, type EmulatorInfo, type EmulatorOptions, type TenantSpec } from "@mde-partner/emulator";

export { HOSTILE_LONG_LENGTH, HOSTILE_STRINGS, type HostileMarker } from "@mde-partner/emulator";

const made = new Set<string>();
process.once("exit", () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory under the system temp folder, removed when the process exits (or by `removeTemp`). */
export function tempDir(prefix = "mde-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.add(dir);
  return dir;
}

/** A fresh, empty MDE_PARTNER_HOME (the CLI's config, store and emulator state). */
export function tempHome(prefix = "mde-test-home-"): string {
  return tempDir(prefix);
}

/** Removes a directory of `tempDir`/`tempHome` now. */
export function removeTemp(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  made.delete(dir);
}

// Creating the emulator's CA, server and partner-app certificates (RSA keys) is most of the cost of a
// fresh state folder, so worlds share one set: the first world's, or the test run's
// (MDE_TEST_KIT_CREDENTIALS, a folder scripts/test.mjs makes for all test processes of one run).
const CREDENTIAL_FILES = ["ca.pem", "ca-key.pem", "server.pem", "server-key.pem", "server-hosts.txt", "partner-app.pem", "partner-app-key.pem"];
const shared = process.env.MDE_TEST_KIT_CREDENTIALS ? join(process.env.MDE_TEST_KIT_CREDENTIALS, "credentials") : undefined;
let credentials = shared && existsSync(shared) ? shared : undefined;

function copyCredentials(from: string, to: string): void {
  for (const name of CREDENTIAL_FILES) copyFileSync(join(from, name), join(to, name));
}

/** Gives a state folder without credentials the shared ones (the emulator creates them where missing). */
function seedCredentials(stateDir: string): void {
  credentials ??= shared && existsSync(shared) ? shared : undefined;
  if (!credentials || existsSync(join(stateDir, "ca.pem"))) return;
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  copyCredentials(credentials, stateDir);
}

/** Keeps the credentials the emulator just created in `stateDir` for the next worlds (and processes). */
function keepCredentials(stateDir: string): void {
  if (credentials || !CREDENTIAL_FILES.every((name) => existsSync(join(stateDir, name)))) return;
  const kept = tempDir("mde-test-credentials-");
  copyCredentials(stateDir, kept);
  credentials = kept;
  if (!shared) return;
  try {
    // A whole folder appears at once; when another process was first, its set is as good.
    renameSync(kept, shared);
    credentials = shared;
  } catch {}
}

export interface WorldOptions extends EmulatorOptions {
  /** Listen on a real HTTPS socket on 127.0.0.1 (a free port unless `port`). Default: in-process only. */
  serve?: boolean;
}

export interface EmulatorWorld {
  readonly emulator: Emulator;
  /** The emulator's info at start (URLs, partner app, tenants); `emulator.info()` for later tenants. */
  readonly info: EmulatorInfo;
  /** The emulator's custom cloud, as `createPartnerClient`'s `cloud` takes it. */
  readonly cloud: { name: "custom"; loginUrl: string; apiUrl: string; graphUrl: string; ca: string };
  /** The in-process fetch; undefined when the world is served (clients then use the socket). */
  readonly fetch: Emulator["fetch"] | undefined;
  /** PEM of the emulator's CA. */
  readonly ca: string;
  readonly stateDir: string;
  /** Runs `fn` at `stop()` (before the emulator stops), last registered first. */
  defer(fn: () => unknown): void;
  /** Closes the partner clients and deferred resources, stops the emulator, removes its state. Safe to call twice. */
  stop(): Promise<void>;
}

/** An emulator that never listened names port 443, which URLs print without a port: the same URLs, as clients see them. */
function inProcessInfo(info: EmulatorInfo): EmulatorInfo {
  const origin = (url: string) => url.replace(/^(https:\/\/[^/]+):443(?=\/|$)/, "$1");
  return { ...info, loginUrl: origin(info.loginUrl), apiUrl: origin(info.apiUrl), graphUrl: origin(info.graphUrl), controlUrl: origin(info.controlUrl) };
}

/** An emulator on a private temp state folder, in-process unless `serve`. */
export async function emulatorWorld(options: WorldOptions = {}): Promise<EmulatorWorld> {
  const { serve = false, ...emulatorOptions } = options;
  const ownDir = options.stateDir === undefined;
  const stateDir = options.stateDir ?? tempDir("mde-emulator-");
  seedCredentials(stateDir);
  const emulator = await createEmulator({ ...(serve ? { host: "127.0.0.1", port: 0 } : {}), ...emulatorOptions, stateDir });
  keepCredentials(stateDir);
  const info = serve ? await emulator.start() : inProcessInfo(emulator.info());
  const deferred: Array<() => unknown> = [];
  let stopped: Promise<void> | undefined;
  return {
    emulator,
    info,
    cloud: { name: "custom", loginUrl: info.loginUrl, apiUrl: info.apiUrl, graphUrl: info.graphUrl, ca: info.caCertFile },
    fetch: serve ? undefined : emulator.fetch,
    ca: readFileSync(info.caCertFile, "utf8"),
    stateDir,
    defer: (fn) => void deferred.push(fn),
    stop() {
      stopped ??= (async () => {
        for (const fn of deferred.reverse()) await fn();
        await emulator.stop();
        if (ownDir) removeTemp(stateDir);
      })();
      return stopped;
    },
  };
}

/** The same emulator listening on a real HTTPS socket on 127.0.0.1: its ready info and CA are the world's. */
export function servedEmulator(options: EmulatorOptions = {}): Promise<EmulatorWorld> {
  return emulatorWorld({ ...options, serve: true });
}

/**
 * A partner client of the world's partner app (client secret), on the
 * emulator's custom cloud, through the in-process fetch unless the world is
 * served. `world.stop()` closes it.
 */
export function partnerFor(world: EmulatorWorld, options: Partial<PartnerClientOptions> = {}): PartnerClient<PartnerTenant> {
  const partner = createPartnerClient({
    clientId: world.info.partnerApp.clientId,
    credential: { clientSecret: world.info.partnerApp.clientSecret },
    cloud: world.cloud,
    ...(world.fetch ? { fetch: world.fetch } : {}),
    ...options,
  });
  world.defer(() => partner.close());
  return partner;
}

export interface HostileWorld extends EmulatorWorld {
  /** The hostile tenant (its data carries the emulator's `HOSTILE_STRINGS`). */
  readonly hostileId: string;
  /** The ordinary tenants, in order. */
  readonly plainIds: string[];
}

/** An emulator with ordinary tenants (default one, "Plain Corp") followed by one hostile tenant. */
export async function hostileWorld(
  options: WorldOptions & { plain?: TenantSpec[]; hostile?: Omit<TenantSpec, "hostile"> } = {},
): Promise<HostileWorld> {
  const { plain = [{ name: "Plain Corp" }], hostile = {}, ...rest } = options;
  const world = await emulatorWorld({ ...rest, tenants: [...plain, { ...hostile, hostile: true }] });
  const tenants = world.info.tenants;
  return Object.assign(world, {
    hostileId: tenants.find((t) => t.hostile)!.id,
    plainIds: tenants.filter((t) => !t.hostile).map((t) => t.id),
  });
}

/**
 * A stand-in for a value that a suite's `before` hook makes: every property
 * read goes to the current value (methods bound to it). Reading it before the
 * value exists throws.
 */
export function lateBound<T extends object>(current: () => T | undefined, what = "value"): T {
  const value = (): T => {
    const v = current();
    if (v === undefined) throw new Error(`the suite's ${what} is read before its before hook made it`);
    return v;
  };
  return new Proxy({} as T, {
    get(_, key) {
      const target = value();
      const v: unknown = Reflect.get(target, key, target);
      return typeof v === "function" ? (v as (...args: unknown[]) => unknown).bind(target) : v;
    },
    has: (_, key) => Reflect.has(value(), key),
  });
}

/**
 * Something the enclosing `describe` starts in its `before` hook and stops in
 * its `after` hook; the stand-in returned reads the started value.
 *
 * @example
 * describe("alerts", () => {
 *   const world = suiteResource(() => emulatorWorld({ tenants: 2 }));
 *   it("lists", async () => { await partnerFor(world).tenant(world.info.tenants[0]!.id).mde.alerts.list(); });
 * });
 */
export function suiteResource<T extends { stop(): unknown }>(start: () => Promise<T>, what = "world"): T {
  let current: T | undefined;
  before(async () => {
    current = await start();
  });
  after(() => current?.stop());
  return lateBound(() => current, what);
}

/** An emulator world for the enclosing `describe`: started in `before`, stopped in `after`. */
export function suiteWorld(options: WorldOptions = {}): EmulatorWorld {
  return suiteResource(() => emulatorWorld(options));
}
