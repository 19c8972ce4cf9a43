import { z } from "zod";
import type { Clock } from "../clock";

/** What a simulator's `GET /sim/clock` answers. */
const VenueTime = z.object({ epochMs: z.number().finite(), speed: z.number().positive() });

/** A venue clock set back by more than this is taken as set back; less is network jitter. */
const SET_BACK_MS = 1000;

/**
 * The time of the gateway simulator the connection talks to, for everything our side judges
 * (sessions, trading days, alert age, the journal): when the simulator's venue clock is set to a
 * Tuesday morning or runs 60 times faster, the rules see the same. It reads `GET /sim/clock` when
 * the connection starts and then every `everyMs`, and runs between reads at the venue's speed. A
 * gateway without `/sim/clock` (TopstepX, or a simulator that does not answer) leaves it on this
 * computer's time.
 */
export class VenueClockFollower implements Clock {
  private venueAt = Date.now();
  private realAt = this.venueAt;
  private speed = 1;
  private last = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly restUrl: string,
    private readonly everyMs = 1000,
  ) {}

  /** Epoch ms at the venue; never runs backwards unless the venue clock was set back. */
  readonly now = (): number => {
    const t = this.venueAt + (Date.now() - this.realAt) * this.speed;
    this.last = Math.max(this.last, t);
    return this.last;
  };

  /** Reads the venue's time and follows it; false (and this computer's time) when the gateway has none. */
  async start(): Promise<boolean> {
    const followed = await this.sync();
    if (followed && !this.timer) {
      this.timer = setInterval(() => void this.sync(), this.everyMs);
      this.timer.unref();
    }
    return followed;
  }

  /** Stops reading the venue's time; the clock runs on at the last speed it knew. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async sync(): Promise<boolean> {
    const sent = Date.now();
    let venue: z.infer<typeof VenueTime>;
    try {
      const r = await fetch(`${this.restUrl}/sim/clock`, { signal: AbortSignal.timeout(2000) });
      if (!r.ok) return false;
      const parsed = VenueTime.safeParse(await r.json());
      if (!parsed.success) return false;
      venue = parsed.data;
    } catch {
      return false;
    }
    const received = Date.now();
    // The answer was read half-way through the round trip, on average.
    const at = venue.epochMs + ((received - sent) / 2) * venue.speed;
    if (at < this.last - SET_BACK_MS) this.last = 0;
    this.venueAt = at;
    this.realAt = received;
    this.speed = venue.speed;
    return true;
  }
}
