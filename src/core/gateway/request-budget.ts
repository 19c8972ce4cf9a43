import type { Clock } from "../clock";

/**
 * A rolling-window request budget kept on the client side, a little under the gateway's documented
 * limits, so requests wait their turn instead of collecting HTTP 429s.
 */
export class RequestBudget {
  private readonly times: number[] = [];
  /** A request counts a little longer than the window: it reaches the server later than it left. */
  private readonly spanMs: number;

  constructor(readonly limit: number, readonly windowMs: number, private readonly clock: Clock) {
    this.spanMs = windowMs * 1.05;
  }

  /** Resolves when one more request fits the budget, and counts it. */
  async acquire(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      while (this.times.length > 0 && this.times[0]! <= now - this.spanMs) this.times.shift();
      if (this.times.length < this.limit) {
        this.times.push(now);
        return;
      }
      const wait = this.times[0]! + this.spanMs - now;
      await new Promise((r) => setTimeout(r, Math.max(1, Math.min(wait, 1000))));
    }
  }
}

/** The documented budgets (History/retrieveBars 50 per 30 s, everything else 200 per 60 s), with headroom. */
export const DEFAULT_BUDGETS = {
  bars: { limit: 45, windowMs: 30_000 },
  other: { limit: 190, windowMs: 60_000 },
} as const;
