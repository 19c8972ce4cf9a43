import { z } from "zod";
import { addTicks, isOnTick, snapToTick, tickDecimals } from "../money/tick-grid";
import { Breakeven, Trail } from "../protection/stop-levels";
import { type BracketLeg, type Contract, OrderSide, OrderType, type PlaceOrderRequest } from "../schemas";

const Positive = z.coerce.number().finite().positive();
const Ticks = z.coerce.number().int().positive();

/** What an intent can ask of the gateway: place, modify or cancel an order, close, or flatten the account. */
export const OrderActions = ["place", "modify", "cancel", "cancelAll", "close", "partialClose", "flatten"] as const;
/** One of {@link OrderActions}. */
export type OrderAction = (typeof OrderActions)[number];

/** Order types as traders name them; {@link toPlaceRequest} maps them to the gateway's numeric types. */
export const OrderTypeNames = ["market", "limit", "stop", "stopLimit", "trailingStop", "joinBid", "joinAsk"] as const;
/** One of {@link OrderTypeNames}. */
export type OrderTypeName = (typeof OrderTypeNames)[number];

const BracketSpec = z
  .object({
    /** Distance from the entry fill, in ticks (positive: the direction is implied by the side). */
    ticks: Ticks.optional(),
    /** Or an absolute price, converted to ticks from the entry reference price. */
    price: Positive.optional(),
    /** Or a distance in price points (10 on MNQ = 40 ticks). */
    points: Positive.optional(),
    /** Or what one contract loses at the stop, before fees (in dollars): $20 on MNQ = 40 ticks. */
    dollars: Positive.optional(),
    /** Or a percent of the entry reference price (the live quote for a market order). */
    percent: Positive.optional(),
  })
  .refine((b) => BRACKET_WAYS.filter((k) => b[k] !== undefined).length === 1, {
    message: "give exactly one of ticks, price, points, dollars or percent",
  });
/** The ways a bracket may be given. */
const BRACKET_WAYS = ["ticks", "price", "points", "dollars", "percent"] as const;
/** A stop-loss or take-profit as an intent gives it. */
export type BracketSpec = z.infer<typeof BracketSpec>;

const MarketPosition = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(["long", "short", "flat"]));
const PositionSize = z.number().int().nonnegative();

/**
 * The strategy's own market position around this order, as TradingView reports it
 * ({{strategy.market_position}} and friends): `after` is the position once the order fills. Sizes
 * are absolute (contracts); a flat position has size 0.
 */
export const StrategyPosition = z
  .object({
    after: MarketPosition,
    before: MarketPosition.optional(),
    afterSize: PositionSize.optional(),
    beforeSize: PositionSize.optional(),
  })
  .superRefine((p, ctx) => {
    for (const [pos, size, key] of [
      [p.after, p.afterSize, "afterSize"],
      [p.before, p.beforeSize, "beforeSize"],
    ] as const) {
      if (size === undefined || pos === undefined || (pos === "flat") === (size === 0)) continue;
      ctx.addIssue({ code: "custom", path: [key], message: `${size} contracts does not fit a ${pos} position` });
    }
  });
export type StrategyPosition = z.infer<typeof StrategyPosition>;

/**
 * What a trader (a dialog, a msg, an alert) asks for, in trader's words: sides and types as names,
 * positive distances in ticks, symbols rather than ids. Every path into an order goes through it.
 */
