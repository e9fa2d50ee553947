/** `lookBackHours` of the stats endpoints: optional, default 30 days, at most 720 (mde-api.md §5.7–§5.9). */
export const MAX_LOOK_BACK_HOURS = 720;

/** Options of the `…/stats` reads. */
export interface StatsOptions {
  /** Hours to look back (1–720; the service defaults to 30 days). */
  lookBackHours?: number;
  signal?: AbortSignal;
}

/** The query of a stats call, validating `lookBackHours`. */
export function statsQuery(options: StatsOptions): Record<string, number> | undefined {
  if (options.lookBackHours === undefined) return undefined;
  const h = options.lookBackHours;
  if (!Number.isSafeInteger(h) || h < 1 || h > MAX_LOOK_BACK_HOURS) {
    throw new TypeError(`lookBackHours must be an integer from 1 to ${MAX_LOOK_BACK_HOURS}, got ${h}`);
  }
  return { lookBackHours: h };
}
