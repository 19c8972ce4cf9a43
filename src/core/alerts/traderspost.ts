import type { OrderIntent } from "../orders/order-intent";
import { fail, show } from "./alert-error";
import type { AlertFields } from "./alert-fields";
import { normalizeWord, type Side, text } from "./coerce";
import type { MarketPosition } from "./strategy-position";

/**
 * TradersPost-style JSON, detected by `sentiment`, or by `ticker` with `action`
 * buy|sell|exit|cancel|add. It is our JSON (json-alert.ts) in TradersPost's words: `action`
 * buy/sell = one order of `quantity` (not TradersPost's close-then-reverse position management: use
 * the target form for that); `sentiment: flat` with buy/sell = close the position; exit = close
 * (partialClose when a quantity is given, as in TradersPost); cancel = cancel every working order of
 * the ticker; add = buy or sell by the sentiment. `price`/`signalPrice` is a reference price (and
 * the limit price of a limit order that has no `limitPrice`); `stopLoss {type: stop, stopPrice |
 * amount | percent}` and `takeProfit {limitPrice | amount | percent}` become absolute prices,
 * amounts and percents measured from the reference price (limitPrice, else stopPrice, else
 * price/signalPrice; see bracket.ts).
 */

const TRADERSPOST_ACTIONS = ["buy", "sell", "exit", "cancel", "add"];

/** Whether a JSON order alert is TradersPost's (`actionWord` normalized). */
export function isTradersPost(fields: AlertFields, actionWord: string | undefined): boolean {
  return fields.has("sentiment") || (fields.has("ticker") && TRADERSPOST_ACTIONS.includes(actionWord ?? ""));
}

/** `sentiment`: the position after the order, bullish/long, bearish/short or flat. */
export function sentimentOf(fields: AlertFields): MarketPosition | undefined {
  if (!fields.has("sentiment")) return undefined;
  const s = text(fields.get("sentiment"), fields.nameOf("sentiment")).toLowerCase();
  if (s === "bullish" || s === "long") return "long";
  if (s === "bearish" || s === "short") return "short";
  if (s === "flat") return "flat";
  return fail(
    fields.nameOf("sentiment"),
    `must be bullish, long, bearish, short or flat (got ${show(fields.get("sentiment"))})`,
  );
}

/** Action add: the given side, else the side the sentiment says. */
export function addSide(fields: AlertFields, side: Side | undefined, sentiment: MarketPosition | undefined): Side {
  if (side !== undefined) return side;
  if (sentiment === "long") return "buy";
  if (sentiment === "short") return "sell";
  return fail(
    "sentiment",
    `action add needs sentiment bullish/long or bearish/short (got ${show(fields.get("sentiment"))})`,
  );
}

/**
 * `quantityType`: a fixed quantity, or `risk_dollar_amount` (the quantity is a dollar risk, sized
 * from the stop-loss); one sized from the account's equity or position is refused rather than misread.
 */
export function checkQuantityType(fields: AlertFields): void {
  if (!fields.has("quantitytype")) return;
  const given = normalizeWord(text(fields.get("quantitytype"), fields.nameOf("quantitytype")));
  if (given !== "fixedquantity" && given !== "fixed" && given !== RISK_QUANTITY)
    fail(
      fields.nameOf("quantitytype"),
      `only fixed_quantity or risk_dollar_amount is supported (got ${show(fields.get("quantitytype"))})`,
    );
}

const RISK_QUANTITY = "riskdollaramount";

/** Whether `quantityType` says the quantity is a dollar risk (never throws: exits read it too). */
export function quantityIsRisk(fields: AlertFields): boolean {
  const v = fields.get("quantitytype");
  return typeof v === "string" && normalizeWord(v) === RISK_QUANTITY;
}

/** A TradersPost limit order without `limitPrice` is placed at the signal price. */
export function limitPriceOf(
  type: OrderIntent["type"],
  limitPrice: number | undefined,
  signalPrice: number | undefined,
): number | undefined {
  if ((type === "limit" || type === "stopLimit") && limitPrice === undefined) return signalPrice;
  return limitPrice;
}
