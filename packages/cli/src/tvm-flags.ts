/**
 * `--tvm-interval` and `--no-tvm` of `sync` and `worker`: how often each
 * tenant's vulnerability-management snapshot is taken (the engine's
 * `tvmIntervalMs`, default 6 h; TVM data changes slowly, so it is not read on
 * every alert pass), or not at all.
 */
import type { Flags } from "./flags.js";
import { parseDuration } from "./duration.js";

export interface TvmFlagOptions {
  tvm?: boolean;
  tvmInterval?: string;
}

export const TVM_FLAGS = {
  tvm: { flags: "--no-tvm", description: "skip the vulnerability-management (TVM) snapshots" },
  tvmInterval: {
    flags: "--tvm-interval <duration>",
    description: "time between two TVM snapshots of a tenant (default 6h; 0 takes one every pass)",
  },
} satisfies Flags<TvmFlagOptions>;

/** The engine options of the flags (nothing when neither is given: the engine's defaults). */
export function tvmEngineOptions(options: TvmFlagOptions): { tvm?: boolean; tvmIntervalMs?: number } {
  return {
    ...(options.tvm === false ? { tvm: false } : {}),
    ...(options.tvmInterval !== undefined
      ? { tvmIntervalMs: parseDuration("--tvm-interval", options.tvmInterval, { minMs: 0, maxMs: 7 * 24 * 3_600_000 }) }
      : {}),
  };
}
