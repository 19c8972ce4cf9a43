import { entry } from "./map-entry";

/**
 * Rolling-window request counting per key, as the gateway's documented budgets: 50 requests per
 * 30 s for History/retrieveBars, 200 per 60 s for everything else.
 */
export class RateLimiter {
  private readonly logs = new Map<string, { times: number[]; head: number }>();

  /**
   * Records a request at `now` if it fits the budget and returns 0; otherwise returns the
   * milliseconds until a slot frees up, and records nothing.
   */
  take(key: string, limit: number, windowMs: number, now: number): number {
    const log = entry(this.logs, key, () => ({ times: [], head: 0 }));
    const { times } = log;
    while (log.head < times.length && times[log.head]! <= now - windowMs) log.head++;
    if (log.head > 1024) {
      times.splice(0, log.head);
      log.head = 0;
    }
    if (times.length - log.head >= limit) return times[log.head]! + windowMs - now;
    times.push(now);
    return 0;
  }

  reset(): void {
    this.logs.clear();
  }
}
