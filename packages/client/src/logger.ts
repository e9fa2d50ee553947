/**
 * A pino-compatible logger interface (`logger.info(obj, msg)`), so a pino
 * instance plugs in as is. The library logs only allow-listed fields (see
 * pipeline/log-policy.ts): never headers it does not know, bodies, secrets or
 * tokens.
 */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const noop = () => {};

/** Logs nothing. The default. */
export const silentLogger: Logger = Object.freeze({ debug: noop, info: noop, warn: noop, error: noop });

/** Checks that `value` has the four logging methods; throws a `TypeError` otherwise. */
export function checkLogger(value: unknown): Logger {
  if (value === undefined) return silentLogger;
  const l = value as Partial<Logger> | null;
  if (
    !l ||
    typeof l.debug !== "function" ||
    typeof l.info !== "function" ||
    typeof l.warn !== "function" ||
    typeof l.error !== "function"
  ) {
    throw new TypeError("logger must have debug, info, warn and error methods (a pino logger works)");
  }
  return l as Logger;
}
