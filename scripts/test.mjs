#!/usr/bin/env node
// `npm test`: machine setup (PostgreSQL, Chromium, curl, python3), a full type
// check and build (with the CLI's bundle, which the tests' binary runs), then every
// package's tests through node:test, four files at a time (MDE_TEST_CONCURRENCY), each file bundled first
// (test-bundle.mjs), with the linter running beside them.
// Usage: node scripts/test.mjs [--faults=short|full|skip] [--save-times] [--tsx] [path-substring …]   (filters test files)
// The fault-injection suite (packages/sync/test/faults-*.test.ts) runs in its short form by default;
// --faults=full (`npm run test:faults`) holds each fault for its full length, one file at a time
// (the full form may restart the local PostgreSQL); --faults=skip leaves it out.
// Files run slowest first (by their time in earlier runs on this machine, kept in
// node_modules/.cache/mde-partner/test-times.json, else in scripts/test-times.json; files without
// a time first of all), so the lanes end together instead of one long file starting last.
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { bundleOf, bundleTests } from "./test-bundle.mjs";

const root = new URL("..", import.meta.url).pathname;
const filters = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const faults = (process.argv.find((a) => a.startsWith("--faults=")) ?? `--faults=${process.env.MDE_PARTNER_FAULTS ?? "short"}`).slice(9);
const saveTimes = process.argv.includes("--save-times");
// `--tsx`: run the test files through tsx's loader instead of as bundles (slower, same tests).
const viaTsx = process.argv.includes("--tsx");
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
run(process.execPath, [join(root, "packages/cli/scripts/bundle.mjs")]);

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
const timesFile = join(root, "node_modules/.cache/mde-partner/test-times.json");
const readTimes = (file) => {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return {};
  }
};
// A fresh checkout (CI's included) has no times of its own yet: until it has, the times of a full
// run on a 2-core machine like CI's, kept in scripts/test-times.json, order it (`--save-times`
// rewrites that file from a full run's own times).
const shippedTimes = join(root, "scripts/test-times.json");
const known = { ...readTimes(shippedTimes), ...readTimes(timesFile) };
files.sort((a, b) => (known[b] ?? Infinity) - (known[a] ?? Infinity) || a.localeCompare(b));
if (files.length === 0) {
  process.stderr.write("test: no test files matched\n");
  process.exit(1);
}

// Tests get a throwaway MDE_PARTNER_HOME so they never touch the user's state, and one folder
// for the test kit's emulator credentials, created once and shared by every test process.
const home = mkdtempSync(join(tmpdir(), "mde-partner-test-home-"));
const scratch = mkdtempSync(join(tmpdir(), "mde-partner-test-run-"));
const timesOut = join(scratch, "times.json");
const bundles = join(root, "node_modules/.cache/mde-partner/test-bundles");
rmSync(bundles, { recursive: true, force: true });
if (!viaTsx) {
  try {
    await bundleTests(root, files, bundles);
  } catch (error) {
    process.stderr.write(`test: bundling the test files failed: ${error.message}\n`);
    process.exit(1);
  }
}
// The linter runs beside the tests (the test processes leave a core idle often enough); its
// report comes after theirs, and a lint error fails the run like a failed test.
const lint = process.env.MDE_PARTNER_SKIP_LINT
  ? Promise.resolve({ status: 0, output: "" })
  : new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, "node_modules/eslint/bin/eslint.js"), "."], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (status) => resolve({ status, output }));
  });
const tests = spawn(
  process.execPath,
  [
    ...(viaTsx ? ["--import", "tsx", "--conditions=development"] : ["--enable-source-maps"]),
    "--test",
    "--test-reporter=spec",
    "--test-reporter-destination=stdout",
    `--test-reporter=${join(root, "scripts/test-times.mjs")}`,
    `--test-reporter-destination=${timesOut}`,
    `--test-concurrency=${faults === "full" ? 1 : Number(process.env.MDE_TEST_CONCURRENCY ?? 4)}`,
    ...(viaTsx ? files : files.map((f) => bundleOf(bundles, f))),
  ],
  {
    stdio: "inherit",
    cwd: root,
    env: { ...process.env, MDE_PARTNER_HOME: home, NODE_OPTIONS: "", MDE_PARTNER_FAULTS: faults, MDE_TEST_KIT_CREDENTIALS: scratch, MDE_TEST_BUNDLES: bundles },
  },
);
const [status] = await once(tests, "close");
const linted = await lint;
if (linted.status !== 0) process.stderr.write(`${linted.output}test: the linter (eslint .) found problems\n`);
const exitCode = status !== 0 ? (status ?? 1) : linted.status !== 0 ? 1 : 0;
if (existsSync(timesOut)) {
  mkdirSync(dirname(timesFile), { recursive: true });
  writeFileSync(timesFile, JSON.stringify({ ...known, ...readTimes(timesOut) }, null, 1));
  if (saveTimes && filters.length === 0 && exitCode === 0) {
    const measured = Object.entries(readTimes(timesOut)).sort(([a], [b]) => a.localeCompare(b));
    writeFileSync(shippedTimes, `${JSON.stringify(Object.fromEntries(measured.map(([f, ms]) => [f, Math.round(ms)])), null, 1)}\n`);
  }
}
rmSync(home, { recursive: true, force: true });
rmSync(scratch, { recursive: true, force: true });
process.exit(exitCode);
