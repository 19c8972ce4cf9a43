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

  /**
   * Resolves when one more request fits the budget, and counts it. With `maxWaitMs`, rejects with
   * BudgetExhaustedError instead of waiting longer (an order late by a minute is worse than none).
   */
  async acquire(maxWaitMs = Number.POSITIVE_INFINITY): Promise<void> {
    const deadline = this.clock.now() + maxWaitMs;
    for (;;) {
      const now = this.clock.now();
      while (this.times.length > 0 && this.times[0]! <= now - this.spanMs) this.times.shift();
      if (this.times.length < this.limit) {
        this.times.push(now);
        return;
      }
      const wait = this.times[0]! + this.spanMs - now;
      if (now + wait > deadline) throw new BudgetExhaustedError(this.limit, this.windowMs, wait);
      await new Promise((r) => setTimeout(r, Math.max(1, Math.min(wait, 1000))));
    }
  }
}

/** The request budget is used up for longer than the caller can wait; nothing was sent. */
export class BudgetExhaustedError extends Error {
  constructor(readonly limit: number, readonly windowMs: number, readonly waitMs: number) {
    super(`the gateway's request budget (${limit} per ${windowMs / 1000} s) is used up for another ${Math.ceil(waitMs / 1000)} s: not sent`);
    this.name = "BudgetExhaustedError";
  }
}

/** The documented budgets (History/retrieveBars 50 per 30 s, everything else 200 per 60 s), with headroom. */
export const DEFAULT_BUDGETS = {
  bars: { limit: 45, windowMs: 30_000 },
  other: { limit: 190, windowMs: 60_000 },
} as const;
