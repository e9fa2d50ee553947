#!/usr/bin/env node
// Bundles the built CLI (dist/main.js and everything it imports, the workspace packages
// included) into dist/bundle/, which bin/mde-partner.js runs. Every command is a new process,
// and loading ~430 small ES modules one by one cost a store command ~0.5 s of CPU before it
// did anything; one bundle with a chunk per lazily imported noun costs ~0.2 s
// (bench/cli-startup.bench.ts measures both side by side).
//
// Runs after `tsc -b` (`npm run build`, `npm ci`'s prepare, `npm test`) on the JavaScript tsc
// wrote, so the bundle holds exactly the code the type check passed. Left outside the bundle:
// better-sqlite3 (a native addon), pg / pg-boss (loaded by `require` when a PostgreSQL store is
// first opened: packages/sync/src/store/pg-modules.ts) and undici (CommonJS only, and imported
// at the first request with `import()`, whose named exports esbuild does not provide for a
// bundled CommonJS module), and playwright-core (the report's PDF printer, imported with `import()`
// only when a PDF is asked for; it reads its own files beside its modules); they are resolved from
// the bundle's location at run time like any other installed package.
import { build } from "esbuild";
import { rmSync } from "node:fs";

const cli = new URL("..", import.meta.url).pathname;
const outdir = `${cli}dist/bundle`;

rmSync(outdir, { recursive: true, force: true });
const options = {
  outdir,
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: ["better-sqlite3", "pg", "pg-boss", "pg-native", "undici", "playwright-core"],
  // Prefer a package's ES module build (@peculiar/x509 has both).
  mainFields: ["module", "main"],
  // CommonJS dependencies (commander, undici, …) call `require` for Node's built-ins.
  banner: { js: "import { createRequire as __mdePartnerRequire } from \"node:module\"; const require = __mdePartnerRequire(import.meta.url);" },
  sourcemap: "linked",
  logLevel: "warning",
};
await build({ ...options, entryPoints: { main: `${cli}dist/main.js` }, splitting: true });
// The store's alert reader and writer threads (packages/sync/src/store/alert-writer-client.ts) start
// the modules beside the code that starts them, which in the bundle is this directory. Each is a
// bundle of its own, not chunks shared with the CLI: a thread is an isolate of its own that parses
// every module it loads, and the chunks it shared with the CLI held the whole client and query
// builder (measured: the threads' start cost 36 and 62 ms of CPU more than an empty thread).
await build({
  ...options,
  entryPoints: {
    "alert-writer-thread": `${cli}../sync/dist/store/alert-writer-thread.js`,
    "alert-reader-thread": `${cli}../sync/dist/store/alert-reader-thread.js`,
  },
  splitting: false,
});
