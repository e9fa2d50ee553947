/** Injectable time source: the emulator never calls Date.now() directly. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to; for tests of expiry and windows. */
export interface ManualClock extends Clock {
  set(ms: number): void;
  advance(ms: number): void;
}

export function createManualClock(start = Date.UTC(2026, 0, 1)): ManualClock {
  let current = start;
  return {
    now: () => current,
    set: (ms) => {
      current = ms;
    },
    advance: (ms) => {
      current += ms;
    },
  };
}

/**
 * MDE timestamps: ISO-8601 UTC with seven fractional digits (.NET ticks), as the
 * documented payloads show (`2021-01-26T20:33:57.7220239Z`). The fixed width keeps
 * string order equal to time order, which the store's indexes rely on.
 */
export function toMdeTime(ms: number, extraTicks = 0): string {
  const iso = new Date(ms).toISOString(); // 2021-01-26T20:33:57.722Z
  const ticks = String(Math.max(0, Math.min(9999, Math.trunc(extraTicks)))).padStart(4, "0");
  return `${iso.slice(0, 23)}${ticks}Z`;
}

/** The token endpoint's `timestamp` form: `2016-01-09 02:02:12Z`. */
export function toStsTimestamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")}Z`;
}
