// node:test reporter of `scripts/test.mjs`: the time of each test file (the sum of its
// top-level tests), as one JSON object { file: ms } written when the run ends.
import { relative } from "node:path";

export default async function* testTimes(source) {
  const times = {};
  for await (const event of source) {
    if ((event.type !== "test:pass" && event.type !== "test:fail") || event.data.nesting !== 0 || !event.data.file) continue;
    const file = relative(process.cwd(), event.data.file);
    times[file] = (times[file] ?? 0) + (event.data.details?.duration_ms ?? 0);
  }
  yield `${JSON.stringify(times)}\n`;
}
