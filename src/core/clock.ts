/** Time as the core sees it. Inject one in tests so that expiry, sessions and P&L days are controlled. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /**
   * Resolves after `ms` of this clock's time. Optional: without it waits use the timers of the
   * process. A test clock that drives its own time provides it, so retry and budget waits run on it.
   */
  sleep?(ms: number): Promise<void>;
  /**
   * Optional: a clock that follows another's time (a simulator's venue clock) learns it here. The
   * connection calls it before logging in, so nothing it judges runs on another time.
   */
  start?(): Promise<unknown>;
  /** Optional: stops following (called when the connection stops). */
  stop?(): void;
}

/**
 * The process's wall clock, the default wherever a clock is optional. It has no `sleep`, so waits
 * on it use the process timers.
 */
export const systemClock: Clock = { now: () => Date.now() };

/** Waits `ms` on `clock` (its own `sleep` when it has one, the process timers otherwise). */
export function pause(clock: Clock, ms: number): Promise<void> {
  if (clock.sleep) return clock.sleep(Math.max(0, ms));
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}
