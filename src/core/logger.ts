/**
 * Where the core writes what it is doing. Debug messages cost nothing when nobody reads them:
 * callers test `debugEnabled` before building one, and nothing on a per-quote path logs at all.
 */
export interface Logger {
  /** Whether debug messages are wanted; test it before formatting one. */
  readonly debugEnabled: boolean;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const nothing = (): void => undefined;

/** The default logger: writes nothing. */
export const silentLogger: Logger = {
  debugEnabled: false,
  debug: nothing,
  info: nothing,
  warn: nothing,
  error: nothing,
};

/** A logger whose messages start with `prefix` (e.g. the hub or account they concern). */
export function prefixedLogger(log: Logger, prefix: string): Logger {
  if (log === silentLogger) return log;
  return {
    get debugEnabled() {
      return log.debugEnabled;
    },
    debug: (m) => log.debug(`${prefix}${m}`),
    info: (m) => log.info(`${prefix}${m}`),
    warn: (m) => log.warn(`${prefix}${m}`),
    error: (m) => log.error(`${prefix}${m}`),
  };
}
