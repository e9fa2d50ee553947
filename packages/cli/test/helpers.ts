/**
 * Helpers of the CLI's end-to-end tests: the real binary (`runCli`, `startCli`, `cliHome`,
 * `emulatorHome`) against an emulator on a real HTTPS socket (the test kit's, in the test's own
 * process), plain HTTPS, and the command functions with an in-memory terminal (`commandContext`).
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import type { EmulatorInfo, EmulatorOptions } from "@mde-partner/emulator";
import type { EmulatorWorld } from "@mde-partner/test-kit";
import { createContext } from "../src/context.js";
import type { CliIo } from "../src/io.js";

export type { EmulatorWorld } from "@mde-partner/test-kit";

export const bin = new URL("../bin/mde-partner.js", import.meta.url).pathname;

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * The test kit's emulator on a real HTTPS socket in this process, for the binary to reach as a
 * user's would. The kit (emulator and client) loads on first use, so the files that start no
 * emulator do not pay for it.
 */
export async function servedEmulator(options: EmulatorOptions): Promise<EmulatorWorld> {
  const kit = await import("@mde-partner/test-kit");
  return kit.servedEmulator(options);
}

/**
 * Starts `mde-partner emulator` as its own process and reads its ready line: for the tests of
 * that command (elsewhere the emulator runs in the test's process: `servedEmulator`).
 */
export async function startEmulator(args: string[]): Promise<{ info: EmulatorInfo; ca: string; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, [bin, "emulator", "--port", "0", "--state-dir", tempDir("mde-cli-emu-"), ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, MDE_PARTNER_HOME: tempDir("mde-cli-emu-home-") },
  });
  const lines = createInterface({ input: child.stdout! });
  const [first] = (await once(lines, "line")) as [string];
  const info = JSON.parse(first) as EmulatorInfo;
  return {
    info,
    ca: readFileSync(info.caCertFile, "utf8"),
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

type Env = Record<string, string | undefined>;

/** The binary's environment: this process's, MDE_PARTNER_HOME, no colour, then `env` (an undefined value removes a variable). */
function childEnv(home: string, env: Env = {}): NodeJS.ProcessEnv {
  const all: Env = { ...process.env, MDE_PARTNER_HOME: home, NO_COLOR: "1", ...env };
  for (const [k, v] of Object.entries(all)) if (v === undefined) delete all[k];
  return all as NodeJS.ProcessEnv;
}

/** Runs the real binary with MDE_PARTNER_HOME set; `env` adds variables, `input` goes to stdin. */
export function runCli(args: string[], options: { home: string; env?: Env; input?: string }): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ["pipe", "pipe", "pipe"], env: childEnv(options.home, options.env) });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}

/** One home of the binary with its environment: `run` any command, `expect` one to exit with a code. */
export interface CliHome {
  readonly home: string;
  /** Every run so far, for checks across all output (a secret that must appear nowhere). */
  readonly runs: CliRun[];
  run(args: string[], options?: { env?: Env; input?: string }): Promise<CliRun>;
  /** Runs and asserts the exit code (the message names the command and its stderr). */
  expect(code: number, args: string[], options?: { env?: Env; input?: string }): Promise<CliRun>;
  /** `expect(0, …)`. */
  ok(args: string[], options?: { env?: Env; input?: string }): Promise<CliRun>;
  /** `alerts list`/`machines list --json` and the like: the exit code 0 and the parsed stdout. */
  json<T>(args: string[], options?: { env?: Env; input?: string }): Promise<T>;
  /** A long-running command (`startCli`) in this home. */
  start(args: string[], options?: { env?: Env }): RunningCli;
}

/** A home for the binary; `env` is read at each run (it may name values known only after `before`). */
export function cliHome(home: string, env: () => Env = () => ({})): CliHome {
  const runs: CliRun[] = [];
  const run: CliHome["run"] = async (args, options = {}) => {
    const r = await runCli(args, { home, env: { ...env(), ...options.env }, ...(options.input !== undefined ? { input: options.input } : {}) });
    runs.push(r);
    return r;
  };
  const expect: CliHome["expect"] = async (code, args, options) => {
    const r = await run(args, options);
    assert.equal(r.code, code, `mde-partner ${args.join(" ")}\nstderr: ${r.stderr}\nstdout: ${r.stdout.slice(0, 2000)}`);
    return r;
  };
  return {
    home,
    runs,
    run,
    expect,
    ok: (args, options) => expect(0, args, options),
    json: async (args, options) => JSON.parse((await expect(0, args, options)).stdout),
    start: (args, options = {}) => startCli(args, { home, env: { ...env(), ...options.env } }),
  };
}

