import type { OrderAction, StrategyPosition } from "../orders/order-intent";
import { fail, show } from "./alert-error";
import {
  type AlertFields,
  QUANTITY_KEYS,
  quantityOf,
  REFERENCE_PRICE_KEYS,
  refuseRiskyExtras,
  symbolOf,
} from "./alert-fields";
import type { AlertIdentity } from "./alert-identity";
import { placeType, validIntent } from "./alert-intent";
import { bracketField } from "./bracket";
import { accountOf, normalizeWord, positive, positiveWhole, price, type Side, sideOf, typeOf } from "./coerce";
import { type AlertFormat, intentAlert, type ParsedAlert } from "./parsed-alert";
import { riskFieldsOf } from "./risk-fields";
import { stopPlanFields } from "./stop-fields";
import { type MarketPosition, positionFor, strategyPositionOf } from "./strategy-position";
import { addSide, checkQuantityType, limitPriceOf, quantityIsRisk, sentimentOf } from "./traderspost";

/**
 * Our own JSON order alert: `symbol` (or `ticker`), `side` buy|sell|long|short, `quantity` (or
 * `qty`, `contracts`), `type` (or `orderType`), `limitPrice`, `stopPrice`, `trailTicks`,
 * `stopLoss`/`takeProfit` as `{ticks}`, `{price}` or a bare number of ticks, `account`, `orderId`,
 * and `action` place|close|partialClose|flatten|cancel|cancelAll|modify (cancel without an
 * orderId = cancelAll for the symbol). TradersPost-style alerts are built here too, with the words
 * of traderspost.ts. Brackets and risk fields only matter for orders that can open a position: on
 * close, flatten and cancel they are ignored, so a flat signal always goes through; so is a bad
 * strategy position, which is left out there.
 */

type OrderFormat = Exclude<AlertFormat, "target" | "text">;
type ExitAction = Exclude<OrderAction, "place" | "modify">;

/** What every order alert reads before it knows its action, in the order errors are found. */
interface OrderAlert {
  fields: AlertFields;
  format: OrderFormat;
  identity: AlertIdentity;
  /** `action`, normalized. */
  actionWord?: string;
  sentiment?: MarketPosition;
  side?: Side;
  symbol?: string;
  account?: string | number;
  orderId?: number;
  /** TradersPost's `quantityType: risk_dollar_amount`: the quantity is a dollar risk, not contracts. */
  quantityIsRisk: boolean;
}

/** The prices and quantity of an order that places or modifies. */
interface OrderPrices {
  limitPrice?: number;
  stopPrice?: number;
  /** TradersPost's `price`/`signalPrice`. */
  referencePrice?: number;
  trailTicks?: number;
  quantity?: number;
  /** The quantity given as a dollar risk (see `quantityIsRisk`). */
  quantityRisk?: number;
}

/** Parses a JSON order alert (our form or TradersPost's); `actionWord` is its `action`, normalized. */
export function parseOrderAlert(
  fields: AlertFields,
  identity: AlertIdentity,
  format: OrderFormat,
  actionWord: string | undefined,
): ParsedAlert {
  const o: OrderAlert = {
    fields,
    format,
    identity,
    actionWord,
    sentiment: sentimentOf(fields),
    side: fields.read("side", sideOf),
    symbol: symbolOf(fields),
    account: accountOf(fields.get("account")),
    orderId: fields.read("orderid", positiveWhole),
    quantityIsRisk: format === "traderspost" && quantityIsRisk(fields),
  };
  const [action, side] = resolveAction(o);
  const strategyPosition = strategyPositionFor(o, action === "place", side);
  if (action !== "place" && action !== "modify") return exitAlert(o, action, strategyPosition);
  const prices = orderPrices(o);
  if (action === "modify") return modifyAlert(o, prices, strategyPosition);
  return placeAlert(o, side!, prices, strategyPosition);
}

/** What the alert asks for: an entry ("place" with a side) or one of the other actions. */
function resolveAction(o: OrderAlert): [OrderAction, Side?] {
  const flat = o.sentiment === "flat";
  switch (o.actionWord) {
    case undefined:
      return withoutAction(o);
    case "buy":
    case "long":
      return flat ? ["close"] : entry(o, "buy");
    case "sell":
    case "short":
      return flat ? ["close"] : entry(o, "sell");
    case "add":
      return entry(o, addSide(o.fields, o.side, o.sentiment));
    case "place":
      return entry(o, o.side ?? fail("side", "required for action place: buy or sell"));
    case "exit":
    case "close":
      return [contractsOf(o) !== undefined ? "partialClose" : "close"];
    case "partialclose":
      return ["partialClose"];
    case "cancel":
      return [o.orderId !== undefined ? "cancel" : "cancelAll"];
    case "cancelall":
      return ["cancelAll"];
    case "flatten":
      return ["flatten"];
    case "modify":
      return ["modify"];
    default:
      return fail(
        o.fields.nameOf("action"),
        `must be buy, sell, add, exit, close, partialClose, cancel, cancelAll, flatten or modify (got ${show(o.fields.get("action"))})`,
      );
  }
}

