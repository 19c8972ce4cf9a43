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
