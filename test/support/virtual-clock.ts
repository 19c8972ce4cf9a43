import type { Clock } from "../../src/core/clock";
import { SESSION_INSTANT } from "./clock";

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
}

/** Something that happens at a virtual instant while {@link VirtualClock.runUntil} drives time. */
export interface ClockEvent {
  at: number;
  run: () => unknown;
}

const turn = () => new Promise<void>((r) => setImmediate(r));

/**
 * A clock whose time moves only when a test drives it: waits made through `sleep` (the REST
 * client's budget and backoff, the exits' retries) are timers on this clock, fired in order by
 * `runUntil` whenever no request is on the wire. A minute of rate-limit windows then takes
 * milliseconds, and what a test measures in this clock's time does not depend on the machine's load.
 */
export class VirtualClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(start = SESSION_INSTANT) {
    this.t = start;
  }

  readonly now = (): number => this.t;

  readonly sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      this.timers.push({ at: this.t + Math.max(0, ms), seq: this.seq++, resolve });
    });

  /** Waits made on this clock that have not fired yet. */
  get sleepers(): number {
    return this.timers.length;
  }

  /**
   * Drives time until `done()` holds: whenever `busy()` says nothing is on the wire and someone
   * sleeps on this clock, time jumps to the earliest timer (or to the next `events` instant, whose
   * action runs first). Fails after `maxVirtualMs` of this clock or 20 s of the machine's.
   */
  async runUntil(
    done: () => boolean,
    o: { busy: () => boolean; events?: ClockEvent[]; maxVirtualMs?: number; what?: string },
  ): Promise<void> {
    const events = [...(o.events ?? [])].sort((a, b) => a.at - b.at);
    const startVirtual = this.t;
    const endVirtual = this.t + (o.maxVirtualMs ?? 30 * 60_000);
    const endReal = Date.now() + 20_000;
    for (;;) {
      if (done()) return;
      if (Date.now() > endReal)
        throw new Error(
          `timed out (machine time) waiting for ${o.what ?? "the condition"} (${this.t - startVirtual} ms of virtual time passed)`,
        );
      if (this.t > endVirtual) throw new Error(`timed out (virtual time) waiting for ${o.what ?? "the condition"}`);
      // Idle means: nothing on the wire for two turns of the event loop, and someone asleep.
      await turn();
      if (done()) return;
      if (o.busy() || this.timers.length === 0) {
        await new Promise((r) => setTimeout(r, 1));
        continue;
      }
      await turn();
      if (o.busy()) continue;
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers[0]!.at;
      if (events.length > 0 && events[0]!.at <= next) {
        const ev = events.shift()!;
        this.t = Math.max(this.t, ev.at);
        await ev.run();
        continue;
      }
      this.t = Math.max(this.t, next);
      const due = this.timers.filter((x) => x.at <= this.t);
      this.timers = this.timers.filter((x) => x.at > this.t);
      for (const x of due) x.resolve();
    }
  }
}
