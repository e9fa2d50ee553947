import { createInterface } from "node:readline/promises";
import type { CliIo } from "../io.js";

/**
 * Asks yes/no on a terminal. Without a terminal (scripts, CI) there is nobody
 * to ask: the command goes ahead, as `--yes` would.
 */
export async function confirm(io: CliIo, question: string): Promise<boolean> {
  if (io.stdin.isTTY !== true || io.stderr.isTTY !== true) return true;
  const rl = createInterface({ input: io.stdin, output: io.stderr as NodeJS.WritableStream });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
