// The test files of `scripts/test.mjs`, each bundled with esbuild into one ES module (the workspace's
// own packages from source, through their "development" export; third-party packages stay
// imports). On Node 20 a TypeScript loader hook (tsx) runs off the main thread and costs every
// test process about a second of CPU to resolve and load its few hundred modules; a bundle costs
// none, and the suite has a hundred such processes on a 2-core machine.
import { readFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

/** Each module keeps its own `import.meta.url` (tests find fixtures, binaries and certificates beside them). */
const ownUrls = {
  name: "own-import-meta",
  setup(b) {
    b.onLoad({ filter: /\.(ts|tsx|mts|js|mjs)$/ }, async (args) => {
      if (args.path.includes("/node_modules/")) return undefined;
      const text = await readFile(args.path, "utf8");
      if (!/import\.meta\.(url|dirname|filename)/.test(text)) return undefined;
      const contents = text
        .replaceAll("import.meta.url", JSON.stringify(pathToFileURL(args.path).href))
        .replaceAll("import.meta.dirname", JSON.stringify(dirname(args.path)))
        .replaceAll("import.meta.filename", JSON.stringify(args.path));
      const ext = args.path.slice(args.path.lastIndexOf(".") + 1);
      return { contents, loader: ext === "tsx" ? "tsx" : ext === "ts" || ext === "mts" ? "ts" : "js" };
    });
    // Third-party packages load from node_modules at run time, as in production.
    b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith("@mde-partner/") ? undefined : { path: args.path, external: true }));
  },
};

/** Where the bundle of test file `file` (relative to the root) goes. */
export const bundleOf = (outdir, file) => join(outdir, file.replace(/\.ts$/, ".mjs"));

/** The test file (relative to the root) a bundle came from, or the path itself if it is no bundle. */
export const sourceOf = (outdir, path) => (outdir && path.startsWith(outdir) ? relative(outdir, path).replace(/\.mjs$/, ".ts") : path);

/** Bundles `files` (relative to `root`) into `outdir`, mirroring their paths. */
export async function bundleTests(root, files, outdir) {
  await build({
    entryPoints: files.map((f) => join(root, f)),
    outbase: root,
    outdir,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    conditions: ["development"],
    // Failures and stack traces name the TypeScript lines (the run uses --enable-source-maps).
    sourcemap: "linked",
    sourcesContent: false,
    plugins: [ownUrls],
    logLevel: "warning",
    tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true, useDefineForClassFields: true } },
  });
}
