import { CliError, EXIT } from "../errors.js";
import type { CommandContext } from "../context.js";

/** Options of `mde-partner worker`. */
export interface WorkerCommandOptions {
  /** PostgreSQL URL of the shared store and queue (required). */
  db?: string;
  /** Tenants this worker syncs at once. */
  concurrency?: string;
  /** How often each tenant is synced (e.g. 5m). */
  interval?: string;
}

/** `mde-partner worker`: a distributed sync worker (pg-boss on PostgreSQL). */
export async function runWorkerCommand(_options: WorkerCommandOptions, _ctx: CommandContext): Promise<number> {
  throw new CliError("mde-partner worker is not available in this build yet", EXIT.failed, "meanwhile, mde-partner sync --watch keeps the store current");
}