export const OrderIntent = z.object({
  action: z.enum(OrderActions).default("place"),
  /** Account id, or account name; blank means the configuration's default account. */
  account: z.union([z.coerce.number().int().positive(), z.string().min(1)]).optional(),
  symbol: z.string().trim().min(1).optional(),
  side: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(["buy", "sell"]))
    .optional(),
  type: z.enum(OrderTypeNames).default("market"),
  quantity: z.coerce.number().int().positive().optional(),
  limitPrice: Positive.optional(),
  stopPrice: Positive.optional(),
  /** Trailing stop: distance in ticks from the last price. */
  trailTicks: Ticks.optional(),
  stopLoss: BracketSpec.optional(),
  takeProfit: BracketSpec.optional(),
  orderId: z.coerce.number().int().positive().optional(),
  /** Idempotency key; the gateway refuses a second order with the same tag on the account. */
  customTag: z.string().trim().min(1).max(100).optional(),
  /** The alerting strategy's market position around this order, when the alert carries it. */
  strategyPosition: StrategyPosition.optional(),
  /** Breakeven of the position this entry opens (see stop-levels.ts); false: not even the node's. */
  breakeven: Breakeven.optional(),
  /** Trailing of the position's stop in steps (not the gateway's trailing-stop order: see trailTicks). */
  trail: Trail.optional(),
  /** Size from a risk instead of a quantity: the dollars the whole order may lose at its stop-loss, fees included. */
  risk: Positive.optional(),
  /** Or a percent of the day's remaining headroom (the tighter of the loss limits; needs a rules node). */
  riskPercent: z.coerce.number().finite().positive().max(100).optional(),
  /** When one full-size contract loses more than the risk, size the market's micro instead (NQ → MNQ). */
  microFallback: z.boolean().optional(),
});
export type OrderIntent = z.infer<typeof OrderIntent>;

/** The intent's quantity with its direction, sells negative; undefined without a quantity. */
export function signedQuantity(i: Pick<OrderIntent, "side" | "quantity">): number | undefined {
  return i.quantity === undefined ? undefined : i.side === "sell" ? -i.quantity : i.quantity;
}

/** What the named action needs, field by field; the error names the first missing field. */
export function missingField(i: OrderIntent): string | null {
  const need = (f: keyof OrderIntent) => (i[f] === undefined ? f : null);
  switch (i.action) {
    case "place": {
      const sizedByRisk = i.quantity === undefined && (i.risk !== undefined || i.riskPercent !== undefined);
      const base = need("symbol") ?? need("side") ?? (sizedByRisk ? need("stopLoss") : need("quantity"));
      if (base) return base;
      if ((i.type === "limit" || i.type === "stopLimit") && i.limitPrice === undefined) return "limitPrice";
      if ((i.type === "stop" || i.type === "stopLimit") && i.stopPrice === undefined) return "stopPrice";
      if (i.type === "trailingStop" && i.trailTicks === undefined) return "trailTicks";
      return null;
    }
    case "modify":
    case "cancel":
      return need("orderId");
    case "close":
      return need("symbol");
    case "partialClose":
      return need("symbol") ?? need("quantity");
    default:
      return null;
  }
}

const TYPE: Record<OrderTypeName, OrderType> = {
  market: OrderType.Market,
  limit: OrderType.Limit,
  stop: OrderType.Stop,
  stopLimit: OrderType.StopLimit,
  trailingStop: OrderType.TrailingStop,
  joinBid: OrderType.JoinBid,
  joinAsk: OrderType.JoinAsk,
};

/** The last known prices of the contract, for price-to-tick conversions. */
export interface Reference {
  lastPrice: number | null;
  bestBid: number | null;
  bestAsk: number | null;
}

/** An intent the gateway cannot be asked for; `field` names the field at fault and leads the message. */
export class IntentError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = "IntentError";
  }
}

/**
 * Turns a "place" intent into the gateway's Order/place request for one account and contract:
 * prices snapped to the tick grid, bracket distances signed the way the gateway wants them (a buy's
 * stop-loss negative), price brackets converted to ticks from the expected entry.
 */
