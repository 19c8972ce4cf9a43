/** How long an exit's room is held for its fill to show in the position, at most. */
const EXIT_HOLD_MS = 5_000;

/**
 * The exits at market on their way, per contract, that the guard stops make room for. Each is
 * counted from its announcement until the position event that follows it (its fill shown in the
 * position), so the guard covers what will be left, whether or not the book shows the fill yet: an
 * exit's answer can come before its fill event, and a guard grown back meanwhile would rest on a
 * position already closed.
 */
export class ExitsInFlight {
  /** `qty` contracts leaving a position that was `before` contracts (less those since seen leave). */
  private readonly exits = new Map<string, { qty: number; before: number }>();
  /** Position events seen per contract, and the exits waiting for the next one. */
  private readonly events = new Map<string, number>();
  private readonly waiters = new Map<string, Set<() => void>>();
  private stopped = false;

  /** @param changed - called whenever an exit's room is given back (the guard then reconciles). */
  constructor(private readonly changed: () => void) {}

  /**
   * Counts an exit of `quantity` contracts from a position of `position` now. Returns the function
   * to call once the exit is sent (`true`: its room is held until the next position event, 5 s at
   * most) or was not (`false`: given back at once).
   */
  announce(contractId: string, quantity: number, position: number): (sent?: boolean) => void {
    const q = Math.abs(quantity);
    const seen = this.events.get(contractId) ?? 0;
    const e = this.exits.get(contractId) ?? { qty: 0, before: position };
    e.qty += q;
    this.exits.set(contractId, e);
    let released = false;
    const giveBack = (reflected: boolean) => {
      e.qty -= q;
      if (reflected) e.before -= q;
      if (e.qty <= 0 && this.exits.get(contractId) === e) this.exits.delete(contractId);
      this.changed();
    };
    return (sent = true) => {
      if (released) return;
      released = true;
      if (sent) this.afterEvent(contractId, seen, giveBack);
      else giveBack(false);
    };
  }

  /** What the guard may cover of a position of `position` contracts: what the exits on their way leave. */
  held(contractId: string, position: number): number {
    const e = this.exits.get(contractId);
    return Math.max(0, e ? Math.min(position, e.before - e.qty) : position);
  }

  /** A position event of the contract: exits waiting for their fill to show give their room back. */
  onPosition(contractId: string): void {
    this.events.set(contractId, (this.events.get(contractId) ?? 0) + 1);
    const waiting = this.waiters.get(contractId);
    this.waiters.delete(contractId);
    for (const w of waiting ?? []) w();
  }

  /** Gives every held room back now (the guard stops). */
  stop(): void {
    this.stopped = true;
    for (const [id, ws] of [...this.waiters]) {
      this.waiters.delete(id);
      for (const w of ws) w();
    }
  }

  /**
   * Calls `done(true)` at the first position event of the contract after the `seen`-th (at once if
   * it came already), `done(false)` after 5 s without one. Events are counted, not positions
   * compared: a position closed and opened again to the same size still moved.
   */
  private afterEvent(contractId: string, seen: number, done: (moved: boolean) => void): void {
    if ((this.events.get(contractId) ?? 0) > seen || this.stopped) {
      done(true);
      return;
    }
    let over = false;
    const finish = (moved: boolean) => {
      if (over) return;
      over = true;
      clearTimeout(timer);
      done(moved);
    };
    const timer = setTimeout(() => finish(false), EXIT_HOLD_MS);
    timer.unref();
    const waiting = this.waiters.get(contractId) ?? new Set<() => void>();
    waiting.add(() => finish(true));
    this.waiters.set(contractId, waiting);
  }
}
