import { type Clock, pause } from "../clock";
import { type Logger, silentLogger } from "../logger";

/**
 * Which share of the budget a request may use. `exit` is for requests that reduce risk (closing a
 * position, cancelling an order, an order that only reduces a position, and the reads a flatten
 * needs to confirm it): they may use the whole budget, ordinary requests all but a reserve.
 */
export type Lane = "normal" | "exit";

/** One rolling-window budget: `limit` requests per `windowMs`. */
export interface BudgetLimits {
  limit: number;
  windowMs: number;
  /** Requests per window that only the exit lane may use (default 20 % of `limit`). */
  reserved?: number;
  /**
   * Retries the exit lane may send per window (default half the reserve), so a retry loop during
   * an outage leaves room for the first attempts of other exits and for the confirmation reads.
   */
  exitRetries?: number;
}

/** How one request asks for its place in a {@link RequestBudget}. */
export interface AcquireOptions {
  /** The share of the budget it may use (default `normal`: all but the exit reserve). */
  lane?: Lane;
  /** The request repeats one that failed (counted against `exitRetries` in the exit lane). */
  retry?: boolean;
  /** Refuse (BudgetExhaustedError) rather than wait longer than this. */
  maxWaitMs?: number;
}

/**
 * A rolling-window request budget kept on the client side, a little under the gateway's documented
 * limits, so requests wait their turn instead of collecting HTTP 429s. A reserve of it belongs to
 * the exit lane, so a burst of orders or reads can never delay a flatten.
 */
export class RequestBudget {
  private readonly sent: Array<{ at: number; exitRetry: boolean }> = [];
  /** A request counts a little longer than the window: it reaches the server later than it left. */
  private readonly spanMs: number;
  readonly limit: number;
  readonly windowMs: number;
  readonly reserved: number;
  readonly exitRetries: number;

  constructor(
    limits: BudgetLimits,
    private readonly clock: Clock,
    private readonly log: Logger = silentLogger,
  ) {
    this.limit = limits.limit;
    this.windowMs = limits.windowMs;
    this.spanMs = limits.windowMs * 1.05;
    this.reserved = Math.max(0, Math.min(limits.limit - 1, Math.floor(limits.reserved ?? limits.limit * 0.2)));
    this.exitRetries = Math.max(
      1,
      Math.floor(limits.exitRetries ?? (this.reserved > 0 ? Math.ceil(this.reserved / 2) : limits.limit)),
    );
  }

  /** Requests counted in the current window: all of them, and the exit lane's retries. */
  usage(): { used: number; exitRetries: number } {
    this.prune(this.clock.now());
    return { used: this.sent.length, exitRetries: this.sent.filter((s) => s.exitRetry).length };
  }

  /**
   * Milliseconds until `n` more requests of this lane would fit the budget, counting what is sent
   * now (0: they fit at once; Infinity: never, `n` is over the lane's ceiling). Nothing is counted.
   */
  waitFor(n: number, lane: Lane = "normal"): number {
    const now = this.clock.now();
    this.prune(now);
    const ceiling = lane === "exit" ? this.limit : this.limit - this.reserved;
    const over = this.sent.length + n - ceiling;
    if (over <= 0) return 0;
    if (over > this.sent.length) return Number.POSITIVE_INFINITY;
    return Math.max(0, this.sent[over - 1]!.at + this.spanMs - now);
  }

  private prune(now: number): void {
    while (this.sent.length > 0 && this.sent[0]!.at <= now - this.spanMs) this.sent.shift();
  }

  /**
   * Resolves when one more request of this lane fits the budget, and counts it. With `maxWaitMs`,
   * rejects with BudgetExhaustedError instead of waiting longer (an order late by a minute is worse
   * than none).
   */
  async acquire(opts: AcquireOptions = {}): Promise<void> {
    const maxWaitMs = opts.maxWaitMs ?? Number.POSITIVE_INFINITY;
    const deadline = this.clock.now() + maxWaitMs;
    const exit = opts.lane === "exit";
    const exitRetry = exit && opts.retry === true;
    const ceiling = exit ? this.limit : this.limit - this.reserved;
    for (let waited = false; ; waited = true) {
      const now = this.clock.now();
      this.prune(now);
      let wait = 0;
      // Enough of the oldest requests must leave the window for this one to fit under its ceiling.
      if (this.sent.length >= ceiling) wait = this.sent[this.sent.length - ceiling]!.at + this.spanMs - now;
      if (exitRetry) {
        const retries = this.sent.filter((s) => s.exitRetry);
        if (retries.length >= this.exitRetries)
          wait = Math.max(wait, retries[retries.length - this.exitRetries]!.at + this.spanMs - now);
      }
      if (wait <= 0) {
        this.sent.push({ at: now, exitRetry });
        return;
      }
      if (now + wait > deadline) {
        if (this.log.debugEnabled)
          this.log.debug(
            `request budget: ${this.sent.length} of ${this.limit} used, refused (${Math.ceil(wait)} ms away)`,
          );
        throw new BudgetExhaustedError(this.limit, this.windowMs, wait);
      }
      if (!waited && this.log.debugEnabled)
        this.log.debug(
          `request budget: ${this.sent.length} of ${this.limit} used, a ${opts.lane ?? "normal"}-lane request waits ${Math.ceil(wait)} ms`,
        );
      await pause(this.clock, Math.max(1, Math.min(wait, 1000)));
    }
  }
}

/** The request budget is used up for longer than the caller can wait; nothing was sent. */
export class BudgetExhaustedError extends Error {
  constructor(
    readonly limit: number,
    readonly windowMs: number,
    readonly waitMs: number,
  ) {
    super(
      `the gateway's request budget (${limit} per ${windowMs / 1000} s) is used up for another ${Math.ceil(waitMs / 1000)} s: not sent`,
    );
    this.name = "BudgetExhaustedError";
  }
}

/**
 * The documented budgets (History/retrieveBars 50 per 30 s, everything else 200 per 60 s), with
 * headroom; 40 of the 190 are kept for exits, of which exit retries may use 20.
 */
export const DEFAULT_BUDGETS: { bars: BudgetLimits; other: BudgetLimits } = {
  bars: { limit: 45, windowMs: 30_000, reserved: 0 },
  other: { limit: 190, windowMs: 60_000, reserved: 40, exitRetries: 20 },
};