/** The variable the tests' configs name for the partner app's client secret. */
export const SECRET_ENV = "MDE_TEST_SECRET";

/**
 * A home set up against the emulator: `init` for its partner app (custom cloud, its CA, the
 * secret from `secretEnv`, plus `initArgs`), then `tenants add` for each tenant given (in order),
 * each expected to exit 0. `env` adds variables to every run.
 */
export async function emulatorHome(
  info: EmulatorInfo,
  options: {
    home?: string;
    secretEnv?: string;
    /** The API host `init` configures, when not the emulator's. */
    apiUrl?: string;
    initArgs?: string[];
    tenants?: ReadonlyArray<{ id: string; name: string }>;
    env?: Env;
  } = {},
): Promise<CliHome> {
  const secretEnv = options.secretEnv ?? SECRET_ENV;
  const cli = cliHome(options.home ?? tempDir("mde-cli-home-"), () => ({ [secretEnv]: info.partnerApp.clientSecret, ...options.env }));
  await cli.ok([...emulatorInitArgs(info, secretEnv, options.apiUrl), ...(options.initArgs ?? [])]);
  for (const t of options.tenants ?? []) await cli.ok(["tenants", "add", t.id, "--name", t.name]);
  return cli;
}

/** One HTTPS exchange trusting the emulator's CA (never disabling verification). */
export function https(
  url: string,
  ca: string,
  init: { method?: string; form?: Record<string, string>; json?: unknown; headers?: Record<string, string> } = {},
) {
  return new Promise<{ status: number; location: string | undefined; body: string; cookies: string[] }>((resolve, reject) => {
    const body = init.form ? new URLSearchParams(init.form).toString() : init.json !== undefined ? JSON.stringify(init.json) : undefined;
    const headers: Record<string, string | number> = { ...init.headers };
    if (body !== undefined) {
      headers["content-type"] = init.form ? "application/x-www-form-urlencoded" : "application/json";
      headers["content-length"] = Buffer.byteLength(body);
    }
    const req = request(url, { method: init.method ?? "GET", ca, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c) => {
        text += c;
      });
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, location: res.headers.location, body: text, cookies: res.headers["set-cookie"] ?? [] }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** The customer's admin on the consent page: GET the link, read the hidden session, POST Accept. */
export async function consentThroughPage(link: string, tenantId: string, ca: string): Promise<URL> {
  const page = await https(link, ca);
  if (page.status !== 200) throw new Error(`consent page answered ${page.status}`);
  const session = /name="session" value="([^"]+)"/.exec(page.body)?.[1];
  const action = /<form method="post" action="([^"]+)"/.exec(page.body)?.[1];
  if (!session || !action) throw new Error("no consent form on the page");
  const answer = await https(
    new URL(
      action.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n))),
      link,
    ).toString(),
    ca,
    {
      method: "POST",
      form: { session, tenant: tenantId, decision: "accept" },
    },
  );
  if (answer.status !== 302 || !answer.location) throw new Error(`consent form answered ${answer.status}`);
  return new URL(answer.location);
}

/** Every row of every table of a SQLite store, for before/after comparisons. */
export async function dumpStore(file: string, options: { except?: readonly string[] } = {}): Promise<string> {
  const { default: Database } = await import("better-sqlite3");
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).filter(
      ({ name }) => !options.except?.includes(name),
    );
    return JSON.stringify(tables.map(({ name }) => [name, db.prepare(`SELECT * FROM "${name.replaceAll('"', '""')}"`).all()]));
  } finally {
    db.close();
  }
}

/** The newest audit record's id in a SQLite store (0 when the log is empty). */
export async function lastAuditId(file: string): Promise<number> {
  const { default: Database } = await import("better-sqlite3");
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare("SELECT COALESCE(MAX(id), 0) AS id FROM audit_log").get() as { id: number }).id;
  } finally {
    db.close();
  }
}

/** One record of `mde-partner audit --json`. */
export interface AuditEntry {
  actor: string;
  action: string;
  phase: string;
  tenantId: string | null;
  target: string | null;
  result: string | null;
}

/** Audit records written after `afterId`, oldest first. */
export async function auditSince(file: string, afterId: number): Promise<Array<{ action: string; phase: string; actor: string }>> {
  const { default: Database } = await import("better-sqlite3");
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare("SELECT action, phase, actor FROM audit_log WHERE id > ? ORDER BY id").all(afterId) as Array<{ action: string; phase: string; actor: string }>;
  } finally {
    db.close();
  }
}

