import { createInterface } from "node:readline/promises";
import { usageError } from "../errors.js";
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

/**
 * Asks before something that cannot be undone (offboarding a machine, deleting a library
 * file). Unlike {@link confirm}, without a terminal it refuses: a script must say `--yes`
 * for it, so a pipeline never does it by accident.
 */
export async function confirmIrreversible(io: CliIo, question: string, command: string): Promise<boolean> {
  refuseUnattended(io, command);
  return confirm(io, question);
}

/** Throws the usage error of {@link confirmIrreversible} when there is no terminal to ask (call it before doing anything). */
export function refuseUnattended(io: CliIo, command: string): void {
  if (io.stdin.isTTY !== true || io.stderr.isTTY !== true)
    throw usageError(`${command} cannot be undone and there is no terminal to ask`, `run it again with --yes to confirm`);
}
