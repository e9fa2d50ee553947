// Every package's code and tests must work from a fresh clone: nothing under
// packages/*/src or packages/*/test may read or cite a file outside the
// repository (the reference folder some sessions had next to it, a path in the
// parent directory). Facts live in docs/reference, example payloads in
// docs/reference/examples.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url)).replace(/[\\/]$/, "");
const TEXT = /\.(ts|mts|cts|js|mjs|cjs|py|sh|json|md|html|css|sql)$/;
// Spelled in pieces, so that this file does not trip its own check (nor the hooks that look for the same).
const REFERENCE_FOLDER = ["shared", "reference"].join("/");
const UP4 = "../".repeat(4);

function walk(dir: string, out: string[] = []): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    if (name === "node_modules" || name === "dist") continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (TEXT.test(name)) out.push(full);
  }
  return out;
}

/**
 * Where a file reaches outside the repository: the old reference folder, or a
 * `../` chain that climbs above the root. Absolute system paths (`/usr/bin/…`,
 * `/tmp/…`) are the machine's, not a checkout's neighbours, and pass.
 */
export function outsideReferences(file: string, text: string, repoRoot: string): string[] {
  const found: string[] = [];
  const inside = (p: string) => p === repoRoot || p.startsWith(repoRoot + sep);
  text.split("\n").forEach((line, i) => {
    const where = `${relative(repoRoot, file)}:${i + 1}`;
    if (line.includes(REFERENCE_FOLDER)) found.push(`${where} cites ${REFERENCE_FOLDER}`);
    for (const m of line.matchAll(/(?<![\w.])((?:\.\.\/)+)/g)) {
      const target = resolve(dirname(file), m[1] ?? "");
      if (!inside(target)) found.push(`${where} climbs out of the repository with '${m[1]}'`);
    }
  });
  return found;
}

test("no file under packages/*/src or packages/*/test reads or cites a path outside the repository", () => {
  const files = readdirSync(join(root, "packages")).flatMap((pkg) => ["src", "test"].flatMap((part) => walk(join(root, "packages", pkg, part))));
  assert.ok(files.length > 100, `found only ${files.length} files under ${root}/packages`);
  const problems = files.flatMap((file) => outsideReferences(file, readFileSync(file, "utf8"), root));
  assert.deepEqual(problems, []);
});

test("the check catches what it is for (and lets paths inside the repository pass)", () => {
  const file = join(root, "packages", "pkg", "test", "x.test.ts");
  assert.equal(outsideReferences(file, 'readFileSync(new URL("../../../docs/reference/examples/a.json", import.meta.url))', root).length, 0);
  assert.equal(outsideReferences(file, `new URL("${UP4}${REFERENCE_FOLDER}/examples/", import.meta.url)`, root).length, 2);
  assert.equal(outsideReferences(file, `// facts: see ${UP4}elsewhere/notes.md`, root).length, 1);
  assert.equal(outsideReferences(file, ` * Sources: ../${REFERENCE_FOLDER}/mde-api.md §1.3`, root).length, 1);
  assert.equal(outsideReferences(file, 'const bin = "/usr/bin/python3"; const f = "/tmp/.cache/x";', root).length, 0);
});
