import { type ILogger, LogLevel } from "@microsoft/signalr";
import type { Logger } from "../logger";

/** At most this many SignalR messages per window reach the log; the rest are counted and summarized. */
const BURST = 30;
const WINDOW_MS = 10_000;

/**
 * SignalR's own log, written to ours: Information and Debug at debug, Warning and worse at warn.
 * Trace (a line per message received or sent) never passes, so quotes and depth never log per
 * event, and bursts beyond {@link BURST} lines per 10 s are summed up in one line. Access tokens in
 * URLs are masked.
 */
export class SignalRLogger implements ILogger {
  private windowStart = 0;
  private inWindow = 0;
  private suppressed = 0;

  constructor(
    private readonly out: Logger,
    private readonly hub: string,
    private readonly now: () => number = Date.now,
  ) {}

  log(level: LogLevel, message: string): void {
    if (level < LogLevel.Debug || level === LogLevel.None) return;
    const t = this.now();
    if (t - this.windowStart >= WINDOW_MS) {
      if (this.suppressed > 0)
        this.out.debug(`${this.hub} hub: SignalR: ${this.suppressed} more messages in the last 10 s not logged`);
      this.windowStart = t;
      this.inWindow = 0;
      this.suppressed = 0;
    }
    if (++this.inWindow > BURST) {
      this.suppressed++;
      return;
    }
    const text = `${this.hub} hub: SignalR ${LogLevel[level]}: ${message.replace(/access_token=[^&\s'"]+/g, "access_token=***")}`;
    if (level >= LogLevel.Warning) this.out.warn(text);
    else this.out.debug(text);
  }
}