function withoutAction(o: OrderAlert): [OrderAction, Side?] {
  if (o.sentiment === "flat") return ["close"];
  if (o.side !== undefined) return entry(o, o.side);
  if (o.fields.has("position"))
    fail(o.fields.nameOf("position"), 'is not an order field: for a target-position alert use "targetPosition"');
  return fail("side", "required: buy or sell (or long, short), or an action such as close, flatten or cancel");
}

function entry(o: OrderAlert, side: Side): ["place", Side] {
  if (o.side !== undefined && o.side !== side) fail(o.fields.nameOf("side"), `says ${o.side} but action says ${side}`);
  return ["place", side];
}

/** Strict on an entry; on any other action a bad strategy position is left out (see positionFor). */
function strategyPositionFor(o: OrderAlert, strict: boolean, side: Side | undefined): StrategyPosition | undefined {
  const sentiment = o.sentiment === undefined ? undefined : { name: o.fields.nameOf("sentiment"), value: o.sentiment };
  return positionFor(strict, () => strategyPositionOf((keys) => o.fields.given(keys), sentiment, side));
}

function exitAlert(o: OrderAlert, action: ExitAction, strategyPosition: StrategyPosition | undefined): ParsedAlert {
  const { symbol, account } = o;
  switch (action) {
    case "close":
    case "cancelAll":
      return intentAlert(o.format, validIntent({ action, symbol, account, strategyPosition }), o.identity);
    case "partialClose": {
      const quantity = contractsOf(o);
      return intentAlert(o.format, validIntent({ action, symbol, quantity, account, strategyPosition }), o.identity);
    }
    case "cancel": {
      const orderId = o.orderId;
      return intentAlert(o.format, validIntent({ action, orderId, symbol, account, strategyPosition }), o.identity);
    }
    case "flatten":
      if (symbol !== undefined)
        fail(
          o.fields.has("symbol") ? o.fields.nameOf("symbol") : o.fields.nameOf("ticker"),
          'flatten closes every position and order on the account; to close one symbol use action "close"',
        );
      return intentAlert(o.format, validIntent({ action, account, strategyPosition }), o.identity);
  }
}

/** The prices and quantity, read in this order so that the first bad one is the one named. */
function orderPrices(o: OrderAlert): OrderPrices {
  const { fields } = o;
  if (o.format === "traderspost") checkQuantityType(fields);
  const limitPrice = fields.read("limitprice", price);
  const stopPrice = fields.read("stopprice", price);
  const references = REFERENCE_PRICE_KEYS.map((k) => fields.read(k, price)); // every one given must parse
  const referencePrice = references.find((p) => p !== undefined);
  const trailTicks = fields.read("trailticks", positiveWhole);
  const riskKey = o.quantityIsRisk ? fields.first(QUANTITY_KEYS) : undefined;
  const quantityRisk = riskKey === undefined ? undefined : positive(fields.get(riskKey), fields.nameOf(riskKey));
  return { limitPrice, stopPrice, referencePrice, trailTicks, quantity: contractsOf(o), quantityRisk };
}

/** The quantity in contracts; none when it is a dollar risk (an exit then closes the whole position). */
function contractsOf(o: OrderAlert): number | undefined {
  return o.quantityIsRisk ? undefined : quantityOf(o.fields);
}

function modifyAlert(o: OrderAlert, p: OrderPrices, strategyPosition: StrategyPosition | undefined): ParsedAlert {
  for (const k of ["stoploss", "takeprofit", "risk", "riskpercent"])
    if (o.fields.has(k)) fail(o.fields.nameOf(k), "cannot be changed by a modify alert");
  refuseRiskyExtras(o.fields);
  const intent = validIntent({
    action: "modify",
    orderId: o.orderId,
    symbol: o.symbol,
    quantity: p.quantity,
    limitPrice: p.limitPrice,
    stopPrice: p.stopPrice,
    trailTicks: p.trailTicks,
    account: o.account,
    strategyPosition,
  });
  return intentAlert(o.format, intent, o.identity);
}

function placeAlert(
  o: OrderAlert,
  side: Side,
  p: OrderPrices,
  strategyPosition: StrategyPosition | undefined,
): ParsedAlert {
  const { fields } = o;
  refuseRiskyExtras(fields);
  const typeKey = fields.first(["type", "ordertype"]);
  const given = typeKey ? typeOf(fields.get(typeKey), fields.nameOf(typeKey)) : undefined;
  const prices = { limitPrice: p.limitPrice, stopPrice: p.stopPrice, trailTicks: p.trailTicks };
  const type = placeType(given, prices, (k) => fields.nameOf(normalizeWord(k)));
  if (o.format === "traderspost") prices.limitPrice = limitPriceOf(type, prices.limitPrice, p.referencePrice);
  const reference = prices.limitPrice ?? prices.stopPrice ?? p.referencePrice;
  const intent = validIntent({
    action: "place",
    symbol: o.symbol,
    side,
    type,
    quantity: p.quantity,
    ...prices,
    account: o.account,
    strategyPosition,
    stopLoss: bracketField(fields, "stoploss", side, reference),
    takeProfit: bracketField(fields, "takeprofit", side, reference),
    ...stopPlanFields(fields),
    ...riskFieldsOf(fields, p.quantityRisk === undefined ? fields.first(QUANTITY_KEYS) : undefined, p.quantityRisk),
  });
  return intentAlert(o.format, intent, o.identity);
}
