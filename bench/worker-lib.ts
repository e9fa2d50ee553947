// Shared by the worker benchmarks: an emulator process (the tests' fixture, with its
// journal), a throwaway PostgreSQL schema, and worker processes (the tests' worker
// fixture: one JSON line per event on stdout).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { join } from "node:path";
import { createInterface } from "node:readline";
import pg from "pg";
import { Agent, fetch } from "undici";
import { ca, type ReadyInfo } from "./lib.js";

const root = new URL("..", import.meta.url).pathname;
export const PG_URL = process.env.PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const NODE_ARGS = ["--import", "tsx", "--conditions=development"];

export async function emulatorProcess(options: Record<string, unknown>) {
  const child = spawn(process.execPath, [...NODE_ARGS, join(root, "packages/sync/test/fixtures/emulator-process.ts"), JSON.stringify(options)], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [line] = (await once(createInterface({ input: child.stdout! }), "line")) as [string];
  const info = JSON.parse(line) as ReadyInfo & { controlUrl: string };
  const dispatcher = new Agent({ connect: { ca: ca(info) } });
  return {
    info,
    async journal(kind: string) {
      const res = await fetch(`${info.controlUrl}/journal?kind=${kind}&limit=200000`, { dispatcher });
      return ((await res.json()) as { entries: Array<{ tenantId?: string; status: number; time: number; userAgent?: string }> }).entries;
    },
    async stop() {
      child.kill("SIGTERM");
      await once(child, "exit");
      await dispatcher.close();
    },
  };
}

export async function withSchema<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const schema = `bench_workers_${randomBytes(4).toString("hex")}`;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(sql);
    await c.end();
  };
  try {
    return await fn(`${PG_URL}?schema=${schema}`);
  } finally {
    await admin(`drop schema if exists ${schema} cascade; drop schema if exists ${schema}_jobs cascade`);
  }
}

export function startWorkers(n: number, options: Record<string, unknown>) {
  return Array.from({ length: n }, (_, i) => {
    const child = spawn(process.execPath, [...NODE_ARGS, join(root, "packages/sync/test/fixtures/worker-process.ts")], {
      cwd: root,
      env: { ...process.env, WORKER_CHILD: JSON.stringify({ ...options, workerId: `w${i + 1}` }) },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const lines = createInterface({ input: child.stdout! });
    const started = new Promise<void>((resolve) => {
      lines.on("line", (l) => {
        if (l.includes('"type":"started"')) resolve();
      });
    });
    return {
      started,
      async stop() {
        child.kill("SIGTERM");
        await once(child, "exit");
      },
    };
  });
}

