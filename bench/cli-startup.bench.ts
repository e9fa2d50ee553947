// Start-up cost of a CLI command: the binary as shipped (one esbuild bundle of the built
// packages, dist/bundle) against the same commands run from tsc's output module by module
// (dist/main.js), alternating, each a fresh `node` process. Every command is a new process, so
// this is the floor under every CLI call a user or a script makes.
// Rounds: BENCH_ROUNDS (default 15 per command and form).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { median, saveResult } from "./lib.js";

const root = new URL("..", import.meta.url).pathname;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);

// Runs `main` from the given module and prints the process's CPU time (user + system, ms) on fd 3.
const RUNNER = `
const { main } = await import(process.argv[2]);
const code = await main(process.argv.slice(3));
const { user, system } = process.cpuUsage();
(await import("node:fs")).writeSync(3, String((user + system) / 1000));
process.exitCode = code;
`;

const home = mkdtempSync(join(tmpdir(), "mde-bench-cli-"));
const runner = join(home, "runner.mjs");
writeFileSync(runner, RUNNER);
const forms = {
  bundle: `${root}packages/cli/dist/bundle/main.js`,
  modules: `${root}packages/cli/dist/main.js`,
} as const;

function run(entry: string, args: string[]): Promise<{ wallMs: number; cpuMs: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [runner, entry, ...args], {
      stdio: ["ignore", "ignore", "pipe", "pipe"],
      env: { ...process.env, MDE_PARTNER_HOME: home, BENCH_SECRET: "not-used" },
    });
    let cpu = "";
    let stderr = "";
    child.stdio[3]!.on("data", (d: Buffer) => (cpu += d));
    child.stderr!.on("data", (d: Buffer) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) reject(new Error(`${args.join(" ")} exited ${code}: ${stderr}`));
      else resolve({ wallMs: performance.now() - t0, cpuMs: Number(cpu) });
    });
  });
}

// A configured home with a SQLite store (created by the first command that opens it).
await run(forms.modules, ["init", "--client-id", "11111111-1111-4111-8111-111111111111", "--client-secret-env", "BENCH_SECRET"]);

const commands: Array<[string, string[]]> = [
  ["--version", ["--version"]],
  ["tenants list (config, store)", ["tenants", "list"]],
  ["app permissions --for alerts:read (client)", ["app", "permissions", "--for", "alerts:read"]],
  ["audit --json (store)", ["audit", "--json"]],
  ["export alerts --format ndjson (store)", ["export", "alerts", "--format", "ndjson"]],
];
const rows: Array<[string, string]> = [];
for (const [name, args] of commands) {
  const samples = { bundle: [] as Array<{ wallMs: number; cpuMs: number }>, modules: [] as Array<{ wallMs: number; cpuMs: number }> };
  for (let i = 0; i < ROUNDS; i++) {
    samples.modules.push(await run(forms.modules, args));
    samples.bundle.push(await run(forms.bundle, args));
  }
  const cpu = (form: keyof typeof samples) => median(samples[form].map((s) => s.cpuMs));
  const wall = (form: keyof typeof samples) => median(samples[form].map((s) => s.wallMs));
  rows.push([
    `${name}: CPU, modules → bundle (median of ${ROUNDS})`,
    `${cpu("modules").toFixed(0)} ms → ${cpu("bundle").toFixed(0)} ms (${(cpu("modules") / cpu("bundle")).toFixed(2)}×)`,
  ]);
  rows.push([`${name}: wall, modules → bundle`, `${wall("modules").toFixed(0)} ms → ${wall("bundle").toFixed(0)} ms (${(wall("modules") / wall("bundle")).toFixed(2)}×)`]);
}
rmSync(home, { recursive: true, force: true });

saveResult("cli-startup", {
  title: "CLI start-up: the shipped bundle against the same code loaded module by module",
  command: "npm run bench -- cli-startup",
  rows,
  notes: [
    "Each sample is a fresh `node` process running one command against a configured home with an empty SQLite store, the two forms alternating. CPU is the process's own user + system time (process.cpuUsage at exit), wall is spawn to exit as the parent sees it. The bundle (packages/cli/scripts/bundle.mjs, esbuild over tsc's output, a chunk per lazily loaded noun) holds the same code; what it saves is resolving and compiling several hundred small modules (kysely alone is 264 files) on every command.",
  ],
});
