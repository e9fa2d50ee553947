// node:test reporter of `scripts/test.mjs`: the time of each test file (the sum of its
// top-level tests), as one JSON object { file: ms } written when the run ends; a file is named by
// its TypeScript source, not by its bundle.
import { relative } from "node:path";
import { sourceOf } from "./test-bundle.mjs";

export default async function* testTimes(source) {
  const times = {};
  for await (const event of source) {
    if ((event.type !== "test:pass" && event.type !== "test:fail") || event.data.nesting !== 0 || !event.data.file) continue;
    const file = relative(process.cwd(), sourceOf(process.env.MDE_TEST_BUNDLES ?? "", event.data.file));
    times[file] = (times[file] ?? 0) + (event.data.details?.duration_ms ?? 0);
  }
  yield `${JSON.stringify(times)}\n`;
}
