/**
 * The simulator's own time: every timestamp it gives (orders, trades, bars, quotes, tokens) and
 * every "is it a trading day" it answers. Real time by default; set to an instant, run faster, or
 * moved forward through `/sim/clock`, so a week of sessions can be tried in minutes and a weekend
 * can be a Tuesday morning. It runs on top of a base clock (the process's time, or a test's).
 */
export class VenueClock {
  private anchorVenue: number;
  private anchorBase: number;
  private rate: number;

  constructor(
    private readonly base: () => number = Date.now,
    start?: number,
    speed = 1,
  ) {
    this.anchorBase = base();
    this.anchorVenue = start ?? this.anchorBase;
    this.rate = checkSpeed(speed);
  }

  /** Epoch milliseconds at the venue. */
  readonly now = (): number => this.anchorVenue + (this.base() - this.anchorBase) * this.rate;

  /** How many venue milliseconds pass per millisecond of the base clock. */
  get speed(): number {
    return this.rate;
  }

  /**
   * Moves the clock: to `time` (epoch ms), forward by `advance` ms, and/or to another `speed`, from
   * now on. Time never runs backwards unless `time` says so explicitly.
   */
  set(change: { time?: number; advance?: number; speed?: number }): void {
    const venue = (change.time ?? this.now()) + (change.advance ?? 0);
    this.anchorBase = this.base();
    this.anchorVenue = venue;
    if (change.speed !== undefined) this.rate = checkSpeed(change.speed);
  }
}

function checkSpeed(speed: number): number {
  if (!Number.isFinite(speed) || speed <= 0 || speed > 10_000) {
    throw new RangeError(`speed ${speed}: give a number above 0, at most 10000`);
  }
  return speed;
}

/** An instant from the command line or the control API: epoch ms, or an ISO 8601 time with its offset. */
export function parseInstant(value: string | number): number {
  const ms = typeof value === "number" ? value : /^\d+$/.test(value.trim()) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms))
    throw new RangeError(`"${value}" is not a time: give ISO 8601 (2026-12-01T09:30:00-06:00) or epoch ms`);
  return ms;
}
