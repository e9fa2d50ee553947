/**
 * `mde-partner serve` and `worker`: the partner console and its distributed
 * workers come with @mde-partner/server. Until that package exports them, the
 * commands exist and say so plainly (exit 1) instead of pretending.
 */
import { CliError, EXIT } from "../errors.js";

export async function runNotAvailable(what: "serve" | "worker"): Promise<number> {
  const server = (await import("@mde-partner/server").catch(() => ({}))) as Record<string, unknown>;
  const entry = what === "serve" ? server.runServe : server.runWorker;
  if (typeof entry === "function") return (await (entry as () => Promise<number>)()) ?? EXIT.ok;
  throw new CliError(
    what === "serve"
      ? "the partner console (mde-partner serve) is not available in this build yet"
      : "mde-partner worker is not available in this build yet",
    EXIT.failed,
    "meanwhile, mde-partner sync --watch keeps the store current",
  );
}