/** The error contract: one `error:` line, at most one `hint:` line, no stack trace. */
export function oneLineError(stderr: string): { error: string; hint: string | undefined } {
  const lines = stderr.split("\n").filter((l) => l !== "");
  const errors = lines.filter((l) => l.startsWith("error:"));
  const hints = lines.filter((l) => l.startsWith("hint:"));
  if (errors.length !== 1 || hints.length > 1 || lines.length !== errors.length + hints.length || /\n\s+at /.test(stderr)) {
    throw new Error(`expected one error line (+ an optional hint), got:\n${stderr}`);
  }
  return { error: errors[0]!, hint: hints[0] };
}

/** A long-running command (serve, demo, worker, sync --watch) as its own process: wait for its output, then signal it. */
export interface RunningCli {
  /**
   * Resolves with the first match of `pattern` on stdout (or `stream`), waiting for more output
   * as needed; rejects when the process exits first or after `timeoutMs`.
   */
  waitFor(pattern: RegExp, timeoutMs?: number, stream?: "stdout" | "stderr"): Promise<RegExpExecArray>;
  /** Sends the signal (unless it has exited) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Resolves with the exit code when the process exits. */
  readonly exited: Promise<number | null>;
  readonly stdout: () => string;
  readonly stderr: () => string;
}

export function startCli(args: string[], options: { home: string; env?: Env }): RunningCli {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ["ignore", "pipe", "pipe"], env: childEnv(options.home, options.env) });
  const text = { stdout: "", stderr: "" };
  const waiters = new Set<() => void>();
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  for (const stream of ["stdout", "stderr"] as const) {
    child[stream].on("data", (d) => {
      text[stream] += d;
      for (const w of waiters) w();
    });
  }
  return {
    exited,
    stdout: () => text.stdout,
    stderr: () => text.stderr,
    waitFor(pattern, timeoutMs = 15_000, stream = "stdout") {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(text[stream]);
          if (!match) return false;
          done();
          resolve(match);
          return true;
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${pattern} on ${stream} within ${timeoutMs} ms:\n${text.stdout}\nstderr:\n${text.stderr}`));
        }, timeoutMs);
        const onExit = () => {
          if (check()) return;
          done();
          reject(new Error(`exited (${child.exitCode}) before ${pattern}:\n${text.stdout}\nstderr:\n${text.stderr}`));
        };
        const done = () => {
          clearTimeout(timer);
          waiters.delete(waiter);
          child.off("close", onExit);
        };
        const waiter = () => {
          check();
        };
        if (check()) return;
        if (child.exitCode !== null || child.signalCode !== null) return onExit();
        waiters.add(waiter);
        child.once("close", onExit);
      });
    },
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** The emulator's partner app and custom cloud as `init` takes them (`apiUrl`: another API host, e.g. one answering garbage). */
export function emulatorCloudArgs(info: Pick<EmulatorInfo, "partnerApp" | "loginUrl" | "apiUrl">, apiUrl: string = info.apiUrl): string[] {
  return ["--client-id", info.partnerApp.clientId, "--cloud", "custom", "--login-url", info.loginUrl, "--api-url", apiUrl];
}

/**
 * `init` arguments for the emulator's partner app: custom cloud at the
 * emulator, its CA, the secret read from the environment variable `secretEnv`.
 */
export function emulatorInitArgs(
  info: Pick<EmulatorInfo, "partnerApp" | "loginUrl" | "apiUrl" | "caCertFile">,
  secretEnv: string = SECRET_ENV,
  apiUrl: string = info.apiUrl,
): string[] {
  return ["init", ...emulatorCloudArgs(info, apiUrl), "--ca-cert", info.caCertFile, "--client-secret-env", secretEnv];
}

/**
 * A command's context for calling it as a function: stdout and stderr kept in memory, `stdin`
 * piped in, `env` as its whole environment. `waitFor` resolves once `pattern` is on stderr.
 */
export function commandContext(home: string, options: { env?: NodeJS.ProcessEnv; stdin?: string } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const waiters = new Set<() => void>();
  const write = (into: string[]) => (s: string) => {
    into.push(s);
    for (const w of waiters) w();
    return true;
  };
  const io: CliIo = {
    stdout: { write: write(out) },
    stderr: { write: write(err) },
    stdin: Readable.from([Buffer.from(options.stdin ?? "")]),
    env: options.env ?? {},
  };
  const waitFor = (pattern: RegExp, timeoutMs = 10_000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no ${pattern} on stderr within ${timeoutMs} ms: ${err.join("")}`));
      }, timeoutMs);
      const check = () => {
        if (!pattern.test(err.join(""))) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
      check();
    });
  return { ctx: createContext({ io, home }), out, err, waitFor };
}
