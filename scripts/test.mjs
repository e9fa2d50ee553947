#!/usr/bin/env node
// `npm test`: machine setup (PostgreSQL, Chromium, curl, python3), a full type
// check and build, the linter, then every package's tests through node:test + tsx.
// Usage: node scripts/test.mjs [--faults=short|full|skip] [path-substring …]   (filters test files)
// The fault-injection suite (packages/sync/test/faults-*.test.ts) runs in its short form by default;
// --faults=full (`npm run test:faults`) holds each fault for its full length, one file at a time
// (the full form may restart the local PostgreSQL); --faults=skip leaves it out.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const filters = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const faults = (process.argv.find((a) => a.startsWith("--faults=")) ?? `--faults=${process.env.MDE_PARTNER_FAULTS ?? "short"}`).slice(9);
if (!["short", "full", "skip"].includes(faults)) {
  process.stderr.write(`test: --faults takes short, full or skip, got ${JSON.stringify(faults)}\n`);
  process.exit(2);
}

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { stdio: "inherit", cwd: root, ...options });
  if (r.status !== 0) {
    process.stderr.write(`test: '${cmd} ${args.join(" ")}' failed\n`);
    process.exit(r.status ?? 1);
  }
}

function findTests(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "dist" || name === "fixtures") continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) findTests(full, out);
    else if (name.endsWith(".test.ts")) out.push(relative(root, full));
  }
  return out;
}

if (!process.env.MDE_PARTNER_SKIP_SETUP) run("bash", ["scripts/test-setup.sh"]);
run(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-b"]);
if (!process.env.MDE_PARTNER_SKIP_LINT) run(process.execPath, [join(root, "node_modules/eslint/bin/eslint.js"), "."]);

const files = readdirSync(join(root, "packages"))
  .flatMap((pkg) => {
    try {
      return findTests(join(root, "packages", pkg, "test"));
    } catch {
      return [];
    }
  })
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .filter((f) => faults !== "skip" || !/\/faults-[^/]*\.test\.ts$/.test(f))
  .sort();
if (files.length === 0) {
  process.stderr.write("test: no test files matched\n");
  process.exit(1);
}

// Tests get a throwaway MDE_PARTNER_HOME so they never touch the user's state.
const home = mkdtempSync(join(tmpdir(), "mde-partner-test-home-"));
const r = spawnSync(
  process.execPath,
  ["--import", "tsx", "--conditions=development", "--test", "--test-reporter=spec", `--test-concurrency=${faults === "full" ? 1 : 2}`, ...files],
  { stdio: "inherit", cwd: root, env: { ...process.env, MDE_PARTNER_HOME: home, NODE_OPTIONS: "", MDE_PARTNER_FAULTS: faults } },
);
rmSync(home, { recursive: true, force: true });
process.exit(r.status ?? 1);
