/** What the per-tenant sync passes share: progress reporting and the graceful stop between pages. */
import type { SyncProgressEvent } from "./types.js";

/** Reports progress; a progress renderer's bug must not break a sync. */
export function emitProgress(onProgress: ((event: SyncProgressEvent) => void) | undefined, event: SyncProgressEvent): void {
  try {
    onProgress?.(event);
  } catch {
    // ignored on purpose (see above)
  }
}

/** Thrown inside a run to stop after the page that just committed. */
export class Stopped extends Error {
  override name = "AbortError";
}
