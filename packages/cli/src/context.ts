import type { Logger } from "@mde-partner/client";
import { partnerHome } from "./home.js";
import { type CliIo, processIo } from "./io.js";
import { jsonText } from "./output/json-text.js";

/** What every command gets besides its own options. */
export interface CommandContext {
  readonly io: CliIo;
  /** MDE_PARTNER_HOME (config, store, emulator state). */
  readonly home: string;
  /** `--debug`: request logs on stderr and stack traces for errors. */
  readonly debug: boolean;
}

/** What a noun's `register` gets: where its actions put the exit code, and the context they run with. */
export interface Wiring {
  readonly result: { exitCode: number };
  readonly context: () => CommandContext;
}

export function createContext(options: { io?: CliIo; home?: string; debug?: boolean } = {}): CommandContext {
  const io = options.io ?? processIo();
  return { io, home: options.home ?? partnerHome(io.env), debug: options.debug === true };
}

/**
 * The `--debug` logger: one JSON line per event on stderr. Known secrets are
 * masked in every line as a second line of defence (the client itself logs
 * allow-listed fields only and never a secret or token).
 */
export function createDebugLogger(io: CliIo, secrets: readonly string[]): Logger {
  const mask = (line: string) => secrets.reduce((text, s) => (s.length >= 4 ? text.split(s).join("[redacted]") : text), line);
  const write = (level: string) => (obj: object, msg?: string) => {
    // jsonText: a logged error body can quote tenant text with C1 controls, which JSON.stringify leaves raw.
    io.stderr.write(`${mask(jsonText({ level, time: new Date().toISOString(), ...(msg ? { msg } : {}), ...obj }))}\n`);
  };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}

/**
 * A command's action: loads the noun's run code only when the command runs (so `--help` and other
 * nouns never load it), runs it with the context, and records its exit code.
 */
export function lazyAction<M, A extends unknown[]>(
  wiring: Wiring,
  load: () => Promise<M>,
  run: (module: M, context: CommandContext, ...args: A) => Promise<number>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    wiring.result.exitCode = await run(await load(), wiring.context(), ...args);
  };
}
