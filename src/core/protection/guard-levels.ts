import { tickDecimals } from "../money/tick-grid";

/** One open position as the guard-level computation needs it. */
export interface GuardPosition {
  contractId: string;
  /** Signed: positive long, negative short. */
  size: number;
  averagePrice: number;
  tickSize: number;
  tickValue: number;
  /** Fees and commissions of closing one contract (one side). */
  costPerSide: number;
  /** Where closing now would fill: the bid for a long, the ask for a short; null without a quote. */
  mark: number | null;
}

/** Where one position's guard stop goes, and what it allows that position to lose. */
export interface GuardLevel {
  contractId: string;
  /** Contracts the guard protects (the position's size, unsigned). */
  quantity: number;
  /** True for a long position: its guard is a sell stop below the market. */
  long: boolean;
  /** The stop price, on the tick grid, rounded towards the market (the safe side). */
  stopPrice: number;
  /**
   * Ticks of room each position got from its anchor: every position gets the same number of ticks
   * (the shared headroom is split in proportion to each position's dollars per tick).
   */
  roomTicks: number;
  /**
   * `entry`: the headroom is measured from the positions' average prices, so the level stays put as
   * prices move; `market`: from the current marks, used when an entry-anchored level would already
   * be at or through the market of some position (several positions, one deep in loss).
   */
  anchor: "entry" | "market";
  /** The market is at or through the level: a stop there would fill at once (the rules flatten instead). */
  inside: boolean;
}

/** What {@link guardLevels} needs: the account now, the equity to keep, and the gap allowance. */
export interface GuardLevelsInput {
  /** Realized balance (fees and commissions of past fills already taken). */
  balance: number;
  /** The equity the guards keep: the tightest floor in force (MLL floor + buffer, a flattening daily limit). */
  floor: number;
  positions: ReadonlyArray<GuardPosition>;
  /** Ticks of slippage each guard fill is allowed past its stop price. */
  slippageTicks: number;
}

/** Rounds a price to the tick grid towards +∞ (`up`) or −∞, free of float residue. */
function roundToTick(price: number, tickSize: number, up: boolean): number {
  const ticks = price / tickSize;
  const n = up ? Math.ceil(ticks - 1e-9) : Math.floor(ticks + 1e-9);
  return Number((n * tickSize).toFixed(tickDecimals(tickSize)));
}

/**
 * The guard stop of every open position such that all of them filling together, each `slippageTicks`
 * past its stop and paying its closing fees and commissions, leaves equity at or above `floor`.
 *
 * Allocation: the headroom (balance − closing costs − floor, measured from the average prices) is
 * shared so that every position gets the same number of ticks of room; a position's share is thus
 * proportional to its dollars per tick (tick value × contracts). When that would put some stop at or
 * through its market (only possible with several positions, one already losing more than its share),
 * the headroom is measured from the current marks instead (equity now − floor), shared the same way.
 * Each stop is then rounded to the tick grid towards the market, which only adds margin.
 */
export function guardLevels(input: GuardLevelsInput): GuardLevel[] {
  const held = input.positions.filter((p) => p.size !== 0);
  if (held.length === 0) return [];
  const costs = held.reduce((n, p) => n + p.costPerSide * Math.abs(p.size), 0);
  const perTick = held.reduce((n, p) => n + p.tickValue * Math.abs(p.size), 0);
  const fromEntry = levelsFrom(held, (p) => p.averagePrice, (input.balance - costs - input.floor) / perTick, input);
  if (!fromEntry.some((l) => l.inside)) return fromEntry;
  // Marks are needed to measure from the market; without them the entry levels stand (and say "inside").
  if (held.some((p) => p.mark === null)) return fromEntry;
  const openPnl = held.reduce((n, p) => n + ((p.mark! - p.averagePrice) / p.tickSize) * p.tickValue * p.size, 0);
  const room = (input.balance + openPnl - costs - input.floor) / perTick;
  return levelsFrom(held, (p) => p.mark!, room, input).map((l) => ({ ...l, anchor: "market" as const }));
}

function levelsFrom(
  held: ReadonlyArray<GuardPosition>,
  anchorOf: (p: GuardPosition) => number,
  roomTicks: number,
  input: GuardLevelsInput,
): GuardLevel[] {
  return held.map((p) => {
    const long = p.size > 0;
    const dir = long ? 1 : -1;
    // The fill may come `slippageTicks` past the stop: the stop sits that much nearer the market.
    const raw = anchorOf(p) - dir * (roomTicks - input.slippageTicks) * p.tickSize;
    const stopPrice = roundToTick(raw, p.tickSize, long);
    const inside = p.mark !== null && (long ? stopPrice >= p.mark : stopPrice <= p.mark);
    return {
      contractId: p.contractId,
      quantity: Math.abs(p.size),
      long,
      stopPrice,
      roomTicks,
      anchor: "entry",
      inside,
    };
  });
}
