import { z } from "zod";
import { tickDecimals } from "../money/tick-grid";

const WholeTicks = z.coerce.number().int().positive().max(100_000);

/**
 * Breakeven: once the position is `after` ticks in profit, its stop goes to the entry plus `offset`
 * ticks on the profit side (a long's stop above its entry).
 */
export const BreakevenSpec = z
  .object({
    after: WholeTicks,
    offset: z.coerce.number().int().min(0).max(100_000).default(0),
  })
  .refine((b) => b.offset < b.after, {
    message: "offset must be fewer ticks than after (the stop would be at or through the market)",
    path: ["offset"],
  });
/** {@link BreakevenSpec}, or `false` to turn the node's default off. */
export const Breakeven = z.union([z.literal(false), BreakevenSpec]);
/** See {@link Breakeven}. */
export type Breakeven = z.infer<typeof Breakeven>;

/**
 * Trailing: once the price moved `step` ticks in favour, the stop follows `distance` ticks behind
 * the best price since entry, moved in whole steps of `step` ticks of favourable move.
 */
export const TrailSpec = z.object({
  distance: WholeTicks,
  step: WholeTicks.default(1),
});
/** {@link TrailSpec}, or `false` to turn the node's default off. */
export const Trail = z.union([z.literal(false), TrailSpec]);
/** See {@link Trail}. */
export type Trail = z.infer<typeof Trail>;

/** How a position's stop is managed: breakeven, trailing, both or neither. */
export interface StopPlan {
  breakeven?: Breakeven;
  trail?: Trail;
}

/** True when the plan moves stops at all. */
export function plansMoves(p: StopPlan | null | undefined): boolean {
  return !!p && (!!p.breakeven || !!p.trail);
}

/**
 * The plan of an entry over the node's defaults: a field the entry gave (even `false`) wins, one it
 * left out is the node's.
 */
export function effectivePlan(entry: StopPlan | null | undefined, defaults: StopPlan): StopPlan {
  return {
    breakeven: entry?.breakeven !== undefined ? entry.breakeven : defaults.breakeven,
    trail: entry?.trail !== undefined ? entry.trail : defaults.trail,
  };
}

/** What {@link managedStopLevel} needs to know of one position and its stop. */
export interface StopLevelInput {
  /** True for a long: its stop is a sell stop below the market. */
  long: boolean;
  /** The position's average price. */
  entry: number;
  tickSize: number;
  /** The most favourable exit price seen since the position opened (highest bid of a long, lowest ask of a short). */
  best: number;
  /** Where closing now would fill (the bid of a long, the ask of a short); null without a quote. */
  mark: number | null;
  /** The stop's price now. */
  stop: number;
  /** The guard stop level of the position when guard stops hold one; null otherwise. */
  guard: number | null;
  plan: StopPlan;
}

/** A stop move the plan calls for. */
export interface StopMove {
  stopPrice: number;
  /** What set the level: the breakeven or the trail (the tighter of the two when both apply). */
  reason: "breakeven" | "trail";
  /** Whole ticks of profit at the best price. */
  profitTicks: number;
}

/**
 * Where a position's stop should go under its plan, or null when it stays. The breakeven level
 * (entry + offset) applies from `after` ticks of profit; the trail level is `distance` ticks behind
 * the best price, advanced in whole `step`s of profit from the first step on; the tighter applies. The level is rounded to
 * the tick grid towards the market, kept at least a tick off the market (a stop there would fill at
 * once), and only ever tightens: null when it would not be tighter than the stop by a tick, or when
 * it would be looser than the guard level (the guard tightens the stop to its own level).
 */
export function managedStopLevel(i: StopLevelInput): StopMove | null {
  const dir = i.long ? 1 : -1;
  const tick = i.tickSize;
  const profitTicks = Math.floor(((i.best - i.entry) * dir) / tick + 1e-9);
  let ticks: number | null = null;
  let reason: StopMove["reason"] = "breakeven";
  const be = i.plan.breakeven;
  if (be && profitTicks >= be.after) ticks = be.offset;
  const tr = i.plan.trail;
  if (tr && profitTicks >= tr.step) {
    const t = Math.floor(profitTicks / tr.step) * tr.step - tr.distance;
    if (ticks === null || t > ticks) {
      ticks = t;
      reason = "trail";
    }
  }
  if (ticks === null) return null;
  let price = roundTowards(i.entry + dir * ticks * tick, tick, i.long);
  if (i.mark !== null) {
    const edge = i.mark - dir * tick;
    if (i.long ? price > edge : price < edge) price = roundTowards(edge, tick, !i.long);
  }
  const tighter = (a: number, b: number) => (i.long ? a - b : b - a) >= tick / 2;
  if (!tighter(price, i.stop)) return null;
  if (i.guard !== null && tighter(i.guard, price)) return null;
  return { stopPrice: price, reason, profitTicks };
}

/** Rounds to the tick grid towards +∞ (`up`) or −∞, free of float residue. */
function roundTowards(price: number, tick: number, up: boolean): number {
  const t = price / tick;
  const n = up ? Math.ceil(t - 1e-9) : Math.floor(t + 1e-9);
  return Number((n * tick).toFixed(tickDecimals(tick)));
}
