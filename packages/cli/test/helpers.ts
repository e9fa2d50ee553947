/** Helpers of the CLI's end-to-end tests: the real binary, a separately started emulator, plain HTTPS. */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

export const bin = new URL("../bin/mde-partner.js", import.meta.url).pathname;

export interface ReadyLine {
  loginUrl: string;
  apiUrl: string;
  controlUrl: string;
  caCertFile: string;
  partnerApp: { clientId: string; clientSecret: string; homeTenantId: string; redirectUris: string[] };
  tenants: Array<{ id: string; name: string; consented: boolean; roles: string[]; alerts: number; machines: number }>;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Starts `mde-partner emulator` as its own process and reads its ready line. */
export async function startEmulator(args: string[]): Promise<{ info: ReadyLine; ca: string; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, [bin, "emulator", "--port", "0", "--state-dir", tempDir("mde-cli-emu-"), ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, MDE_PARTNER_HOME: tempDir("mde-cli-emu-home-") },
  });
  const lines = createInterface({ input: child.stdout! });
  const [first] = (await once(lines, "line")) as [string];
  const info = JSON.parse(first) as ReadyLine;
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

/** Runs the real binary with MDE_PARTNER_HOME set; `env` adds variables, `input` goes to stdin. */
export function runCli(
  args: string[],
  options: { home: string; env?: Record<string, string | undefined>; input?: string },
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, MDE_PARTNER_HOME: options.home, NO_COLOR: "1", ...options.env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
    const child = spawn(process.execPath, [bin, ...args], { stdio: ["pipe", "pipe", "pipe"], env: env as NodeJS.ProcessEnv });
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

/** A long-running command (serve, demo) as its own process: wait for its output, then signal it. */
export interface RunningCli {
  /** Resolves with the first match of `pattern` on stdout (waiting for more output as needed). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  readonly stdout: () => string;
  readonly stderr: () => string;
}

export function startCli(args: string[], options: { home: string; env?: Record<string, string | undefined> }): RunningCli {
  const env: Record<string, string | undefined> = { ...process.env, MDE_PARTNER_HOME: options.home, NO_COLOR: "1", ...options.env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const child = spawn(process.execPath, [bin, ...args], { stdio: ["ignore", "pipe", "pipe"], env: env as NodeJS.ProcessEnv });
  let stdout = "";
  let stderr = "";
  const waiters = new Set<() => void>();
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  child.stdout!.on("data", (d) => {
    stdout += d;
    for (const w of waiters) w();
  });
  child.stderr!.on("data", (d) => {
    stderr += d;
  });
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    waitFor(pattern, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(stdout);
          if (!match) return false;
          done();
          resolve(match);
          return true;
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${pattern} on stdout within ${timeoutMs} ms:\n${stdout}\nstderr:\n${stderr}`));
        }, timeoutMs);
        const onExit = () => {
          if (check()) return;
          done();
          reject(new Error(`exited (${child.exitCode}) before ${pattern}:\n${stdout}\nstderr:\n${stderr}`));
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

/**
 * `init` arguments for the emulator's partner app: custom cloud at the
 * emulator, its CA, the secret read from the environment variable `secretEnv`.
 */
export function emulatorInitArgs(
  info: Pick<ReadyLine, "partnerApp" | "loginUrl" | "apiUrl" | "caCertFile">,
  secretEnv: string,
  apiUrl: string = info.apiUrl,
): string[] {
  return [
    "init",
    "--client-id",
    info.partnerApp.clientId,
    "--cloud",
    "custom",
    "--login-url",
    info.loginUrl,
    "--api-url",
    apiUrl,
    "--ca-cert",
    info.caCertFile,
    "--client-secret-env",
    secretEnv,
  ];
}
