import { StrategyPosition } from "../orders/order-intent";
import { AlertError, fail, show } from "./alert-error";
import { type Given, POSITION_KEYS } from "./alert-fields";
import { positionSize, type Side, text } from "./coerce";

/**
 * The strategy's market position around the order (`OrderIntent.strategyPosition`):
 * `marketPosition` ({{strategy.market_position}}: long, short or flat once this order fills),
 * `prevMarketPosition`, `marketPositionSize` and `prevMarketPositionSize`, also spelled
 * `market_position`, `strategy.market_position`, … and, in text, `market_position=long`.
 * TradersPost's `sentiment` (bullish/bearish/flat) says the same as `marketPosition`.
 */

/** long, short or flat. */
export type MarketPosition = StrategyPosition["after"];

/** The sign of a position's direction: long +1, short -1, flat 0. */
export const POSITION_SIGN: Record<MarketPosition, number> = { long: 1, short: -1, flat: 0 };

/** Finds the first of the given normalized keys in the alert. */
export type FindField = (keys: readonly string[]) => Given | undefined;

interface PositionFields {
  after?: Given;
  before?: Given;
  afterSize?: Given;
  beforeSize?: Given;
}

/** long, short or flat (bullish and bearish as TradersPost spells long and short). */
export function marketPosition(f: Given): MarketPosition {
  const s = text(f.value, f.name).toLowerCase();
  const p = s === "bullish" ? "long" : s === "bearish" ? "short" : s;
  if (p === "long" || p === "short" || p === "flat") return p;
  return fail(f.name, `must be long, short or flat (got ${show(f.value)})`);
}

/**
 * The strategy position an alert carries, checked field by field and against itself: flat goes
 * with size 0, and the move from `before` to `after` must go the way the order's side goes.
 * `sentiment` is TradersPost's spelling of the position after the order.
 */
export function strategyPositionOf(
  find: FindField,
  sentiment: (Given & { value: MarketPosition }) | undefined,
  side: Side | undefined,
): StrategyPosition | undefined {
  const f: PositionFields = {
    after: find(POSITION_KEYS.after),
    before: find(POSITION_KEYS.before),
    afterSize: find(POSITION_KEYS.afterSize),
    beforeSize: find(POSITION_KEYS.beforeSize),
  };
  const afterField = f.after ?? sentiment;
  if (!afterField) return refuseWithoutAfter(f);
  const p = readPosition(f, sentiment);
  checkSizes(p, f);
  if (side && p.before !== undefined) checkMove(p, side, afterField.name);
  const r = StrategyPosition.safeParse(p);
  return r.success ? r.data : fail(`strategyPosition.${r.error.issues[0]!.path.join(".")}`, r.error.issues[0]!.message);
}

/** Sizes or a previous position without the position after the order describe nothing checkable. */
function refuseWithoutAfter(f: PositionFields): undefined {
  const orphan = f.before ?? f.afterSize ?? f.beforeSize;
  if (orphan)
    fail(orphan.name, 'needs the position after the order next to it: "marketPosition":"{{strategy.market_position}}"');
  return undefined;
}

function readPosition(f: PositionFields, sentiment: (Given & { value: MarketPosition }) | undefined): StrategyPosition {
  const after = f.after ? marketPosition(f.after) : sentiment!.value;
  if (f.after && sentiment && after !== sentiment.value)
    fail(f.after.name, `says ${after} but ${sentiment.name} says ${sentiment.value}`);
  const p: StrategyPosition = { after };
  if (f.before) p.before = marketPosition(f.before);
  if (f.afterSize) p.afterSize = positionSize(f.afterSize.value, f.afterSize.name);
  if (f.beforeSize) p.beforeSize = positionSize(f.beforeSize.value, f.beforeSize.name);
  return p;
}

/** Flat goes with size 0, long and short with more. */
function checkSizes(p: StrategyPosition, f: PositionFields): void {
  for (const [pos, n, field] of [
    [p.after, p.afterSize, f.afterSize],
    [p.before, p.beforeSize, f.beforeSize],
  ] as const) {
    if (pos !== undefined && n !== undefined && (pos === "flat") !== (n === 0))
      fail(field!.name, `is ${n} but the position is ${pos}`);
  }
}

/** The move from `before` to `after` must go the way the order's side goes. */
function checkMove(p: StrategyPosition, side: Side, afterName: string): void {
  const before = p.before!;
  const signed = (pos: MarketPosition, n: number | undefined) => POSITION_SIGN[pos] * (n ?? 1);
  const sized = p.afterSize !== undefined && p.beforeSize !== undefined;
  const move = sized
    ? signed(p.after, p.afterSize) - signed(before, p.beforeSize)
    : POSITION_SIGN[p.after] - POSITION_SIGN[before];
  if ((move > 0 && side === "sell") || (move < 0 && side === "buy")) {
    const from = sized ? `${before} ${p.beforeSize}` : before;
    fail(afterName, `says ${p.after} after a ${side} from ${from}: the fields do not describe this order`);
  }
}

/** Strict where the order can open a position; elsewhere a bad value is left out so that exits go through. */
export function positionFor(strict: boolean, read: () => StrategyPosition | undefined): StrategyPosition | undefined {
  try {
    return read();
  } catch (e) {
    if (strict || !(e instanceof AlertError)) throw e;
    return undefined;
  }
}
