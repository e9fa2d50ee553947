import type { CliStream } from "../io.js";

/** ANSI styling that turns itself off where it does not belong. */
export interface Palette {
  readonly enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

/**
 * Colour only on a terminal, never when `NO_COLOR` is set to a non-empty value
 * (https://no-color.org) or `TERM=dumb`; `FORCE_COLOR` (non-empty, not "0") forces it.
 */
export function colorEnabled(stream: CliStream, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "" && env.FORCE_COLOR !== "0") return true;
  if (env.TERM === "dumb") return false;
  return stream.isTTY === true;
}

export function createPalette(enabled: boolean): Palette {
  const wrap = (open: number, close: number) => (text: string) => (enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text);
  return Object.freeze({
    enabled,
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
  });
}

const ANSI = /\u001b\[[0-9;]*m/g;

/** Printed width of a string (escape sequences take no room). */
export function visibleLength(text: string): number {
  return text.replace(ANSI, "").length;
}
