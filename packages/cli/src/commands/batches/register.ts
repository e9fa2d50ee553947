/** `mde-partner batches`: hunts and response actions run by the distributed workers. */
import type { Command } from "commander";
import { lazyAction, type Wiring } from "../../context.js";
import { addFlags, type Flags, STREAM_OUTPUT_FLAGS } from "../../flags.js";
import type { BatchesOptions } from "./run.js";

const DB = {
  db: { flags: "--db <url>", description: "the workers' PostgreSQL store (default: the configured one)" },
  ...STREAM_OUTPUT_FLAGS,
} satisfies Flags<Omit<BatchesOptions, "state" | "top">>;

const LIST = {
  state: { flags: "--state <state>", description: "running or done" },
  top: { flags: "--top <n>", description: "at most this many", default: "20" },
  ...DB,
} satisfies Flags<BatchesOptions>;

const PRUNE = {
  olderThan: { flags: "--older-than <age>", description: "finished before this long ago (e.g. 30d) or an ISO time" },
  ...DB,
} satisfies Flags<Omit<BatchesOptions, "state" | "top"> & { olderThan?: string }>;

export function register(batches: Command, wiring: Wiring): void {
  addFlags(batches.command("list").description("the newest batches and their progress"), LIST).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, options: BatchesOptions) => m.runBatchesList(options, ctx)));
  addFlags(batches.command("show").description("a batch's results so far").argument("<batch-id>"), DB).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, id: string, options: BatchesOptions) => m.runBatchesShow(id, options, ctx)));
  addFlags(batches.command("wait").description("follow a batch to its end, then print its results").argument("<batch-id>"), DB).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, id: string, options: BatchesOptions) => m.runBatchesShow(id, { ...options, wait: true }, ctx)));
  addFlags(batches.command("prune").description("delete finished batches and their results"), PRUNE).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, options: BatchesOptions & { olderThan?: string }) => m.runBatchesPrune(options, ctx)));
}
