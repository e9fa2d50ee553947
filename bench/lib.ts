import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { createInterface } from "node:readline";

export interface ReadyInfo {
  loginUrl: string;
  apiUrl: string;
  controlUrl: string;
  caCertFile: string;
  partnerApp: { clientId: string; clientSecret: string; certificateFile: string; privateKeyFile: string };
  tenants: Array<{ id: string; name: string; alerts: number; machines: number; consented: boolean }>;
}

const root = new URL("..", import.meta.url).pathname;

/** Starts `mde-partner emulator` in its own process and waits for its ready line. */
export async function startEmulatorProcess(args: string[]): Promise<{ info: ReadyInfo; child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [`${root}packages/cli/bin/mde-partner.js`, "emulator", "--port", "0", ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout! });
  const [line] = (await once(lines, "line")) as [string];
  const info = JSON.parse(line) as ReadyInfo;
  return {
    info,
    child,
    async stop() {
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}

export const ca = (info: ReadyInfo) => readFileSync(info.caCertFile, "utf8");

export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export const median = (values: number[]) => quantile(values, 0.5);

export function machine(): string {
  return `${cpus().length} cores (${cpus()[0]?.model ?? "unknown"}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/** Saves one benchmark's result for `scripts/bench.mjs` to put into docs/benchmarks.md. */
export function saveResult(name: string, result: { title: string; command: string; rows: Array<[string, string]>; notes?: string[] }) {
  mkdirSync(`${root}bench/results`, { recursive: true });
  writeFileSync(`${root}bench/results/${name}.json`, `${JSON.stringify({ ...result, machine: machine(), date: new Date().toISOString() }, null, 2)}\n`);
  console.log(`\n${result.title}`);
  for (const [k, v] of result.rows) console.log(`  ${k.padEnd(58)} ${v}`);
}
