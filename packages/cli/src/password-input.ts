/**
 * An operator's password for the console, never from argv (it would end up in
 * shell history and `ps`): the environment variable `MDE_PARTNER_PASSWORD`,
 * else stdin when it is piped, else a prompt on the terminal that echoes
 * nothing.
 */
import type { ReadStream } from "node:tty";
import { CliError, EXIT, usageError } from "./errors.js";
import { type CliIo, readAll } from "./io.js";

/** The environment variable a script may put the password in. */
export const PASSWORD_ENV = "MDE_PARTNER_PASSWORD";

/** Where the password came from, or that none was given. */
export async function readPassword(io: CliIo, options: { confirm?: boolean } = {}): Promise<string> {
  const fromEnv = io.env[PASSWORD_ENV];
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  if (io.stdin.isTTY === true && typeof (io.stdin as ReadStream).setRawMode === "function") {
    const first = await promptHidden(io, "password: ");
    if (options.confirm) {
      const again = await promptHidden(io, "again: ");
      if (again !== first) throw usageError("the two passwords differ");
    }
    if (first === "") throw usageError("no password given");
    return first;
  }
  // Piped: the whole of stdin, without the line end `echo` or a file adds.
  const piped = (await readAll(io.stdin)).replace(/\r?\n$/, "");
  if (piped === "") {
    throw usageError("no password given", `pipe it on stdin (e.g. from a password manager) or set ${PASSWORD_ENV}`);
  }
  return piped;
}

/** Reads one line from the terminal in raw mode, showing nothing of what is typed. */
function promptHidden(io: CliIo, prompt: string): Promise<string> {
  const input = io.stdin as ReadStream;
  io.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let value = "";
    const finish = (error?: CliError) => {
      input.off("data", onData);
      input.setRawMode(false);
      input.pause();
      io.stderr.write("\n");
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of typeof chunk === "string" ? chunk : chunk.toString("utf8")) {
        if (ch === "\r" || ch === "\n" || ch === "\u0004") return finish();
        if (ch === "\u0003") return finish(new CliError("cancelled", EXIT.failed));
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else if (ch >= " ") value += ch;
      }
    };
    input.setRawMode(true);
    input.resume();
    input.on("data", onData);
  });
}
