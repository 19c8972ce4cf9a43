/** Time as the core sees it. Inject one in tests so that expiry, sessions and P&L days are controlled. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