export function toPlaceRequest(
  i: OrderIntent,
  accountId: number,
  contract: Contract,
  ref: Reference,
  customTag: string,
): PlaceOrderRequest {
  const tick = contract.tickSize;
  const d = tickDecimals(tick);
  const buy = i.side === "buy";
  const snap = (p: number | undefined) => (p === undefined ? undefined : snapToTick(p, tick, d));
  const req: PlaceOrderRequest = {
    accountId,
    contractId: contract.id,
    type: TYPE[i.type],
    side: buy ? OrderSide.Bid : OrderSide.Ask,
    size: i.quantity!,
    customTag,
  };
  if (i.type === "limit" || i.type === "stopLimit") req.limitPrice = snap(i.limitPrice);
  if (i.type === "stop" || i.type === "stopLimit") req.stopPrice = snap(i.stopPrice);
  if (i.type === "trailingStop") {
    if (ref.lastPrice === null) throw new IntentError("trailTicks", "no last price to trail from yet");
    // The gateway takes an absolute level and derives the distance from the last price.
    req.trailPrice = addTicks(ref.lastPrice, buy ? i.trailTicks! : -i.trailTicks!, tick, d);
  }
  const entry = req.limitPrice ?? req.stopPrice ?? (buy ? ref.bestAsk : ref.bestBid) ?? ref.lastPrice;
  const leg = (spec: OrderIntent["stopLoss"], kind: "stopLoss" | "takeProfit"): BracketLeg | undefined => {
    if (!spec) return undefined;
    const ticks = bracketTicks(spec, kind, i.side ?? "buy", contract, entry);
    const towardsLoss = kind === "stopLoss" ? buy : !buy;
    return { ticks: towardsLoss ? -ticks : ticks, type: kind === "stopLoss" ? OrderType.Stop : OrderType.Limit };
  };
  const sl = leg(i.stopLoss, "stopLoss");
  const tp = leg(i.takeProfit, "takeProfit");
  if (sl) req.stopLossBracket = sl;
  if (tp) req.takeProfitBracket = tp;
  return req;
}

/**
 * The distance in ticks from `entry` of a bracket given in any of its ways: ticks as they are; points
 * and percents (of the entry) rounded to the nearest tick; dollars per contract rounded down (the
 * stop never loses more than said); a price snapped to the grid and measured from the entry, on the
 * bracket's side of it. An IntentError names the bracket when it needs an entry price there is none of.
 */
export function bracketTicks(
  spec: BracketSpec,
  kind: "stopLoss" | "takeProfit",
  side: "buy" | "sell",
  contract: Pick<Contract, "tickSize" | "tickValue">,
  entry: number | null,
): number {
  const tick = contract.tickSize;
  const atLeastOne = (n: number, what: string) => {
    if (n < 1) throw new IntentError(kind, `${what} is less than one tick (${tick})`);
    return n;
  };
  if (spec.ticks !== undefined) return spec.ticks;
  if (spec.points !== undefined) return atLeastOne(Math.round(spec.points / tick), `${spec.points} points`);
  if (spec.dollars !== undefined)
    return atLeastOne(
      Math.floor(Math.round((spec.dollars / contract.tickValue) * 1e6) / 1e6),
      `$${spec.dollars} a contract (a tick is $${contract.tickValue})`,
    );
  if (entry === null) throw new IntentError(kind, "no price to measure the bracket from yet; give ticks instead");
  if (spec.percent !== undefined)
    return atLeastOne(Math.round((entry * spec.percent) / 100 / tick), `${spec.percent}% of ${entry}`);
  const d = tickDecimals(tick);
  const price = isOnTick(spec.price!, tick) ? spec.price! : snapToTick(spec.price!, tick, d);
  const ticks = Math.round(Math.abs(price - entry) / tick);
  const buy = side === "buy";
  const wrongSide =
    kind === "stopLoss" ? (buy ? price >= entry : price <= entry) : buy ? price <= entry : price >= entry;
  if (wrongSide || ticks === 0)
    throw new IntentError(kind, `price ${spec.price} is on the wrong side of the entry (${entry}) for a ${side}`);
  return ticks;
}

/** A readable one-liner of an intent, for statuses and logs: "buy 2 MNQ1! limit 21000". */
export function describeIntent(i: OrderIntent): string {
  if (i.action !== "place")
    return [i.action, i.symbol, i.quantity, i.orderId && `#${i.orderId}`].filter(Boolean).join(" ");
  const price =
    i.type === "limit"
      ? ` @ ${i.limitPrice}`
      : i.type === "stop"
        ? ` stop ${i.stopPrice}`
        : i.type === "market"
          ? ""
          : ` ${i.type}`;
  const size = i.quantity ?? (i.risk !== undefined ? `($${i.risk} risk)` : `(${i.riskPercent}% risk)`);
  return `${i.side} ${size} ${i.symbol}${price}`;
}
