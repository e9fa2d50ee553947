/**
 * A command's flags, declared once and typed by the options its run function
 * takes: `satisfies Flags<XxxOptions>` makes a flag without a field, a field
 * without a flag, a flag named unlike its field (`--top` ↔ `top`,
 * `--no-verify` ↔ `verify`), a value flag on a boolean field or a repeatable
 * flag without its collector a type error.
 *
 * This module loads nothing but commander: a noun's wiring stays cheap and its
 * run code is imported only when the command runs.
 */
import { type Command, Option } from "commander";
import { usageError } from "./errors.js";
import type { OutputFlags, OutputOptions } from "./output/output.js";

/** `clientSecretEnv` → `client-secret-env`. */
type Kebab<S extends string> = S extends `${infer H}${infer T}`
  ? `${H extends Lowercase<H> ? H : `-${Lowercase<H>}`}${Kebab<T>}`
  : S;
type Short = "" | `-${string}, `;
type FlagsText<K extends string, V> = [V] extends [boolean]
  ? `${Short}--${Kebab<K>}` | `--no-${Kebab<K>}`
  : `${Short}--${Kebab<K>} <${string}>`;

/** One flag of field `K` whose value is `V`. */
export type Flag<K extends string, V> = {
  flags: FlagsText<K, V>;
  description: string;
  default?: V;
  choices?: readonly string[];
  mandatory?: true;
} & ([V] extends [readonly string[]] ? { parse: (value: string, previous: V | undefined) => V } : { parse?: never });

/** Every field of `T` as a flag, in help order. */
export type Flags<T> = { [K in keyof T & string]-?: Flag<K, NonNullable<T[K]>> };

type AnyFlag = {
  flags: string;
  description: string;
  default?: unknown;
  choices?: readonly string[];
  mandatory?: true;
  parse?: (value: string, previous: unknown) => unknown;
};

/** Adds the flags to the command, in their declaration order. */
export function addFlags(command: Command, flags: object): Command {
  for (const flag of Object.values(flags) as AnyFlag[]) {
    const option = new Option(flag.flags, flag.description);
    if (flag.choices) option.choices(flag.choices);
    if (flag.default !== undefined) option.default(flag.default);
    if (flag.parse) option.argParser(flag.parse as (value: string, previous: unknown) => unknown);
    if (flag.mandatory) option.makeOptionMandatory();
    command.addOption(option);
  }
  return command;
}

/** Collector for repeatable, comma-separable options (`--tenant a --tenant b,c`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [
    ...(previous ?? []),
    ...value
      .split(",")
      .map((v) => v.trim())
      .filter((v) => v !== ""),
  ];
}

/** A hidden flag that refuses a secret given on the command line (it would end up in shell history and ps). */
export function refusedOnCommandLine(flags: string, what: string, hint: string): Option {
  return new Option(flags).hideHelp().argParser(() => {
    throw usageError(`${what} are never taken on the command line (they end up in shell history and ps)`, hint);
  });
}

/** `--json`, `-q, --quiet`. */
export const OUTPUT_FLAGS = {
  json: { flags: "--json", description: "print JSON" },
  quiet: { flags: "-q, --quiet", description: "print only data (no tables, notes or progress)" },
} satisfies Flags<OutputOptions>;

/** `--json`, `--ndjson` (streams), `-q, --quiet`. */
export const STREAM_OUTPUT_FLAGS = {
  json: OUTPUT_FLAGS.json,
  ndjson: { flags: "--ndjson", description: "print one JSON object per line (streams)" },
  quiet: OUTPUT_FLAGS.quiet,
} satisfies Flags<OutputFlags>;

export interface TenantSelectionOptions {
  tenant?: string[];
  all?: boolean;
  group?: string[];
}

/** `--group NAME` (repeatable): the tenants of customer groups. */
export const GROUP_FLAG = {
  group: { flags: "--group <name>", description: "the tenants of a customer group (repeat, or comma-separate)", parse: collect },
} satisfies Flags<{ group?: string[] }>;

/** `--tenant` (repeatable), `--all` and `--group` (repeatable). */
export const TENANT_FLAGS = {
  tenant: { flags: "--tenant <id>", description: "customer tenant (repeat, or comma-separate)", parse: collect },
  all: { flags: "--all", description: "every added tenant (the default)" },
  ...GROUP_FLAG,
} satisfies Flags<TenantSelectionOptions>;

/** `--db <url>`: the store to use instead of the configured one. */
export const DB_FLAG = {
  db: { flags: "--db <url>", description: "store URL (default: the configured one)" },
} satisfies Flags<{ db?: string }>;

/** `--concurrency <n>`: how many tenants at once. */
export const concurrencyFlag = (defaultValue: string) =>
  ({ concurrency: { flags: "--concurrency <n>", description: "tenants at once", default: defaultValue } }) satisfies Flags<{
    concurrency?: string;
  }>;

export interface WorkersOptions {
  workers?: boolean;
  db?: string;
  detach?: boolean;
}

/** `--workers`, `--db`, `--detach`: run as jobs (one per `unit`) on the distributed workers. */
export const workersFlags = (unit: string) =>
  ({
    workers: { flags: "--workers", description: `run as jobs on the distributed workers (mde-partner worker), one per ${unit}` },
    db: { flags: "--db <url>", description: "with --workers: the workers' PostgreSQL store (default: the configured one)" },
    detach: { flags: "--detach", description: "with --workers: print the batch id and return instead of following it" },
  }) satisfies Flags<WorkersOptions>;
