/** The process edges a command touches, injectable so commands are tested as plain functions. */
export interface CliStream {
  write(chunk: string): boolean;
  isTTY?: boolean | undefined;
  columns?: number | undefined;
}

export interface CliIo {
  stdout: CliStream;
  stderr: CliStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean | undefined };
  env: NodeJS.ProcessEnv;
}

/** The real process streams and environment. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}

/** Reads all of stdin as text (for `token inspect -`). */
export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

const BROKEN_PIPE_HANDLED = Symbol.for("mde-partner.broken-pipe-handled");

/**
 * `mde-partner … | head`: when the reader of stdout goes away, stop at once and
 * quietly with exit 0, as Unix tools do, instead of a stack trace (Node ignores
 * SIGPIPE, so the write fails with EPIPE). An EPIPE on stderr is ignored (there
 * is nobody left to tell). Installed once per stream, however often it is called.
 */
export function exitQuietlyOnBrokenPipe(
  stdout: NodeJS.WriteStream = process.stdout,
  stderr: NodeJS.WriteStream = process.stderr,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  const mark = (stream: NodeJS.WriteStream) => {
    const flagged = stream as NodeJS.WriteStream & { [BROKEN_PIPE_HANDLED]?: boolean };
    if (flagged[BROKEN_PIPE_HANDLED]) return false;
    flagged[BROKEN_PIPE_HANDLED] = true;
    return true;
  };
  if (mark(stdout)) {
    stdout.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") exit(0);
      else throw error;
    });
  }
  if (mark(stderr)) {
    stderr.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
    });
  }
}
